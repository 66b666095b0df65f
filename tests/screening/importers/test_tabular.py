"""CSV, TSV and XLSX: header mapping, delimiters, errors, and zip bombs."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from screening.importers import ImportFormatError, parse_bytes

from .conftest import sample


def test_scopus_csv():
    result = parse_bytes(sample("scopus_sample.csv"), "scopus.csv")
    assert result.format == "csv"
    first, second = result.records
    assert first.title.startswith("Soil fauna diversity at different stages")
    assert first.authors == ["Li, Wei", "Dou, Zhiguo", "Cui, Lijuan"]  # Author full names
    assert first.year == 2020
    assert first.journal == "Ecosystem Health and Sustainability"
    assert first.doi == "10.1080/20964129.2020.1722034"
    assert first.pmid == "31734000"
    assert first.keywords == [
        "Environmental factors",
        "Lake Taihu",
        "reed",
        "soil fauna",
        "wetland",
    ]
    assert first.pages == "1722034"  # Art. No. when there are no page numbers
    assert first.type == "Article"
    assert first.abstract == (
        "Introduction: Wetland soil fauna support material cycling.\n"
        "Outcomes: We identified 93 groups."
    )
    assert first.raw["EID"] == "2-s2.0-85079532227"
    # a formula-looking title stays text; "Authors" split on commas
    assert second.title == '=HYPERLINK("http://evil.example/","click")'
    assert second.authors == ["Cao F.", "Li J."]
    assert second.pages == "105-117"


def test_asreview_csv():
    records = parse_bytes(sample("asreview_sample.csv"), "data.csv").records
    assert len(records) == 3
    assert records[0].authors == ["J. W. Quintino-dos-Santos", "C. J. Muller"]
    assert records[0].pmid == "10072008"
    assert records[1].authors == ["N Frossard", "O Benabdesselam"]
    assert records[1].doi == "10.1016/s0091-6749(99)70001-2"
    assert records[2].title == ""
    assert records[2].abstract == "Only an abstract, no title."
    assert records[0].raw["label_included"] == "0"


def test_wos_tab_delimited():
    result = parse_bytes(sample("wos_tab_sample.txt"), "savedrecs.txt")
    assert result.format == "tsv"
    assert result.encoding == "utf-8-sig"
    first, second = result.records
    assert first.authors == ["Li, Wei", "Dou, Zhiguo"]  # AF
    assert first.keywords == ["soil fauna", "wetland restoration", "COMMUNITY"]
    assert first.pages == "1722034"
    assert first.type == "Article"
    assert second.pages == "7003-7016"
    assert second.pmid == "15170338"


def test_tsv_and_semicolon_csv():
    tsv = "Title\tAbstract\tYear\nA tab title\tSome text\t2001\n"
    result = parse_bytes(tsv.encode(), "x.tsv")
    assert result.format == "tsv"
    assert result.records[0].title == "A tab title"
    semicolon = 'Title;Authors;Year\n"A; title";Doe, J.;2002\n'
    (record,) = parse_bytes(semicolon.encode("cp1252"), fmt="csv").records
    assert record.title == "A; title"
    assert record.authors == ["Doe, J."]


def test_header_case_and_spelling_insensitive():
    text = "TITLE,ABSTRACT,Publication_Year,Pubmed ID,Keywords\nT,A,1999,123,a; b\n"
    (record,) = parse_bytes(text.encode()).records
    assert (record.title, record.year, record.pmid, record.keywords) == (
        "T",
        1999,
        "123",
        ["a", "b"],
    )


def test_unknown_headers_named_in_error():
    text = "foo,bar,baz\n1,2,3\n"
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "weird.csv")
    message = str(info.value)
    assert "no recognisable title or abstract column" in message
    assert "'foo', 'bar', 'baz'" in message


def test_row_with_more_fields_than_header():
    text = "title,abstract\nfine,row\nbad,row,extra\n"
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "x.csv")
    assert str(info.value) == "record 2 (line 3): row has 3 fields but the header has 2"


def test_csv_multiline_cells_and_line_numbers():
    text = 'title,abstract\n"first","line one\nline two"\n,\n"","",\n"third",x,,\n'
    records = parse_bytes(text.encode(), "x.csv").records
    assert [r.title for r in records] == ["first", "third"]
    bad = 'title,abstract,year\n"first","line one\nline two",2001\n,,2020\n'
    with pytest.raises(ImportFormatError, match=r"^record 2 \(line 4\): unreadable record"):
        parse_bytes(bad.encode(), "x.csv")


def test_csv_unclosed_quote_refused_where_it_opens():
    text = (
        "Title,Abstract,Year\nFirst paper,Abstract one,2020\n"
        '"Second paper,Abstract two,2021\nThird paper,Abstract three,2022\n'
        "Fourth paper,Abstract four,2023\n"
    )
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "x.csv")
    assert str(info.value) == (
        "record 2 (line 3): CSV file cannot be read: a quote opened in this row is never closed"
    )


def test_csv_unclosed_quote_before_a_later_quoted_field_refused():
    text = 'Title,Abstract\nFirst,"one"\n"Second,two\nThird,"three"\nFourth,four\n'
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "x.csv")
    assert (info.value.record_number, info.value.line) == (2, 3)
    assert "text after its closing quote on line 4" in info.value.message


def test_tsv_quoted_phrase_at_the_start_of_a_field_still_read():
    # Web of Science writes tab-delimited fields unquoted: a title may start with a quote
    text = (
        "TI\tAU\tPY\tSO\tAB\n"
        '"Ask the experts": a survey\tDoe, J\t2020\tJ\tx\n'
        "Next\tRoe, B\t2021\tJ\ty\n"
    )
    first, second = parse_bytes(text.encode(), "savedrecs.txt").records
    assert first.title == "Ask the experts: a survey"  # as the lenient csv reader has it
    assert (first.authors, first.year) == (["Doe, J"], 2020)
    assert (second.title, second.year) == ("Next", 2021)


def test_csv_quote_left_open_after_a_closed_one_refused():
    text = 'Title,Abstract\n"a"b,"c\nd",e\nLast,row\n'
    with pytest.raises(ImportFormatError, match=r"^record 1 \(line 2\): CSV file cannot be read"):
        parse_bytes(text.encode(), "x.csv")


def test_csv_quoted_fields_over_several_lines_still_read():
    text = (
        'Title,Abstract\n"A title","Background: one.\r\n\r\nMethods: ""quoted"", two."\n'
        '"Second, with comma","x"\n'
    )
    first, second = parse_bytes(text.encode(), "x.csv").records
    assert first.abstract == 'Background: one.\nMethods: "quoted", two.'
    assert second.title == "Second, with comma"


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx():
    data = _xlsx(
        [
            ["Title", "Authors", "Year", "DOI", "PubMed ID", "Abstract"],
            ["An XLSX title", "Doe, J.; Roe, R.", 2020, "https://doi.org/10.1000/X", 12345, "Text"],
            [None, None, None, None, None, None],
            ['=HYPERLINK("http://x.example","x")', None, 2019.0, None, None, None],
        ]
    )
    result = parse_bytes(data, "export.xlsx", fmt="csv")  # the CLI's csv covers xlsx
    assert result.format == "xlsx"
    first, second = result.records
    assert first.title == "An XLSX title"
    assert first.authors == ["Doe, J.", "Roe, R."]
    assert (first.year, first.doi, first.pmid) == (2020, "10.1000/x", "12345")
    assert second.title == '=HYPERLINK("http://x.example","x")'  # formula text, not a value
    assert second.year == 2019


def _workbook_zip(member: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", member)
    return out.getvalue()


def test_xlsx_zip_bomb_refused_fast():
    # 50 MB of one repeated byte: deflates about 1000:1
    data = _workbook_zip(b"<" * (50 * 1024 * 1024))
    assert len(data) < 200 * 1024
    started = time.perf_counter()
    with pytest.raises(ImportFormatError, match=r"compressed \d+:1 .*zip bomb"):
        parse_bytes(data, "bomb.xlsx")
    assert time.perf_counter() - started < 1


def test_xlsx_declared_size_over_limit_refused():
    data = bytearray(_workbook_zip(b"<sheet/>"))
    # claim 600 MB uncompressed for the sheet in the central directory (offset 24 of its entry)
    entry = -4
    for _ in range(3):  # the sheet is the third central-directory entry
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (600 * 1024 * 1024).to_bytes(4, "little")
    with pytest.raises(ImportFormatError, match=r"would expand to 600 MB.*zip bomb"):
        parse_bytes(bytes(data), "big.xlsx")


def test_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("refs.ris", "TY  - JOUR\nER  - \n")
    with pytest.raises(ImportFormatError, match="not an XLSX workbook"):
        parse_bytes(out.getvalue(), "refs.zip")


def test_xlsx_error_from_openpyxl_is_one_line():
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["Title"], ["A title"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            member = source.read(name)
            if name == "xl/worksheets/sheet1.xml":  # entities: openpyxl refuses the sheet
                member = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet/>'
            archive.writestr(name, member)
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(out.getvalue(), "x.xlsx")
    assert str(info.value).startswith("the XLSX workbook cannot be opened: ")
    assert "\n" not in str(info.value)


def test_repeated_and_blank_column_headers_kept_in_raw():
    text = "Title,Notes,Notes,\nT,first,second,third\n"
    (record,) = parse_bytes(text.encode(), "x.csv").records
    assert record.raw == {
        "Title": "T",
        "Notes": "first",
        "Notes (3)": "second",
        "column 4": "third",
    }
