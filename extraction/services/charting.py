"""Charting a study: autosaved drafts that lose nothing, stale saves refused, submission.

A save writes what was typed as the draft of each field, valid or not; the value is set only
when the draft parses. Every change appends a ChartValueChange. Saves compare-and-swap the
chart's revision, so a save made from a page loaded before someone else's save is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from screening.models import StageStatus, Study
from screening.quotes import page_of
from screening.services.fulltext import sought_records
from screening.services.studies import link_reports
from screening.textqueries import quote_span

from ..models import Chart, ChartForm, ChartValue, ChartValueChange, FormField, FormSection
from ..values import CONTROL, Raw, display, is_empty, parse_value
from .forms import current_form, form_fields

# One field as posted: raw input, quote, location, and where in the page the quote was selected
# (None: typed or edited by hand).
Posted = tuple[Raw, str, str, int | None]


class ChartingRefused(Exception):
    """This chart cannot be started or changed now; the message says why."""


class StaleSave(ChartingRefused):
    """The chart changed since the page that made this save was loaded."""


STALE_MESSAGE = (
    "Not saved: this chart was changed in another tab or window after this page was loaded. "
    "What you typed is still on this page; copy what you need, then reload to see the latest."
)


@dataclass
class SaveResult:
    chart: Chart
    errors: dict[str, str] = field(default_factory=dict)
    changed: int = 0


def reviewer_charts(study: Study) -> list[Chart]:
    """The study's independent (non-consensus) charts, oldest first."""
    charts = study.charts.filter(kind=Chart.Kind.REVIEWER).select_related("charted_by", "form")
    return list(charts.order_by("charted_at", "id"))


def chart_of(study: Study, user: AbstractBaseUser) -> Chart | None:
    """The user's own chart of the study, if they started one."""
    return study.charts.filter(kind=Chart.Kind.REVIEWER, charted_by=user).first()


def charters_needed(study: Study) -> int:
    form = current_form(study.review)
    return form.charters_per_study if form else 1


def why_cannot_chart(study: Study, user: AbstractBaseUser) -> str:
    """Empty if the user may start (or go on with) their chart of this study, else the reason."""
    if chart_of(study, user) is not None:
        return ""
    form = current_form(study.review)
    if form is None or not form_fields(form):
        return "The lead has not built the charting form yet."
    taken = study.charts.filter(kind=Chart.Kind.REVIEWER).count()
    if taken >= form.charters_per_study:
        needed = form.charters_per_study
        return (
            f"{'Two reviewers are' if needed == 2 else 'Someone is'} already charting this study."
        )
    return ""


@transaction.atomic
def start_chart(*, study: Study, by: AbstractBaseUser) -> Chart:
    """The user's chart of the study on the current form version (made on first save)."""
    Study.objects.select_for_update().filter(pk=study.pk).first()  # one charter at a time
    reason = why_cannot_chart(study, by)
    if reason:
        raise ChartingRefused(reason)
    existing = chart_of(study, by)
    if existing is not None:
        return existing
    return Chart.objects.create(study=study, form=current_form(study.review), charted_by=by)


def _state(value: ChartValue | None) -> dict[str, Any]:
    if value is None:
        return {}
    return {"value": value.value, "draft": value.draft, "quote": value.quote,
            "location": value.location, "quote_char_start": value.quote_char_start,
            "quote_char_end": value.quote_char_end}  # fmt: skip


def _span(chart: Chart, old: ChartValue | None, new: dict, near: int | None) -> tuple:
    """Offsets of a selected quote in its page's extracted text (None, None if typed by hand
    or not there). An unchanged quote keeps the offsets found before: no lookup per autosave."""
    if near is None or not new["quote"]:
        return None, None
    if (
        old is not None
        and old.quote_char_start is not None
        and (old.quote, old.location) == (new["quote"], new["location"])
    ):
        return old.quote_char_start, old.quote_char_end
    return quote_span(chart.study_id, new["quote"], page_of(new["location"]), near) or (None, None)


def _claim_revision(chart: Chart, revision: int) -> None:
    claimed = Chart.objects.filter(pk=chart.pk, revision=revision).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    if not claimed:
        raise StaleSave(STALE_MESSAGE)
    chart.revision = revision + 1


