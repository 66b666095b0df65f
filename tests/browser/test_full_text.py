from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.models import Decision
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    ReasonFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = Path(__file__).resolve().parent.parent / "data" / "tiny.pdf"


def test_reviewer_uploads_a_pdf_sees_it_inline_and_excludes_by_keyboard(page, live_server, login):
    review = ReviewFactory(slug="ft-demo")
    MembershipFactory(review=review, user=UserFactory(username="rev"), role="reviewer")
    reason = ReasonFactory(review=review, code="EX-POP", label="Wrong population", number=1)
    record = RecordFactory(
        source=SourceFactory(review=review), ta_status="include", title="A sought report"
    )
    login("rev", PASSWORD)
    page.goto(f"{live_server.url}/reviews/ft-demo/full-texts/")
    page.get_by_label(f"PDF for record #{record.number}").set_input_files(str(PDF))
    page.get_by_test_id(f"sought-{record.pk}").get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id(f"retrieval-{record.pk}")).to_contain_text("Retrieved")
    page.get_by_role("link", name="Screen full texts").click()
    expect(page.get_by_test_id("reader")).to_have_attribute("data-rendered", "1")
    pdf_url = page.get_by_test_id("pdf-link").get_attribute("href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    expect(page.get_by_test_id("card")).to_have_attribute("data-record", str(record.pk))
    page.keyboard.press("1")
    page.keyboard.press("e")
    expect(page.get_by_test_id("done")).to_be_visible()
    decision = Decision.objects.get(record=record, stage="full_text")
    assert (decision.value, decision.reason_id) == ("exclude", reason.pk)
