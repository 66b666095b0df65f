"""The data dictionary (PRISMA-ScR item 11): every field of the current form and every code."""

import pytest

from extraction.dictionary import DictionaryRow, data_dictionary
from extraction.services.themes import merge_code, save_code, set_retired
from tests.factories import (
    ChartFormFactory,
    FormFieldFactory,
    FormSectionFactory,
    QuestionFactory,
)


@pytest.fixture
def form(review):
    """Version 2 is current: a source section, and an RQ1 section shown when RQ1 is ticked."""
    old = ChartFormFactory(review=review, version=1)
    old_section = FormSectionFactory(form=old, key="old", title="Old section")
    FormFieldFactory(section=old_section, key="stale", label="Stale")
    form = ChartFormFactory(review=review, version=2)
    source = FormSectionFactory(form=form, key="source", title="Source characteristics", order=0)
    FormFieldFactory(
        section=source,
        key="year",
        label="Year",
        type="integer",
        order=1,
        required=True,
        help_text="Year of publication.",
    )
    relevance = FormFieldFactory(
        section=source,
        key="rq_relevance",
        label="Relevant to",
        type="multiple_choice",
        choices=["RQ1", "RQ2"],
        order=2,
        required=True,
    )
    rq1 = FormSectionFactory(
        form=form,
        key="rq1",
        title="RQ1: Conceptualisation",
        order=1,
        depends_on=relevance,
        depends_on_choice="RQ1",
    )
    FormFieldFactory(
        section=rq1,
        key="definition_text",
        label="Definition",
        type="long_text",
        takes_quote=True,
        order=1,
    )
    return form


def test_dictionary_lists_the_current_forms_fields_in_order_then_older_keys(review, form):
    rows = [r for r in data_dictionary(review) if r.kind == "field"]
    assert [(r.section, r.key, r.type, r.required, r.form_version, r.versions) for r in rows] == [
        ("Source characteristics", "year", "Integer", True, 2, "2"),
        ("Source characteristics", "rq_relevance", "Multiple choice", True, 2, "2"),
        ("RQ1: Conceptualisation", "definition_text", "Long text", False, 2, "2"),
        ("Old section", "stale", "Short text", False, 1, "1"),  # only v1 has it; the table too
    ]
    year, relevance, definition, _stale = rows
    assert year.help_text == "Year of publication."
    assert relevance.choices == "RQ1; RQ2"
    assert definition.shown_when == "rq_relevance includes RQ1"
    assert definition.takes_quote and not year.takes_quote


def test_dictionary_lists_codes_as_a_tree_with_definition_and_guidance(review, lead, form):
    rq1, rq4 = QuestionFactory(review=review, number=1), QuestionFactory(review=review, number=4)
    t1 = save_code(
        review=review,
        by=lead,
        code="T1",
        label="Distinct practice",
        order=1,
        definition="argues for specific capacities",
        include_when="CSE specific",
        exclude_when="generic social work",
        status="source_derived",
        questions=[rq4, rq1],
    )
    save_code(
        review=review,
        by=lead,
        code="T1.1",
        label="Knowledge",
        parent=t1,
        definition="routes into CSE",
        questions=[rq4],
    )
    old = save_code(review=review, by=lead, code="T9", label="Old", order=9)
    set_retired(code=old, retired=True)
    gone = save_code(review=review, by=lead, code="T8", label="Merged away", order=8)
    merge_code(code=gone, into=t1, by=lead)
    codes = [r for r in data_dictionary(review) if r.kind == "code"]
    assert [(r.key, r.type, r.parent, r.label) for r in codes] == [
        ("T1", "Code", "", "Distinct practice"),
        ("T1.1", "Sub-code", "T1", "Knowledge"),
        ("T9", "Code", "", "Old (retired)"),
    ]
    t1_row = codes[0]
    assert (t1_row.help_text, t1_row.include_when, t1_row.exclude_when) == (
        "argues for specific capacities",
        "CSE specific",
        "generic social work",
    )
    assert (t1_row.questions, t1_row.status) == ("RQ1; RQ4", "Source-derived")


def test_a_key_of_several_versions_is_listed_once_as_its_newest_version_has_it(
    client_for, review, lead, form
):
    from django.urls import reverse

    from extraction.models import ChartForm

    old = ChartForm.objects.get(review=review, version=1)
    source_v1 = FormSectionFactory(form=old, key="source", title="Source characteristics")
    FormFieldFactory(section=source_v1, key="year", label="Year (old)", type="short_text")
    FormFieldFactory(section=source_v1, key="setting", label="Setting", order=5)
    rows = [(r.key, r.label, r.form_version, r.versions) for r in data_dictionary(review)]
    assert rows == [
        ("year", "Year", 2, "2; 1"),
        ("rq_relevance", "Relevant to", 2, "2"),
        ("setting", "Setting", 1, "1"),  # after its section's current fields
        ("definition_text", "Definition", 2, "2"),
        ("stale", "Stale", 1, "1"),
    ]
    page = client_for(lead).get(reverse("extraction:dictionary", kwargs={"slug": review.slug}))
    html = page.content.decode()
    keys = [k.split('"')[0] for k in html.split('data-testid="dictionary-field" data-key="')[1:]]
    assert keys == ["year", "rq_relevance", "setting", "definition_text", "stale"]
    assert html.count('data-testid="older-versions">not in version 2; in version 1<') == 2


def test_dictionary_rows_are_plain_lists_under_a_header(review, form):
    rows = data_dictionary(review)
    header = DictionaryRow.header()
    assert header[:6] == ["kind", "section", "key", "label", "type", "choices"]
    assert dict(zip(header, rows[0].as_list(), strict=True))["key"] == "year"


def test_dictionary_of_a_review_without_form_or_codes_is_empty(review):
    assert data_dictionary(review) == []