@transaction.atomic
def save_chart(
    *, chart: Chart, posted: dict[str, Posted], revision: int, by: AbstractBaseUser
) -> SaveResult:
    """Write what was typed (drafts, quotes, locations) for the posted fields; history kept.

    A save that changes nothing is accepted whatever its revision (it overwrites nothing) and
    hands the page the current revision: a page whose fields match the chart is in step with it.
    """
    chart = Chart.objects.select_for_update().get(pk=chart.pk)  # saves of one chart in turn
    if chart.status == Chart.Status.SUBMITTED:
        raise ChartingRefused("This chart was submitted; it can no longer change.")
    fields = {f.key: f for f in form_fields(chart.form)}
    stored = {v.field_id: v for v in chart.values.all()}
    pending = []
    for key, (raw, quote, location, near) in posted.items():
        form_field = fields.get(key)
        if form_field is None:
            continue
        parsed = parse_value(form_field.type, raw, form_field.choices)
        old = stored.get(form_field.pk)
        # Control characters (NUL above all, which PostgreSQL refuses) never reach a quote.
        new = {"value": parsed.value if parsed.ok else None, "draft": raw,
               "quote": CONTROL.sub("", quote).strip(),
               "location": CONTROL.sub("", location).strip()[:100]}  # fmt: skip
        new["quote_char_start"], new["quote_char_end"] = _span(chart, old, new, near)
        if old is None and is_empty(raw) and not new["quote"] and not new["location"]:
            continue  # nothing typed into a field never touched: no row, no history
        if _state(old) != new:
            pending.append((form_field, old, new, parsed.ok))
    if pending:
        _claim_revision(chart, revision)
    for form_field, old, new, ok in pending:
        before = _state(old)
        value = old or ChartValue(chart=chart, field=form_field)
        value.value, value.draft = new["value"], new["draft"]
        value.quote, value.location = new["quote"], new["location"]
        value.quote_char_start, value.quote_char_end = (
            new["quote_char_start"],
            new["quote_char_end"],
        )
        value.is_valid, value.updated_by = ok, by
        value.save()
        ChartValueChange.objects.create(value=value, changed_by=by, old=before, new=new)
    return SaveResult(chart=chart, errors=field_errors(chart), changed=len(pending))


def field_errors(chart: Chart) -> dict[str, str]:
    """The current error of each field whose draft does not validate (by field key)."""
    errors = {}
    for value in chart.values.filter(is_valid=False).select_related("field"):
        parsed = parse_value(value.field.type, value.draft, value.field.choices)
        errors[value.field.key] = parsed.error or "This value does not validate."
    return errors


def hidden_sections(form: ChartForm, values: dict[str, Any]) -> set[int]:
    """Sections not shown: their controlling choice is not ticked, or its own section is hidden."""
    sections = {s.pk: s for s in form.sections.select_related("depends_on")}
    hidden: dict[int, bool] = {}

    def is_hidden(section: FormSection, seen: frozenset[int]) -> bool:
        if section.pk in hidden:
            return hidden[section.pk]
        result = False
        if section.depends_on_id and section.pk not in seen:
            ticked = values.get(section.depends_on.key) or []
            parent = sections.get(section.depends_on.section_id)
            result = section.depends_on_choice not in ticked or (
                parent is not None and is_hidden(parent, seen | {section.pk})
            )
        hidden[section.pk] = result
        return result

    return {pk for pk, section in sections.items() if is_hidden(section, frozenset())}


def values_by_key(chart: Chart | None) -> dict[str, ChartValue]:
    if chart is None:
        return {}
    return {v.field.key: v for v in chart.values.select_related("field")}


def completeness_errors(chart: Chart) -> list[tuple[FormField, str]]:
    """What stops the chart being complete: bad values and empty required fields, in the shown
    sections only (a hidden section's drafts are kept but not asked for)."""
    stored = values_by_key(chart)
    hidden = hidden_sections(chart.form, {k: v.value for k, v in stored.items()})
    errors = field_errors(chart)
    problems = []
    for form_field in form_fields(chart.form):
        if form_field.section_id in hidden:
            continue
        value = stored.get(form_field.key)
        if form_field.key in errors:
            problems.append((form_field, errors[form_field.key]))
        elif form_field.required and (value is None or is_empty(value.value)):
            problems.append((form_field, "This field is required."))
    return problems


