"""The demo as a reviewer charts it: a study of the CSE review, a section that opens when its
question is ticked, autosave, and a quote coded to a theme from the chart page (issue #11.7)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from extraction.models import Chart, Code, CodedQuote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_charts_a_demo_study_and_codes_a_quote_to_a_theme(page, live_server, login):
    call_command("seed_demo")
    theme = Code.objects.get(review__slug="cse-participation", code="T1")
    login("reviewer1", "review-demo")
    page.goto(f"{live_server.url}/reviews/cse-participation/extraction/")
    studies = page.get_by_test_id("chart-study")
    expect(studies).to_have_count(3)  # the demo's three reports included at full text
    studies.first.get_by_role("link").first.click()
    expect(page.get_by_test_id("chart-form")).to_be_visible()

    definition = page.get_by_label("Definition of participation", exact=True)
    expect(definition).to_be_hidden()  # RQ1's section waits for its question to be ticked
    page.get_by_label("RQ1", exact=True).check()
    expect(definition).to_be_visible()
    definition.fill("Participation means young people shape the decisions about their support.")
    definition.press("Tab")
    expect(page.get_by_test_id("save-status")).to_contain_text("Saved")

    codes = page.get_by_test_id("code-quote-form")
    codes.locator('select[name="quote-code"]').select_option(value=str(theme.pk))
    codes.get_by_label("Verbatim quote").fill("Workers need time to build trust first.")
    codes.get_by_label("Page").fill("2")
    codes.get_by_role("button", name="Code quote").click()
    expect(page.get_by_test_id("coded-quote")).to_contain_text("Workers need time to build trust")

    page.reload()  # both kept: the value in the chart, the quote on the study
    expect(page.get_by_label("RQ1", exact=True)).to_be_checked()
    expect(definition).to_have_value(
        "Participation means young people shape the decisions about their support."
    )
    chart = Chart.objects.get(
        study__review__slug="cse-participation", charted_by__username="reviewer1"
    )
    assert chart.values.get(field__key="definition_text").value.startswith("Participation means")
    quote = CodedQuote.objects.get(code=theme)
    assert (quote.study_id, quote.page_number) == (chart.study_id, 2)

    page.goto(f"{live_server.url}/reviews/cse-participation/themes/")
    row = page.locator('[data-testid="theme-row"][data-code="T1"]')
    expect(row.get_by_test_id("theme-studies")).to_have_text("1")
