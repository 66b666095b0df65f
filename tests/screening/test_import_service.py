"""import_records: a file lands whole or not at all, once, with everything it said."""

from pathlib import Path

import pytest

from screening.models import Record, Source
from screening.services.imports import ImportRejected, SourceFields, import_records

DATA = Path(__file__).resolve().parent.parent / "data"


def run_import(review, data: bytes, name="search.ris", **kwargs):
    return import_records(
        review=review,
        data=data,
        file_name=name,
        source_fields=SourceFields(name="PsycINFO", platform="Ovid"),
        by=None,
        **kwargs,
    )


def test_a_file_becomes_a_source_with_its_records(review):
    data = (DATA / "small.ris").read_bytes()
    outcome = run_import(review, data)
    source = outcome.source
    assert (source.name, source.platform, source.record_count, source.file_format) == (
        "PsycINFO",
        "Ovid",
        3,
        "ris",
    )
    assert len(source.sha256) == 64
    first = Record.objects.get(source=source, source_position=1)
    assert first.title == "Young people's participation in child sexual exploitation services"
    assert first.authors == ["Warrington, Camille", "Beckett, Helen"]
    assert (first.year, first.journal, first.volume, first.issue) == (
        2013,
        "Child Abuse Review",
        "22",
        "3",
    )
    assert first.doi == "10.1002/car.2272"  # normalised: no URL prefix, lower case
    assert first.keywords == ["participation", "sexual exploitation"]
    assert first.raw  # the parsed record is kept whole


def test_formula_looking_titles_are_kept_as_text(review):
    run_import(review, (DATA / "small.ris").read_bytes())
    assert Record.objects.filter(title__startswith="=HYPERLINK").count() == 1


def test_the_same_file_again_is_refused_unless_forced(review):
    data = (DATA / "small.ris").read_bytes()
    run_import(review, data)
    with pytest.raises(ImportRejected, match=r"again.ris: this exact file was already imported"):
        run_import(review, data, name="again.ris")
    assert Source.objects.count() == 1
    run_import(review, data, name="again.ris", force=True)
    assert Source.objects.count() == 2


def test_a_file_with_an_unreadable_record_lands_not_at_all(review):
    good = (DATA / "small.ris").read_bytes()
    broken = good + b"\nTY  - JOUR\nTI  - Half a record\nAU  - Cut, Off\nTY  - JOUR\nER  - \n"
    with pytest.raises(ImportRejected) as error:
        run_import(review, broken, name="broken.ris")
    message = str(error.value)
    assert message.startswith("broken.ris: ")
    assert "record 4" in message
    assert "line" in message
    assert Source.objects.count() == 0
    assert Record.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(review, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRejected, match="the limit is"):
        run_import(review, (DATA / "small.ris").read_bytes(), name="big.ris")
    assert Record.objects.count() == 0


def test_a_byte_order_mark_does_not_cost_the_first_record(review):
    data = "\ufeff".encode() + (DATA / "small.ris").read_bytes()
    outcome = run_import(review, data)
    assert outcome.source.record_count == 3
    assert Record.objects.filter(title__startswith="Young people").exists()


def test_binary_junk_is_refused_with_the_file_named(review):
    with pytest.raises(ImportRejected, match=r"^photo.png: "):
        run_import(review, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, name="photo.png")


def test_records_of_a_second_search_are_deduplicated_against_the_first(review):
    run_import(review, (DATA / "small.ris").read_bytes(), name="first.ris")
    outcome = run_import(review, (DATA / "overlap.ris").read_bytes(), name="second.ris")
    assert outcome.duplicates_marked == 1
    duplicate = Record.objects.get(source=outcome.source, source_position=1)
    assert duplicate.duplicate_of.title.startswith("Young people's participation")
