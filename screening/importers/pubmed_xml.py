"""PubMed XML (``<PubmedArticleSet>`` from PubMed / E-utilities efetch), read with defusedxml.

Handles ``PubmedArticle`` and ``PubmedBookArticle``; ``raw`` is the whole article element as
nested dicts (see :func:`xmlutil.element_to_dict`).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from .common import (
    ImportFormatError,
    ParsedRecord,
    check_readable,
    clean_text,
    extract_year,
    join_pages,
    normalise_doi,
)
from .xmlutil import element_text, element_to_dict, iter_elements

__all__ = ["parse_pubmed_xml"]

_ARTICLE_TAGS = frozenset(("PubmedArticle", "PubmedBookArticle"))


def parse_pubmed_xml(data: bytes) -> list[ParsedRecord]:
    records: list[ParsedRecord] = []
    saw_root = False
    for elem in iter_elements(data, _ARTICLE_TAGS | {"PubmedArticleSet"}):
        if elem.tag == "PubmedArticleSet":
            saw_root = True
            continue
        number = len(records) + 1
        if elem.tag == "PubmedArticle":
            record = _article(elem, number)
        else:
            record = _book_article(elem, number)
        records.append(check_readable(record, number))
        elem.clear()
    if not records and not saw_root:
        raise ImportFormatError("not a PubMed XML file: no <PubmedArticleSet> or <PubmedArticle>")
    return records


def _authors(author_list: Element | None) -> list[str]:
    authors: list[str] = []
    if author_list is None:
        return authors
    for author in author_list.findall("Author"):
        last = element_text(author.find("LastName"))
        first = element_text(author.find("ForeName")) or element_text(author.find("Initials"))
        if last:
            authors.append(f"{last}, {first}" if first else last)
        else:
            collective = element_text(author.find("CollectiveName"))
            if collective:
                authors.append(clean_text(collective))
    return authors


def _abstract(abstract: Element | None) -> str:
    if abstract is None:
        return ""
    parts = []
    for text in abstract.findall("AbstractText"):
        body = clean_text(element_text(text))
        label = text.get("Label")
        if body:
            parts.append(f"{label}: {body}" if label else body)
    return "\n".join(parts)  # each part is clean: cleaning again would decode entities twice


def _year(pub_date: Element | None) -> int | None:
    if pub_date is None:
        return None
    return extract_year(element_text(pub_date.find("Year")), element_text(pub_date))


def _doi_from_ids(id_list: Element | None) -> str:
    if id_list is None:
        return ""
    for article_id in id_list.findall("ArticleId"):
        if article_id.get("IdType") == "doi":
            return normalise_doi(element_text(article_id))
    return ""


def _mesh_and_keywords(citation: Element) -> list[str]:
    keywords = []
    for heading in citation.findall("MeshHeadingList/MeshHeading"):
        descriptor = element_text(heading.find("DescriptorName"))
        qualifiers = [element_text(q) for q in heading.findall("QualifierName")]
        if descriptor:
            keywords.append("/".join([descriptor, *qualifiers]))
    for keyword in citation.findall("KeywordList/Keyword"):
        text = clean_text(element_text(keyword))
        if text:
            keywords.append(text)
    return keywords


def _article(elem: Element, number: int) -> ParsedRecord:
    citation = elem.find("MedlineCitation")
    if citation is None:
        raise ImportFormatError("<PubmedArticle> without <MedlineCitation>", number)
    article = citation.find("Article")
    if article is None:
        raise ImportFormatError("<MedlineCitation> without <Article>", number)
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pagination = article.find("Pagination")
    pages = ""
    if pagination is not None:
        pages = element_text(pagination.find("MedlinePgn")) or join_pages(
            element_text(pagination.find("StartPage")), element_text(pagination.find("EndPage"))
        )
    doi = ""
    for location in article.findall("ELocationID"):
        if location.get("EIdType") == "doi":
            doi = normalise_doi(element_text(location))
            break
    if not doi:
        doi = _doi_from_ids(elem.find("PubmedData/ArticleIdList"))
    year = _year(issue.find("PubDate")) if issue is not None else None
    if year is None:
        year = _year(article.find("ArticleDate"))
    types = [element_text(t) for t in article.findall("PublicationTypeList/PublicationType")]
    journal_title = ""
    if journal is not None:
        journal_title = element_text(journal.find("Title")) or element_text(
            journal.find("ISOAbbreviation")
        )
    return ParsedRecord(
        title=clean_text(
            element_text(article.find("ArticleTitle"))
            or element_text(article.find("VernacularTitle"))
        ),
        abstract=_abstract(article.find("Abstract")),
        authors=_authors(article.find("AuthorList")),
        year=year,
        journal=clean_text(journal_title),
        volume=element_text(issue.find("Volume")) if issue is not None else "",
        issue=element_text(issue.find("Issue")) if issue is not None else "",
        pages=pages,
        doi=doi,
        pmid=element_text(citation.find("PMID")),
        keywords=_mesh_and_keywords(citation),
        url="",
        type=types[0] if types else "",
        raw=element_to_dict(elem),
    )


def _book_article(elem: Element, number: int) -> ParsedRecord:
    document = elem.find("BookDocument")
    if document is None:
        raise ImportFormatError("<PubmedBookArticle> without <BookDocument>", number)
    book = document.find("Book")
    title = element_text(document.find("ArticleTitle"))
    book_title = element_text(book.find("BookTitle")) if book is not None else ""
    authors = _authors(document.find("AuthorList"))
    if not authors and book is not None:
        authors = _authors(book.find("AuthorList"))
    types = [element_text(t) for t in document.findall("PublicationType")]
    return ParsedRecord(
        title=clean_text(title or book_title),
        abstract=_abstract(document.find("Abstract")),
        authors=authors,
        year=_year(book.find("PubDate")) if book is not None else None,
        journal=clean_text(book_title if title else ""),
        doi=_doi_from_ids(document.find("ArticleIdList")),
        pmid=element_text(document.find("PMID")),
        keywords=[clean_text(element_text(k)) for k in document.findall("KeywordList/Keyword")],
        type=types[0] if types else "Book",
        raw=element_to_dict(elem),
    )
