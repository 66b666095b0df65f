"""Saved chart quotes checked against the study's extracted PDF text, on the chart page (under
the reader) and on the consensus page (both reviewers' quotes)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.models import Chart
from extraction.quote_checks import checked_quotes
from screening.services.fulltext import attach_pdf
from screening.services.texts import extract_text
from tests.extraction.charting_setup import build_form, chart_url, included_study, post_chart
from tests.pdfs import known_pdf

pytestmark = pytest.mark.django_db


def with_pdf(review, lead, study, data):
    record = study.reports.get()
    upload = SimpleUploadedFile("study.pdf", data)
    extract_text(attach_pdf(review=review, record=record, upload=upload, kind="report", by=lead).pk)


def statuses(page: str) -> list[tuple[str, str]]:
    found = re.findall(r'data-status="(\w+)".*?data-testid="quote-status">([^<]+)<', page, re.S)
    return found


@pytest.fixture
def study(review, lead):
    build_form(review)
    study = included_study(review)
    with_pdf(review, lead, study, known_pdf())
    return study


@pytest.mark.parametrize(
    ("quote", "location", "status", "label"),
    [
        ("Young people chose the questions.", "p. 2", "found", "found on p. 2"),
        ("Young people chose the questions.", "p. 9", "other_page", "found on another page: p. 2"),
        ("participation depends on trusted workers", "3", "found", "found on p. 3"),
        ("Adults chose nothing.", "p. 2", "not_found", "not found in the text"),
    ],
)
def test_the_chart_page_shows_each_quote_status_beside_the_reader(
    client_for, review, reviewer, study, quote, location, status, label
):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "Interviews", "sample": "12",
                                       "sample__quote": quote, "sample__location": location},
               0)  # fmt: skip
    page = client.get(chart_url(review, study)).content.decode()
    assert 'data-testid="reader"' in page
    assert statuses(page) == [(status, label)]


def test_a_chart_without_quotes_shows_no_check_panel(client_for, review, reviewer, study):
    client = client_for(reviewer)
    post_chart(client, review, study, {"design": "Interviews"}, 0)
    assert 'data-testid="quote-checks"' not in client.get(chart_url(review, study)).content.decode()


def test_the_consensus_page_checks_both_reviewers_quotes(
    client_for, review, lead, reviewer, second_reviewer
):
    build_form(review, charters=2)
    study = included_study(review, label="Dual 2020")
    with_pdf(review, lead, study, known_pdf())
    for user, quote in (
        (reviewer, "Young people chose the questions."),
        (second_reviewer, "Nope."),
    ):
        response = post_chart(
            client_for(user), review, study,
            {"design": "Interviews", "sample": "12", "sample__quote": quote,
             "sample__location": "p. 2"}, 0, "chart-submit", htmx=False,
        )  # fmt: skip
        assert response.status_code == 302
    page = client_for(lead).get(chart_url(review, study, "consensus")).content.decode()
    assert statuses(page) == [("found", "found on p. 2"), ("not_found", "not found in the text")]
    assert f"({reviewer.username})" in page and f"({second_reviewer.username})" in page


def test_checked_quotes_of_a_study_without_text_say_not_checked(review, lead, reviewer, study):
    other = included_study(review, label="No PDF 2001")
    chart = Chart.objects.create(study=other, form=study.review.chart_forms.first(),
                                 charted_by=reviewer)  # fmt: skip
    field = chart.form.sections.get(key="general").fields.get(key="sample")
    chart.values.create(field=field, value=1, quote="anything", location="p. 1")
    [row] = checked_quotes(other, [chart])
    assert (row.who, row.field, row.result.label) == (
        reviewer.username,
        "Sample size",
        "not checked: no text",
    )
