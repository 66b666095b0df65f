"""LaTeX in bibliographic fields to plain text (BibTeX titles, names, abstracts, keywords).

The accents and letters that make up nearly all LaTeX in exports are decoded here by regular
expression; so are the macros that stand for text (logos such as TeX and LaTeX, dashes and
hyphens, symbols) and the wrappers whose argument is the text (``\\mbox{…}``, ``\\texttt{…}``),
which pylatexenc would drop with their word. Whatever is left goes through pylatexenc.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata

__all__ = ["delatex"]


@functools.cache
def _latex_decoder():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


# The accents and letters that make up nearly all LaTeX in bibliographic exports, decoded here
# without pylatexenc (which costs about a millisecond per call); anything left over still goes
# through pylatexenc.
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_SYMBOL_ACCENT_RE = re.compile(
    r"""\\(["'`^~=.])\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij]|[A-Za-z]))"""
)
_LETTER_ACCENT_RE = re.compile(r"\\([uvHckr])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))")
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "\u0131",  # dotless i
    "j": "\u0237",  # dotless j
}
_LETTER_RE = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|[oOlLij])(?![A-Za-z])(?:\{\}|\s*)")
# Macros that stand for text. Logos and symbols read as words, so the space after them stays
# ("The \TeX book" reads "The TeX book", where TeX itself would eat the space); the joiners eat
# it as TeX does ("methodology\hyphen independent" reads "methodology-independent").
_WORDS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "SliTeX": "SliTeX",
    "AmS": "AMS",
    "AmSTeX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX",
    "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX",
    "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX",
    "pdfTeX": "pdfTeX",
    "pdfLaTeX": "pdfLaTeX",
    "ConTeXt": "ConTeXt",
    "METAFONT": "METAFONT",
    "S": "\u00a7",
    "textsection": "\u00a7",
    "P": "\u00b6",
    "textparagraph": "\u00b6",
    "copyright": "\u00a9",
    "textcopyright": "\u00a9",
    "textregistered": "\u00ae",
    "texttrademark": "\u2122",
    "pounds": "\u00a3",
    "textsterling": "\u00a3",
    "euro": "\u20ac",
    "texteuro": "\u20ac",
    "dag": "\u2020",
    "textdagger": "\u2020",
    "ddag": "\u2021",
    "textdaggerdbl": "\u2021",
    "textbullet": "\u2022",
    "textperiodcentered": "\u00b7",
    "textdegree": "\u00b0",
    "ldots": "\u2026",
    "dots": "\u2026",
    "textellipsis": "\u2026",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textunderscore": "_",
    "textquotesingle": "'",
    "textquotedbl": '"',
}
_JOINERS = {
    "hyphen": "-",
    "slash": "/",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textminus": "\u2212",
    "nobreakdash": "",  # \nobreakdash-: the hyphen follows
}
# Wrappers whose argument is the text, which pylatexenc drops with it: the name goes, the
# braced text stays.
_WRAPPERS = frozenset(("mbox", "textup", "textmd", "textsf", "texttt"))
# A doubled backslash (a line break, left to pylatexenc) first, so its second half never reads
# as the start of a macro; then control words; then the control symbols with no text
# (discretionary hyphen, italic correction, end-of-sentence mark) and the control space.
_MACRO_RE = re.compile(r"\\\\|\\([A-Za-z]+)(?![A-Za-z])(\{\})?(\s*)|\\([-/@ ])")
_TILDE_RE = re.compile(r"(?<!\\)~")


def _macro(match: re.Match) -> str:
    name, braces, space, symbol = match.groups()
    if symbol is not None:
        return " " if symbol == " " else ""
    if name is None or not (name in _WORDS or name in _JOINERS or name in _WRAPPERS):
        return match.group(0)
    if name in _WORDS:
        return _WORDS[name] + space
    if name in _JOINERS:
        return _JOINERS[name] + (space if braces else "")
    return space if braces else ""


_ESCAPED_RE = re.compile(r"\\([&%$#_])")
_OTHER_MACRO_RE = re.compile(r"\\(?![&%$#_{}])")


def _accent(match: re.Match) -> str:
    base = match.group(2) or match.group(3)
    if base.startswith("\\"):  # \'{\i}: the accent sits on a dotless i, which reads as i
        base = base[1:]
    return unicodedata.normalize("NFC", base + _ACCENTS[match.group(1)])


def delatex(value: str) -> str:
    """LaTeX to text: accents and text macros here, other macros through pylatexenc, braces
    dropped."""
    if not value:
        return ""
    if "\\" in value:
        value = _SYMBOL_ACCENT_RE.sub(_accent, value)
        value = _LETTER_ACCENT_RE.sub(_accent, value)
        value = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], value)
        if "~" in value:  # a tie is a no-break space; people search for a plain one
            value = _TILDE_RE.sub(" ", value)
        value = _MACRO_RE.sub(_macro, value)
        if _OTHER_MACRO_RE.search(value):
            with contextlib.suppress(Exception):  # malformed LaTeX: keep the text, do not fail
                return _latex_decoder().latex_to_text(value)
        value = value.replace("\\{", "\x01").replace("\\}", "\x02")
        value = _ESCAPED_RE.sub(r"\1", value)
    if "{" in value or "}" in value:
        value = value.replace("{", "").replace("}", "")
    if "~" in value:
        value = value.replace("~", " ")
    if "--" in value:
        value = value.replace("---", "\u2014").replace("--", "\u2013")
    if "\x01" in value or "\x02" in value:  # escaped braces survive the brace removal
        value = value.replace("\x01", "{").replace("\x02", "}")
    return value
