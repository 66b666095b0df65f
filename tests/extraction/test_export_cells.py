"""Each export's cells against the small known review (tests/extraction/conftest.py)."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from extraction.services.exports import write_export
from tests.factories import RecordFactory


def records_csv(review, user=None, **options) -> list[dict]:
    buffer = io.StringIO()
    write_export(
        handle=buffer, review=review, kind="records", fmt="csv", user=user, options=options
    )
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def test_the_decision_trail_has_every_reviewers_decision_and_the_leads_resolution(
    review, known, lead
):
    rows = {row["title"]: row for row in records_csv(review, user=lead)}
    assert list(rows) == [
        "Youth voice in CSE services",
        "Maize yields",
        '\'=HYPERLINK("http://evil.example")',
    ]
    r1, r2, r3 = rows.values()
    assert (r1["title_abstract"], r1["full_text"], r1["retrieval"]) == (
        "include",
        "include",
        "retrieved",
    )
    assert (r1["title_abstract:rev1"], r1["title_abstract:rev2"]) == ("include", "include")
    assert r1["title_abstract:rev2:note"] == "clear yes"
    assert r1["title_abstract:resolution"] == ""
    assert (r2["title_abstract"], r2["title_abstract:rev1:note"]) == ("exclude", "maybe relevant")
    assert (r2["title_abstract:rev2"], r2["title_abstract:rev2:note"]) == ("exclude", "not CSE")
    assert r2["title_abstract:resolution"] == "exclude"
    assert r2["title_abstract:resolved_by"] == "lead"
    assert r2["title_abstract:resolution_note"] == "off topic"
    assert (r3["title_abstract"], r3["title_abstract:rev1"], r3["title_abstract:rev2"]) == (
        "",
        "exclude",
        "",
    )
    assert r1["source"] == "PsycINFO" and r1["source_file"] == "psycinfo.ris"
    assert r1["duplicate_status"] == "unique" and r1["doi"] == "10.1/a"
    assert r1["record_id"] == str(known["r1"].pk)


def test_a_blind_reviewer_sees_only_their_own_decisions_until_the_lead_resolves(
    review, known, reviewer
):
    rows = {row["record_id"]: row for row in records_csv(review, user=reviewer)}
    r1, r2, r3 = (rows[str(known[k].pk)] for k in ("r1", "r2", "r3"))
    # r1: agreed but never resolved; the colleague's decision and note and the outcome stay hidden.
    assert (r1["title_abstract:rev1"], r1["title_abstract:rev2"]) == ("include", "")
    assert r1["title_abstract:rev2:note"] == ""
    assert (r1["title_abstract"], r1["full_text"]) == ("", "")
    # r2: resolved by the lead, so the whole stage is open to the team.
    assert (r2["title_abstract:rev2"], r2["title_abstract:rev2:note"]) == ("exclude", "not CSE")
    assert r2["title_abstract"] == "exclude"
    assert r3["title_abstract:rev1"] == "exclude"


def test_without_blind_mode_a_reviewer_sees_the_whole_trail(review, known, reviewer):
    review.blind_mode = False
    review.save()
    row = records_csv(review, user=reviewer)[0]
    assert (row["title_abstract:rev2"], row["title_abstract"]) == ("include", "include")


def test_the_records_csv_neutralises_formulas_and_can_start_with_a_bom(review, known, tmp_path):
    out = tmp_path / "records.csv"
    call_command("export", review.slug, "records", "--bom", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrecord_id,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[2]["title"] == '\'=HYPERLINK("http://evil.example")'
    plain = tmp_path / "plain.csv"
    call_command("export", review.slug, "records", "-o", str(plain))
    assert plain.read_bytes().startswith(b"record_id,")


def test_the_records_xlsx_holds_the_same_cells_and_no_formula(review, known, tmp_path):
    out = tmp_path / "records.xlsx"
    call_command("export", review.slug, "records", "--format", "xlsx", "-o", str(out))
    sheet = openpyxl.load_workbook(out)["Records"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    assert [r["title"] for r in rows][2] == '\'=HYPERLINK("http://evil.example")'
    formula_cells = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    assert rows[1]["title_abstract:resolution_note"] == "off topic"
    assert rows[0]["year"] == 2013  # numbers stay numbers


def test_xlsx_cells_lose_control_characters_that_excel_refuses(review, known, tmp_path):
    from screening.models import Record

    # Vertical tab and escape: text PostgreSQL stores but Excel refuses (NUL never reaches the
    # database: PostgreSQL refuses it, and importers drop it).
    Record.objects.filter(pk=known["r2"].pk).update(title="Maize\x0b yields\x1b")
    out = tmp_path / "records.xlsx"
    call_command("export", review.slug, "records", "--format", "xlsx", "-o", str(out))
    titles = [row[6].value for row in openpyxl.load_workbook(out)["Records"].iter_rows(2)]
    assert titles[1] == "Maize yields"


def test_the_ris_holds_only_the_included_records(review, known, tmp_path):
    out = tmp_path / "included.ris"
    call_command("export", review.slug, "records", "--format", "ris", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.count("ER  - ") == 1
    assert "TI  - Youth voice in CSE services\n" in text
    assert "AU  - Smith, J.\nAU  - Jones, K.\n" in text
    assert "PY  - 2013\n" in text and "DO  - 10.1/a\n" in text
    assert f"ID  - {known['r1'].number}\n" in text


def test_a_blind_reviewers_ris_waits_for_the_leads_resolution(review, known, reviewer):
    buffer = io.StringIO()
    write_export(handle=buffer, review=review, kind="records", fmt="ris", user=reviewer)
    assert buffer.getvalue() == ""


def test_the_search_log_lists_each_source_with_its_search_details(review, known):
    from screening.models import Source

    Source.objects.update(
        platform="Ovid", search_string="-(exploit*) AND young", searched_on="2024-03-01"
    )
    buffer = io.StringIO()
    write_export(handle=buffer, review=review, kind="sources", fmt="csv")
    (row,) = csv.DictReader(io.StringIO(buffer.getvalue()))
    assert (row["name"], row["method"], row["platform"]) == ("PsycINFO", "database", "Ovid")
    assert row["search_string"] == "'-(exploit*) AND young"
    assert (row["searched_on"], row["record_count"], row["duplicates"]) == ("2024-03-01", "3", "0")


def test_the_prisma_export_gives_the_counts_of_the_prisma_builder(review, known):
    import json

    buffer = io.StringIO()
    write_export(handle=buffer, review=review, kind="prisma", fmt="json")
    counts = json.loads(buffer.getvalue())
    assert counts["identified"]["databases"] == {"PsycINFO": 3}
    assert counts["excluded_screening"]["human"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["records", "--format", "xlsx"], "xlsx is a binary format: name a file with -o."),
        (["sources", "--format", "ris"], "'sources' exports as csv, xlsx, not ris."),
    ],
)
def test_the_command_refuses_what_it_cannot_write(review, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("export", review.slug, *args)


def test_chunks_of_one_record_give_the_same_cells_and_report_progress(
    review, known, lead, monkeypatch
):
    from extraction.exports import base

    whole = records_csv(review, user=lead)
    monkeypatch.setattr(base, "CHUNK", 1)
    calls = []
    buffer = io.StringIO()
    write_export(
        handle=buffer,
        review=review,
        kind="records",
        fmt="csv",
        user=lead,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert list(csv.DictReader(io.StringIO(buffer.getvalue()))) == whole
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("fmt", ["csv", "ris"])
@pytest.mark.parametrize("vote", ["against", "unseen"])
def test_a_blind_reviewers_export_does_not_move_when_a_colleague_votes_on_an_open_record(
    review, reviewer, second_reviewer, fmt, vote
):
    """The canary of #13 item 3 for exports: reviewer 2's vote that leaves a record unsettled
    (a conflict, or a record reviewer 1 has not decided) changes nothing in reviewer 1's file,
    not even by adding reviewer 2's columns."""
    from screening.services.decisions import record_decision
    from tests.factories import RecordFactory, SourceFactory

    source = SourceFactory(review=review)
    mine, other = RecordFactory(source=source), RecordFactory(source=source)
    record_decision(
        review=review, record_id=mine.pk, stage="title_abstract", reviewer=reviewer, value="include"
    )

    def export() -> str:
        buffer = io.StringIO()
        write_export(handle=buffer, review=review, kind="records", fmt=fmt, user=reviewer)
        return buffer.getvalue()

    before = export()
    target, value = (mine, "exclude") if vote == "against" else (other, "include")
    record_decision(
        review=review,
        record_id=target.pk,
        stage="title_abstract",
        reviewer=second_reviewer,
        value=value,
        note="my reasons",
    )
    assert export() == before
    if fmt == "csv":
        header = before.splitlines()[0]
        assert "title_abstract:rev2" in header  # a screener's columns are there from the start


