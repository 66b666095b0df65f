"""RIS, MEDLINE, Web of Science and BibTeX: dialects, edge cases and unreadable records."""

import pytest

from screening.importers import ImportFormatError, parse_bytes

from .conftest import sample

RIS_TWO = (
    "TY  - JOUR\n"
    "TI  - First   title\n"
    "  wrapped onto a second line\n"
    "AU  - Müller, Jürgen\n"
    "AU  - Smith, Anna\n"
    "PY  - 2019///\n"
    "DO  - https://doi.org/10.1000/ABC.123\n"
    "XY  - a custom tag\n"
    "ER  - \n"
    "\n"
    "TY  - BOOK\n"
    "T1  - Second title\n"
    "A1  - Doe, J.\n"
    "Y1  - 2001/05/01\n"
    "ER  -\n"
)


def ris(text: str, encoding: str = "utf-8", **kwargs):
    return parse_bytes(text.encode(encoding), **kwargs).records


def test_ris_basic_fields_and_custom_tags():
    first, second = ris(RIS_TWO)
    assert first.title == "First title wrapped onto a second line"
    assert first.authors == ["Müller, Jürgen", "Smith, Anna"]
    assert first.year == 2019
    assert first.doi == "10.1000/abc.123"
    assert first.type == "JOUR"
    assert first.raw["XY"] == ["a custom tag"]  # unknown tags kept
    assert second.title == "Second title"
    assert second.authors == ["Doe, J."]
    assert second.year == 2001
    assert second.type == "BOOK"


def test_ris_missing_final_er():
    records = ris(RIS_TWO.rsplit("ER  -", 1)[0])
    assert [r.title for r in records] == [
        "First title wrapped onto a second line",
        "Second title",
    ]


def test_ris_cr_only_line_endings():
    records = ris(RIS_TWO.replace("\n", "\r"))
    assert len(records) == 2
    assert records[0].authors == ["Müller, Jürgen", "Smith, Anna"]


def test_ris_mixed_line_endings_keep_every_record():
    # two old-Mac (CR-only) records and a Unix one, as when exports are joined into one file
    old_mac = (
        "TY  - JOUR\rTI  - Old Mac record A\rAU  - Smith, J\rER  - \r\r"
        "TY  - JOUR\rTI  - Old Mac record B\rAU  - Doe, A\rER  - \r\r"
    )
    unix = "TY  - JOUR\nTI  - Unix record C\nAU  - Roe, B\nER  - \n"
    records = ris(old_mac + unix)
    assert [(r.title, r.authors, r.type) for r in records] == [
        ("Old Mac record A", ["Smith, J"], "JOUR"),
        ("Old Mac record B", ["Doe, A"], "JOUR"),
        ("Unix record C", ["Roe, B"], "JOUR"),
    ]
    windows = RIS_TWO.replace("\n", "\r\n")
    assert len(ris(windows + old_mac + unix)) == 5


def test_ris_cr_only_file_with_one_final_lf():
    records = ris(RIS_TWO.replace("\n", "\r") + "\n")
    assert [r.title for r in records] == ["First title wrapped onto a second line", "Second title"]


def test_ris_mixed_line_endings_count_lines_as_editors_do():
    text = "TY  - JOUR\r\nTI  - One\rER  - \n\rTY  - JOUR\rPY  - 2020\r\nER  - \r"
    with pytest.raises(ImportFormatError, match=r"^record 2 \(line 5\): unreadable record"):
        ris(text)


def test_ris_crlf_line_endings():
    records = ris(RIS_TWO.replace("\n", "\r\n"))
    assert len(records) == 2
    assert records[1].title == "Second title"
    assert records[0].raw["TI"] == ["First   title\nwrapped onto a second line"]


def test_ris_leading_junk_and_blank_lines():
    text = "Exported from Example Database on 2024-01-01\n\n1.\n\n" + RIS_TWO.replace(
        "AU  - Smith", "\n\nAU  - Smith"
    )
    records = ris(text)
    assert len(records) == 2
    assert records[0].authors == ["Müller, Jürgen", "Smith, Anna"]


def test_ris_tag_spacing_variants():
    text = "TY  -JOUR\nTI  -Glued title\nAU  -\nER  -\n"
    (record,) = ris(text)
    assert record.type == "JOUR"
    assert record.title == "Glued title"
    one_space = "TY - JOUR\nTI - One space title\nAU - Doe, J.\nER - \n"
    (record,) = ris(one_space)
    assert record.title == "One space title"
    assert record.authors == ["Doe, J."]


