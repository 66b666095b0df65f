"""Saved chart quotes checked against the study's extracted full text (screening.textqueries):
found on their page, found on another page, not found, or not checkable (no text)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from screening.models import Study
from screening.quotes import QuoteCheck
from screening.textqueries import study_quote_checker

from .models import Chart, ChartValue


@dataclass(frozen=True)
class CheckedQuote:
    chart_id: int
    who: str  # the charter's username, or "consensus"
    field: str
    quote: str
    location: str
    result: QuoteCheck


def checked_quotes(study: Study, charts: Iterable[Chart | None]) -> list[CheckedQuote]:
    """Every quote of these charts of the study, field by field, with its check (two queries)."""
    charts = [c for c in charts if c is not None]
    if not charts:
        return []
    values = (
        ChartValue.objects.filter(chart__in=charts)
        .exclude(quote="")
        .select_related("field", "chart__charted_by")
        .order_by("field__section__order", "field__order", "field_id", "chart_id")
    )
    rows = list(values)
    if not rows:
        return []
    check = study_quote_checker([study.pk])
    return [
        CheckedQuote(
            chart_id=v.chart_id,
            who="consensus"
            if v.chart.kind == Chart.Kind.CONSENSUS
            else v.chart.charted_by.get_username(),
            field=v.field.label,
            quote=v.quote,
            location=v.location,
            result=check(study.pk, v.quote, v.location),
        )
        for v in rows
    ]
