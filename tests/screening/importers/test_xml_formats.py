"""PubMed XML and EndNote XML, and the XML attacks defusedxml must refuse."""

import time

import pytest

from screening.importers import ImportFormatError, parse_bytes

from .conftest import sample


def test_pubmed_xml_sample():
    result = parse_bytes(sample("pubmed_sample.xml"), "pubmed.xml")
    assert result.format == "pubmed-xml"
    first, second = result.records
    assert first.pmid == "30042925"
    # inline markup and line breaks inside the title are flattened
    assert first.title == (
        "A method package for electrophysiological evaluation of reconstructed or regenerated "
        "facial nerves in rodents."
    )
    assert first.authors == ["Takeuchi, Yuichi", "Osaki, H", "Facial Nerve Study Group"]
    assert first.year == 2018
    assert first.journal == "MethodsX"
    assert (first.volume, first.issue, first.pages) == ("5", "2", "283-98")
    assert first.doi == "10.1016/j.mex.2018.03.007"  # ELocationID, lower-cased
    assert first.abstract == (
        "BACKGROUND: Facial nerve injuries are common.\n"
        "METHODS: We recorded compound muscle action potentials in Müller's rats."
    )
    assert first.keywords == ["Animals", "Facial Nerve/physiopathology", "Electromyography"]
    assert first.type == "Journal Article"
    assert first.raw["MedlineCitation"]["PMID"] == {"@Version": "1", "#text": "30042925"}
    # DOI from PubmedData/ArticleIdList, not from the reference list
    assert second.doi == "10.1186/s40337-018-0205-z"
    assert second.year == 2018  # MedlineDate "2018 Dec-2019 Jan"


def test_endnote_xml_sample_with_style_elements():
    result = parse_bytes(sample("endnote_sample.xml"), "library.xml", fmt="endnote")
    assert result.format == "endnote-xml"
    first, second = result.records
    assert first.title == "Effects of Boswellia serrata on inflammation"
    assert first.authors == ["Müller, Jürgen", "Smith, Anna B."]
    assert first.journal == "Clin Pharmacokinet"
    assert first.year == 2011
    assert first.doi == "10.2165/11586800-000000000-00000"
    assert first.pmid == "21553931"  # accession number from NLM
    assert first.keywords == ["Animals", "Humans", "Inflammation/drug therapy"]
    assert (first.volume, first.issue, first.pages) == ("50", "6", "349-69")
    assert first.type == "Journal Article"
    assert first.raw["ref-type"] == {"@name": "Journal Article", "#text": "17"}
    assert first.raw["contributors"]["authors"]["author"][0] == "Müller, Jürgen"
    assert second.title == "A chapter without style elements"
    assert second.url == "https://example.org/chapter"
    assert second.type == "Book Section"


def test_truncated_xml_names_the_line():
    data = sample("pubmed_sample.xml")
    cut = data[: data.index(b"<PubmedArticle>", 200) + 40]
    with pytest.raises(ImportFormatError) as info:
        parse_bytes(cut)
    assert info.value.line is not None
    assert "malformed XML" in info.value.message
    data = sample("endnote_sample.xml")
    with pytest.raises(ImportFormatError, match=r"^line \d+: malformed XML"):
        parse_bytes(data[: len(data) // 2])


def test_xml_external_entity_refused():
    xxe = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        b"<ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        b"</PubmedArticleSet>"
    )
    with pytest.raises(ImportFormatError, match="entit"):
        parse_bytes(xxe)
    external_dtd_entity = (
        b'<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY % ext SYSTEM "http://x.example/e.dtd">'
        b"%ext;]>\n<xml><records><record><titles><title>t</title></titles></record></records>"
        b"</xml>"
    )
    with pytest.raises(ImportFormatError, match="entit"):
        parse_bytes(external_dtd_entity)


def test_billion_laughs_refused_fast():
    lol = [b'<!ENTITY lol "lol">']
    for i in range(1, 10):
        previous = b"&lol%d;" % (i - 1) if i > 1 else b"&lol;"
        lol.append(b'<!ENTITY lol%d "%s">' % (i, previous * 10))
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE xml [' + b"".join(lol) + b"]>\n"
        b"<xml><records><record><titles><title>&lol9;</title></titles></record></records></xml>"
    )
    started = time.perf_counter()
    with pytest.raises(ImportFormatError, match="entit"):
        parse_bytes(bomb, "bomb.xml")
    assert time.perf_counter() - started < 1


def test_unknown_xml_root():
    with pytest.raises(ImportFormatError, match=r"<rss> is neither PubMed XML"):
        parse_bytes(b'<?xml version="1.0"?><rss><channel/></rss>')


def test_pubmed_xml_article_without_content_is_unreadable():
    data = (
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        b"<ArticleTitle>ok</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        b"<PubmedArticle><MedlineCitation><Article/></MedlineCitation></PubmedArticle>"
        b"</PubmedArticleSet>"
    )
    with pytest.raises(ImportFormatError, match=r"^record 2: unreadable record"):
        parse_bytes(data)


def test_xml_in_other_encodings():
    text = sample("endnote_sample.xml").decode("utf-8")
    utf16 = b"\xff\xfe" + text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    assert parse_bytes(utf16).records[0].authors[0] == "Müller, Jürgen"
    declared = text.replace('encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252")
    assert parse_bytes(declared).records[0].authors[0] == "Müller, Jürgen"
    undeclared = text.replace(' encoding="UTF-8"', "").encode("cp1252")
    assert parse_bytes(undeclared).records[0].authors[0] == "Müller, Jürgen"


def _pubmed_xml(title: str, encoding: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        f"<ArticleTitle>{title}</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode(encoding)


@pytest.mark.parametrize("declared", ["Unicode", "x-mac-roman", "ISO-8859-15x", "base64"])
def test_xml_declaring_an_unknown_encoding_refused_in_one_line(declared):
    endnote = sample("endnote_sample.xml").replace(
        b'encoding="UTF-8"', f'encoding="{declared}"'.encode()
    )
    pubmed = _pubmed_xml("A title", "ascii").replace(b'"ascii"', f'"{declared}"'.encode())
    for data in (endnote, pubmed):
        with pytest.raises(ImportFormatError) as info:
            parse_bytes(data)
        assert str(info.value) == (
            f'the XML declares encoding="{declared}", which is not an encoding known here: '
            "save the file as UTF-8"
        )


@pytest.mark.parametrize(
    ("encoding", "title"),
    [
        ("Shift_JIS", "日本語のタイトル"),
        ("GB2312", "中文标题"),
        ("EUC-KR", "한국어 제목"),
        ("utf8", "Übersicht"),  # Python's name, not expat's: expat asked Python and failed
    ],
)
def test_xml_in_a_multi_byte_encoding_is_read(encoding, title):
    (record,) = parse_bytes(_pubmed_xml(title, encoding)).records
    assert record.title == title


def test_xml_bytes_not_in_the_declared_encoding_refused():
    data = _pubmed_xml("A title", "ascii").replace(b'"ascii"', b'"Shift_JIS"') + b"\xff\xff"
    with pytest.raises(ImportFormatError, match=r'encoding="Shift_JIS" but byte \d+ is not'):
        parse_bytes(data)
