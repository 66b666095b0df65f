"""What a newcomer sees in a real browser (#17): no failed request in the console, notes that
keep the page to the screen's width."""

import pytest
from playwright.sync_api import expect

from screening.services.decisions import record_decision
from screening.services.fulltext import mark_not_retrieved
from tests.browser.test_screening import review_with_records
from tests.factories import PASSWORD, RecordFactory

TA = "title_abstract"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _failed_requests(page) -> list[str]:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed


def test_the_login_page_loads_without_a_failed_request(page, live_server):
    failed = _failed_requests(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    icon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    assert (icon, failed) == (200, [])


WORD = "N" * 5000  # a note of one 5,000-character word: the longest a note may be


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
def test_a_5000_character_word_in_notes_keeps_pages_to_the_screen_width(
    page, live_server, login, viewport
):
    review, users, records = review_with_records(
        "long-notes", 2, boss="lead", rev1="reviewer", rev2="reviewer"
    )
    record = records[0]
    for who, value in (("rev1", "include"), ("rev2", "exclude")):
        record_decision(
            review=review,
            record_id=record.pk,
            stage=TA,
            reviewer=users[who],
            value=value,
            note=WORD,
        )
    sought = RecordFactory(source=record.source, ta_status="include")
    mark_not_retrieved(review=review, record=sought, note=WORD)
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    login("boss", PASSWORD)
    pages = {
        "conflicts": "/reviews/long-notes/conflicts/",
        "record": f"/reviews/long-notes/records/{record.pk}/",
        "full texts": "/reviews/long-notes/full-texts/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        notes = page.get_by_test_id("note")
        expect(notes.first).to_be_visible()
        assert _page_width(page)[0] <= width, name  # folded
        notes.first.locator("summary").click()  # opened as a person does, then every fold
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        expect(notes.first.locator(".text-prewrap")).to_be_visible()
        assert _page_width(page)[0] <= width, f"{name}, notes opened"
