"""A quote taken by selection keeps where it was: offsets in its page's extracted text, found by
the server (the reader's own offsets only say which of several places was meant)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from extraction.models import ChartValue, ChartValueChange
from extraction.services.themes import add_quote, edit_quote, save_code
from screening.models import FullTextPage
from screening.services.fulltext import attach_pdf
from tests.extraction.charting_setup import build_form, included_study, post_chart

pytestmark = pytest.mark.django_db

PDF = (Path(__file__).resolve().parent.parent / "data" / "tiny.pdf").read_bytes()
QUOTE = "Young people chose the questions."
PAGE_2 = (
    "Methods.\nYoung people chose the ques-\ntions. Later on, as planned,\n"
    "young people chose the questions. Then more."
)
FIRST, SECOND = (9, 44), (67, 100)  # the quote's two places in PAGE_2 (hyphen and all)


@pytest.fixture
def study(review, lead):
    build_form(review)
    study = included_study(review)
    fulltext = attach_pdf(
        review=review, record=study.reports.get(), upload=SimpleUploadedFile("a.pdf", PDF),
        kind="report", by=lead,
    )  # fmt: skip
    for number, text in ((1, "Title page."), (2, PAGE_2)):
        FullTextPage.objects.update_or_create(
            fulltext=fulltext, number=number, defaults={"text": text}
        )
    return study


def save(client, review, study, revision=0, **extra):
    data = {"sample": "12", "sample__quote": QUOTE, "sample__location": "p. 2", **extra}
    assert post_chart(client, review, study, data, revision).status_code == 200
    return ChartValue.objects.get(field__key="sample")


def test_the_quotes_two_places_in_page_2():
    assert PAGE_2[slice(*FIRST)] == "Young people chose the ques-\ntions."
    assert PAGE_2[slice(*SECOND)] == "young people chose the questions."


def test_a_selected_quote_stores_its_offsets_in_the_pages_text(client_for, review, reviewer, study):
    value = save(client_for(reviewer), review, study, sample__char_start="3", sample__char_end="40")
    assert (value.quote_char_start, value.quote_char_end) == FIRST
    change = ChartValueChange.objects.get(value=value)
    assert (change.new["quote_char_start"], change.new["quote_char_end"]) == FIRST


def test_the_readers_offset_picks_the_nearer_of_two_places(client_for, review, reviewer, study):
    client = client_for(reviewer)
    value = save(client, review, study, sample__char_start="62", sample__char_end="95")
    assert (value.quote_char_start, value.quote_char_end) == SECOND


def test_a_typed_quote_has_no_offsets(client_for, review, reviewer, study):
    value = save(client_for(reviewer), review, study)
    assert (value.quote, value.quote_char_start, value.quote_char_end) == (QUOTE, None, None)
    garbage = save(
        client_for(reviewer), review, study, 1, sample__char_start="x", sample__char_end="-1"
    )
    assert garbage.quote_char_start is None


def test_a_quote_not_on_the_page_it_names_has_no_offsets(client_for, review, reviewer, study):
    value = save(
        client_for(reviewer), review, study, sample__location="p. 1",
        sample__char_start="3", sample__char_end="40",
    )  # fmt: skip
    assert (value.location, value.quote_char_start) == ("p. 1", None)


def test_an_unchanged_save_keeps_the_offsets_without_new_history(
    client_for, review, reviewer, study
):
    client = client_for(reviewer)
    save(client, review, study, sample__char_start="3", sample__char_end="40")
    # After a reload the boxes hold the stored offsets; saving again changes nothing.
    value = save(client, review, study, 1, sample__char_start="9", sample__char_end="44")
    assert (value.quote_char_start, value.quote_char_end) == FIRST
    assert ChartValueChange.objects.filter(value=value).count() == 1


def test_editing_the_quote_by_hand_drops_the_offsets_and_history_keeps_them(
    client_for, review, reviewer, study
):
    client = client_for(reviewer)
    save(client, review, study, sample__char_start="3", sample__char_end="40")
    value = save(client, review, study, 1, sample__quote="Young people chose")
    assert (value.quote_char_start, value.quote_char_end) == (None, None)
    change = ChartValueChange.objects.filter(value=value).last()
    assert (change.old["quote_char_start"], change.new["quote_char_start"]) == (FIRST[0], None)


def test_a_coded_quote_from_a_selection_gets_its_offsets(review, lead, reviewer, study):
    code = save_code(review=review, by=lead, code="T1", label="Choosing")
    coded = add_quote(
        study=study, code=code, by=reviewer, quote=QUOTE, page_number=2,
        char_start=80, char_end=113,
    )  # fmt: skip
    assert (coded.char_start, coded.char_end) == SECOND
    typed = add_quote(study=study, code=code, by=reviewer, quote=QUOTE, page_number=2)
    assert (typed.char_start, typed.char_end) == (None, None)
    # Edited by hand (the reader empties the offsets): they go; the history keeps the old ones.
    edit_quote(
        coded=coded, by=reviewer, code=code, quote="Young people chose", page_number=2,
        char_start=None, char_end=None,
    )  # fmt: skip
    coded.refresh_from_db()
    assert (coded.char_start, coded.char_end) == (None, None)
    assert coded.history.order_by("id").last().old["char_start"] == SECOND[0]
