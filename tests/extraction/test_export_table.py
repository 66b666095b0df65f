"""The extraction table and the data dictionary against a small known charted review."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from extraction.services.exports import write_export
from tests.factories import (
    ChartFactory,
    ChartFormFactory,
    ChartValueFactory,
    FormFieldFactory,
    FormSectionFactory,
    RecordFactory,
    SourceFactory,
    StudyFactory,
)


def table(review, user=None, **options) -> list[dict]:
    buffer = io.StringIO()
    write_export(
        handle=buffer, review=review, kind="extraction", fmt="csv", user=user, options=options
    )
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def test_the_table_has_one_consensus_row_per_included_study_and_a_column_per_field(
    review, charted, lead
):
    rows = table(review, user=lead)
    assert list(rows[0]) == [
        "study_id",
        "study",
        "reports",
        "chart",
        "charted_by",
        "status",
        "form_version",
        "verification_status",
        "verified_by",
        "verified_at",
        "country",
        "participants",
        "forms",
        "forms:quote",
        "forms:page",
        "forms:quote_check",
        "setting",  # only the old version has it: after the current version's fields
    ]
    assert [r["study"] for r in rows] == ["Warrington 2013", "Brodie 2016", "Lefevre 2019"]
    a, b, c = rows
    numbers = charted["a"].reports.order_by("number").values_list("number", flat=True)
    assert a["reports"] == "; ".join(str(n) for n in numbers) == "1; 2"  # record numbers
    assert (a["chart"], a["charted_by"], a["form_version"]) == ("consensus", "lead", "2")
    assert (a["country"], a["participants"]) == ("UK", "12")
    assert a["forms"] == "Consultation; Peer support"
    assert a["forms:quote"] == "'=young people led the sessions"  # neutralised
    assert (a["forms:page"], a["setting"]) == ("p. 7", "")
    assert a["forms:quote_check"] == "not checked: no text"  # no PDF text to compare with
    assert (b["chart"], b["form_version"], b["country"]) == ("consensus", "1", "Scotland")
    assert b["setting"] == "'+residential care"
    assert (b["participants"], b["forms"]) == ("", "")
    assert (c["chart"], c["charted_by"], c["form_version"], c["country"]) == (
        "none yet",
        "",
        "",
        "",
    )


def test_per_reviewer_gives_one_row_per_reviewers_chart(review, charted, lead):
    rows = [
        (r["study"], r["charted_by"], r["status"], r["country"], r["forms"])
        for r in table(review, user=lead, per_reviewer=True)
    ]
    assert rows == [
        ("Warrington 2013", "rev1", "submitted", "UK", "Consultation"),
        ("Warrington 2013", "rev2", "draft", "England", "Consultation; Peer support"),
        ("Brodie 2016", "", "", "", ""),  # only a consensus: no reviewer's chart to show
        ("Lefevre 2019", "", "", "", ""),
    ]


def test_a_reviewer_sees_a_colleagues_chart_only_once_both_are_handed_in(
    review, charted, lead, reviewer, second_reviewer
):
    from extraction.models import Chart

    Chart.objects.filter(study=charted["a"], kind="consensus").delete()

    def seen_by(user):
        rows = table(review, user, per_reviewer=1)
        return [r["charted_by"] for r in rows if r["study"] == "Warrington 2013"]

    # rev2's chart of study A is a draft: nobody sees anyone else's answers yet.
    assert seen_by(reviewer) == ["rev1"]
    assert (seen_by(second_reviewer), seen_by(lead)) == (["rev2"], [""])
    Chart.objects.filter(study=charted["a"], charted_by=second_reviewer).update(status="submitted")
    both = ["rev1", "rev2"]  # the comparison is open
    assert seen_by(reviewer) == seen_by(second_reviewer) == seen_by(lead) == both


def test_single_charting_takes_the_one_finished_chart_as_the_result(review, lead, reviewer):
    form = ChartFormFactory(review=review, version=1, charters_per_study=1)
    field = FormFieldFactory(
        section=FormSectionFactory(form=form, key="source"), key="design", type="yes_no"
    )
    s = StudyFactory(review=review, label="Solo 2021")
    RecordFactory(
        source=SourceFactory(review=review), study=s, ta_status="include", ft_status="include"
    )
    ChartValueFactory(
        chart=ChartFactory(study=s, form=form, charted_by=reviewer, status="submitted"),
        field=field,
        value=True,
    )
    (row,) = table(review, user=lead)
    assert (row["chart"], row["charted_by"], row["design"]) == ("single reviewer", "rev1", "yes")


def test_each_row_says_whether_its_chart_was_verified_by_whom_and_when(
    review, charted, lead, second_reviewer
):
    import datetime

    from extraction.models import Chart

    when = datetime.datetime(2026, 3, 2, 14, 5, 9, tzinfo=datetime.UTC)
    Chart.objects.filter(study=charted["a"], kind="consensus").update(
        verification_status="agreed", verified_by=second_reviewer, verified_at=when
    )
    a, b, c = table(review, user=lead)
    assert (a["verification_status"], a["verified_by"], a["verified_at"]) == (
        "agreed",
        "rev2",
        "2026-03-02T14:05:09+00:00",
    )
    assert (b["verification_status"], b["verified_by"], b["verified_at"]) == ("unverified", "", "")
    assert (c["verification_status"], c["verified_by"]) == ("", "")  # no chart yet


def test_per_reviewer_shows_everyone_the_submitted_chart_under_single_charting(
    review, lead, reviewer, second_reviewer
):
    form = ChartFormFactory(review=review, version=1, charters_per_study=1)
    field = FormFieldFactory(section=FormSectionFactory(form=form, key="source"), key="design")
    source = SourceFactory(review=review)
    charts = {}
    for label, status in [("Done 2021", "submitted"), ("Drafting 2022", "draft")]:
        s = StudyFactory(review=review, label=label)
        RecordFactory(source=source, study=s, ta_status="include", ft_status="include")
        charts[label] = ChartFactory(study=s, form=form, charted_by=reviewer, status=status)
        ChartValueFactory(chart=charts[label], field=field, value=f"{status} design")

    def seen_by(user):
        rows = table(review, user, per_reviewer=True)
        return [(r["study"], r["charted_by"], r["design"]) for r in rows]

    done = ("Done 2021", "rev1", "submitted design")
    assert seen_by(lead) == seen_by(second_reviewer) == [done, ("Drafting 2022", "", "")]
    assert seen_by(reviewer) == [done, ("Drafting 2022", "rev1", "draft design")]


def test_the_xlsx_has_a_sheet_per_section_with_the_same_cells(review, charted, tmp_path):
    out = tmp_path / "table.xlsx"
    call_command("export", review.slug, "extraction", "--format", "xlsx", "-o", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Source characteristics", "RQ1 participation"]

    def sheet(name):
        rows = list(book[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    source, rq1 = sheet("Source characteristics"), sheet("RQ1 participation")
    assert list(source[0])[10:] == ["country", "participants", "setting"]
    assert list(rq1[0])[10:] == ["forms", "forms:quote", "forms:page", "forms:quote_check"]
    assert [(r["study"], r["country"], r["participants"]) for r in source] == [
        ("Warrington 2013", "UK", 12),  # a number stays a number
        ("Brodie 2016", "Scotland", None),
        ("Lefevre 2019", None, None),
    ]
    assert rq1[0]["forms:quote"] == "'=young people led the sessions"
    assert source[1]["setting"] == "'+residential care"
    formulas = [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_the_command_writes_the_table_with_a_bom_and_per_reviewer(review, charted, tmp_path):
    out = tmp_path / "table.csv"
    call_command("export", review.slug, "extraction", "--bom", "--per-reviewer", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfstudy_id,study,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["charted_by"] for r in rows] == ["rev1", "rev2", "", ""]


def test_the_data_dictionary_describes_every_field_of_every_version_and_the_codebook(
    review, charted, coded, tmp_path
):
    from extraction.dictionary import data_dictionary

    out = tmp_path / "dictionary.csv"
    call_command("export", review.slug, "dictionary", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["kind"], r["form_version"], r["key"], r["columns"]) for r in rows] == [
        ("field", "2", "country", "country"),
        ("field", "2", "participants", "participants"),
        ("field", "2", "forms", "forms; forms:quote; forms:page; forms:quote_check"),
        ("field", "1", "country", "country"),
        ("field", "1", "setting", "setting"),
        ("code", "", "T1", ""),
        ("code", "", "T1.1", ""),
    ]
    forms = rows[2]
    assert (forms["section"], forms["label"]) == ("RQ1: participation", "Forms of participation")
    assert (forms["type"], forms["required"], forms["takes_quote"]) == (
        "Multiple choice",
        "yes",
        "yes",
    )
    assert forms["choices"] == "Consultation; Co-production; Peer support"
    assert (rows[1]["type"], rows[1]["required"]) == ("Integer", "no")
    t11 = rows[6]
    assert (t11["section"], t11["type"], t11["parent"], t11["status"]) == (
        "Codebook",
        "Sub-code",
        "T1",
        "Proposed",
    )
    assert [r["versions"] for r in rows[:5]] == ["2; 1", "2", "2", "2; 1", "1"]
    # Each key's newest row and the codebook are the dictionary page's rows, cell for cell (the
    # page lists a key only older versions have after its section's current keys).
    page = [r.as_list() for r in data_dictionary(review)]
    newest = [rows[0], rows[1], rows[4], rows[2]]
    ours = [[r[k] for k in rows[0] if k != "columns"] for r in newest + rows[5:]]

    def as_csv(v):
        return "yes" if v is True else "no" if v is False else "" if v is None else str(v)

    assert ours == [[as_csv(v) for v in r] for r in page]


def test_a_key_in_two_sections_gets_two_columns(review, lead):
    form = ChartFormFactory(review=review, version=1)
    one = FormFieldFactory(section=FormSectionFactory(form=form, key="rq1", order=0), key="notes")
    two = FormFieldFactory(section=FormSectionFactory(form=form, key="rq2", order=1), key="notes")
    s = StudyFactory(review=review, label="Twice 2020")
    RecordFactory(
        source=SourceFactory(review=review), study=s, ta_status="include", ft_status="include"
    )
    chart = ChartFactory(study=s, form=form, charted_by=lead, kind="consensus")
    ChartValueFactory(chart=chart, field=one, value="first")
    ChartValueFactory(chart=chart, field=two, value="second")
    (row,) = table(review, user=lead)
    assert (row["rq1.notes"], row["rq2.notes"]) == ("first", "second")


def test_cells_keep_numbers_and_join_choices():
    from extraction.exports.table import cell

    assert cell("multiple_choice", ["a", "b"]) == "a; b"
    assert cell("decimal", "2.50") == Decimal("2.50")
    assert cell("yes_no", False) == "no"
    assert cell("short_text", None) == ""
    assert cell("decimal", "n/a") == "n/a"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_formula_start_is_neutralised_in_the_table_and_dictionary(
    review, lead, tmp_path, fmt
):
    form = ChartFormFactory(review=review, version=1)
    section = FormSectionFactory(form=form, key="rq1", title="RQ1")
    field = FormFieldFactory(
        section=section, key="note", label="=SUM(A1:A2)", help_text="+1", takes_quote=True
    )
    s = StudyFactory(review=review, label="\tTabbed 2020")
    RecordFactory(
        source=SourceFactory(review=review), study=s, ta_status="include", ft_status="include"
    )
    chart = ChartFactory(study=s, form=form, charted_by=lead, kind="consensus")
    ChartValueFactory(chart=chart, field=field, value="-3 weeks", quote="@cmd", location="\r2")

    def cells(kind):
        out = tmp_path / f"{kind}.{fmt}"
        call_command("export", review.slug, kind, "--format", fmt, "-o", str(out))
        if fmt == "csv":
            with out.open(encoding="utf-8", newline="") as handle:
                return next(csv.DictReader(handle))
        rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
        return dict(zip(rows[0], rows[1], strict=True))

    row = cells("extraction")
    assert row["study"] == "'\tTabbed 2020"
    # (An XML reader hands a stored CR back as LF: the apostrophe in front is what counts.)
    page = "'\r2" if fmt == "csv" else "'\n2"
    assert (row["note"], row["note:quote"], row["note:page"]) == ("'-3 weeks", "'@cmd", page)
    entry = cells("dictionary")
    assert (entry["label"], entry["help_text"]) == ("'=SUM(A1:A2)", "'+1")


def test_before_any_form_the_table_lists_the_included_studies(review, lead, tmp_path):
    s = StudyFactory(review=review, label="Early 2019")
    RecordFactory(
        source=SourceFactory(review=review), study=s, ta_status="include", ft_status="include"
    )
    (row,) = table(review, user=lead)
    assert (row["study"], row["chart"]) == ("Early 2019", "none yet")
    out = tmp_path / "table.xlsx"
    call_command("export", review.slug, "extraction", "--format", "xlsx", "-o", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Studies"]
    assert [c.value for c in book["Studies"][2]][:2] == [s.pk, "Early 2019"]


def test_each_quote_is_checked_against_the_study_pdf_text_in_the_table(client_for, review, lead):
    """The verifier's column: found on the page given, found elsewhere, or not in the text."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from screening.services.fulltext import attach_pdf
    from screening.services.texts import extract_text
    from tests.extraction.charting_setup import build_form, included_study, post_chart
    from tests.pdfs import known_pdf

    build_form(review)
    found, elsewhere, missing = (included_study(review) for _ in range(3))
    for study in (found, elsewhere, missing):
        upload = SimpleUploadedFile("s.pdf", known_pdf())
        record = study.reports.get()
        extract_text(
            attach_pdf(review=review, record=record, upload=upload, kind="report", by=lead).pk
        )
    client = client_for(lead)
    for study, quote, page in [
        (found, "Young people chose the questions.", "p. 2"),
        (elsewhere, "Young people chose the questions.", "p. 9"),
        (missing, "Adults chose nothing.", "p. 2"),
    ]:
        post_chart(client, review, study, {"design": "Interviews", "sample": "12",
                                           "sample__quote": quote, "sample__location": page},
                   0)  # fmt: skip
    rows = {r["study_id"]: r for r in table(review, user=lead, per_reviewer=True)}
    checks = [rows[str(s.pk)]["sample:quote_check"] for s in (found, elsewhere, missing)]
    assert checks == ["found on p. 2", "found on another page: p. 2", "not found in the text"]


def test_the_table_and_the_charting_index_list_prismas_included_studies(
    client_for, review, lead, reviewer, second_reviewer
):
    # The known review: study "Warrington 2013" (p1 and w1) and e1, an included report without a
    # study, which PRISMA counts as a study of its own.
    from django.urls import reverse

    from screening.prisma import prisma_flow
    from tests.extraction.prisma_review import build_known_review

    known = build_known_review(review, lead, reviewer, second_reviewer)
    included = prisma_flow(review).n["included_studies"]
    assert included == 2
    page = client_for(reviewer).get(reverse("extraction:index", kwargs={"slug": review.slug}))
    html = page.content.decode()
    assert html.count('data-testid="chart-study"') + html.count('data-testid="chart-report"') == 2
    assert f'name="record" value="{known["e1"].pk}"' in html  # its Chart button
    assert known["e1"].study_id is None  # the page itself made nothing
    rows = table(review, user=lead)
    assert len(rows) == included
    assert sorted(r["chart"] for r in rows) == ["none yet", "none yet"]
    known["e1"].refresh_from_db()
    assert {r["study"] for r in rows} == {"Warrington 2013", known["e1"].study.label}
    assert len(table(review, user=lead)) == included  # a second export makes no new study
