"""Text of a PDF per page with pypdfium2 (PDFium, Chrome's PDF engine): pure, no Django.

Why pypdfium2 over pdfminer.six: it is compiled (hundreds of pages a second where pdfminer
manages a few), ships as a self-contained wheel, and reads text the way the reader's pdf.js
lays it out closely enough for quotes to be found; pdfminer's layout analysis buys nothing here.
"""

from __future__ import annotations

import pypdfium2 as pdfium

# PDFium marks a hyphen it took for a line-end hyphenation with U+FFFE and joins the lines;
# the stored text keeps the break a reader sees ("participa-\ntion"), and the quote checker
# joins it again.
_SOFT_BREAK = "\ufffe"


class UnreadablePdf(Exception):
    """The file is not a PDF PDFium can open (damaged, encrypted)."""


def clean_page_text(text: str) -> str:
    """Newlines instead of CR LF, soft breaks as hyphen-newline, no NUL (PostgreSQL refuses it)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(_SOFT_BREAK, "-\n")
    return text.replace("\x00", "")


def page_texts(data: bytes) -> list[str]:
    """The text of each page, in order (an empty string for a page without a text layer)."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise UnreadablePdf(str(error)) from error
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(clean_page_text(textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def has_text(texts: list[str]) -> bool:
    """Whether any page has characters: a scan without OCR has none."""
    return any(text.strip() for text in texts)