@transaction.atomic
def submit_chart(*, chart: Chart, by: AbstractBaseUser) -> list[tuple[FormField, str]]:
    """Hand the chart in if it is complete; otherwise the list of what is missing or wrong."""
    problems = completeness_errors(chart)
    if problems:
        return problems
    Chart.objects.filter(pk=chart.pk).update(
        status=Chart.Status.SUBMITTED,
        submitted_at=timezone.now(),
        revision=F("revision") + 1,
        updated_at=timezone.now(),
    )
    chart.refresh_from_db()
    return []


def save_or_refuse(
    *, chart: Chart, posted: dict, revision: int, by: AbstractBaseUser
) -> SaveResult:
    """save_chart, turning a lost race on the unique value row into a stale save."""
    try:
        return save_chart(chart=chart, posted=posted, revision=revision, by=by)
    except IntegrityError as error:  # a concurrent save created the same value row
        raise StaleSave(STALE_MESSAGE) from error


def included_reports(review) -> Any:
    """Reports included at full text, as PRISMA counts them (the Studies page's set)."""
    return sought_records(review).filter(ft_status=StageStatus.INCLUDE)


def charting_studies(review) -> Any:
    """The review's studies with a report included at full text: the ones to chart. With
    standalone_reports(review) (each its own study until charted) they are PRISMA's included
    studies; make_report_studies(review) turns those reports into studies where a study id is
    needed (the extraction table)."""
    return Study.objects.filter(review=review, reports__in=included_reports(review)).distinct()


def standalone_reports(review) -> Any:
    """Included reports not linked to a study: PRISMA counts each as a study of its own."""
    return included_reports(review).filter(study__isnull=True).order_by("number", "id")


def make_report_studies(review, by: AbstractBaseUser | None = None) -> int:
    """A study for every stand-alone included report, as the Chart button would make it, so the
    extraction table has one row per included study, as PRISMA counts them. Idempotent; a race
    that makes two studies for one report leaves an empty one, which link_reports removes."""
    made = 0
    for record_id in standalone_reports(review).values_list("pk", flat=True):
        with transaction.atomic():
            if included_reports(review).filter(pk=record_id, study__isnull=True).exists():
                link_reports(review=review, record_ids=[record_id], by=by)
                made += 1
    return made


@transaction.atomic
def study_for_report(*, review, record_id: int, by: AbstractBaseUser) -> Study:
    """The study an included report belongs to, made for it if it stands alone."""
    record = included_reports(review).filter(pk=record_id).select_related("study").first()
    if record is None:
        raise ChartingRefused("Only a report included at full text is charted.")
    if record.study is not None:
        return record.study
    return link_reports(review=review, record_ids=[record.pk], by=by)


@dataclass
class HistoryRow:
    change: ChartValueChange
    label: str
    old: str
    new: str


def _as_text(field_type: str, state: dict) -> str:
    if not state:
        return ""
    if state.get("value") is None and not is_empty(state.get("draft")):
        draft = state["draft"]
        return f"{'; '.join(draft) if isinstance(draft, list) else draft} (not valid)"
    return display(field_type, state.get("value"))


def chart_history(chart: Chart | None, limit: int = 100) -> list[HistoryRow]:
    """The chart's latest changes, newest first, each as the field's old and new text."""
    if chart is None:
        return []
    changes = (
        ChartValueChange.objects.filter(value__chart=chart)
        .select_related("value__field", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )
    return [
        HistoryRow(
            change=c,
            label=c.value.field.label,
            old=_as_text(c.value.field.type, c.old),
            new=_as_text(c.value.field.type, c.new),
        )
        for c in changes
    ]


@transaction.atomic
def reopen_chart(*, chart: Chart, by: AbstractBaseUser) -> None:
    """The lead hands a submitted reviewer chart back for changes (its values and history stay);
    not once a consensus exists, which was made from it."""
    if chart.kind != Chart.Kind.REVIEWER or chart.status != Chart.Status.SUBMITTED:
        raise ChartingRefused("Only a submitted reviewer chart is reopened.")
    if chart.study.charts.filter(kind=Chart.Kind.CONSENSUS).exists():
        raise ChartingRefused("A consensus was started from this chart: change the consensus.")
    Chart.objects.filter(pk=chart.pk).update(
        status=Chart.Status.DRAFT,
        submitted_at=None,
        revision=F("revision") + 1,
        updated_at=timezone.now(),
    )
