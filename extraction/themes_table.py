"""The theme table: themes (indented under their parents) by study and by review question.

`build_theme_table` is pure (plain data in, plain rows out); `theme_table(review)` reads the
review's codebook and quotes in four queries and calls it. The page and the theme-table export
both use it, so they show the same numbers.

A theme counts the distinct studies coded with it or with any of its sub-codes (a sub-theme's
evidence is evidence for its theme); `direct_studies` counts the code's own quotes only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar


class TreeNode(Protocol):
    id: int
    parent_id: int | None
    order: int
    code: str


T = TypeVar("T", bound=TreeNode)


def code_tree(codes: Iterable[T]) -> list[tuple[T, int]]:
    """Codes depth first (each parent before its children, siblings by order then code), with
    their depth (0 for a top-level theme). A code whose parent is missing counts as top level."""
    codes = list(codes)
    ids = {code.id for code in codes}
    children: dict[int | None, list[T]] = defaultdict(list)
    for code in codes:
        children[code.parent_id if code.parent_id in ids else None].append(code)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.order, c.code, c.id))
    out: list[tuple[T, int]] = []
    seen: set[int] = set()
    stack = [(code, 0) for code in reversed(children[None])]
    while stack:
        code, depth = stack.pop()
        if code.id in seen:  # a cycle cannot be saved, but never loop on one
            continue
        seen.add(code.id)
        out.append((code, depth))
        stack.extend((child, depth + 1) for child in reversed(children[code.id]))
    return out


@dataclass(frozen=True)
class CodeIn:
    id: int
    code: str
    label: str
    parent_id: int | None
    order: int
    status: str  # its display label, e.g. "Source-derived"
    retired: bool
    questions: tuple[str, ...]  # linked questions' labels, e.g. ("RQ1", "RQ4")


@dataclass(frozen=True)
class QuoteIn:
    code_id: int
    study_id: int
    study: str
    quote: str
    location: str
    coded_by: str


@dataclass(frozen=True)
class QuoteRow:
    code: str
    study: str
    quote: str
    location: str
    coded_by: str


@dataclass(frozen=True)
class ThemeRow:
    code: str
    label: str
    parent: str  # the parent's code, "" for a top-level theme
    depth: int
    status: str
    retired: bool
    questions: tuple[str, ...]
    studies: int  # distinct studies coded with it or a sub-code
    direct_studies: int  # distinct studies coded with it itself
    cells: tuple[int, ...]  # quotes per study column, sub-codes included
    quotes: tuple[QuoteRow, ...]  # its own quotes, by study
    all_quotes: tuple[QuoteRow, ...] = ()  # its own and its sub-codes' quotes, by study


@dataclass(frozen=True)
class QuestionRow:
    label: str  # "RQ1"
    text: str
    studies: int  # distinct studies coded with any theme linked to the question (or a sub-code)
    themes: tuple[ThemeRow, ...]  # the themes linked to it, in codebook order


@dataclass(frozen=True)
class ThemeTable:
    studies: tuple[str, ...]  # the study columns, in order
    rows: tuple[ThemeRow, ...]
    questions: tuple[QuestionRow, ...] = field(default=())
    study_ids: tuple[int, ...] = field(default=())  # the columns' ids, for links on the page

    MATRIX_HEADER = ("code", "label", "parent", "level", "status", "questions", "studies")

    def matrix_rows(self) -> list[list[Any]]:
        """Header, then a row per theme: its columns, then the quote count per study."""
        out: list[list[Any]] = [[*self.MATRIX_HEADER, *self.studies]]
        for row in self.rows:
            out.append(
                [
                    row.code,
                    row.label,
                    row.parent,
                    row.depth + 1,
                    row.status + (" (retired)" if row.retired else ""),
                    "; ".join(row.questions),
                    row.studies,
                    *row.cells,
                ]
            )
        return out

    def question_rows(self) -> list[list[Any]]:
        """Header, then a row per (question, linked theme) with the theme's study count."""
        out: list[list[Any]] = [["question", "question_studies", "code", "label", "studies"]]
        for q in self.questions:
            out.extend([q.label, q.studies, t.code, t.label, t.studies] for t in q.themes)
        return out

    def quote_rows(self) -> list[list[Any]]:
        """Header, then a row per coded quote, in codebook order."""
        out: list[list[Any]] = [["code", "label", "study", "quote", "location", "coded_by"]]
        for row in self.rows:
            out.extend(
                [row.code, row.label, q.study, q.quote, q.location, q.coded_by] for q in row.quotes
            )
        return out


