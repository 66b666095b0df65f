"""The app's PDF reader (pdf.js) on the full-text screening page, under the CSP."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from screening.services.fulltext import attach_pdf
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)
from tests.pdfs import known_pdf, make_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def reading(page, live_server, login):
    review = ReviewFactory(
        slug="reader", include_terms="participat*\nyoung people", exclude_terms="adult*"
    )
    rev = UserFactory(username="rev")
    MembershipFactory(review=review, user=rev, role="reviewer")
    record = RecordFactory(source=SourceFactory(review=review), ta_status="include")
    attach_pdf(
        review=review, record=record, upload=SimpleUploadedFile("known.pdf", known_pdf()),
        kind="report", by=rev,
    )  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 768})
    page.add_init_script(WATCH)
    login("rev", PASSWORD)
    page.goto(f"{live_server.url}/reviews/reader/screen/full-text/")
    reader = page.get_by_test_id("reader")
    expect(reader).to_have_attribute("data-rendered", "1")
    return reader


def test_reader_renders_page_one_and_counts_pages_without_csp_violations(page, reading):
    expect(reading.get_by_test_id("reader-count")).to_have_text("4")
    first = reading.locator(".pdf-page").first
    expect(first.locator("canvas")).to_be_visible()
    expect(first.locator(".textLayer")).to_contain_text("Participation of young people")
    assert page.evaluate("window.__cspViolations") == []


def test_find_jumps_to_the_page_of_the_match(page, reading):
    reading.get_by_test_id("reader-find").fill("advisory group")
    reading.get_by_test_id("reader-find").press("Enter")
    expect(reading.get_by_test_id("reader-find-count")).to_have_text("1 match")
    expect(reading.get_by_test_id("reader-status")).to_have_text("1 of 1, page 2")
    expect(reading.get_by_test_id("reader-page")).to_have_value("2")
    expect(reading.locator("[data-page='2'] mark.find-hit")).to_have_text("advisory group")


def test_review_terms_are_counted_and_marked_in_the_text_layer(page, reading):
    terms = reading.get_by_test_id("term")
    expect(terms.nth(0)).to_have_text("participat* 2")
    expect(terms.nth(1)).to_have_text("young people 2")
    expect(terms.nth(2)).to_have_text("adult* 0")
    expect(reading.locator("[data-page='1'] mark.term-include")).to_have_count(2)
    terms.nth(0).click()
    terms.nth(0).click()
    expect(reading.get_by_test_id("reader-status")).to_have_text("2 of 2, page 3")
    expect(reading.locator("[data-page='3'] mark.current")).to_have_text("Participation")


def test_the_link_still_downloads_the_pdf(page, live_server, reading):
    href = reading.get_by_test_id("pdf-link").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_a_search_hit_opens_the_reader_at_its_page(page, live_server, login):
    review = ReviewFactory(slug="search")
    lead = UserFactory(username="lead")
    MembershipFactory(review=review, user=lead, role="lead")
    record = RecordFactory(
        source=SourceFactory(review=review), ta_status="include", ft_status="include"
    )
    attach_pdf(
        review=review, record=record, upload=SimpleUploadedFile("known.pdf", known_pdf()),
        kind="report", by=lead,
    )  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 768})
    page.add_init_script(WATCH)
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/search/full-texts/search/")
    page.get_by_test_id("fulltext-q").fill("advisory group")
    page.get_by_role("button", name="Search").click()
    page.get_by_test_id("search-hit-link").click()
    reader = page.get_by_test_id("reader")
    expect(reader.get_by_test_id("reader-page")).to_have_value("2")
    expect(reader.locator("[data-page='2'] canvas")).to_be_visible()
    expect(reader.locator("[data-page='2'] .textLayer")).to_contain_text("advisory group")
    assert page.evaluate("window.__cspViolations") == []


def test_the_next_card_after_a_decision_gets_its_own_reader(page, live_server, login):
    review = ReviewFactory(slug="swap")
    rev = UserFactory(username="rev")
    MembershipFactory(review=review, user=rev, role="reviewer")
    source = SourceFactory(review=review)
    for lines in (["The first report."], ["The second report.", "Its own words."]):
        record = RecordFactory(source=source, ta_status="include")
        attach_pdf(
            review=review, record=record, upload=SimpleUploadedFile("r.pdf", make_pdf([lines])),
            kind="report", by=rev,
        )  # fmt: skip
    login("rev", PASSWORD)
    page.goto(f"{live_server.url}/reviews/swap/screen/full-text/")
    reader = page.get_by_test_id("reader")
    expect(reader).to_have_attribute("data-rendered", "1")
    first = reader.locator(".textLayer").text_content()
    expect(page.get_by_test_id("card")).to_have_attribute("data-keys-ready", "")
    page.keyboard.press("i")
    expect(page.get_by_test_id("reader").locator(".textLayer")).not_to_have_text(first)
    expect(page.get_by_test_id("reader")).to_have_attribute("data-rendered", "1")
    assert page.get_by_test_id("reader").count() == 1
