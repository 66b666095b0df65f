"""stream_bytes: the records parse_bytes gives, while a large file is decoded a piece at a time."""

import pytest

from screening.importers import (
    EncodingChanged,
    ImportFormatError,
    common,
    parse_bytes,
    stream_bytes,
)

from .conftest import format_file


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Decode lazily from 1 kB on, in pieces of about 300 bytes (real: 16 MB and 4 MB)."""
    monkeypatch.setattr(common, "LAZY_MIN_BYTES", 1000)
    monkeypatch.setattr(common, "_HEAD_BYTES", 700)
    monkeypatch.setattr(common, "_PIECE_BYTES", 300)


def record(number: int, title: str = "Title") -> str:
    return (
        f"TY  - JOUR\r\nTI  - {title} {number}\r\nAU  - Author, A.\r\n"
        f"AB  - An abstract\r\n  wrapped over two lines.\r\nER  - \r\n\r\n"
    )


def same_as_parse_bytes(data: bytes, **kwargs):
    whole = parse_bytes(data, **kwargs)
    stream = stream_bytes(data, **kwargs)
    records = list(stream.records)
    assert records == whole.records
    assert (stream.format, stream.encoding) == (whole.format, whole.encoding)
    return stream


def test_a_large_utf8_file_in_pieces(tiny_pieces):
    data = "".join(record(n, "Tïtle ☃") for n in range(1, 60)).encode()
    assert common.decode_lazily(data) is not None
    stream = same_as_parse_bytes(data)
    assert stream.encoding == "utf-8"


@pytest.mark.parametrize(
    "name", ["asreview__scopus.ris", "asreview__ovid_psycinfo.ris", "asreview__embase.ris"]
)
def test_real_exports_in_pieces(tiny_pieces, name):
    data = format_file(name).read_bytes()
    assert common.decode_lazily(data) is not None
    same_as_parse_bytes(data, filename=name)


def test_byte_order_marks_at_the_start_and_in_the_middle(tiny_pieces):
    one = "".join(record(n) for n in range(1, 20)).encode()
    data = b"\xef\xbb\xbf" + one + b"\xef\xbb\xbf" + one
    stream = same_as_parse_bytes(data)
    assert stream.encoding == "utf-8-sig"


def test_cp1252_after_an_ascii_start_reads_as_decode_bytes_reads_it(tiny_pieces):
    data = "".join(record(n) for n in range(1, 30)).encode() + record(30, "Café").encode("cp1252")
    stream = stream_bytes(data)
    assert stream.encoding == "utf-8"  # so far as the head tells
    records = list(stream.records)
    assert stream.encoding == "cp1252"
    assert records == parse_bytes(data).records
    assert records[-1].title == "Café 30"


def test_latin1_when_cp1252_cannot_read_it(tiny_pieces):
    data = "".join(record(n) for n in range(1, 30)).encode() + b"TY  - JOUR\nTI  - x\x81\nER  - \n"
    stream = same_as_parse_bytes(data)
    assert stream.encoding == "latin-1"


def test_not_utf8_after_non_ascii_text_asks_to_start_again(tiny_pieces):
    data = "".join(record(n, "Tïtle") for n in range(1, 30)).encode() + record(30, "Café").encode(
        "cp1252"
    )
    with pytest.raises(EncodingChanged):
        list(stream_bytes(data).records)
    stream = stream_bytes(data, lazy=False)  # what the import then does
    assert stream.encoding == "cp1252"
    assert list(stream.records) == parse_bytes(data).records


def test_errors_name_the_same_record_and_line(tiny_pieces):
    data = "".join(record(n) for n in range(1, 40)).encode() + b"TY  - JOUR\nTY  - JOUR\n"
    with pytest.raises(ImportFormatError) as whole:
        parse_bytes(data)
    with pytest.raises(ImportFormatError) as streamed:
        list(stream_bytes(data).records)
    assert (
        str(streamed.value)
        == str(whole.value)
        == ("record 40 (line 275): no end-of-record tag (ER) before the next record's TY")
    )


def test_mixed_line_endings_in_pieces(tiny_pieces):
    # Old-Mac (CR-only) records between Windows ones: pieces are cut at an LF, so most end in
    # the CR of a CRLF, which must not count as a line of its own.
    old_mac = record(0, "Old Mac").replace("\r\n", "\r")
    text = "".join(record(n) + old_mac.replace(" 0", f" {n}b") for n in range(1, 30))
    data = text.encode() + b"TY  - JOUR\nTY  - JOUR\n"
    assert common.decode_lazily(data) is not None
    whole = parse_bytes(text.encode()).records
    assert len(whole) == 58
    assert whole[1].title == "Old Mac 1b"
    assert whole[1].authors == ["Author, A."]
    same_as_parse_bytes(text.encode())
    with pytest.raises(ImportFormatError) as decoded_whole:
        parse_bytes(data)
    with pytest.raises(ImportFormatError) as streamed:
        list(stream_bytes(data).records)
    assert (
        str(streamed.value)
        == str(decoded_whole.value)
        == ("record 59 (line 408): no end-of-record tag (ER) before the next record's TY")
    )


def test_nul_bytes_are_refused_before_any_record(tiny_pieces):
    data = "".join(record(n) for n in range(1, 40)).encode() + b"\x00"
    with pytest.raises(ImportFormatError, match="binary"):
        stream_bytes(data)


def test_small_and_other_files_are_decoded_whole(tiny_pieces):
    assert common.decode_lazily(record(1).encode()) is None  # small
    assert common.decode_lazily(("x" * 2000).encode()) is None  # one line
    assert common.decode_lazily(("ab\r" * 1000).encode()) is None  # CR-only line endings
    assert common.decode_lazily(("ab\n" * 1000).encode("utf-16")) is None
    assert common.decode_lazily(b"\xe9\n" * 1000) is None  # the head is not UTF-8
