"""import_records, find_duplicates, prisma and export as DESIGN.md gives them."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from screening.models import Record, Source

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
PRISMA_KEYS = {
    "identified",
    "removed_before_screening",
    "screened",
    "excluded_screening",
    "sought",
    "not_retrieved",
    "assessed",
    "excluded_fulltext",
    "included_studies",
    "included_reports",
    "awaiting",
    "other_methods",
}


def test_import_records_prints_a_line_per_file(review, capsys):
    call_command(
        "import_records",
        review.slug,
        str(DATA / "small.ris"),
        str(DATA / "overlap.ris"),
        "--source",
        "PsycINFO",
        "--searched-on",
        "2016-04-01",
    )
    out = capsys.readouterr().out
    assert "small.ris: 3 records (ris); 0 hidden as duplicates" in out
    assert "overlap.ris: 2 records (ris); 1 hidden as duplicates" in out
    assert Source.objects.filter(name="PsycINFO").count() == 2


def test_import_records_bad_file_exits_1_with_one_line_and_imports_nothing(review, tmp_path):
    bad = tmp_path / "broken.ris"
    bad.write_bytes((DATA / "small.ris").read_bytes() + b"TY  - JOUR\nTI  - cut\nTY  - X\n")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_records", review.slug, str(bad), "--source", "X", stderr=err)
    assert exit_info.value.code == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("broken.ris: ")
    assert not Record.objects.exists()


def test_import_records_exit_status_from_the_shell(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'shell.sqlite3'}", "DEBUG": "1"}

    def manage(*args):
        return subprocess.run(  # noqa: S603  (our manage.py, fixed arguments)
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    assert manage("migrate", "-v0").returncode == 0
    assert manage("create_review", "shell-test", "--title", "Shell").returncode == 0
    bad = tmp_path / "empty.ris"
    bad.write_bytes(b"")
    result = manage("import_records", "shell-test", str(bad), "--source", "X")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["empty.ris: the file is empty"]
    # A broken BibTeX entry: the parser library's own recovery chatter stays out of it.
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{a,\n title = {One},\n year = 2001}\n@article{b,\n title = {Two\n")
    result = manage("import_records", "shell-test", str(broken), "--source", "X")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("broken.bib: record 2")
    good = manage("import_records", "shell-test", str(DATA / "small.ris"), "--source", "X")
    assert good.returncode == 0, good.stderr
    assert "small.ris: 3 records" in good.stdout


def test_prisma_json_has_the_full_key_set(review, capsys):
    call_command("import_records", review.slug, str(DATA / "small.ris"), "--source", "PsycINFO")
    call_command(
        "import_records",
        review.slug,
        str(DATA / "overlap.ris"),
        "--source",
        "Website",
        "--method",
        "other",
        "--other-kind",
        "website",
    )
    capsys.readouterr()
    call_command("prisma", review.slug, "--format", "json")
    counts = json.loads(capsys.readouterr().out)
    assert set(counts) == PRISMA_KEYS
    assert counts["identified"] == {
        "databases": {"PsycINFO": 3},
        "registers": {},
        "other": {"Website": 2},
    }
    # The website's copy of a PsycINFO record is removed in its own (right-hand) column; its
    # other record skips title/abstract screening and is sought at once.
    assert counts["removed_before_screening"] == {"duplicates": 0, "automation": 0, "other": 0}
    assert counts["screened"] == 3
    assert counts["other_methods"]["identified"]["websites"] == {"Website": 2}
    assert counts["other_methods"]["duplicates"] == 1
    assert counts["other_methods"]["sought"] == 1


def test_find_duplicates_command(review, capsys):
    call_command("import_records", review.slug, str(DATA / "small.ris"), "--source", "A")
    call_command(
        "import_records", review.slug, str(DATA / "overlap.ris"), "--source", "B", "--force"
    )
    Record.objects.update(duplicate_of=None)
    capsys.readouterr()
    call_command("find_duplicates", review.slug)
    assert "candidate pairs" in capsys.readouterr().out


def test_export_records_csv_neutralises_formulas(review, tmp_path):
    call_command("import_records", review.slug, str(DATA / "small.ris"), "--source", "PsycINFO")
    out = tmp_path / "records.csv"
    call_command("export", review.slug, "records", "-o", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3
    titles = {r["title"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    assert {r["duplicate_status"] for r in rows} == {"unique"}
    assert rows[0]["source"] == "PsycINFO"


def test_the_records_export_carries_each_records_outcome_as_prisma_counts_it(
    review, lead, reviewer, tmp_path
):
    from screening.prisma import prisma_counts
    from screening.services.decisions import resolve_record

    call_command("import_records", review.slug, str(DATA / "small.ris"), "--source", "PsycINFO")
    first, second, _third = Record.objects.order_by("id")
    resolve_record(
        review=review, record_id=first.pk, stage="title_abstract", lead=lead, value="exclude"
    )
    resolve_record(
        review=review, record_id=second.pk, stage="title_abstract", lead=lead, value="include"
    )
    out = tmp_path / "records.csv"
    call_command("export", review.slug, "records", "-o", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    outcomes = [r["title_abstract"] for r in rows]
    assert outcomes == ["exclude", "include", ""]
    # The decision trail: the lead's resolution, by whom (the command sees every decision).
    assert [r["title_abstract:resolution"] for r in rows] == ["exclude", "include", ""]
    assert [r["title_abstract:resolved_by"] for r in rows] == ["lead", "lead", ""]
    counts = prisma_counts(review)
    assert outcomes.count("exclude") == counts["excluded_screening"]["human"]
    assert outcomes.count("include") == counts["sought"]


def test_unknown_review_is_named(db):
    with pytest.raises(Exception, match="No review is called 'nope'"):
        call_command("prisma", "nope")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--source", ""], "the source needs a name"),
        (["--source", "S" * 201], "the name is longer than 200 characters"),
        (["--source", "X", "--platform", "P" * 201], "the platform is longer than 200"),
        (["--source", "X", "--by", "nobody"], r"No user is called 'nobody' \(--by\)"),
    ],
)
def test_import_records_checks_its_options_before_importing(review, options, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("import_records", review.slug, str(DATA / "small.ris"), *options)
    assert not Record.objects.exists()


def test_import_records_refuses_a_file_over_the_limit_before_reading_it(review, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    big = tmp_path / "big.ris"
    with big.open("wb") as handle:  # a sparse file: its size is known without writing it
        handle.truncate(3 * 1024 * 1024)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_records", review.slug, str(big), "--source", "X", stderr=err)
    assert err.getvalue().strip() == (
        "big.ris: the file is 3 MB; the limit is 1 MB (IMPORT_MAX_BYTES). Split the export."
    )


@pytest.mark.parametrize("command", [["prisma"], ["export", "{slug}", "records"]])
def test_exports_to_an_unwritable_path_fail_in_one_line(review, tmp_path, command):
    from django.core.management.base import CommandError

    name, *rest = [part.format(slug=review.slug) for part in command]
    args = rest or [review.slug]
    target = tmp_path / "missing-folder" / "out.csv"
    with pytest.raises(CommandError, match=r"out\.csv: cannot be written \(No such file"):
        call_command(name, *args, "-o", str(target))


def test_prisma_writes_to_the_commands_own_stdout(review):
    out = io.StringIO()
    call_command("prisma", review.slug, stdout=out)
    assert set(json.loads(out.getvalue())) == PRISMA_KEYS


def test_an_unknown_format_is_refused_once_before_any_file(review):
    from django.core.management.base import CommandError

    small = str(DATA / "small.ris")
    with pytest.raises(CommandError, match=r"^Nothing imported: unknown format 'bogus'"):
        call_command(
            "import_records", review.slug, small, small, "--source", "X", "--format", "bogus"
        )
    assert not Record.objects.exists()
