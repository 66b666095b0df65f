"""Dual charting: compare the two independent charts, then the lead records the consensus.

Like blind screening, nobody sees another reviewer's chart before both are submitted; then the
lead sees the comparison and charts the consensus (a Chart of kind consensus), which starts with
every value the two agree on and ends verified: agreed, or changed after discussion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from screening.models import Study

from ..models import Chart, ChartForm, ChartValue, ChartValueChange, FormField
from ..values import display, is_empty
from .charting import ChartingRefused, charters_needed, completeness_errors, reviewer_charts
from .forms import form_fields


@dataclass
class Row:
    """One field across the charts: the reviewers' answers and the consensus one."""

    field: FormField
    answers: list[str]
    quotes: list[str]
    consensus: str
    differs: bool


def ready_for_comparison(study: Study) -> bool:
    """Both (all) independent charts are in: only then may anyone see them side by side."""
    charts = reviewer_charts(study)
    needed = charters_needed(study)
    return (
        needed > 1
        and len(charts) >= needed
        and all(c.status == Chart.Status.SUBMITTED for c in charts)
    )


def consensus_of(study: Study) -> Chart | None:
    return study.charts.filter(kind=Chart.Kind.CONSENSUS).select_related("form").first()


def _values(chart: Chart | None) -> dict[str, ChartValue]:
    if chart is None:
        return {}
    return {v.field.key: v for v in chart.values.select_related("field")}


def newest_form(charts: list[Chart]) -> ChartForm | None:
    """The newest form version among the charts: the one the consensus is charted on."""
    return max((c.form for c in charts), key=lambda form: form.version, default=None)


def union_fields(charts: list[Chart]) -> list[FormField]:
    """Every key any of the charts' versions has, once: the newest version's fields in its
    order, then keys only older versions have (so a reviewer's answer to a dropped field is
    still compared, never silently left out)."""
    forms = sorted({c.form_id: c.form for c in charts}.values(), key=lambda f: -f.version)
    seen: dict[str, FormField] = {}
    for form in forms:
        for form_field in form_fields(form):
            seen.setdefault(form_field.key, form_field)
    return list(seen.values())


def compare(study: Study) -> list[Row]:
    """Field by field (matched by key, so charts on different form versions still line up)."""
    charts = reviewer_charts(study)
    values = [_values(chart) for chart in charts]
    consensus = _values(consensus_of(study))
    rows = []
    for form_field in union_fields(charts):
        answers = [_shown(form_field, v.get(form_field.key)) for v in values]
        quotes = [(v[form_field.key].quote if form_field.key in v else "") for v in values]
        rows.append(
            Row(
                field=form_field,
                answers=answers,
                quotes=quotes,
                consensus=_shown(form_field, consensus.get(form_field.key)),
                differs=len(set(answers)) > 1,
            )
        )
    return rows


def _shown(form_field: FormField, value: ChartValue | None) -> str:
    return display(form_field.type, value.value) if value is not None else ""


@transaction.atomic
def start_consensus(*, study: Study, by: AbstractBaseUser) -> Chart:
    """The consensus chart, prefilled with the values every reviewer gave alike."""
    Study.objects.select_for_update().filter(pk=study.pk).first()
    existing = consensus_of(study)
    if existing is not None:
        return existing
    if not ready_for_comparison(study):
        raise ChartingRefused("Both reviewers must submit their charts first.")
    charts = reviewer_charts(study)
    chart = Chart.objects.create(
        study=study, form=newest_form(charts), charted_by=by, kind=Chart.Kind.CONSENSUS
    )
    values = [_values(c) for c in charts]
    for form_field in form_fields(chart.form):
        given = [v.get(form_field.key) for v in values]
        if any(g is None for g in given):
            continue
        if any(g.value != given[0].value for g in given) or is_empty(given[0].value):
            continue
        _copy_value(chart, form_field, given[0], by)
    return chart


def _copy_value(chart: Chart, form_field: FormField, source: ChartValue, by: Any) -> None:
    value = ChartValue.objects.create(
        chart=chart, field=form_field, value=source.value, draft=source.draft,
        quote=source.quote, location=source.location, is_valid=True, updated_by=by,
        quote_char_start=source.quote_char_start, quote_char_end=source.quote_char_end,
    )  # fmt: skip
    new = {"value": value.value, "draft": value.draft, "quote": value.quote,
           "location": value.location, "quote_char_start": value.quote_char_start,
           "quote_char_end": value.quote_char_end}  # fmt: skip
    ChartValueChange.objects.create(value=value, changed_by=by, old={}, new=new)


@transaction.atomic
def verify_consensus(
    *, chart: Chart, by: AbstractBaseUser, status: str
) -> list[tuple[FormField, str]]:
    """Record the consensus as verified (agreed, or changed after discussion) if it is complete;
    otherwise the list of what is missing or wrong."""
    if chart.kind != Chart.Kind.CONSENSUS:
        raise ChartingRefused("Only a consensus chart is verified.")
    if status not in (Chart.Verification.AGREED, Chart.Verification.CHANGED):
        raise ChartingRefused("Choose agreed or changed after discussion.")
    problems = completeness_errors(chart)
    if problems:
        return problems
    now = timezone.now()
    chart.verification_status, chart.verified_by, chart.verified_at = status, by, now
    chart.status, chart.submitted_at = Chart.Status.SUBMITTED, now
    chart.revision += 1
    chart.save()
    return []
