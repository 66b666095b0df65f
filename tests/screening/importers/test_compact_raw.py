"""raw stored without what its columns hold, and rebuilt exactly (values and key order)."""

import contextlib
import copy

import pytest

from screening.importers import ParsedRecord, parse_bytes, stream_bytes
from screening.importers.compact import MARKER, compact_raw, expand_raw

from .conftest import SAMPLES_DIR, formats_dir


def compacted(record: ParsedRecord, **kwargs):
    return compact_raw(
        record.raw,
        record.abstract,
        record.title,
        record.journal,
        record.url,
        record.authors,
        record.keywords,
        **kwargs,
    )


def every_export():
    paths = sorted(SAMPLES_DIR.iterdir())
    with contextlib.suppress(pytest.skip.Exception):  # no shared files: the samples only
        paths += sorted(p for p in formats_dir().iterdir() if p.is_file())
    return paths


@pytest.mark.parametrize("path", every_export(), ids=lambda p: p.name)
def test_round_trip_is_exact_for_every_sample_export(path):
    records = parse_bytes(path.read_bytes(), filename=path.name).records
    shrunk = 0
    for record in records:
        original = copy.deepcopy(record.raw)
        stored = compacted(record)
        assert record.raw == original  # not changed unless asked to
        rebuilt = expand_raw(stored, record)
        assert rebuilt == original
        assert list(rebuilt) == list(original)  # key order too
        shrunk += stored is not record.raw
    if path.suffix in (".ris", ".nbib", ".ciw"):
        assert shrunk  # the tagged formats repeat title/abstract/authors in raw


def test_the_values_columns_hold_become_references():
    record = ParsedRecord(
        title="A title",
        abstract="An abstract.",
        authors=["Doe, J.", "Roe, R."],
        journal="Journal",
        url="https://x.example/1",
        keywords=["k1"],
        raw={
            "TY": ["JOUR"],
            "TI": ["A title"],
            "AU": ["Doe, J.", "Roe, R."],
            "AB": ["An abstract."],
            "JO": ["Journal"],
            "UR": ["https://x.example/1"],
            "KW": ["k1"],
            "N1": ["An abstract.", "twice"],  # not exactly a column: kept
        },
    )
    stored = compacted(record)
    assert stored[MARKER] == {
        "TI": "[title]",
        "AU": "authors",
        "AB": "[abstract]",
        "JO": "[journal]",
        "UR": "[url]",
        "KW": "keywords",
    }
    assert stored["TI"] == 0 and stored["N1"] == ["An abstract.", "twice"]
    assert stored["TY"] == ["JOUR"]
    assert expand_raw(stored, record) == record.raw


def test_scalar_values_bibtex_and_csv_style():
    record = ParsedRecord(title="T", abstract="Long abstract", raw={"title": "T", "x": "T "})
    stored = compacted(record)
    assert stored[MARKER] == {"title": "title"}
    assert expand_raw(stored, record) == {"title": "T", "x": "T "}


def test_empty_columns_are_never_referred_to():
    # dedup fills empty columns later; a reference to one would then change the raw record
    record = ParsedRecord(title="T", abstract="", raw={"TI": ["T"], "AB": [""], "N2": [""]})
    stored = compacted(record)
    assert stored[MARKER] == {"TI": "[title]"}
    assert stored["AB"] == [""]


def test_nothing_to_refer_to_returns_raw_itself():
    record = ParsedRecord(title="T", raw={"TY": ["JOUR"], "TI": ["Other"]})
    assert compacted(record) is record.raw


def test_in_place_changes_and_returns_raw():
    record = ParsedRecord(title="T", raw={"TI": ["T"]})
    raw = record.raw
    assert compacted(record, in_place=True) is raw
    assert raw == {"TI": 0, MARKER: {"TI": "[title]"}}


def test_a_raw_with_a_tilde_key_of_its_own_is_kept_as_it_is():
    # a CSV column called "~": its value is text, never the marker's dict
    record = ParsedRecord(title="T", raw={"~": "x", "Title": "T"})
    assert compacted(record) is record.raw
    assert expand_raw(record.raw, record) == {"~": "x", "Title": "T"}


def test_legacy_and_odd_stored_values_come_back_unchanged():
    record = ParsedRecord(title="T")
    for stored in ({"TY": "JOUR", "N1": "note"}, {}, [], "text", None):
        assert expand_raw(stored, record) == stored


def test_an_unknown_reference_is_an_error_not_a_silent_guess():
    with pytest.raises(ValueError, match="unknown column"):
        expand_raw({"X": 0, MARKER: {"X": "pk"}}, ParsedRecord())


def test_references_read_the_current_columns():
    record = ParsedRecord(authors=["A"], raw={"AU": ["A"]})
    stored = compacted(record)
    rebuilt = expand_raw(stored, record)
    rebuilt["AU"].append("changed")  # a copy: the record's list is not shared
    assert record.authors == ["A"]


def test_stream_bytes_gives_the_records_parse_bytes_gives():
    for path in every_export():
        data = path.read_bytes()
        whole = parse_bytes(data, filename=path.name)
        stream = stream_bytes(data, filename=path.name)
        assert (stream.format, stream.encoding) == (whole.format, whole.encoding)
        assert list(stream.records) == whole.records
