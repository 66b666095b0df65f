"""The extraction table (#12): one row per included study, one column per form field (its key),
with a quote and a page column for fields that take a quote; the consensus values by default, or
one row per reviewer's chart on request. CSV, or XLSX with a sheet per form section.

Columns come from every version of the form (the newest version's order first, keys only older
versions had after them), so a study charted on an old version keeps its values; each row says
which version it was charted on.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from screening.models import Record, StageStatus
from screening.textqueries import study_quote_checker

from ..models import Chart, ChartValue, FieldType, FormField
from ..services.charting import charting_studies, make_report_studies
from .base import ExportContext, in_chunks
from .csvsafe import write_csv
from .xlsx import write_xlsx_sheets

# Studies a chunk: each brings its charts and every value of them, so fewer than the records'.
STUDY_CHUNK = 250

BASE_COLUMNS = [
    "study_id", "study", "reports", "chart", "charted_by", "status", "form_version",
    "verification_status", "verified_by", "verified_at",
]  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One field's column (or its quote or page column) in the table."""

    section: str  # section key: one XLSX sheet per section
    field: str  # field key
    part: str  # "value", "quote", "page" or "check" (the quote checked against the PDF's text)
    header: str


@dataclass(frozen=True)
class Layout:
    columns: list[Column]
    sections: list[tuple[str, str]]  # (key, title), in order
    types: dict[tuple[str, str], str]  # (section key, field key) -> field type

    @property
    def header(self) -> list[str]:
        return BASE_COLUMNS + [c.header for c in self.columns]

    @property
    def checks_quotes(self) -> bool:
        return any(c.part == "check" for c in self.columns)


def table_layout(ctx: ExportContext) -> Layout:
    """The table's columns over every version of the review's form, newest version's order first."""
    fields = (
        FormField.objects.filter(section__form__review=ctx.review)
        .select_related("section__form")
        .order_by("-section__form__version", "section__order", "order", "id")
    )
    seen: dict[tuple[str, str], FormField] = {}
    quoted: set[tuple[str, str]] = set()
    for f in fields:
        ident = (f.section.key, f.key)
        seen.setdefault(ident, f)
        if f.takes_quote:
            quoted.add(ident)
    # A key used in two sections gets its section's key in front, so no column hides another.
    counts = defaultdict(int)
    for _section, key in seen:
        counts[key] += 1
    columns: list[Column] = []
    sections: dict[str, str] = {}
    for (section, key), f in seen.items():
        sections.setdefault(section, f.section.title)
        name = key if counts[key] == 1 else f"{section}.{key}"
        columns.append(Column(section, key, "value", name))
        if (section, key) in quoted:
            columns.append(Column(section, key, "quote", f"{name}:quote"))
            columns.append(Column(section, key, "page", f"{name}:page"))
            columns.append(Column(section, key, "check", f"{name}:quote_check"))
    types = {ident: f.type for ident, f in seen.items()}
    return Layout(columns, list(sections.items()), types)


def included_studies(ctx: ExportContext):
    """The studies the charting page lists: a report included at full text (as PRISMA counts);
    a stand-alone included report becomes its own study here, so rows == PRISMA's studies."""
    make_report_studies(ctx.review)
    return charting_studies(ctx.review)


def cell(field_type: str, value: object) -> object:
    """A chart value as a spreadsheet cell: choices joined with '; ', yes/no, numbers as numbers."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field_type in {FieldType.INTEGER, FieldType.DECIMAL} and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _charts(study_ids: list[int]) -> dict[int, list[Chart]]:
    charts = Chart.objects.filter(study_id__in=study_ids).select_related(
        "form", "charted_by", "verified_by"
    )
    by_study: dict[int, list[Chart]] = defaultdict(list)
    for chart in charts.order_by("study_id", "kind", "charted_by__username", "id"):
        by_study[chart.study_id].append(chart)
    return by_study


def _shown(ctx: ExportContext, charts: list[Chart]) -> list[tuple[Chart | None, str]]:
    """The study's rows: (chart, what the chart column says)."""
    reviewers = [c for c in charts if c.kind == Chart.Kind.REVIEWER]
    if ctx.options.get("per_reviewer"):
        if ctx.user_id is not None:
            # Dual charting is independent (services/consensus.py): nobody sees another's chart
            # before every independent chart of the study is submitted or the consensus is made
            # (the command line, run by whoever runs the server, sees them all).
            # Under single charting the one submitted chart is the result, open to all.
            submitted = all(c.status == Chart.Status.SUBMITTED for c in reviewers)
            single = len(reviewers) == 1 and reviewers[0].form.charters_per_study == 1
            opened = any(c.kind == Chart.Kind.CONSENSUS for c in charts) or (
                submitted and (len(reviewers) > 1 or single)
            )
            if not opened:
                reviewers = [c for c in reviewers if c.charted_by_id == ctx.user_id]
        return [(c, "reviewer") for c in reviewers] or [(None, "none yet")]
    consensus = [c for c in charts if c.kind == Chart.Kind.CONSENSUS]
    if consensus:
        return [(consensus[0], "consensus")]
    # Single charting: the one submitted chart is the result (what charting shows a viewer).
    submitted = Chart.Status.SUBMITTED
    single = [c for c in reviewers if c.form.charters_per_study == 1 and c.status == submitted]
    if len(single) == 1:
        return [(single[0], "single reviewer")]
    return [(None, "none yet")]