def test_ris_one_space_dash_in_two_space_file_is_text():
    text = "TY  - JOUR\nAB  - Results were good\nCT - scans showed\nER  - \n"
    (record,) = ris(text)
    assert record.abstract == "Results were good\nCT - scans showed"
    assert "CT" not in record.raw


def test_ris_lower_case_tags_are_tags():
    text = (
        "TY  - JOUR\nTI  - Lowercase probe title\nau  - Smith, J\nAu  - Doe, A\r\n"
        "py  - 2019\ndo  - 10.1000/abc\nkw  -\ner  - \nty  - BOOK\nti  - Second\nER  - \n"
    )
    first, second = ris(text)
    assert first.title == "Lowercase probe title"
    assert first.authors == ["Smith, J", "Doe, A"]
    assert (first.year, first.doi) == (2019, "10.1000/abc")
    assert first.raw["KW"] == [""]
    assert (second.type, second.title) == ("BOOK", "Second")


def test_ris_lower_case_tag_only_in_the_exact_tag_form():
    # glued, one-space or indented: in lower case these are wrapped text, not tags
    text = "TY  - JOUR\nAB  - Results\nau  -glued\nis - as shown\n  in  - vivo\nER  - \n"
    (record,) = ris(text)
    assert record.abstract == "Results\nau -glued\nis - as shown\nin - vivo"
    assert set(record.raw) == {"TY", "AB"}


def test_ris_record_without_ty():
    text = RIS_TWO + "\nAU  - Nobody\nTI  - Orphan\nER  - \n"
    with pytest.raises(ImportFormatError) as info:
        ris(text)
    err = info.value
    assert err.record_number == 3
    assert err.line == 17  # RIS_TWO is 15 lines, then a blank one
    assert "TY" in err.message
    assert str(err).startswith("record 3 (line 17): ")


def test_ris_missing_er_between_records():
    text = RIS_TWO.replace("ER  - \n", "", 1)
    with pytest.raises(ImportFormatError) as info:
        ris(text)
    assert str(info.value) == (
        "record 1 (line 10): no end-of-record tag (ER) before the next record's TY"
    )


def test_ris_empty_record_is_unreadable():
    text = RIS_TWO + "TY  - JOUR\nPY  - 2020\nER  - \n"
    with pytest.raises(ImportFormatError, match=r"^record 3 \(line 16\): unreadable record"):
        ris(text)


def test_ris_formula_title_kept_as_text():
    (record,) = ris('TY  - JOUR\nTI  - =HYPERLINK("http://x.example","click")\nER  - \n')
    assert record.title == '=HYPERLINK("http://x.example","click")'
    (record,) = ris("TY  - JOUR\nTI  - +1 and -1 @home\nER  - \n")
    assert record.title == "+1 and -1 @home"


def test_ris_concatenated_exports_with_bom_in_the_middle():
    data = b"\xef\xbb\xbf" + RIS_TWO.encode() + b"\xef\xbb\xbf" + RIS_TWO.encode()
    assert len(parse_bytes(data).records) == 4


# --------------------------------------------------------------------------- MEDLINE

MEDLINE = (
    "PMID- 111\n"
    "TI  - A title that wraps\n"
    "      onto a second line.\n"
    "LID - S0000-0000(17)30912-9 [pii]\n"
    "LID - 10.1016/J.SCITOTENV.2017.04.075 [doi]\n"
    "AB  - Abstract text.\n"
    "FAU - Neilen, Amanda D\n"
    "AU  - Neilen AD\n"
    "DP  - 2017 Nov 15\n"
    "TA  - Sci Total Environ\n"
    "MH  - Humans\n"
    "OT  - riparian\n"
    "\n"
    "PMID- 222\n"
    "TI  - Second.\n"
    "AU  - Only AU\n"
    "AID - 10.1000/xyz [doi]\n"
    "DP  - 1999\n"
)


def test_medline_records():
    first, second = parse_bytes(MEDLINE.encode()).records
    assert first.pmid == "111"
    assert first.title == "A title that wraps onto a second line."
    assert first.doi == "10.1016/j.scitotenv.2017.04.075"
    assert first.authors == ["Neilen, Amanda D"]
    assert first.year == 2017
    assert first.journal == "Sci Total Environ"
    assert first.keywords == ["Humans", "riparian"]
    assert second.authors == ["Only AU"]
    assert second.doi == "10.1000/xyz"