def test_a_control_character_in_front_does_not_smuggle_a_formula_into_xlsx(review, known, tmp_path):
    from extraction.exports.xlsx import xlsx_cell
    from screening.models import Record

    assert (
        xlsx_cell('\x01=HYPERLINK("http://evil.example")') == '\'=HYPERLINK("http://evil.example")'
    )
    assert xlsx_cell("\x1b+1") == "'+1"
    Record.objects.filter(pk=known["r2"].pk).update(title='\x01=HYPERLINK("http://evil.example")')
    out = tmp_path / "records.xlsx"
    call_command("export", review.slug, "records", "--format", "xlsx", "-o", str(out))
    sheet = openpyxl.load_workbook(out)["Records"]
    assert [c for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    titles = [row[6].value for row in sheet.iter_rows(2)]
    assert titles[1] == '\'=HYPERLINK("http://evil.example")'


def test_the_ris_counts_what_prisma_counts_as_included_reports(review, known, tmp_path):
    from screening.models import Record
    from screening.prisma import prisma_flow

    # A copy of r1, marked a duplicate after its full text was included; and a record whose
    # title/abstract decision was reopened after it was included at full text.
    copy = RecordFactory(source=known["r1"].source, title="Youth voice (copy)", ft_status="include")
    Record.objects.filter(pk=copy.pk).update(duplicate_of=known["r1"], ta_status="include")
    Record.objects.filter(pk=known["r3"].pk).update(ft_status="include", ta_status="pending")
    out = tmp_path / "included.ris"
    call_command("export", review.slug, "records", "--format", "ris", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.count("ER  - ") == prisma_flow(review).n["included_reports"] == 1
    assert "Youth voice in CSE services" in text and "(copy)" not in text
