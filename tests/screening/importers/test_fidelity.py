"""Files other tools read that ours garbled or refused (issue 13, items 9-13).

Each sample in tests/data/importers/ is hand-made in the shape of a real export, named in the
test that reads it.
"""

import io

import pytest
from openpyxl import Workbook

from screening.importers import ImportFormatError, parse_bytes

from .conftest import sample


def test_ris_entities_are_decoded_once_with_or_without_tags():
    # A publisher-site RIS (Taylor & Francis, Wiley "export citation"): titles and abstracts
    # carry HTML entities, some with tags around them, some without.
    first, second = parse_bytes(sample("entities_publisher.ris")).records
    assert first.title == "Effects of A & B on outcomes: <i> is text here"
    assert first.journal == "Journal of Q&A"
    assert first.abstract == (
        "The effect was significant (p < .001 & more); 5\u201310 years; escaped twice: &lt;b&gt;."
    )
    assert second.title == "Café workers and R&D in vivo & AT&T"
    assert second.abstract == "First > second.\nThird \u2264 fourth."


# --------------------------------------------------------------------------- item 9: header row


@pytest.mark.parametrize(
    ("name", "where", "titles"),
    [
        # Lens.org CSV with the title line Lens writes above the header
        (
            "lens_title_row.csv",
            "line 2",
            ["Scoping reviews of screening tools", "Deduplication, a comparison"],
        ),
        # Embase CSV: BOM, CRLF, the "SEARCH QUERY" block (a query over two lines) and a blank
        (
            "embase_search_query.csv",
            "line 5",
            ["Screening in pairs: a scoping review", "Café staff and réviews"],
        ),
        # Embase XLSX: the same block in the first rows of the sheet
        (
            "embase_search_query.xlsx",
            "row 4",
            ["Screening in pairs: a scoping review", "A second Embase record"],
        ),
        # Dimensions CSV with ";" between fields and its "About the data" line first
        (
            "dimensions_about_semicolon.csv",
            "line 2",
            ["Living reviews in practice", "Rapid reviews; a survey"],
        ),
    ],
)
@pytest.mark.parametrize("with_name", [True, False])
def test_a_header_below_a_title_or_search_query_is_found_and_said(name, where, titles, with_name):
    result = parse_bytes(sample(name), name if with_name else "")
    assert [r.title for r in result.records] == titles
    assert result.notes == [
        f"header found on {where}, not {where.split()[0]} 1: the {where.split()[0]}s above it "
        "(a title or a search query) were skipped"
    ]
    first = result.records[0]
    assert first.authors in (["Marx K.", "Lindgren A."], ["Marx, Karl", "Lindgren, Astrid"])
    assert first.doi.startswith("10.1000/")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252"])
def test_a_tab_delimited_export_with_a_line_above_its_header_is_found_without_a_name(encoding):
    # A tab-delimited export (a database's "Excel/text" download, UTF-16 as Excel saves it)
    # with an "Exported from …" line and a blank line first, uploaded as "export.txt".
    text = (
        "Exported from Made-up Database on 4 Dec 2026\r\n\r\n"
        "Title\tAuthors\tAbstract\r\nA tab title\tMarx, K; Doe, J\tAbs\r\n"
    )
    result = parse_bytes(text.encode(encoding), "export.txt")
    assert result.format == "tsv"
    assert [(r.title, r.authors) for r in result.records] == [
        ("A tab title", ["Marx, K", "Doe, J"])
    ]
    assert result.notes[0].startswith("header found on line 3, not line 1")


def test_a_search_query_over_many_lines_above_the_header_is_one_row():
    # Embase puts the whole query in one quoted cell; a long one spans dozens of lines.
    query = "\n".join(f"#{n} 'term {n}':ti,ab,kw OR" for n in range(1, 60))
    text = f'"SEARCH QUERY"\n"{query}"\n\n"TITLE","AUTHOR NAMES"\n"T1","Marx K."\n'
    result = parse_bytes(text.encode())
    assert (result.format, [r.title for r in result.records]) == ("csv", ["T1"])
    assert result.notes[0].startswith("header found on line 62, not line 1")