def test_medline_records_without_blank_line_between():
    text = MEDLINE.replace("\n\nPMID- 222", "\nPMID- 222")
    assert [r.pmid for r in parse_bytes(text.encode(), fmt="medline").records] == ["111", "222"]


def test_medline_garbage_line_in_record():
    text = MEDLINE.replace("DP  - 1999\n", "DP  - 1999\nthis is not a tag line\n")
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode())
    assert info.value.record_number == 2
    assert info.value.line == 19
    assert "not a MEDLINE tag line" in str(info.value)


def test_medline_forced_on_an_ris_file_is_refused():
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(RIS_TWO.encode(), fmt="medline")
    assert (info.value.record_number, info.value.line) == (1, 1)
    assert "the file looks like RIS" in info.value.message
    junk_first = "Exported 2024\n\n" + RIS_TWO.replace("TY  - JOUR\n", "", 1)
    with pytest.raises(ImportFormatError, match=r'^record 1 \(line 10\): "ER  -" is an RIS tag'):
        parse_bytes(junk_first.encode(), fmt="nbib")


# --------------------------------------------------------------------------- Web of Science

WOS = (
    "FN Clarivate Analytics Web of Science\n"
    "VR 1.0\n"
    "PT J\n"
    "AU Li, W\n"
    "   Dou, Z\n"
    "AF Li, Wei\n"
    "   Dou, Zhiguo (dou@example.org)\n"
    "TI Soil fauna diversity at different stages of\n"
    "   reed restoration\n"
    "SO ECOSYSTEM HEALTH\n"
    "DE soil fauna; wetland\n"
    "ID COMMUNITY\n"
    "PY 2020\n"
    "BP 10\n"
    "EP 20\n"
    "DI 10.1080/20964129.2020.1722034\n"
    "PM 12345\n"
    "ER\n"
    "\n"
    "PT J\n"
    "TI Second\n"
    "ER\n"
    "\n"
    "EF\n"
)


def test_wos_records():
    first, second = parse_bytes(WOS.encode()).records
    assert first.authors == ["Li, Wei", "Dou, Zhiguo"]
    assert first.title == "Soil fauna diversity at different stages of reed restoration"
    assert first.journal == "ECOSYSTEM HEALTH"
    assert first.keywords == ["soil fauna", "wetland", "COMMUNITY"]
    assert first.pages == "10-20"
    assert first.pmid == "12345"
    assert first.raw["AU"] == ["Li, W", "Dou, Z"]
    assert second.title == "Second"


def test_wos_missing_er_between_records():
    text = WOS.replace("PM 12345\nER\n", "PM 12345\n")
    with pytest.raises(ImportFormatError, match=r"record 1 \(line 19\): no end-of-record tag"):
        parse_bytes(text.encode())


def test_wos_missing_final_er_and_ef():
    text = WOS.rsplit("ER\n", 1)[0]
    assert len(parse_bytes(text.encode()).records) == 2


# --------------------------------------------------------------------------- BibTeX


def test_bibtex_latex_repeated_field_and_duplicate_key():
    result = parse_bytes(sample("latex_repeated.bib"), "refs.bib")
    assert result.format == "bibtex"
    first, second = result.records
    assert first.title == "The öffect of DNA damage on crème brûlée"
    assert first.authors == [
        "Müller, Jörg",
        "François, René",
        "Åberg, K.",
        "World Health Organization",
    ]
    assert first.abstract == "Naïve models fail."
    assert first.journal == "Journal of Environmental Health"  # @string macro
    assert first.pages == "12-19"
    assert first.doi == "10.1080/abc.2020.1722034"
    assert first.keywords == ["Environmental factors", "Lake Taihu", "wetland"]
    assert first.raw["funding_details"] == [
        "University of Twente",
        "Special Fund for Forest Scientific Research",
    ]
    assert first.raw["author"].startswith('M{\\"u}ller')  # raw keeps the LaTeX source
    assert first.type == "article"
    # the second entry reuses the key Mueller2020: kept, not dropped
    assert second.raw["ID"] == "Mueller2020"
    assert second.title == "Second entry reusing the key with concatenation"
    assert second.journal == "Proceedings of Journal of Environmental Health"
    assert second.year == 2019
    assert second.keywords == ["alpha", "beta"]
    assert second.pmid == "12345678"


def test_bibtex_broken_entry_names_record_and_line():
    text = (
        "@article{a, title={Fine}, year={2020}}\n"
        "\n"
        "@article{b, title={Unclosed brace, year={2020}}\n"
        "@article{c, title={Also fine}}\n"
    )
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode())
    assert info.value.record_number == 2
    assert info.value.line == 3
    assert "BibTeX entry cannot be read" in info.value.message


