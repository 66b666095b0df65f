"""A reviewer charts a study beside its PDF: a dependent section appears, autosave keeps
everything typed (even what does not validate yet), and a reload shows it all again."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from extraction.models import Chart
from screening.models import FullText
from tests.extraction.charting_setup import build_form, included_study
from tests.factories import PASSWORD, MembershipFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = Path(__file__).resolve().parent.parent / "data" / "tiny.pdf"


def test_reviewer_charts_a_study_with_a_dependent_section_and_autosave(page, live_server, login):
    review = ReviewFactory(slug="chart-demo")
    lead = UserFactory(username="lead")
    MembershipFactory(review=review, user=lead, role="lead")
    MembershipFactory(review=review, user=UserFactory(username="rev"), role="reviewer")
    build_form(review)
    study = included_study(review)
    fulltext = FullText(review=review, record=study.reports.get(), original_name="tiny.pdf")
    fulltext.file.save("tiny.pdf", ContentFile(PDF.read_bytes()), save=True)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)

    login("rev", PASSWORD)
    page.goto(f"{live_server.url}/reviews/chart-demo/studies/")
    page.get_by_test_id("chart-link").get_by_role("link", name="Chart").click()
    expect(page.get_by_test_id("pdf-pane")).to_be_visible()
    methods = page.get_by_label("Methods")
    expect(methods).to_be_hidden()

    page.get_by_label("Design").fill("Qualitative interviews")
    page.get_by_label("Design").press("Tab")
    page.get_by_label("RQ1").check()
    expect(methods).to_be_visible()  # the dependent section opens as the choice is ticked
    methods.fill("Peer researchers co-designed the interviews")
    methods.press("Tab")
    page.get_by_label("Sample size").fill("about 40")
    page.get_by_label("Sample size").press("Tab")
    expect(page.get_by_test_id("error-sample")).to_have_text("Enter a whole number, such as 42.")
    expect(page.get_by_test_id("save-status")).to_contain_text("1 value to fix, kept as typed")

    expect(page.get_by_test_id("chart-form")).to_have_attribute("data-unsaved", "0")
    page.reload()
    expect(page.get_by_label("Design")).to_have_value("Qualitative interviews")
    expect(page.get_by_label("RQ1")).to_be_checked()
    expect(methods).to_be_visible()
    expect(methods).to_have_value("Peer researchers co-designed the interviews")
    expect(page.get_by_label("Sample size")).to_have_value("about 40")
    expect(page.get_by_test_id("error-sample")).to_have_text("Enter a whole number, such as 42.")

    # Fixed after the reload (the page carries the revision it loaded), then handed in.
    page.get_by_label("Sample size").fill("40")
    page.get_by_label("Sample size").press("Tab")
    expect(page.get_by_test_id("save-status")).to_have_text("Saved.")
    expect(page.get_by_test_id("chart-form")).to_have_attribute("data-unsaved", "0")
    page.get_by_test_id("chart-submit").click()
    expect(page.get_by_test_id("chart-studies")).to_contain_text("Submitted")
    chart = Chart.objects.get(study=study)
    assert chart.status == "submitted"
    assert chart.values.get(field__key="sample").value == 40
    assert violations == []


def test_a_save_from_a_stale_tab_is_refused_and_the_typing_stays(page, live_server, login):
    review = ReviewFactory(slug="chart-tabs")
    MembershipFactory(review=review, user=UserFactory(username="rev"), role="reviewer")
    build_form(review)
    study = included_study(review)
    login("rev", PASSWORD)
    url = f"{live_server.url}/reviews/chart-tabs/extraction/studies/{study.pk}/"
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    other.get_by_label("Design").fill("From the other tab")
    other.get_by_label("Design").press("Tab")
    expect(other.get_by_test_id("save-status")).to_have_text("Saved.")

    page.get_by_label("Design").fill("From this tab")
    page.get_by_label("Design").press("Tab")
    expect(page.get_by_test_id("save-status")).to_contain_text("changed in another tab")
    expect(page.get_by_label("Design")).to_have_value("From this tab")
    expect(page.get_by_test_id("chart-form")).to_have_attribute("data-unsaved", "1")
    chart = Chart.objects.get(study=study)
    assert chart.values.get(field__key="design").value == "From the other tab"
