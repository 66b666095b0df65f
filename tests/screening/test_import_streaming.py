"""The streamed import: records are stored while the file is parsed, yet land whole or not at all.

These run on whichever database the settings name; CI runs them on SQLite and PostgreSQL (COPY).
"""

import json

import pytest
from django.db import connection

from screening.importers import parse_bytes
from screening.models import Record, Source
from screening.services import bulk
from screening.services.imports import ImportRejected, SourceFields, import_records


def run_import(review, data: bytes, name="search.ris", **kwargs):
    return import_records(
        review=review,
        data=data,
        file_name=name,
        source_fields=SourceFields(name="PsycINFO"),
        by=None,
        **kwargs,
    )


def ris_record(number: int) -> str:
    return (
        f"TY  - JOUR\nTI  - Title {number}\nAU  - Author, A{number}\nPY  - 2001\n"
        f"AB  - Abstract {number}.\nER  - \n\n"
    )


@pytest.fixture(autouse=True, params=["binary", "text"])
def copy_format(request, monkeypatch):
    """On PostgreSQL, COPY's binary format (the default) and the text format (the fallback)."""
    monkeypatch.setattr(bulk, "BINARY", request.param == "binary")
    return request.param


@pytest.fixture(params=[1, 4], ids=["a COPY per chunk", "4 chunks per COPY"])
def small_batches(request, monkeypatch):
    # many chunks in flight, so that a late error meets a COPY that is well under way
    monkeypatch.setattr(bulk, "BATCH", 3)
    monkeypatch.setattr(bulk, "QUEUED", 2)
    monkeypatch.setattr(bulk, "CHUNKS_PER_COPY", request.param)


def test_a_bad_record_in_a_late_batch_stores_nothing(review, small_batches):
    good = "".join(ris_record(n) for n in range(1, 41))
    bad = good + "TY  - JOUR\nPY  - 2020\nER  - \n"  # record 41: nothing to identify it by
    with pytest.raises(ImportRejected) as error:
        run_import(review, bad.encode(), name="late.ris")
    assert str(error.value) == (
        "late.ris: record 41 (line 281): unreadable record: no title, abstract, authors, DOI, "
        "PMID or URL"
    )
    assert Source.objects.count() == 0
    assert Record.objects.count() == 0
    # the connection is fine afterwards, and the good file imports
    outcome = run_import(review, good.encode(), name="good.ris")
    assert outcome.source.record_count == 40
    assert list(
        Record.objects.filter(source=outcome.source)
        .order_by("source_position")
        .values_list("source_position", "title")[:2]
    ) == [(1, "Title 1"), (2, "Title 2")]


def test_a_missing_er_at_the_very_end_of_a_long_file_stores_nothing(review, small_batches):
    text = "".join(ris_record(n) for n in range(1, 31)) + "TY  - JOUR\nTI  - x\nTY  - JOUR\n"
    with pytest.raises(ImportRejected, match=r"record 31 \(line 213\): no end-of-record tag"):
        run_import(review, text.encode())
    assert Source.objects.count() == Record.objects.count() == 0


def test_a_file_without_records_is_refused_and_stores_nothing(review):
    with pytest.raises(ImportRejected, match=r"^x\.ris: no RIS records found in the file"):
        run_import(review, b"Exported on 1 May 2024\n\n1.\n", name="x.ris", fmt="ris")
    assert Source.objects.count() == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_row_the_server_refuses_mid_copy_stores_nothing(review, small_batches, monkeypatch):
    def one_bad_chunk(chunks):
        def chunks_with_a_bad_one(*args):
            for number, chunk in enumerate(chunks(*args)):
                yield b"not\ta\trow\n" if number == 3 else chunk

        return chunks_with_a_bad_one

    monkeypatch.setattr(bulk, "_copy_chunks", one_bad_chunk(bulk._copy_chunks))
    monkeypatch.setattr(bulk, "_binary_chunks", one_bad_chunk(bulk._binary_chunks))
    text = "".join(ris_record(n) for n in range(1, 31))
    with pytest.raises(Exception, match="screening_record"):
        run_import(review, text.encode())
    assert Source.objects.count() == Record.objects.count() == 0


TRICKY = (
    "TY  - JOUR\n"
    "TI  - Back\\slash and \u201cquotes\u201d in a title \U0001f600\n"
    'AU  - O"Brien, Pat\n'
    "AU  - Back\\slash, B.\n"
    "PY  - 1999\n"
    "VL  - 12\ttabbed\n"
    "IS  - " + "9" * 150 + "\n"  # longer than the column: cut, and kept whole in raw
    "SP  - 1\\2\n"
    "AB  - First paragraph\twith a tab\n"
    "  and a wrapped line.\n"
    'KW  - "quoted"; back\\slash\n'
    "UR  - https://example.org/a\\b\n"
    "XY  - custom \\N tag\n"
    "ER  - \n"
    "\n"
    "TY  - BOOK\n"
    "T1  - No year, no authors\n"
    "ER  - \n"
)


def test_every_value_arrives_exactly_and_raw_record_is_the_parsed_record(review):
    data = TRICKY.encode()
    outcome = run_import(review, data)
    parsed = parse_bytes(data).records
    stored = list(Record.objects.filter(source=outcome.source).order_by("source_position"))
    assert len(stored) == len(parsed) == 2
    columns = (
        "title",
        "abstract",
        "authors",
        "year",
        "journal",
        "volume",
        "pages",
        "doi",
        "pmid",
        "keywords",
        "url",
        "type",
    )
    for row, record in zip(stored, parsed, strict=True):
        assert {c: getattr(row, c) for c in columns} == {c: getattr(record, c) for c in columns}
        assert row.raw_record == record.raw
        assert json.dumps(row.raw_record)  # shown on the record page
    first = stored[0]
    assert first.issue == "9" * 100
    assert first.raw_record["IS"] == ["9" * 150]
    assert "\n" in first.abstract and "\t" in first.volume
    assert first.raw["~"]["AU"] == "authors"  # stored once, in its column
    assert stored[1].year is None and stored[1].authors == []


