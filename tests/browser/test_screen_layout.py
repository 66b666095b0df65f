"""Layouts that keep the decision in reach (issue 17, items 5 and 13): the full text beside the
decision from 1200 px, a sticky decision bar below that and on a phone, and a review navigation
in one row down to 1200 px, collapsed below."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from demo.cse_records import demo_pdf
from screening.models import Decision
from screening.services.fulltext import attach_pdf
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_ABSTRACT = " ".join(["Young people described how workers listened and explained."] * 40)
BOX = """sel => { const b = document.querySelector(sel).getBoundingClientRect();
  return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, height: b.height}; }"""


@pytest.fixture
def ft_review(db):
    review = ReviewFactory(slug="layout", notice="A notice that takes a row, as the demo's does.")
    lead = MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead").user
    MembershipFactory(review=review, user=UserFactory(username="rev"), role="reviewer")
    source = SourceFactory(review=review)
    record = RecordFactory(source=source, ta_status="include", abstract=LONG_ABSTRACT)
    pdf = demo_pdf("A report on participation", ["Page text."] * 30)
    upload = SimpleUploadedFile("report.pdf", pdf, "application/pdf")
    attach_pdf(review=review, record=record, upload=upload, kind="report", by=lead)
    RecordFactory(source=source, abstract=LONG_ABSTRACT)  # for title/abstract
    return review


def open_screen(page, live_server, login, stage: str, size: tuple[int, int]):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login("rev", PASSWORD)
    page.goto(f"{live_server.url}/reviews/layout/screen/{stage}/")
    expect(page.get_by_test_id("card")).to_have_attribute("data-keys-ready", "")


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_from_1200px_the_full_text_sits_beside_the_decision_which_stays_in_view(
    page, live_server, login, ft_review, size
):
    open_screen(page, live_server, login, "full-text", size)
    expect(page.get_by_test_id("reader-count")).to_have_text("1")  # the document is shown
    doc, side = page.evaluate(BOX, ".doc-view"), page.evaluate(BOX, ".doc-side")
    bar = page.evaluate(BOX, ".decision-bar")
    height = size[1]
    assert doc["right"] <= side["left"]  # side by side
    assert side["right"] - side["left"] >= 350
    assert doc["right"] - doc["left"] >= 0.55 * size[0]  # the document takes most of the width
    # The document takes the rest of the height, without pushing the page to scroll.
    assert doc["bottom"] <= height and doc["height"] >= height - doc["top"] - 40
    assert bar["top"] >= 0 and bar["bottom"] <= height  # the buttons are in view
    page.get_by_role("button", name="Include").click()
    expect(page.get_by_test_id("done")).to_be_visible()
    assert Decision.objects.get(stage="full_text").value == "include"


def test_below_1200px_the_decision_bar_sticks_to_the_bottom_over_the_full_text(
    page, live_server, login, ft_review
):
    open_screen(page, live_server, login, "full-text", (1024, 768))
    bar = page.evaluate(BOX, ".decision-bar")
    assert bar["bottom"] <= 768 and bar["top"] >= 768 - 120  # at the bottom, in view
    assert page.evaluate(BOX, ".doc-view")["bottom"] > 768  # the document runs below it
    page.mouse.wheel(0, 400)
    expect(page.get_by_test_id("decision-bar")).to_be_in_viewport()


def test_on_a_phone_the_title_abstract_buttons_stay_in_reach(page, live_server, login, ft_review):
    open_screen(page, live_server, login, "title-abstract", (390, 844))
    bar = page.evaluate(BOX, ".decision-bar")
    assert bar["bottom"] <= 844 and bar["top"] >= 844 - 160
    assert page.evaluate(BOX, '[data-testid="abstract"]')["bottom"] > 844  # a long abstract
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Exclude").click()  # no scrolling first
    expect(page.get_by_test_id("progress")).to_have_text("1 of 2 decided by me")
    assert Decision.objects.get(stage="title_abstract").value == "exclude"


def nav_rows(page) -> set[int]:
    return set(
        page.locator("#nav-main > ul > li").evaluate_all(
            "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
        )
    )


@pytest.mark.parametrize("width", [1200, 1366])
def test_the_review_navigation_is_one_row_down_to_1200px(page, live_server, login, width):
    review = ReviewFactory(slug="nav")
    user = UserFactory(username="a-lead-with-a-rather-long-user-name")
    MembershipFactory(review=review, user=user, role="lead")
    page.set_viewport_size({"width": width, "height": 800})
    login(user.username, PASSWORD)
    page.goto(f"{live_server.url}/reviews/nav/")
    expect(page.get_by_role("button", name="Toggle navigation")).to_be_hidden()
    assert len(nav_rows(page)) == 1, nav_rows(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("link", name="Settings", exact=True)).to_be_visible()


def test_below_1200px_the_navigation_collapses_into_a_menu(page, live_server, login):
    review = ReviewFactory(slug="nav")
    MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead")
    page.set_viewport_size({"width": 1199, "height": 800})
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/nav/")
    records = page.locator("#nav-main").get_by_role("link", name="Records")
    expect(records).to_be_hidden()
    page.get_by_role("button", name="Toggle navigation").click()
    expect(records).to_be_visible()
    records.click()
    expect(page).to_have_url(f"{live_server.url}/reviews/nav/records/")