def test_the_fields_of_lens_and_embase_columns_are_read():
    lens = parse_bytes(sample("lens_title_row.csv"), "lens.csv").records[0]
    assert (lens.year, lens.journal, lens.issue, lens.pages, lens.pmid) == (
        2021,
        "Research Synthesis Methods",
        "2",
        "101-110",
        "33000001",
    )
    assert (lens.keywords, lens.url) == (["screening", "automation"], "https://example.org/a")
    embase = parse_bytes(sample("embase_search_query.csv"), "embase.csv").records[0]
    assert (embase.year, embase.journal, embase.pages, embase.pmid, embase.url) == (
        2023,
        "Journal of Made-up Methods",
        "20-31",
        "36000002",
        "https://example.org/emb1",
    )


def test_a_header_on_the_first_line_gives_no_note():
    result = parse_bytes(sample("scopus_sample.csv"), "scopus.csv")
    assert result.notes == []


def test_a_search_query_that_splits_into_column_like_cells_is_not_taken_for_the_header():
    # An unquoted query line ("'x':ti,ab,kw" splits into "ab" and "kw" at the commas), then the
    # real header.
    text = "Query: ('screening':ti,ab,kw)\nTitle,Authors\nA title,\"Marx, K\"\n"
    result = parse_bytes(text.encode(), "export.csv")
    assert [(r.title, r.authors) for r in result.records] == [("A title", ["Marx, K"])]
    assert result.notes[0].startswith("header found on line 2, not line 1")


def test_no_header_within_the_first_rows_names_the_first_row_as_before():
    text = "".join(f"junk line {n}\n" for n in range(1, 31)) + "Title,Abstract\nA,B\n"
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "export.csv")
    assert info.value.message == (
        "the CSV file has no recognisable title or abstract column; columns found: 'junk line 1'"
    )


# --------------------------------------------------------------------------- item 10: BibTeX


def test_bibtex_entries_without_content_are_skipped_and_counted():
    result = parse_bytes(sample("content_less_entries.bib"), "library.bib")
    assert [r.title for r in result.records] == [
        "Screening in pairs",
        "Screening alone",
        "Proceedings of the Made-up Conference on Evidence Synthesis",
    ]
    assert result.records[0].journal == "Research Synthesis Methods"  # @string still resolved
    assert result.notes == [
        "3 BibTeX entries skipped (no title, abstract, authors, DOI, PMID or URL: sets or "
        "cross-references only?): @set{set1}, @xdata{pubdata}, @inproceedings{stub2021}"
    ]


def test_a_bibtex_file_of_content_less_entries_only_is_refused_saying_why():
    text = "@set{s1, entryset={a1}}\n@inproceedings{c1, crossref={p1}}\n"
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "sets.bib")
    assert str(info.value) == (
        "no BibTeX records with content in the file: its 2 entries (@set{s1}, "
        "@inproceedings{c1}) have no title, abstract, authors, DOI, PMID or URL"
    )


def test_an_entry_cut_short_to_nothing_by_an_extra_brace_is_refused_not_skipped():
    # The extra "}" after the note ends the entry, leaving it no content; its title and authors
    # follow as free text. Skipping it would lose the record without a word.
    text = (
        "@article{ok, title={Kept}, author={A, B}}\n"
        "@article{cut, note={see p. 3}}, title = {Lost}, author = {C, D}}\n"
    )
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode(), "refs.bib")
    assert info.value.message.startswith("BibTeX entry 'cut' ends before its fields do")
    assert info.value.line == 2


def test_a_cross_referencing_entry_takes_its_container_from_the_parent():
    # DBLP: papers name their proceedings by crossref; the booktitle and year are the parent's.
    paper, own_booktitle, proceedings = parse_bytes(sample("crossref_dblp.bib"), "d.bib").records
    assert (paper.journal, paper.year) == (
        "Proceedings of the Made-up Conference on Evidence, MADE 2021",
        2021,
    )
    assert paper.authors == ["Karl Marx", "Astrid Lindgren"]  # never the parent's editors
    assert "booktitle" not in paper.raw  # raw is the entry as written
    assert (own_booktitle.journal, own_booktitle.year) == (
        "Proceedings of MADE 2021, Workshops",
        2021,
    )
    assert proceedings.authors == ["Selma Lagerlöf"]


# --------------------------------------------------------------------------- item 11: list cells


