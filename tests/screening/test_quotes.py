"""Quote checking against the extracted pages: found, found elsewhere, not found, and the
differences between a PDF's text and a typed quote that do not count."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.pdftext import page_texts
from screening.quotes import (
    FOUND,
    NO_TEXT,
    NOT_FOUND,
    OTHER_PAGE,
    QuoteCheck,
    check_quote,
    normalise,
    page_of,
)
from screening.services.fulltext import attach_pdf
from screening.services.texts import extract_text
from screening.textqueries import quote_checker, study_quote_checker
from tests.factories import RecordFactory, SourceFactory, StudyFactory
from tests.pdfs import SCAN, known_pdf, make_pdf


@pytest.fixture(scope="module")
def pages():
    return page_texts(known_pdf())


def test_a_quote_on_its_page_is_found(pages):
    result = check_quote("Young people chose the questions.", pages, 2)
    assert result == QuoteCheck(FOUND, 2, (2,))
    assert result.label == "found on p. 2"


def test_a_quote_on_another_page_says_which(pages):
    result = check_quote("Young people chose the questions.", pages, 5)
    assert result == QuoteCheck(OTHER_PAGE, 2, (2,))
    assert result.label == "found on another page: p. 2"


def test_a_quote_not_in_the_text_is_not_found(pages):
    assert check_quote("Adults chose the questions.", pages, 2).status == NOT_FOUND


def test_a_word_hyphenated_at_a_line_end_matches_the_whole_word(pages):
    assert pages[2].startswith("The findings show that participa-\ntion")
    result = check_quote("findings show that participation depends", pages, 3)
    assert result == QuoteCheck(FOUND, 3, (3,))


def test_without_a_page_anywhere_counts_and_every_page_is_listed(pages):
    assert check_quote("participation", pages) == QuoteCheck(FOUND, 1, (1, 3))


def test_a_quote_over_a_page_break_is_found_on_its_first_page(pages):
    quote = "An introduction to the study. Methods were agreed"
    assert check_quote(quote, pages, 1) == QuoteCheck(FOUND, 1, (1,))


def test_pages_without_text_cannot_check_anything():
    assert check_quote("anything", ["", "  "], 1) == QuoteCheck(NO_TEXT)
    assert check_quote("anything", ["", "  "], 1).label == "not checked: no text"


@pytest.mark.parametrize(
    ("typed", "extracted"),
    [
        ("the first flow", "the ﬁrst ﬂow"),  # ligatures in the PDF's text
        ("\u201cyoung people\u201d \u2018said\u2019", "\"young people\" 'said'"),
        ("2010 \u2013 2015", "2010 - 2015"),
        ("well-being", "well-\nbeing"),
        ("wellbeing", "well-being"),
        ("  many\tspaces\nand lines ", "many spaces and lines"),
        ("Case", "case"),
    ],
)
def test_normalise_makes_typed_and_extracted_text_compare_alike(typed, extracted):
    assert normalise(typed) == normalise(extracted)


@pytest.mark.parametrize(
    ("location", "page"),
    [
        ("p. 14", 14),
        ("14", 14),
        ("pp. 14-15", 14),
        ("Table 2, page 7", 7),
        ("Table 2", 2),
        ("", None),
    ],
)
def test_page_of_takes_the_page_named_else_the_first_number(location, page):
    assert page_of(location) == page


@pytest.mark.django_db
def test_quote_checker_reads_every_record_once_and_checks_against_its_own_pdfs(
    review, lead, django_assert_num_queries
):
    source = SourceFactory(review=review)
    study, scan, bare = RecordFactory.create_batch(3, source=source, ta_status="include")
    for record, data, kind in (
        (study, known_pdf(), "report"),
        (study, make_pdf([["Supplement: the interview guide."]]), "supplement"),
        (scan, make_pdf([SCAN]), "report"),
    ):
        upload = SimpleUploadedFile("x.pdf", data)
        extract_text(attach_pdf(review=review, record=record, upload=upload, kind=kind, by=lead).pk)
    with django_assert_num_queries(1):
        check = quote_checker([study.pk, scan.pk, bare.pk])
    assert check(study.pk, "Young people chose the questions.", "p. 2").label == "found on p. 2"
    assert check(study.pk, "Young people chose the questions.", "p. 3").status == OTHER_PAGE
    assert check(study.pk, "the interview guide", "1") == QuoteCheck(FOUND, 1, (1,))
    assert check(study.pk, "Nothing like this.", "p. 1").status == NOT_FOUND
    assert check(scan.pk, "Young people", "p. 1").status == NO_TEXT
    assert check(bare.pk, "Young people", "p. 1").status == NO_TEXT

    study_row = StudyFactory(review=review)
    RecordFactory._meta.model.objects.filter(pk__in=[study.pk, scan.pk]).update(study=study_row)
    by_study = study_quote_checker([study_row.pk])
    assert by_study(study_row.pk, "the interview guide", "p. 1").status == FOUND
    assert by_study(study_row.pk, "Young people chose the questions.", "2").label == (
        "found on p. 2"
    )