@pytest.mark.parametrize("title", ["{Second} 2", "Second 2", '"Second" 2'])
def test_bibtex_extra_closing_brace_refused_not_cut_short(title):
    text = (
        "@article{a,\n  title = {First},\n  year = {2020}\n}\n\n"
        f"@article{{b,\n  title = {title}}},\n  author = {{Doe, J.}},\n  year = {{2021}}\n}}\n\n"
        "@article{c, title={Third}}\n"
    )
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(text.encode())
    assert (info.value.record_number, info.value.line) == (2, 7)
    assert "entry 'b' ends before its fields do" in info.value.message
    assert '"author = …"' in info.value.message


def test_bibtex_fields_before_the_first_entry_refused():
    text = "  title = {Lost its start},\n  year = 2020\n}\n@article{c, title={Third}}\n"
    with pytest.raises(ImportFormatError, match=r"^line 1: BibTeX fields outside any entry"):
        parse_bytes(text.encode(), fmt="bibtex")


def test_bibtex_free_text_between_entries_is_a_comment():
    text = (
        "Exported from JabRef on 2024-01-01.\n"
        "@article{a, title={First}, year={2020}}\n"
        "Some notes: the title = {x} form is BibTeX; see also a = b.\n"
        "% title = {an old title, commented out}\n"
        "\n"
        "@article{b, title={Second}, author={Doe, J.}}\n"
        "The end.\n"
    )
    first, second = parse_bytes(text.encode()).records
    assert (first.title, first.year) == ("First", 2020)
    assert (second.title, second.authors) == ("Second", ["Doe, J."])


@pytest.mark.parametrize(
    "latex",
    [
        r"M{\"u}ller",
        r"Fran{\c{c}}ois",
        r"Fran\c cois",
        r"{\AA}berg",
        r"Na{\"\i}ve",
        r"\'{\i}ndice",
        r"\v{S}koda",
        r"{\ss}e",
        r"Ostr\o m",
        r"\L{}\'od\'z",
        r"\&\% 50\$",
        r"\emph{word} and $\alpha$",
        r"\textit{Drosophila} \"{a}",
        r"a--b---c",
        r"{\{x\}}",
        r"\H{o} \k{a} \r{a} \u{g} \={o} \.{z} \~{n} \^{e} \`{a}",
    ],
)
def test_bibtex_latex_fast_path_agrees_with_pylatexenc(latex):
    from pylatexenc.latex2text import LatexNodes2Text

    from screening.importers.bibtex import _delatex

    expected = LatexNodes2Text(math_mode="text", strict_latex_spaces=False).latex_to_text(latex)
    assert _delatex(latex) == expected


def test_html_and_jats_markup_is_taken_out_of_titles_and_abstracts():
    [record] = ris(
        "TY  - JOUR\n"
        'TI  - Effects of CO<sub>2</sub> on <Emphasis Type="Italic">Escherichia coli</Emphasis>\n'
        "AB  - <jats:p>First paragraph &amp; more.</jats:p><jats:p>Second: p<0.05 and"
        " IL-6 <5 pg/ml.</jats:p>\n"
        "ER  - \n"
    )
    assert record.title == "Effects of CO2 on Escherichia coli"
    assert record.abstract == "First paragraph & more.\nSecond: p<0.05 and IL-6 <5 pg/ml."


def test_less_than_signs_that_are_not_markup_stay_and_entities_are_decoded():
    [record] = ris("TY  - JOUR\nTI  - Outcomes when p<0.05 &amp; n<b\nER  - \n")
    assert record.title == "Outcomes when p<0.05 & n<b"


def test_markup_stripping_keeps_text_that_only_looks_like_tags():
    [record] = ris(
        "TY  - JOUR\n"
        "TI  - Viral suppression with a CD4 count <a threshold of 200 cells/mm3 and viral load"
        " >1000 copies/ml in groups A<B and C>D\n"
        "AB  - <jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title>"
        "<jats:p>Young people were asked.</jats:p></jats:sec>\n"
        "ER  - \n"
    )
    assert record.title == (
        "Viral suppression with a CD4 count <a threshold of 200 cells/mm3 and viral load"
        " >1000 copies/ml in groups A<B and C>D"
    )
    assert record.abstract == "Abstract\nBackground\nYoung people were asked."
