import pytest
from playwright.sync_api import expect

from screening.models import DuplicatePair
from tests.factories import (
    PASSWORD,
    DuplicatePairFactory,
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_decides_duplicate_pairs_by_keyboard(page, live_server, login):
    review = ReviewFactory(slug="dedup-demo")
    MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead")
    source = SourceFactory(review=review)
    first = DuplicatePairFactory(
        keep=RecordFactory(source=source, title="Kept record one"),
        duplicate=RecordFactory(source=source, title="Maybe duplicate one"),
        score=92,
    )
    second = DuplicatePairFactory(
        keep=RecordFactory(source=source, title="Kept record two"),
        duplicate=RecordFactory(source=source, title="Maybe duplicate two"),
        score=85,
    )
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/dedup-demo/duplicates/")
    expect(page.get_by_test_id("pair")).to_contain_text("Maybe duplicate one")
    page.keyboard.press("y")
    expect(page.get_by_test_id("pair")).to_contain_text("Maybe duplicate two")
    expect(page.locator("#queue")).to_have_attribute("data-keys-ready", "")  # keys taken again
    page.keyboard.press("n")
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    statuses = dict(DuplicatePair.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "confirmed", second.pk: "rejected"}
