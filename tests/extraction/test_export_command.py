"""`export SLUG KIND --format F -o FILE` writes every kind the exports page offers."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from extraction.exports.kinds import KINDS

# What each file starts with: its first header cell (or, for RIS and JSON, its first content).
FIRST = {
    "extraction": "study_id",
    "themes": "code",
    "dictionary": "kind",
    "records": "record_id",
    "sources": "source_id",
    "prisma": "column",  # the tidy CSV: column,box,label,n
}


@pytest.fixture
def every_kind(known, charted, coded):
    return known, charted, coded


@pytest.mark.parametrize(
    ("kind", "fmt"), [(kind, fmt) for kind, formats in KINDS.items() for fmt in formats]
)
def test_the_command_writes_every_kind_in_every_format(review, every_kind, tmp_path, kind, fmt):
    out = tmp_path / f"export.{fmt}"
    call_command("export", review.slug, kind, "--format", fmt, "-o", str(out))
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert rows[0][0] == FIRST[kind]
        assert len(rows) > 1
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(out)
        first = next(book.worksheets[0].iter_rows(values_only=True))
        assert first[0] == FIRST[kind]
        assert book.worksheets[0].max_row > 1
    elif fmt == "ris":
        assert out.read_text(encoding="utf-8").startswith("TY  - JOUR\n")
    elif fmt == "svg":
        svg = out.read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "Records identified from" in svg
    else:
        assert json.loads(out.read_text(encoding="utf-8"))["identified"]["databases"]


def test_the_command_names_a_review_that_does_not_exist(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"No review is called 'nope'\."):
        call_command("export", "nope", "extraction")