def _verification(chart: Chart) -> list:
    """Who checked the chart against the source, and when (UTC, ISO 8601)."""
    by = chart.verified_by.get_username() if chart.verified_by else ""
    at = chart.verified_at.isoformat(timespec="seconds") if chart.verified_at else ""
    return [chart.verification_status, by, at]


def _values(chart_ids: list[int]) -> dict[int, dict[tuple[str, str], tuple]]:
    values: dict[int, dict[tuple[str, str], tuple]] = defaultdict(dict)
    rows = ChartValue.objects.filter(chart_id__in=chart_ids).values_list(
        "chart_id", "field__section__key", "field__key", "value", "quote", "location"
    )
    for chart_id, section, key, value, quote, location in rows:
        values[chart_id][(section, key)] = (value, quote, location)
    return values


def _reports(ctx: ExportContext, study_ids: list[int]) -> dict[int, str]:
    """Each study's included reports by their record numbers (the numbers people quote)."""
    included = Q(ft_status=StageStatus.INCLUDE, ta_status=StageStatus.INCLUDE)
    pairs = (
        Record.objects.in_review(ctx.review)
        .filter(included, study_id__in=study_ids, duplicate_of__isnull=True)
        .order_by("study_id", "number", "pk")
        .values_list("study_id", "number")
    )
    reports: dict[int, list[str]] = defaultdict(list)
    for study_id, number in pairs:
        reports[study_id].append(str(number))
    return {study_id: "; ".join(ids) for study_id, ids in reports.items()}


def table_rows(ctx: ExportContext, layout: Layout) -> Iterator[list]:
    """The rows as `layout.header` names the columns, in study id order."""
    studies = included_studies(ctx)
    total, done = studies.count(), 0
    for chunk in in_chunks(studies, STUDY_CHUNK):
        ids = [s.pk for s in chunk]
        charts, reports = _charts(ids), _reports(ctx, ids)
        rows = [(s, c, label) for s in chunk for c, label in _shown(ctx, charts.get(s.pk, []))]
        values = _values([c.pk for _s, c, _label in rows if c is not None])
        # One read of the chunk's extracted pages: a verifier sees which quotes to look at.
        check = study_quote_checker(ids) if layout.checks_quotes else None
        for study, chart, label in rows:
            row = [study.pk, study.label, reports.get(study.pk, ""), label]
            if chart is None:
                row += ["", "", "", "", "", ""]
            else:
                row += [chart.charted_by.get_username(), chart.status, chart.form.version]
                row += _verification(chart)
            answers = values.get(chart.pk, {}) if chart is not None else {}
            for column in layout.columns:
                value, quote, location = answers.get((column.section, column.field), (None, "", ""))
                if column.part == "value":
                    row.append(cell(layout.types[(column.section, column.field)], value))
                elif column.part == "check":
                    row.append(check(study.pk, quote, location).label if quote and check else "")
                else:
                    row.append(quote if column.part == "quote" else location)
            yield row
        done += len(chunk)
        ctx.progress(done, total)


def write_table_csv(handle, ctx: ExportContext) -> int:
    layout = table_layout(ctx)
    return write_csv(handle, layout.header, table_rows(ctx, layout), bom=ctx.bom)


def write_table_xlsx(handle, ctx: ExportContext) -> int:
    """A sheet per form section, each starting with the study columns; one pass over the rows."""
    layout = table_layout(ctx)
    base = len(BASE_COLUMNS)
    where = {key: [] for key, _title in layout.sections}
    for i, column in enumerate(layout.columns):
        where[column.section].append(base + i)
    sheets = [
        (title, BASE_COLUMNS + [layout.header[i] for i in where[key]])
        for key, title in layout.sections
    ] or [("Studies", BASE_COLUMNS)]
    picks = [where[key] for key, _title in layout.sections] or [[]]

    def split(row: list) -> list[list]:
        return [row[:base] + [row[i] for i in pick] for pick in picks]

    return write_xlsx_sheets(handle, sheets, (split(row) for row in table_rows(ctx, layout)))
