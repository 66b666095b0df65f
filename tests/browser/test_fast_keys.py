"""Keys pressed as fast as a person presses them: none is lost silently. A key either decides the
record on screen or the card says at once that it was ignored; a refused decision keeps its card
and says why (issue 17, items 1 and 4)."""

import pytest
from playwright.sync_api import expect

from reviewapp.models import Membership, Stage
from screening.models import Decision
from screening.services.decisions import record_decision
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALUES = {"i": "include", "e": "exclude", "m": "maybe"}
# Gaps between key presses (ms), as a fast reviewer's fingers leave them: a double tap, a quick
# second key, a read-then-press. Playwright alone would press far faster than any person.
GAPS = [0, 40, 90, 140, 220, 400]

LOG_KEYS = """() => {
  window.keyLog = [];
  for (const name of ["keys:taken", "keys:ignored"]) {
    document.addEventListener(name, (e) => window.keyLog.push({kind: name, ...e.detail}));
  }
}"""


def screening_review(slug: str, count: int, **members: str):
    # A ranking retrain (every 1000 decisions) would take seconds in-process: not what this tests.
    review = ReviewFactory(slug=slug, retrain_every=1000)
    users = {
        name: MembershipFactory(review=review, user=UserFactory(username=name), role=role).user
        for name, role in members.items()
    }
    source = SourceFactory(review=review)
    return review, users, [RecordFactory(source=source) for _ in range(count)]


def test_keys_at_speed_decide_what_was_meant_and_every_ignored_key_is_shown(
    page, live_server, login
):
    _, users, _ = screening_review("fast-keys", 45, rev1="reviewer")  # more than the keys
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/fast-keys/screen/title-abstract/")
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    page.evaluate(LOG_KEYS)
    keys = "iemieimeiemmieiiemei" * 2
    for n, key in enumerate(keys):
        page.keyboard.press(key)
        page.wait_for_timeout(GAPS[n % len(GAPS)])
    expect(page.locator("[data-card-preview]")).to_have_count(0)
    expect(page.locator(".htmx-request")).to_have_count(0)
    log = page.evaluate("window.keyLog")

    assert len(log) == len(keys)  # every key press is accounted for: taken or ignored
    taken = [e for e in log if e["kind"] == "keys:taken"]
    ignored = [e for e in log if e["kind"] == "keys:ignored"]
    assert all(e["shown"] for e in ignored), "an ignored key was not shown as ignored"
    assert ignored, "nothing pressed within the guard: the test did not test it"
    assert len(taken) >= 5
    # Each taken key decided the record that was on screen when it was pressed, with its value.
    meant = {int(e["record"]): VALUES[e["key"]] for e in taken if e["record"]}
    saved = Decision.objects.filter(reviewer=users["rev1"], stage=Stage.TITLE_ABSTRACT)
    assert dict(saved.values_list("record_id", "value")) == meant
    assert len(meant) == len([e for e in taken if e["record"]])  # one key, one record


def test_a_key_during_the_guard_says_so_on_the_card(page, live_server, login):
    screening_review("guard-note", 3, rev1="reviewer")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/guard-note/screen/title-abstract/")
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    first = card.get_attribute("data-record")
    page.keyboard.press("i")
    page.keyboard.press("e")  # at once: meant for the record just decided, not the next one
    notice = page.get_by_test_id("key-ignored")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("ignored")
    expect(card).not_to_have_attribute("data-record", first)
    assert list(Decision.objects.values_list("value", flat=True)) == ["include"]


def test_a_decision_on_a_card_that_went_stale_keeps_the_card_and_says_why(page, live_server, login):
    review, users, _ = screening_review(
        "stale-card", 2, rev1="reviewer", rev2="reviewer", boss="lead"
    )
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/stale-card/screen/title-abstract/")
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    shown = int(card.get_attribute("data-record"))
    for name in ("rev2", "boss"):  # both decisions it needs arrive while rev1 reads
        record_decision(
            review=review,
            record_id=shown,
            stage=Stage.TITLE_ABSTRACT,
            reviewer=users[name],
            value="exclude",
        )
    page.keyboard.press("i")
    expect(page.get_by_test_id("error")).to_contain_text("Not saved")
    expect(page.get_by_test_id("error")).to_contain_text("go on to your next record")
    expect(card).to_have_attribute("data-record", str(shown))
    expect(page.get_by_test_id("done")).to_have_count(0)
    assert not Decision.objects.filter(reviewer=users["rev1"]).exists()
    page.get_by_test_id("next-record").click()
    expect(card).not_to_have_attribute("data-record", str(shown))


def test_a_decision_after_losing_the_reviewer_role_keeps_the_card_and_says_why(
    page, live_server, login
):
    review, users, _ = screening_review("lost-role", 2, rev1="reviewer")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/lost-role/screen/title-abstract/")
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    shown = card.get_attribute("data-record")
    Membership.objects.filter(review=review, user=users["rev1"]).update(role="viewer")
    page.keyboard.press("i")
    refused = page.get_by_test_id("refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Ask the review's lead")
    expect(card).to_have_attribute("data-record", shown)
    expect(page.get_by_test_id("done")).to_have_count(0)
    assert not Decision.objects.exists()


def test_an_exclusion_missing_its_reason_keeps_the_card_without_a_preview_of_the_next(
    page, live_server, login
):
    review, _, _ = screening_review("needs-reason", 3, rev1="reviewer")
    review.ta_reason_required = True
    review.save()
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/needs-reason/screen/title-abstract/")
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    shown = card.get_attribute("data-record")
    page.evaluate("""() => { window.previews = 0; new MutationObserver(() => {
        if (document.querySelector('[data-card-preview]')) window.previews += 1;
    }).observe(document.body, {childList: true, subtree: true}); }""")
    page.keyboard.press("e")
    expect(page.get_by_test_id("error")).to_contain_text("Not saved")
    expect(card).to_have_attribute("data-record", shown)
    assert page.evaluate("window.previews") == 0
    assert not Decision.objects.exists()


def test_a_key_while_a_slow_decision_is_on_its_way_stays_said_on_the_next_card(
    page, live_server, login
):
    """No prefetched card (the server had none ready) and a slow answer: the key pressed while
    the decision travels is said to be ignored, and the notice is still there on the next card."""
    screening_review("slow-answer", 3, rev1="reviewer")
    held = []

    def slow_decisions(route):
        if route.request.method == "POST":
            held.append(route)  # answered below, once the second key has been pressed
        elif "after=" in route.request.url:
            route.fulfill(status=204)  # nothing prefetched: the old card stays while it saves
        else:
            route.continue_()

    login("rev1", PASSWORD)
    page.route(lambda url: "/screen/title-abstract/" in url, slow_decisions)
    page.goto(f"{live_server.url}/reviews/slow-answer/screen/title-abstract/")
    page.evaluate(LOG_KEYS)
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    first = card.get_attribute("data-record")
    page.keyboard.press("i")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(20)
    page.keyboard.press("e")  # while the include is still on its way
    held[0].continue_()
    expect(card).not_to_have_attribute("data-record", first)
    notice = page.get_by_test_id("key-ignored")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("key \u201ce\u201d ignored")
    assert [e["kind"] for e in page.evaluate("window.keyLog")] == ["keys:taken", "keys:ignored"]
    assert list(Decision.objects.values_list("value", flat=True)) == ["include"]
