"""The 'Done when' walk of issue 17: a newcomer follows the README on the seeded demo. They log
in as reviewer1, screen ten records by keyboard at speed, open a full text side by side at
1366x768 and 1920x1080, and decide on a 390x844 phone without scrolling.

Set BROWSER_SCREENSHOTS to a folder (docs/screenshots for the README) to save the screenshots.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reviewapp.models import Review
from screening.models import Decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BOX = """sel => { const b = document.querySelector(sel).getBoundingClientRect();
  return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; }"""


def shot(page, name: str) -> None:
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def test_a_new_user_walks_the_demo_as_the_readme_says(page, live_server, login):
    call_command("seed_demo")
    # Ranking retrains run in this process during tests (no worker) and take seconds each on a
    # busy machine: longer than a card is waited for. With a worker they run beside screening.
    Review.objects.filter(slug="cse-participation").update(retrain_every=1000)
    decided_before = Decision.objects.filter(reviewer__username="reviewer1").count()
    page.set_viewport_size({"width": 1366, "height": 768})
    login("reviewer1", "review-demo")  # the README's demo login
    page.get_by_role("link", name="Participation of young people").first.click()
    page.get_by_role("link", name="Screen titles and abstracts").click()
    card = page.get_by_test_id("card")
    expect(card).to_have_attribute("data-keys-ready", "")
    expect(page.locator("mark.term-include").first).to_be_visible()  # the review's terms
    shot(page, "screen-title-abstract-1366.png")

    meant = {}
    for key in "ieeiiemiei":  # ten records, each key as soon as the card takes keys
        shown = int(card.get_attribute("data-record"))
        page.keyboard.press(key)
        expect(card).not_to_have_attribute("data-record", str(shown))
        expect(card).to_have_attribute("data-keys-ready", "")
        meant[shown] = {"i": "include", "e": "exclude", "m": "maybe"}[key]
    mine = Decision.objects.filter(reviewer__username="reviewer1", record_id__in=meant)
    assert dict(mine.values_list("record_id", "value")) == meant
    assert Decision.objects.filter(reviewer__username="reviewer1").count() == decided_before + 10

    for width, height in [(1366, 768), (1920, 1080)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/reviews/cse-participation/screen/full-text/")
        expect(page.get_by_test_id("reader-count")).to_have_text("1")
        counts = page.get_by_test_id("term").first.locator("[data-term-count]")
        expect(counts).to_have_text(re.compile(r"^\d+$"))  # the document's text is read
        doc, side = page.evaluate(BOX, ".doc-view"), page.evaluate(BOX, ".doc-side")
        bar = page.evaluate(BOX, ".decision-bar")
        assert doc["right"] <= side["left"] and doc["bottom"] <= height
        assert bar["top"] >= 0 and bar["bottom"] <= height
        shot(page, f"screen-full-text-{width}.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/reviews/cse-participation/screen/title-abstract/")
    expect(card).to_have_attribute("data-keys-ready", "")
    shown = int(card.get_attribute("data-record"))
    bar = page.evaluate(BOX, ".decision-bar")
    assert bar["top"] >= 0 and bar["bottom"] <= 844  # in reach without scrolling
    assert page.evaluate("window.scrollY") == 0
    shot(page, "screen-phone-390.png")
    page.get_by_role("button", name="Include").click()
    expect(card).not_to_have_attribute("data-record", str(shown))
    assert Decision.objects.get(reviewer__username="reviewer1", record_id=shown).value == "include"