def test_long_and_non_ascii_values_arrive_exactly(review, settings):
    settings.IMPORT_MAX_FIELD_CHARS = 1_000_000  # the transport is tested here, not the cap
    abstract = "Ünïcode ☃ \U0001f600 " * 5000  # 100,000 characters, 150,000 bytes of UTF-8
    text = (
        "TY  - JOUR\n"
        f"TI  - {'Tïtle ' * 20000}\n"
        f"AB  - {abstract}\n"
        + "".join(f"KW  - kéyword {n}\n" for n in range(3000))
        + "UR  - https://example.org/ü\n"
        "ER  - \n\n"
        f"TY  - JOUR\nTI  - {'Plain ' * 12000}\nAB  - {'ASCII ' * 12000}\nER  - \n"
    )
    data = text.encode()
    outcome = run_import(review, data)
    parsed = parse_bytes(data).records
    stored = list(Record.objects.filter(source=outcome.source).order_by("source_position"))
    for row, record in zip(stored, parsed, strict=True):
        assert (row.title, row.abstract, row.keywords, row.url) == (
            record.title,
            record.abstract,
            record.keywords,
            record.url,
        )
        assert row.raw_record == record.raw
    assert len(stored[0].keywords) == 3000


def test_raw_record_of_a_record_stored_in_full_is_raw(review):
    data = TRICKY.encode()
    outcome = run_import(review, data)
    record = Record.objects.filter(source=outcome.source).first()
    record.raw = parse_bytes(data).records[0].raw  # as the import stored it before compaction
    record.save(update_fields=["raw"])
    record.refresh_from_db()
    assert record.raw_record == record.raw


def test_columns_the_import_does_not_fill_take_their_model_defaults(review):
    outcome = run_import(review, TRICKY.encode())
    record = Record.objects.filter(source=outcome.source).first()
    for field in Record._meta.concrete_fields:
        if field.attname in bulk.PARSED or field.primary_key:
            continue
        if field.attname in ("review_id", "source_id", "number"):  # the import sets these
            continue
        assert getattr(record, field.attname) == field.get_default(), field.attname
    assert record.number == 1  # the first record of the review


def test_the_garbage_collector_is_back_on_after_an_import(review):
    import gc

    assert gc.isenabled()
    run_import(review, TRICKY.encode())
    assert gc.isenabled()
    with pytest.raises(ImportRejected):
        run_import(review, b"TY  - JOUR\nPY  - 1\nER  - \n", name="bad.ris")
    assert gc.isenabled()


def test_postgres_foreign_keys_are_deferred_again_after_an_import(review):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    run_import(review, TRICKY.encode())
    with connection.cursor() as cursor:
        # a record pointing at a source created later in the same transaction is fine again
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'screening_record'::regclass "
            "AND contype = 'f' AND condeferred"
        )
        assert cursor.fetchone()[0] >= 2


def test_a_file_that_is_not_utf8_after_all_is_imported_as_parse_bytes_reads_it(review, monkeypatch):
    from screening.importers import common

    monkeypatch.setattr(common, "LAZY_MIN_BYTES", 1000)
    monkeypatch.setattr(common, "_HEAD_BYTES", 700)
    monkeypatch.setattr(common, "_PIECE_BYTES", 300)
    data = (
        "".join(ris_record(n) for n in range(1, 5)).replace("Title", "Tïtle").encode()
        + "".join(ris_record(n) for n in range(5, 30)).encode()
        + "TY  - JOUR\nTI  - Café\nER  - \n".encode("cp1252")
    )
    outcome = run_import(review, data)
    assert (outcome.source.file_encoding, outcome.source.record_count) == ("cp1252", 30)
    titles = list(
        Record.objects.filter(source=outcome.source)
        .order_by("source_position")
        .values_list("title", flat=True)
    )
    assert titles == [r.title for r in parse_bytes(data).records]
    assert titles[0] == "TÃ¯tle 1" and titles[-1] == "Café"  # cp1252 throughout, as before
    assert Source.objects.count() == 1


def test_the_encoding_found_late_is_the_one_recorded(review, monkeypatch):
    from screening.importers import common

    monkeypatch.setattr(common, "LAZY_MIN_BYTES", 1000)
    monkeypatch.setattr(common, "_HEAD_BYTES", 700)
    monkeypatch.setattr(common, "_PIECE_BYTES", 300)
    data = "".join(ris_record(n) for n in range(1, 30)).encode() + (
        "TY  - JOUR\nTI  - Café\nER  - \n".encode("cp1252")
    )
    outcome = run_import(review, data)
    assert Source.objects.get().file_encoding == outcome.source.file_encoding == "cp1252"
    assert Record.objects.get(source_position=30).title == "Café"


def test_an_unexpected_column_type_falls_back_to_the_text_format(review, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr(bulk, "BINARY", True)
    monkeypatch.setitem(bulk._BINARY_TYPES, "year", frozenset(("integer",)))  # it is smallint
    used = []
    text_chunks = bulk._copy_chunks

    def spy(*args):
        used.append("text")
        return text_chunks(*args)

    monkeypatch.setattr(bulk, "_copy_chunks", spy)
    outcome = run_import(review, TRICKY.encode())
    assert used == ["text"]
    assert outcome.source.record_count == 2
