"""Re-linking reports never deletes a study that holds coded quotes or their history."""

import pytest

from extraction.models import CodedQuote, CodedQuoteChange
from extraction.services.themes import add_quote, delete_quote, save_code
from screening.models import Study
from screening.services.studies import link_reports, unlink_report
from tests.factories import RecordFactory, SourceFactory, StudyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_studies(review):
    source = SourceFactory(review=review)
    adams, brown = (
        StudyFactory(review=review, label="Adams"),
        StudyFactory(review=review, label="Brown"),
    )
    first = RecordFactory(source=source, study=adams)
    RecordFactory(source=source, study=brown)
    return adams, brown, first


def test_moving_the_last_report_keeps_a_study_with_coded_quotes(
    review, lead, reviewer, two_studies
):
    adams, brown, first = two_studies
    code = save_code(review=review, by=lead, code="T1", label="Theme", order=1)
    add_quote(study=adams, code=code, by=reviewer, quote="as they said")
    link_reports(review=review, record_ids=[first.pk], by=lead, study=brown)
    assert Study.objects.filter(pk=adams.pk).exists()
    assert list(CodedQuote.objects.values_list("study__label", "quote")) == [
        ("Adams", "as they said")
    ]


def test_unlinking_keeps_a_study_whose_quote_history_remains(review, lead, reviewer, two_studies):
    adams, _, first = two_studies
    code = save_code(review=review, by=lead, code="T1", label="Theme", order=1)
    delete_quote(coded=add_quote(study=adams, code=code, by=reviewer, quote="q"), by=reviewer)
    unlink_report(review=review, record_id=first.pk)
    assert Study.objects.filter(pk=adams.pk).exists()
    assert list(CodedQuoteChange.objects.filter(study=adams).values_list("action", flat=True)) == [
        "created",
        "deleted",
    ]


def test_an_empty_study_without_quotes_still_goes(review, lead, two_studies):
    _, brown, first = two_studies
    link_reports(review=review, record_ids=[first.pk], by=lead, study=brown)
    assert list(Study.objects.filter(review=review).values_list("label", flat=True)) == ["Brown"]
