"""The PRISMA 2020 flow diagram as SVG, drawn from the counts (a pure function: data in, text
out). Layout and wording follow the PRISMA 2020 template for new reviews that searched databases,
registers and other sources (Page et al. 2021, BMJ 372:n71). Every text is XML-escaped; colours
and fonts are presentation attributes (no style attribute: the page's CSP allows none)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from screening.prisma import PrismaFlow

Link = Callable[[str, str | None], str]

FONT = 12
LINE = 16
PAD = 8
BOX_W = 240
WRAP = 36  # characters per line at FONT in BOX_W (a sans-serif averages about 0.55 em)
GAP = 30  # between a main box and its side box
COLUMN_GAP = 50  # between the two columns
ROW_GAP = 28
BAND_W = 28
X = {"band": 10, "c1": 54}
X["c2"] = X["c1"] + BOX_W + GAP
X["c3"] = X["c2"] + BOX_W + COLUMN_GAP
X["c4"] = X["c3"] + BOX_W + GAP
WIDTH = X["c4"] + BOX_W + 10
YELLOW, GREY, BLUE, LINK = "#fff2cc", "#e7e6e6", "#c5dcef", "#0645ad"


@dataclass(frozen=True)
class Line:
    text: str
    box: str | None = None  # the box key its number links to
    label: str | None = None  # the part (source, reason) within the box
    indent: int = 0


@dataclass
class Placed:
    x: int
    y: int
    h: int


NBSP = "\u00a0"  # "(n = 12)" stays on one line: textwrap breaks at ASCII spaces only


def _count(n: int | None) -> str:
    shown = "hidden" if n is None else f"{n:,}"
    return f"(n{NBSP}={NBSP}{shown})"


def _numbered(text: str, flow: PrismaFlow, key: str, indent: int = 0) -> Line:
    return Line(f"{text} {_count(flow.n[key])}", key, indent=indent)


def _parts(flow: PrismaFlow, key: str, indent: int = 1) -> list[Line]:
    return [Line(f"{name} {_count(n)}", key, name, indent) for name, n in flow.parts[key].items()]


def _boxes(flow: PrismaFlow) -> dict[str, list[Line]]:
    """Each box's lines, named by where it sits: row (1 identification .. 5 included) and
    column (c1, c2 databases and registers; c3, c4 other methods)."""
    n = flow.n
    other_lines = [
        ("Websites", "identified_websites"),
        ("Organisations", "identified_organisations"),
        ("Citation searching", "identified_citations"),
    ]
    if n["identified_other_sources"]:
        other_lines.append(("Other sources", "identified_other_sources"))
    identified_other = [Line("Records identified from:")]
    for text, key in other_lines:
        identified_other += [_numbered(text, flow, key), *_parts(flow, key)]
    excluded = [_numbered("Reports excluded", flow, "excluded_fulltext")]
    excluded += _parts(flow, "excluded_fulltext") or [Line("No reasons yet", indent=1)]
    other_excluded = [_numbered("Reports excluded", flow, "other_excluded_fulltext")]
    other_excluded += _parts(flow, "other_excluded_fulltext")
    return {
        "1c1": [
            Line("Records identified from*:"),
            _numbered("Databases", flow, "identified_databases"),
            *_parts(flow, "identified_databases"),
            _numbered("Registers", flow, "identified_registers"),
            *_parts(flow, "identified_registers"),
        ],
        "1c2": [
            Line("Records removed before screening:"),
            _numbered("Duplicate records removed", flow, "duplicates", 1),
            _numbered("Records marked as ineligible by automation tools", flow, "automation", 1),
            _numbered("Records removed for other reasons", flow, "removed_other", 1),
        ],
        "1c3": identified_other,
        "1c4": [
            Line("Records removed before retrieval:"),
            _numbered("Duplicate records removed", flow, "other_duplicates", 1),
        ],
        "2c1": [_numbered("Records screened", flow, "screened")],
        "2c2": [
            _numbered("Records excluded**", flow, "excluded_screening"),
            _numbered("by a human", flow, "excluded_human", 1),
            _numbered("by automation tools", flow, "excluded_automation", 1),
        ],
        "3c1": [_numbered("Reports sought for retrieval", flow, "sought")],
        "3c2": [_numbered("Reports not retrieved", flow, "not_retrieved")],
        "3c3": [_numbered("Reports sought for retrieval", flow, "other_sought")],
        "3c4": [_numbered("Reports not retrieved", flow, "other_not_retrieved")],
        "4c1": [_numbered("Reports assessed for eligibility", flow, "assessed")],
        "4c2": excluded,
        "4c3": [_numbered("Reports assessed for eligibility", flow, "other_assessed")],
        "4c4": other_excluded,
        "5c1": [
            _numbered("Studies included in review", flow, "included_studies"),
            _numbered("Reports of included studies", flow, "included_reports"),
        ],
    }


def _wrapped(line: Line) -> list[tuple[str, Line]]:
    width = WRAP - 2 * line.indent
    pieces = textwrap.wrap(line.text, width=width, break_long_words=True) or [""]
    return [(piece, line) for piece in pieces]


def _text(x: int, y: int, piece: str, line: Line, link: Link | None, **attrs: str) -> str:
    extra = "".join(f" {name.replace('_', '-')}={quoteattr(v)}" for name, v in attrs.items())
    fill = LINK if (link and line.box) else "#000000"
    text = f'<text x="{x}" y="{y}" fill="{fill}"{extra}>{escape(piece)}</text>'
    if link and line.box:
        return f"<a href={quoteattr(link(line.box, line.label))}>{text}</a>"
    return text


def _box(x: int, y: int, lines: list[Line], height: int, link: Link | None) -> list[str]:
    out = [
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{height}" fill="#ffffff" '
        'stroke="#000000" stroke-width="1"/>'
    ]
    baseline = y + PAD + FONT
    for line in lines:
        for piece, source in _wrapped(line):
            out.append(_text(x + PAD + 12 * line.indent, baseline, piece, source, link))
            baseline += LINE
    return out


def _height(lines: list[Line]) -> int:
    return 2 * PAD + LINE * sum(len(_wrapped(line)) for line in lines)


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#000000" stroke-width="1.5" '
        'marker-end="url(#prisma-arrow)"/>'
    )


def _band(y: int, h: int, text: str) -> list[str]:
    cx, cy = X["band"] + BAND_W / 2, y + h / 2
    return [
        f'<rect x="{X["band"]}" y="{y}" width="{BAND_W}" height="{h}" rx="4" fill="{BLUE}"/>',
        f'<text x="{cx}" y="{cy}" transform="rotate(-90 {cx} {cy})" text-anchor="middle" '
        f'dominant-baseline="central" font-weight="bold" fill="#000000">{escape(text)}</text>',
    ]


def _header(x: int, y: int, text: str, fill: str) -> list[str]:
    width = 2 * BOX_W + GAP
    return [
        f'<rect x="{x}" y="{y}" width="{width}" height="32" rx="6" fill="{fill}" '
        'stroke="#000000" stroke-width="1"/>',
        f'<text x="{x + width / 2}" y="{y + 21}" text-anchor="middle" font-weight="bold" '
        f'fill="#000000">{escape(text)}</text>',
    ]


def _footer(flow: PrismaFlow, y: int, link: Link | None) -> tuple[list[str], int]:
    """What is still on its way (the invariants need it), and the template's footnotes."""
    waiting = [
        _numbered("Records awaiting a title/abstract outcome", flow, "awaiting_title_abstract")
        if flow.blind
        else _numbered(
            "Records awaiting title/abstract decisions", flow, "awaiting_title_abstract"
        ),
    ]
    if not flow.blind:
        waiting.append(
            _numbered("Records in conflict at title/abstract", flow, "awaiting_conflicts")
        )
    waiting += [
        _numbered("Reports awaiting retrieval or full-text decisions", flow, "awaiting_full_text"),
        _numbered(
            "Reports from other methods awaiting retrieval or full-text decisions",
            flow,
            "other_awaiting_full_text",
        ),
    ]
    notes = [
        Line(
            "*Records identified from each database or register searched are listed under "
            "it (PRISMA 2020 asks for them where feasible)."
        ),
        Line(
            "**Records excluded by a human, and by automation tools (the lead's stopping rule "
            "in prioritised screening)."
        ),
    ]
    out = [
        f'<text x="{X["c1"]}" y="{y}" font-weight="bold" fill="#000000">Still in progress</text>'
    ]
    y += LINE
    for line in waiting:
        out.append(_text(X["c1"], y, line.text, line, link))
        y += LINE
    y += LINE / 2
    for line in notes:
        out.append(_text(X["c1"], y, line.text, line, None, font_size="11"))
        y += LINE
    return out, int(y)


