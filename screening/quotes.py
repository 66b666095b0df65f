"""Is a quote really in the full text, on the page it claims? Pure functions, no Django.

Text pulled out of a PDF differs from a quote typed or pasted from it in ways that do not change
the words: line breaks and runs of spaces, words hyphenated at a line end, ligatures (ﬁ ﬂ),
curly quotes and dashes, case. Both sides are brought to one comparable form first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

FOUND = "found"
OTHER_PAGE = "other_page"
NOT_FOUND = "not_found"
NO_TEXT = "no_text"  # nothing to compare with: a scan, or the text is not extracted yet

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00ad": None, "\ufffe": None,
    }
)  # fmt: skip
# Hyphens go altogether: "participa-\ntion" (a line-end break) and "well-being" typed as
# "wellbeing" or "well- being" all compare alike; no two real quotes differ by a hyphen only.
_HYPHEN = re.compile(r"\s*-\s*")
_SPACE = re.compile(r"\s+")
_PAGE = re.compile(r"\b(?:pp?\.?|pages?)\s*(\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


def normalise(text: str) -> str:
    """The comparable form: NFKC (ligatures apart), straight quotes, no hyphens, one space."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    text = _HYPHEN.sub("", text)
    return _SPACE.sub(" ", text).strip().casefold()


def page_of(location: str) -> int | None:
    """The page a location names: "p. 14", "14", "pp. 14-15" -> 14, "Table 2, p. 7" -> 7;
    None without a number."""
    match = _PAGE.search(location or "")
    if match:
        return int(match.group(1))
    match = _NUMBER.search(location or "")
    return int(match.group()) if match else None


@dataclass(frozen=True)
class QuoteCheck:
    status: str  # FOUND, OTHER_PAGE, NOT_FOUND or NO_TEXT
    page: int | None = None  # where it was found (the claimed page when it is there)
    pages: tuple[int, ...] = field(default=())  # every page it was found on

    @property
    def label(self) -> str:
        """What a verifier reads beside the quote."""
        if self.status == FOUND:
            return f"found on p. {self.page}"
        if self.status == OTHER_PAGE:
            return "found on another page: p. " + ", ".join(str(p) for p in self.pages)
        if self.status == NO_TEXT:
            return "not checked: no text"
        return "not found in the text"


def _starts_here(wanted: str, text: str, following: Sequence[str]) -> bool:
    """The quote begins on this page and runs onto the next (and is not all on the next)."""
    if not following or wanted in following[0]:
        return False
    return wanted in f"{text} {following[0]}"


def check_quote(quote: str, pages: Sequence[str], page: int | None = None) -> QuoteCheck:
    """Compare a quote with the text of the pages (pages[0] is p. 1). `page`: the page the
    quote claims; without one, anywhere counts as found. A quote running over a page break
    is found on the page it starts on."""
    return check_normalised(normalise(quote), [normalise(text) for text in pages], page)


def check_normalised(wanted: str, texts: Sequence[str], page: int | None = None) -> QuoteCheck:
    """check_quote on text already normalised (many quotes against the same pages)."""
    if not any(texts):
        return QuoteCheck(NO_TEXT)
    if not wanted:
        return QuoteCheck(NOT_FOUND)
    on = tuple(
        number
        for number, text in enumerate(texts, start=1)
        if wanted in text or _starts_here(wanted, text, texts[number : number + 1])
    )
    if not on:
        return QuoteCheck(NOT_FOUND)
    if page is None or page in on:
        return QuoteCheck(FOUND, page if page in on else on[0], on)
    return QuoteCheck(OTHER_PAGE, on[0], on)


def _mapped(text: str) -> tuple[str, list[int]]:
    """normalise(text), char by char, with the index in `text` each kept character came from
    (NFKC and casefold per character, so a ligature's two letters both point at it)."""
    chars: list[str] = []
    origin: list[int] = []
    for at, char in enumerate(text or ""):
        for out in unicodedata.normalize("NFKC", char).translate(_QUOTES).casefold():
            chars.append(out)
            origin.append(at)
    for pattern, repl in ((_HYPHEN, ""), (_SPACE, " ")):
        joined, kept, kept_origin, last = "".join(chars), [], [], 0
        for match in pattern.finditer(joined):
            kept += chars[last : match.start()]
            kept_origin += origin[last : match.start()]
            if repl:
                kept.append(repl)
                kept_origin.append(origin[match.start()])
            last = match.end()
        chars, origin = kept + chars[last:], kept_origin + origin[last:]
    while chars and chars[0] == " ":
        chars, origin = chars[1:], origin[1:]
    while chars and chars[-1] == " ":
        chars, origin = chars[:-1], origin[:-1]
    return "".join(chars), origin


def locate(quote: str, text: str, near: int | None = None) -> tuple[int, int] | None:
    """Where the quote is in a page's text: (start, end) character offsets in `text` itself,
    compared in the normalised form; None when it is not there. Of several places, the one
    starting nearest `near` (a rough offset, e.g. the selection's in the reader's own text)."""
    wanted, _ = _mapped(quote)
    if not wanted:
        return None
    haystack, origin = _mapped(text)
    starts = []
    at = haystack.find(wanted)
    while at >= 0:
        starts.append(at)
        at = haystack.find(wanted, at + 1)
    if not starts:
        return None
    best = min(starts, key=lambda s: abs(origin[s] - near)) if near is not None else starts[0]
    return origin[best], origin[best + len(wanted) - 1] + 1