def test_list_style_cells_are_read_as_lists():
    # A CSV written by pandas from rispy-parsed records (as Python screening tools export):
    # list columns hold Python reprs, or JSON from a JavaScript tool.
    first, second, third, fourth = parse_bytes(sample("rispy_list_cells.csv"), "out.csv").records
    assert first.authors == ["Marx, Karl", "Lindgren, Astrid"]
    assert first.keywords == ["reading; groups", "economics"]
    assert first.url == "https://example.org/k1"
    assert second.authors == ["O'Brien, Pat", "Ní Dhomhnaill, Nuala"]
    assert (second.keywords, second.url) == ([], "")
    assert third.authors == ["Lindgren, Astrid"]  # JSON's null left out
    assert third.keywords == ["pippi", "longstocking"]
    assert fourth.authors == ["[Anonymous]"]  # brackets that are no list stay text
    assert fourth.keywords == ["[Review]", "history"]
    assert first.raw["authors"] == "['Marx, Karl', 'Lindgren, Astrid']"  # raw keeps the cell


def test_list_style_cells_in_a_workbook_too():
    workbook = Workbook()
    workbook.active.append(["Title", "Author Full Names", "Author Keywords"])
    workbook.active.append(["T", "['Marx, Karl (57203)', 'Lindgren, Astrid']", '["a", "b"]'])
    out = io.BytesIO()
    workbook.save(out)
    [record] = parse_bytes(out.getvalue(), "export.xlsx").records
    assert record.authors == ["Marx, Karl", "Lindgren, Astrid"]  # Scopus id suffix still cut
    assert record.keywords == ["a", "b"]


@pytest.mark.parametrize(
    "cell",
    [
        "[__import__('os').system('echo owned')]",  # code, not a literal: never run
        "[" * 400 + "]" * 400,  # nested past the parser's limit
        "['" + "x" * 100_001 + "']",  # longer than any list of authors: not even tried
        "[" + "9" * 5000 + "]",  # an integer past Python's conversion limit
        "[{'a': 1}]",  # a literal, but not a list of names
    ],
)
def test_a_cell_that_is_no_plain_list_stays_text(cell):
    text = f'Title;Authors\nT;"{cell}"\n'
    [record] = parse_bytes(text.encode(), "export.csv").records
    assert record.authors == [cell]


# --------------------------------------------------------------------------- item 12: LaTeX


def test_latex_logos_and_text_macros_keep_their_text():
    # DBLP / ACM Digital Library BibTeX keeps the authors' LaTeX in titles and abstracts.
    knuth, lamport = parse_bytes(sample("latex_logos.bib"), "dblp.bib").records
    assert knuth.title == "The TeX book"
    assert lamport.title == "LaTeX and BibTeX for reviews: LaTeX2e in practice"
    assert lamport.abstract == (
        "A methodology-independent guide, pages 10\u201320\u2014and more\u2026 A/B tests, "
        "R&D units, mixed-methods and code."
    )
    assert lamport.keywords == ["LaTeX", "typesetting"]


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\S 3 and \P 2", "\u00a7 3 and \u00b6 2"),
        (
            r"\copyright{} 2020 Acme\textregistered{} and Co\texttrademark",
            "\u00a9 2020 Acme\u00ae and Co\u2122",
        ),
        (r"dis\-con\-tin\-ued", "discontinued"),  # discretionary hyphens: no soft hyphen left
        (r"\texttt{grep} in \textsf{R} \textup{up} \textmd{md}", "grep in R up md"),
        (r"non\nobreakdash-inferiority", "non-inferiority"),
        (r"CO\textsubscript{2}~emissions \& more", "CO2 emissions & more"),  # a tie is a space
        (r"p\textless 0.05 and \textgreater 1", "p< 0.05 and > 1"),
        (r"\XeLaTeX{} and \pdfTeX\ compared", "XeLaTeX and pdfTeX compared"),
        (r"Line\\TeX", "Line\nTeX"),  # a line break before the word, not a macro \TeX
        (r"\unknownmacro{kept} text", "kept text"),  # unknown: pylatexenc as before
    ],
)
def test_latex_text_macros(latex, text):
    from screening.importers.latex import delatex

    assert delatex(latex) == text