def prisma_svg(flow: PrismaFlow, *, link: Link | None = None, title: str = "") -> str:
    """The whole diagram as one SVG document. `link(box, label)` gives the URL of the records
    behind a number (None: no links, as in a downloaded file)."""
    lines = _boxes(flow)
    out: list[str] = []
    y = 10
    out += _header(X["c1"], y, "Identification of new studies via databases and registers", YELLOW)
    out += _header(X["c3"], y, "Identification of new studies via other methods", GREY)
    y += 32 + ROW_GAP
    placed: dict[str, Placed] = {}
    band_top: dict[int, int] = {}
    for row in range(1, 6):
        keys = [
            f"{row}{column}" for column in ("c1", "c2", "c3", "c4") if f"{row}{column}" in lines
        ]
        height = max(_height(lines[key]) for key in keys)
        band_top[row] = y
        for key in keys:
            placed[key] = Placed(X[key[1:]], y, height)
            out += _box(X[key[1:]], y, lines[key], height, link)
        y += height + ROW_GAP
    out += _band(band_top[1], placed["1c1"].h, "Identification")
    screening_end = placed["4c1"].y + placed["4c1"].h
    out += _band(band_top[2], screening_end - band_top[2], "Screening")
    out += _band(band_top[5], placed["5c1"].h, "Included")
    out += _arrows(placed)
    footer, y = _footer(flow, y + 4, link)
    out += footer
    height = y + 10
    heading = escape(title or "PRISMA 2020 flow diagram")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="prisma-title" '
        f'font-family="Arial, Helvetica, sans-serif" font-size="{FONT}">'
        f'<title id="prisma-title">{heading}</title>'
        '<defs><marker id="prisma-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#000000"/></marker></defs>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(out)
        + "</svg>"
    )


