"""Quote by selection: a sentence selected on page 2 of the reader goes into a chart field's
quote with its page, is saved by the chart's autosave and shows as found after a reload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from extraction.models import ChartValue, CodedQuote
from extraction.services.themes import save_code
from screening.models import FullTextPage
from screening.services.fulltext import attach_pdf
from tests.extraction.charting_setup import build_form, chart_url, included_study
from tests.factories import PASSWORD, MembershipFactory, ReviewFactory, UserFactory
from tests.pdfs import known_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
SELECT = """(needle) => {
  const span = [...document.querySelectorAll("[data-page='2'] .textLayer span")]
    .find((el) => el.textContent.includes(needle));
  const range = document.createRange();
  range.selectNodeContents(span);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_a_selected_sentence_is_quoted_into_a_field_with_its_page(page, live_server, login):
    review = ReviewFactory(slug="quote-demo")
    rev = UserFactory(username="rev")
    MembershipFactory(review=review, user=rev, role="reviewer")
    build_form(review)
    study = included_study(review)
    attach_pdf(
        review=review, record=study.reports.get(), upload=SimpleUploadedFile("k.pdf", known_pdf()),
        kind="report", by=rev,
    )  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 768})
    page.add_init_script(WATCH)
    login("rev", PASSWORD)
    page.goto(live_server.url + chart_url(review, study))
    reader = page.get_by_test_id("reader")
    expect(reader).to_have_attribute("data-rendered", "1")
    reader.get_by_test_id("reader-page").fill("2")
    reader.get_by_test_id("reader-page").press("Enter")
    expect(reader.locator("[data-page='2'] .textLayer")).to_contain_text("chose the questions")
    reader.locator("[data-reader-pages]").focus()
    page.evaluate(SELECT, "Young people chose")
    page.keyboard.press("q")
    menu = page.get_by_test_id("quote-menu")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text("Quote into… (p. 2)")
    menu.get_by_role("menuitem", name="Sample size").click()
    expect(page.get_by_test_id("chart-form").get_by_label("Verbatim quote")).to_have_value(
        "Young people chose the questions."
    )
    expect(page.get_by_label("Page or location")).to_have_value("p. 2")
    expect(page.get_by_test_id("chart-form")).to_have_attribute("data-unsaved", "0")
    page.reload()
    expect(page.get_by_test_id("chart-form").get_by_label("Verbatim quote")).to_have_value(
        "Young people chose the questions."
    )
    expect(page.get_by_test_id("quote-status")).to_have_text("found on p. 2")
    # Where it was is kept: the offsets in page 2's extracted text hold the quote.
    value = ChartValue.objects.exclude(quote="").get()
    text = FullTextPage.objects.get(number=2).text
    assert value.quote_char_start is not None
    assert text[value.quote_char_start : value.quote_char_end] == value.quote
    # The saved quote is marked where it came from: focusing it turns the reader to its page,
    # clicking the mark goes back to the field.
    reader = page.get_by_test_id("reader")
    expect(reader).to_have_attribute("data-rendered", "1")
    page.get_by_test_id("chart-form").get_by_label("Verbatim quote").focus()
    expect(reader.get_by_test_id("reader-page")).to_have_value("2")
    saved = reader.locator("[data-page='2'] mark.saved-quote")
    expect(saved).to_have_text("Young people chose the questions.")
    page.get_by_label("Design").focus()
    saved.click()
    expect(page.get_by_test_id("chart-form").get_by_label("Verbatim quote")).to_be_focused()
    # Edited by hand, the quote is no longer the selection: its offsets go with the next save.
    page.get_by_test_id("chart-form").get_by_label("Verbatim quote").fill("Young people chose")
    expect(page.get_by_test_id("chart-form")).to_have_attribute("data-unsaved", "0")
    value.refresh_from_db()
    assert (value.quote, value.quote_char_start, value.quote_char_end) == (
        "Young people chose",
        None,
        None,
    )
    assert page.evaluate("window.__cspViolations") == []


def test_a_selection_is_coded_to_a_theme_with_its_page(page, live_server, login):
    review = ReviewFactory(slug="code-demo")
    lead = UserFactory(username="lead")
    MembershipFactory(review=review, user=lead, role="lead")
    save_code(review=review, by=lead, code="T1", label="Trusted workers", order=1)
    study = included_study(review)
    attach_pdf(
        review=review, record=study.reports.get(), upload=SimpleUploadedFile("k.pdf", known_pdf()),
        kind="report", by=lead,
    )  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 768})
    page.add_init_script(WATCH)
    login("lead", PASSWORD)
    page.goto(live_server.url + chart_url(review, study, "study-codes"))
    reader = page.get_by_test_id("reader")
    expect(reader).to_have_attribute("data-rendered", "1")
    reader.get_by_test_id("reader-page").fill("2")
    reader.get_by_test_id("reader-page").press("Enter")
    expect(reader.locator("[data-page='2'] .textLayer")).to_contain_text("chose the questions")
    reader.locator("[data-reader-pages]").focus()
    page.evaluate(SELECT, "Young people chose")
    page.keyboard.press("q")
    page.get_by_test_id("quote-menu").get_by_role("menuitem", name="Code T1").click()
    coded = page.get_by_test_id("coded-quote")
    expect(coded).to_have_attribute("data-code", "T1")
    expect(coded).to_contain_text("Young people chose the questions.")
    expect(coded).to_contain_text("p. 2")
    expect(reader.locator("[data-page='2'] mark.saved-quote")).to_have_text(
        "Young people chose the questions."
    )
    quote = CodedQuote.objects.get()
    assert (quote.quote, quote.page_number) == ("Young people chose the questions.", 2)
    text = FullTextPage.objects.get(number=2).text
    assert text[quote.char_start : quote.char_end] == quote.quote
    assert page.evaluate("window.__cspViolations") == []
