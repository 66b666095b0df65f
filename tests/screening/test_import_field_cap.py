"""An imported field longer than IMPORT_MAX_FIELD_CHARS is cut, and the summary names the record.

tests/data/importers/oversized_fields.ris stands for an export with a broken record: record 2's
abstract runs on (as when a database pastes a whole report into AB), record 3 carries a pasted
note (N1) that only the raw copy of the export holds. Here the limit is 1,000 characters."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from screening.importers import ParsedRecord
from screening.importers.compact import expand_raw
from screening.models import ImportJob, Record
from screening.services.field_cap import FieldCap
from screening.services.imports import SourceFields, import_records
from screening.services.jobs import queue_import
from screening.services.jobs import run_import as run_job

FILE = Path(__file__).resolve().parent.parent / "data" / "importers" / "oversized_fields.ris"
TITLE = "Participation in child sexual exploitation services: a record whose abstract"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.IMPORT_MAX_FIELD_CHARS = 1000


def run_import(review):
    return import_records(
        review=review,
        data=FILE.read_bytes(),
        file_name=FILE.name,
        source_fields=SourceFields(name="PsycINFO"),
        by=None,
    )


def test_an_overlong_abstract_is_cut_and_the_summary_names_the_record(review):
    outcome = run_import(review)
    assert outcome.notes == [
        f"record 2 ({TITLE[:60]}…): abstract truncated from 3,359 to 1,000 characters",
        "record 3 (A report with a pasted note): the export's field 'N1' truncated from "
        "2,500 to 1,000 characters",
    ]
    record = Record.objects.get(review=review, source_position=2)
    assert len(record.abstract) == 1000
    assert record.abstract.startswith("participation of young people in services")
    assert len(expand_raw(record.raw, record)["AB"][0]) == 1000  # the raw copy is cut alike


def test_a_field_only_the_raw_copy_holds_is_cut_too(review):
    run_import(review)
    record = Record.objects.get(review=review, source_position=3)
    assert expand_raw(record.raw, record)["N1"] == ["x" * 1000]


def test_records_within_the_limit_are_stored_unchanged(review, settings):
    settings.IMPORT_MAX_FIELD_CHARS = 100_000
    outcome = run_import(review)
    assert outcome.notes == []
    assert len(Record.objects.get(review=review, source_position=2).abstract) == 3359


def test_the_command_prints_the_cut_records(review, capsys):
    call_command("import_records", review.slug, str(FILE), "--source", "PsycINFO")
    out = capsys.readouterr().out
    assert "oversized_fields.ris: note: record 2 (Participation in child" in out
    assert "abstract truncated from 3,359 to 1,000 characters" in out


def test_the_import_job_message_lists_the_cut_records(review):
    job = queue_import(
        review=review,
        upload=SimpleUploadedFile(FILE.name, FILE.read_bytes()),
        source_fields=SourceFields(name="PsycINFO"),
        by=None,
    )
    run_job(job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportJob.Status.DONE
    assert "3 records imported" in job.message
    assert "record 2 (Participation" in job.message
    assert "abstract truncated from 3,359 to 1,000 characters" in job.message


def test_a_file_of_many_broken_records_reports_the_first_ten_and_a_count():
    cap = FieldCap(5)
    records = [ParsedRecord(title=f"T{i}", abstract="abcdefgh") for i in range(1, 13)]
    assert [r.abstract for r in cap.records(records)] == ["abcde"] * 12
    assert len(cap.summary()) == 11
    assert cap.summary()[0] == "record 1 (T1): abstract truncated from 8 to 5 characters"
    assert cap.summary()[-1] == "…and 2 more records with fields truncated"
