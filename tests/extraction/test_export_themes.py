"""The theme-table export: the themes page's builder written as CSV and XLSX cells."""

import csv
import io

import openpyxl
from django.core.management import call_command


def test_the_theme_csv_counts_quotes_per_study_rolled_up_to_the_theme(review, coded, tmp_path):
    out = tmp_path / "themes.csv"
    call_command("export", review.slug, "themes", "-o", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    header = ["code", "label", "parent", "level", "status", "questions", "studies"]
    assert rows == [
        [*header, "'@Odd 2012", "Adams 2010"],  # studies by label
        ["T1", "Voice", "", "1", "Proposed", "RQ1", "2", "1", "2"],
        ["T1.1", "Being heard", "T1", "2", "Proposed", "", "2", "1", "1"],
    ]


def test_the_theme_xlsx_has_studies_questions_and_quotes(review, coded, tmp_path):
    out = tmp_path / "themes.xlsx"
    call_command("export", review.slug, "themes", "--format", "xlsx", "-o", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Themes by study", "Themes by question", "Quotes"]

    def cells(name):
        return [list(row) for row in book[name].iter_rows(values_only=True)]

    assert cells("Themes by study")[1] == ["T1", "Voice", None, 1, "Proposed", "RQ1", 2, 1, 2]
    assert cells("Themes by question") == [
        ["question", "question_studies", "code", "label", "studies"],
        ["RQ1", 2, "T1", "Voice", 2],
    ]
    quotes = cells("Quotes")
    assert quotes[0] == ["code", "label", "study", "quote", "location", "coded_by"]
    assert sorted(quotes[1:]) == [
        ["T1", "Voice", "Adams 2010", "'=our say", "p. 9", "rev1"],
        ["T1.1", "Being heard", "'@Odd 2012", "heard at last", None, "rev1"],
        ["T1.1", "Being heard", "Adams 2010", "they listened", "p. 4", "rev1"],
    ]
    assert [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