def build_theme_table(
    *,
    codes: Sequence[CodeIn],
    studies: Sequence[tuple[int, str]],
    quotes: Sequence[QuoteIn],
    questions: Sequence[tuple[str, str]] = (),
) -> ThemeTable:
    """The table from plain data: codes, study columns (id, label), quotes, questions (label,
    text). Retired codes appear only while quotes use them."""
    tree = code_tree(codes)
    by_id = {code.id: code for code in codes}
    column = {study_id: n for n, (study_id, _label) in enumerate(studies)}
    own: dict[int, list[QuoteIn]] = defaultdict(list)
    for quote in quotes:
        own[quote.code_id].append(quote)
    # Roll each quote up to its code's ancestors (depth first order: children come later).
    reach: dict[int, set[int]] = defaultdict(set)  # code id -> code ids in its subtree
    for code, _depth in reversed(tree):
        reach[code.id].add(code.id)
        if code.parent_id in by_id:
            reach[code.parent_id] |= reach[code.id]
    rows: dict[int, ThemeRow] = {}
    for code, depth in tree:
        subtree_quotes = [q for member in reach[code.id] for q in own[member]]
        if code.retired and not subtree_quotes:
            continue
        cells = [0] * len(studies)
        for quote in subtree_quotes:
            if quote.study_id in column:
                cells[column[quote.study_id]] += 1
        parent = by_id.get(code.parent_id) if code.parent_id else None
        rows[code.id] = ThemeRow(
            code=code.code,
            label=code.label,
            parent=parent.code if parent else "",
            depth=depth,
            status=code.status,
            retired=code.retired,
            questions=code.questions,
            studies=len({q.study_id for q in subtree_quotes}),
            direct_studies=len({q.study_id for q in own[code.id]}),
            cells=tuple(cells),
            quotes=_quote_rows(own[code.id], by_id, column),
            all_quotes=_quote_rows(subtree_quotes, by_id, column),
        )
    question_rows = []
    for label, text in questions:
        linked = [code for code, _depth in tree if label in code.questions and code.id in rows]
        studied = {q.study_id for c in linked for m in reach[c.id] for q in own[m]}
        question_rows.append(
            QuestionRow(
                label=label,
                text=text,
                studies=len(studied),
                themes=tuple(rows[c.id] for c in linked),
            )
        )
    return ThemeTable(
        studies=tuple(label for _id, label in studies),
        study_ids=tuple(study_id for study_id, _label in studies),
        rows=tuple(rows.values()),
        questions=tuple(question_rows),
    )


def _quote_rows(quotes: list[QuoteIn], by_id: dict, column: dict) -> tuple[QuoteRow, ...]:
    """Quotes in study column order (then as given), each naming its code."""
    ordered = sorted(quotes, key=lambda q: column.get(q.study_id, len(column)))
    return tuple(
        QuoteRow(
            code=by_id[q.code_id].code,
            study=q.study,
            quote=q.quote,
            location=q.location,
            coded_by=q.coded_by,
        )
        for q in ordered
    )


def theme_table(review) -> ThemeTable:
    """The review's theme table: every study as a column, every theme in use or not retired."""
    from .models import Code, CodedQuote
    from .services.charting import charting_studies

    # Columns and counts cover the included studies only (the charting page's and PRISMA's
    # set): a study excluded at full text after coding keeps its quotes but is not evidence.
    included = charting_studies(review)
    codes = Code.objects.filter(review=review, merged_into__isnull=True).prefetch_related(
        "questions"
    )
    quotes = (
        CodedQuote.objects.filter(code__review=review, study__in=included)
        .select_related("study", "coded_by")
        .order_by("study__label", "study_id", "created_at", "id")
    )
    return build_theme_table(
        codes=[
            CodeIn(
                id=c.pk,
                code=c.code,
                label=c.label,
                parent_id=c.parent_id,
                order=c.order,
                status=c.get_status_display(),
                retired=c.retired,
                questions=tuple(q.label for q in sorted(c.questions.all(), key=_by_number)),
            )
            for c in codes
        ],
        studies=list(included.order_by("label", "id").values_list("id", "label")),
        quotes=[
            QuoteIn(
                code_id=q.code_id,
                study_id=q.study_id,
                study=q.study.label,
                quote=q.quote,
                location=_where(q),
                coded_by=q.coded_by.get_username(),
            )
            for q in quotes
        ],
        questions=[(q.label, q.text) for q in review.questions.order_by("number", "id")],
    )


def _by_number(question) -> tuple[int, int]:
    return (question.number, question.pk)


def _where(quote) -> str:
    """The quote's location as cited: the typed location, else its page number."""
    if quote.location:
        return quote.location
    return f"p. {quote.page_number}" if quote.page_number else ""
