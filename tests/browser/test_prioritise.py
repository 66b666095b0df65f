"""Prioritised screening in the browser: the queue reorders after the reviewer's decisions, the
lead reads the model's state, turns the hint on, and stops by a stated rule."""

import re

import pytest
from playwright.sync_api import expect

from screening.models import RankingRun
from tests.browser.test_screening import expect_settled, sign_in
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ON_TOPIC = "young people participation child sexual exploitation services"
OFF_TOPIC = ["kidney dialysis outcomes", "maize drought yields", "bridge corrosion sensors"]


def test_queue_follows_the_model_and_the_lead_stops_by_rule(page, browser, live_server, login):
    review = ReviewFactory(slug="ranked", ta_reviewers_per_record=1, retrain_every=4)
    lead = MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead")
    MembershipFactory(review=review, user=UserFactory(username="rev1"), role="reviewer")
    source = SourceFactory(review=review)
    relevant = set()
    for i in range(30):
        on_topic = i % 10 == 1  # records 1, 11, 21: the rest are off topic
        topic = ON_TOPIC if on_topic else OFF_TOPIC[i % 3]
        record = RecordFactory(source=source, title=f"{topic} ({i})", abstract=f"{topic}.")
        if on_topic:
            relevant.add(record.pk)

    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/ranked/screen/title-abstract/")
    card = page.get_by_test_id("card")
    # Import order first: off, on, off, off. Four decisions make the model due.
    for _ in range(4):
        shown = card.get_attribute("data-record")
        page.keyboard.press("i" if int(shown) in relevant else "e")
        # The fourth decision retrains in the request here (eager Celery): give it time.
        expect(card).not_to_have_attribute("data-record", shown, timeout=30_000)
        expect_settled(card)
    # The worker (eager here) retrained once the fourth decision committed: the next record is
    # the model's best guess, an on-topic record far down the import order.
    assert int(card.get_attribute("data-record")) in relevant
    assert RankingRun.objects.get().state == RankingRun.State.READY

    lead_page = browser.new_context().new_page()
    sign_in(lead_page, live_server, "lead")
    lead_page.goto(f"{live_server.url}/reviews/ranked/prioritise/")
    expect(lead_page.get_by_test_id("run-state")).to_have_text("Ranked")
    expect(lead_page.get_by_test_id("unscreened")).to_have_text("26")
    expect(lead_page.get_by_test_id("hint-state")).to_have_text("do not see")
    lead_page.get_by_role("button", name="Show the hint").click()
    expect(lead_page.get_by_test_id("hint-state")).to_have_text("see")

    page.reload()
    # One of the two best (a second screener, the lead, spreads the untouched records).
    expect(page.get_by_test_id("relevance-hint")).to_contain_text(re.compile(r"top [1-4] %"))

    lead_page.get_by_label("Stopping rule, as it will be reported").fill("Stopped: demo rule")
    lead_page.get_by_label("Exclude all 26 unscreened records").check()
    lead_page.get_by_role("button", name="Exclude the remainder").click()
    expect(lead_page.get_by_text("26 unscreened records excluded")).to_be_visible()
    expect(lead_page.get_by_test_id("rules")).to_contain_text("Stopped: demo rule")
    lead_page.goto(f"{live_server.url}/reviews/ranked/")
    expect(lead_page.get_by_test_id("count-ta-automation")).to_have_text("26")
    assert review.exclusion_rules.get().applied_by == lead.user