def _arrows(placed: dict[str, Placed]) -> list[str]:
    out = []

    def down(a: str, b: str) -> None:
        top, bottom = placed[a], placed[b]
        x = top.x + BOX_W / 2
        out.append(_arrow(x, top.y + top.h, x, bottom.y))

    def across(a: str, b: str) -> None:
        left, right = placed[a], placed[b]
        y = left.y + min(left.h, right.h) / 2
        out.append(_arrow(left.x + BOX_W, y, right.x, y))

    for a, b in (("1c1", "2c1"), ("2c1", "3c1"), ("3c1", "4c1"), ("4c1", "5c1")):
        down(a, b)
    for a, b in (("1c3", "3c3"), ("3c3", "4c3")):
        down(a, b)
    for row in (1, 2, 3, 4):
        across(f"{row}c1", f"{row}c2")
    for row in (1, 3, 4):
        across(f"{row}c3", f"{row}c4")
    # Other methods' eligible reports join the included studies, as the template draws it.
    start, end = placed["4c3"], placed["5c1"]
    x, y = start.x + BOX_W / 2, end.y + end.h / 2
    out.append(
        f'<polyline points="{x},{start.y + start.h} {x},{y} {end.x + BOX_W},{y}" fill="none" '
        'stroke="#000000" stroke-width="1.5" marker-end="url(#prisma-arrow)"/>'
    )
    return out
