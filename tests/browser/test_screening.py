"""Title/abstract screening and conflict resolution, driven by the keyboard as reviewers do.

Set BROWSER_SCREENSHOTS to a folder (e.g. /tmp) to save screen.png and conflicts.png there.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reviewapp.models import Stage
from screening.models import Decision, Resolution
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


def snapshot(page, name: str) -> None:
    """A full-page screenshot for a human to look at, only when asked for."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def sign_in(page, live_server, username: str) -> None:
    """The login fixture's steps, for a page in another browser context."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def expect_settled(card) -> None:
    """The swapped-in card takes keys again, as a reviewer who has looked at it would press.

    keys.js drops a key pressed while a decision is on its way or just after the next card
    appeared (it would land on a record nobody has read), and marks the card when it is ready.
    """
    expect(card).not_to_have_class(re.compile(r"\bhtmx-added\b"))
    expect(card).to_have_attribute("data-keys-ready", "")


def review_with_records(slug: str, count: int, **members: str):
    """A review, its members by role ({username: role}) and `count` records to screen."""
    # A ranking retrain (due every 10 decisions) runs in-process here and takes seconds on a
    # busy machine: longer than a card is waited for. Retraining is tested elsewhere.
    review = ReviewFactory(slug=slug, retrain_every=1000)
    users = {
        username: MembershipFactory(
            review=review, user=UserFactory(username=username), role=role
        ).user
        for username, role in members.items()
    }
    source = SourceFactory(review=review)
    records = [RecordFactory(source=source) for _ in range(count)]
    return review, users, records


def test_reviewer_screens_ten_records_by_keyboard_alone_and_can_undo(page, live_server, login):
    review, users, records = review_with_records("keys-demo", 10, rev1="reviewer")
    wrong_population = ReasonFactory(review=review, number=1, label="Wrong population")
    ReasonFactory(review=review, number=2, label="Wrong concept")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/keys-demo/screen/title-abstract/")
    card, progress = page.get_by_test_id("card"), page.get_by_test_id("progress")
    expect(progress).to_have_text("0 of 10 decided by me")
    snapshot(page, "screen.png")
    page.evaluate("window.loadedOnce = true")  # a full page load would clear this

    pressed: dict[int, str] = {}
    excluded_with_reason = None
    keys = ["i", "e", "m", "i", "e", "i", "m", "e", "i", "m"]
    for n, key in enumerate(keys, start=1):
        shown = card.get_attribute("data-record")
        if n == 2:
            page.keyboard.press("1")
            expect(page.get_by_label("Wrong population")).to_be_checked()
            excluded_with_reason = int(shown)
        page.keyboard.press(key)
        expect(card).not_to_have_attribute("data-record", shown)
        expect(progress).to_have_text(f"{n} of 10 decided by me")
        expect_settled(card)
        pressed[int(shown)] = key

        if n == 5:  # take the fifth decision back, then decide that record again
            page.keyboard.press("u")
            expect(card).to_have_attribute("data-record", shown)
            expect(progress).to_have_text("4 of 10 decided by me")
            expect(page.get_by_text("Decision undone")).to_be_visible()
            expect_settled(card)
            assert Decision.objects.filter(reviewer=users["rev1"]).count() == 4
            page.keyboard.press("i")
            expect(card).not_to_have_attribute("data-record", shown)
            expect(progress).to_have_text("5 of 10 decided by me")
            expect_settled(card)
            pressed[int(shown)] = "i"

    expect(page.get_by_test_id("done")).to_be_visible()
    assert card.get_attribute("data-record") is None
    assert page.evaluate("window.loadedOnce") is True  # every card arrived by htmx

    mine = Decision.objects.filter(reviewer=users["rev1"], stage=Stage.TITLE_ABSTRACT)
    assert dict(mine.values_list("record_id", "value")) == {
        record_id: {"i": "include", "e": "exclude", "m": "maybe"}[key]
        for record_id, key in pressed.items()
    }
    assert set(pressed) == {r.pk for r in records}
    reasons = dict(mine.filter(value="exclude").values_list("record_id", "reason"))
    assert reasons == {
        pk: wrong_population.pk if pk == excluded_with_reason else None
        for pk, key in pressed.items()
        if key == "e"
    }
    assert reasons[excluded_with_reason] == wrong_population.pk


def test_question_mark_opens_the_key_help_and_keys_type_into_the_note(page, live_server, login):
    _, users, _ = review_with_records("help-demo", 2, rev1="reviewer")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/help-demo/screen/title-abstract/")
    card, help_modal = page.get_by_test_id("card"), page.locator("#keys-help")
    shown = card.get_attribute("data-record")

    page.keyboard.press("?")
    expect(help_modal).to_be_visible()
    expect(help_modal.get_by_role("heading", name="Keyboard")).to_be_visible()
    expect(help_modal).to_be_focused()  # Bootstrap hands focus over once the fade-in ends
    page.keyboard.press("Escape")
    expect(help_modal).to_be_hidden()
    # Focus goes back to the Keys button only after the backdrop fades out; a note started
    # before that loses its focus mid-word and the rest of it is read as keys.
    expect(page.get_by_role("button", name="Keys")).to_be_focused()

    note = page.get_by_label("Note")
    page.keyboard.press("n")
    expect(note).to_be_focused()
    page.keyboard.type("is it in scope?")
    expect(note).to_have_value("is it in scope?")
    expect(card).to_have_attribute("data-record", shown)
    expect(page.get_by_test_id("progress")).to_have_text("0 of 2 decided by me")
    expect(help_modal).to_be_hidden()
    assert not Decision.objects.exists()

    page.keyboard.press("Escape")
    expect(note).not_to_be_focused()
    page.keyboard.press("i")  # out of the box, i decides, and the note goes with it
    expect(card).not_to_have_attribute("data-record", shown)
    decision = Decision.objects.get(reviewer=users["rev1"])
    assert (decision.record_id, decision.value, decision.note) == (
        int(shown),
        "include",
        "is it in scope?",
    )


def test_lead_resolves_a_disagreement_by_keyboard_and_the_dashboard_counts_change(
    page, browser, live_server, login
):
    review, users, (record,) = review_with_records(
        "conflict-demo", 1, lead="lead", rev1="reviewer", rev2="reviewer"
    )
    ReasonFactory(review=review, number=1, label="Wrong population")
    users["rev1"].first_name, users["rev1"].last_name = "Rita", "Rossi"
    users["rev2"].first_name, users["rev2"].last_name = "Eli", "Evans"
    for user in (users["rev1"], users["rev2"]):
        user.save()
    screen = f"{live_server.url}/reviews/conflict-demo/screen/title-abstract/"

    login("rev1", PASSWORD)
    page.goto(screen)
    page.keyboard.press("i")
    expect(page.get_by_test_id("done")).to_be_visible()

    context = browser.new_context()
    try:
        other = context.new_page()
        sign_in(other, live_server, "rev2")
        other.goto(screen)
        expect(other.get_by_test_id("card")).to_have_attribute("data-record", str(record.pk))
        other.keyboard.press("e")
        expect(other.get_by_test_id("done")).to_be_visible()
    finally:
        context.close()

    page.get_by_role("button", name="Log out").click()
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/conflict-demo/")
    expect(page.get_by_test_id("count-conflicts")).to_have_text("1")
    expect(page.get_by_test_id("count-ta-include")).to_have_text("0")
    expect(page.get_by_test_id("count-ta-open")).to_have_text("0")

    page.get_by_test_id("count-conflicts").click()
    expect(page).to_have_url(f"{live_server.url}/reviews/conflict-demo/conflicts/")
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_have_attribute("data-record", str(record.pk))
    expect(page.get_by_test_id("remaining")).to_have_text("1")
    expect(page.get_by_test_id("decisions").locator("li")).to_have_text(
        [re.compile(r"Rita Rossi:\s*Include"), re.compile(r"Eli Evans:\s*Exclude")]
    )
    snapshot(page, "conflicts.png")

    page.keyboard.press("i")
    expect(page.get_by_test_id("no-conflicts")).to_be_visible()
    expect(page.get_by_test_id("remaining")).to_have_text("0")

    page.goto(f"{live_server.url}/reviews/conflict-demo/")
    expect(page.get_by_test_id("count-conflicts")).to_have_text("0")
    expect(page.get_by_test_id("count-ta-include")).to_have_text("1")
    resolution = Resolution.objects.get(record=record, stage=Stage.TITLE_ABSTRACT)
    assert (resolution.value, resolution.resolved_by) == ("include", users["lead"])


def test_screening_works_without_javascript_by_plain_form_posts(browser, live_server):
    _, users, records = review_with_records("nojs-demo", 2, rev1="reviewer")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "rev1")
        page.goto(f"{live_server.url}/reviews/nojs-demo/screen/title-abstract/")
        card = page.get_by_test_id("card")
        first = card.get_attribute("data-record")
        (second,) = {str(r.pk) for r in records} - {first}
        expect(page.get_by_test_id("progress")).to_have_text("0 of 2 decided by me")

        page.get_by_role("button", name="Include").click()
        expect(card).to_have_attribute("data-record", second)
        expect(page.get_by_test_id("progress")).to_have_text("1 of 2 decided by me")
        assert page.url == f"{live_server.url}/reviews/nojs-demo/screen/title-abstract/"
    finally:
        context.close()
    decision = Decision.objects.get(reviewer=users["rev1"])
    assert (decision.record_id, decision.value) == (int(first), "include")


def test_a_key_pressed_twice_decides_only_the_record_on_screen(page, live_server, login):
    review_with_records("double-key", 3, rev1="reviewer")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/double-key/screen/title-abstract/")
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    first = card.get_attribute("data-record")
    page.keyboard.press("i")
    page.keyboard.press("i")  # before the next record could even be read
    expect(card).not_to_have_attribute("data-record", first)
    expect_settled(card)
    page.wait_for_timeout(500)  # long enough for a queued second key to have landed
    assert list(Decision.objects.values_list("record_id", flat=True)) == [int(first)]
    expect(page.get_by_test_id("progress")).to_have_text("1 of 3 decided by me")


def test_enter_on_a_picked_reason_decides_nothing(page, live_server, login):
    review, _users, _records = review_with_records("enter-demo", 2, rev1="reviewer")
    ReasonFactory(review=review, number=1, label="Wrong population")
    login("rev1", PASSWORD)
    page.goto(f"{live_server.url}/reviews/enter-demo/screen/title-abstract/")
    expect(page.get_by_test_id("card")).to_have_attribute("data-keys-ready", "")
    page.get_by_label("Wrong population").click()  # a reason picked with the mouse
    page.keyboard.press("Enter")  # would submit the form's first button: include
    page.wait_for_timeout(500)
    assert not Decision.objects.exists()
    expect(page.get_by_label("Wrong population")).to_be_checked()
