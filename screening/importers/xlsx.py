"""XLSX exports: the first sheet, read as a table with a header row (tabular's column rules),
behind a zip-bomb check, since an XLSX file is a zip archive openpyxl would inflate.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from .common import ImportFormatError, ParsedRecord
from .tabular import cell_text, rows_to_records

__all__ = ["check_zip_bomb", "parse_xlsx"]

MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_RATIO = 100
_RATIO_MIN_BYTES = 2 * 1024 * 1024  # tiny members compress absurdly well and harm nobody


def check_zip_bomb(data: bytes) -> zipfile.ZipFile:
    """Open the zip and refuse it, from the central directory alone, if it would inflate too far.

    Declared sizes are what zipfile (and so openpyxl) enforces while reading, so checking them
    bounds the real expansion.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ImportFormatError(f"the XLSX file is not a readable zip archive: {exc}") from None
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFormatError(
            f"the XLSX file would expand to {total // (1024 * 1024)} MB "
            f"(limit {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB): refused as a possible zip bomb"
        )
    for info in infos:
        if info.file_size > _RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ImportFormatError(
                f"the XLSX member {info.filename!r} is compressed "
                f"{info.file_size // max(info.compress_size, 1)}:1 (limit {MAX_RATIO}:1): "
                "refused as a possible zip bomb"
            )
    if total > _RATIO_MIN_BYTES and total > MAX_RATIO * max(compressed, 1):
        raise ImportFormatError(
            f"the XLSX file is compressed {total // max(compressed, 1)}:1 overall "
            f"(limit {MAX_RATIO}:1): refused as a possible zip bomb"
        )
    return archive


def _one_line(exc: Exception) -> str:
    """An openpyxl error as one line: some span three, which a one-line error report would cut."""
    return " ".join(str(exc).split())


def parse_xlsx(data: bytes, *, notes: list[str] | None = None) -> list[ParsedRecord]:
    """The first worksheet of a workbook. Formula cells come back as their formula text (a title
    typed as ``=…`` stays text; bibliographic exports hold no real formulas). ``notes``: where
    the header was found, when not on the first row."""
    archive = check_zip_bomb(data)
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise ImportFormatError("the zip archive is not an XLSX workbook (no xl/workbook.xml)")
    from openpyxl import load_workbook  # slow import: only when needed

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        raise ImportFormatError(f"the XLSX workbook cannot be opened: {_one_line(exc)}") from None
    try:
        if not workbook.worksheets:
            raise ImportFormatError("the XLSX workbook has no worksheet")
        sheet = workbook.worksheets[0]

        def rows() -> Iterable[tuple[int, list[str]]]:
            try:
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield number, [cell_text(v) for v in values]
            except ImportFormatError:
                raise
            except Exception as exc:  # openpyxl: anything from a bad cell to bad XML
                raise ImportFormatError(
                    f"the XLSX sheet cannot be read: {_one_line(exc)}"
                ) from None

        return rows_to_records(iter(rows()), "XLSX sheet", notes)
    finally:
        workbook.close()
