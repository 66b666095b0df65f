"""All records of a review: search, filters, pagination; one record with every field."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role, Stage

from ..forms import BulkActionForm, RecordFilterForm, form_problems
from ..models import Decision, DuplicatePair, Record, Resolution, StageStatus, Verdict
from ..prisma import box_filter
from ..services.decisions import ScreeningError, bulk_resolve
from ..services.dedup import unmark_record
from .redirects import back_to
from .screen import stage_reasons

STAGE = Stage.TITLE_ABSTRACT

PAGE_SIZE = 50


def _by_status(review, records, status: str):
    """The status filter of the records page (my decisions, the stage's outcomes, PRISMA's
    exclusions by people or by the lead's stopping rule)."""
    if status == "undecided":
        records = records.unique().filter(ta_status=StageStatus.OPEN, my_value__isnull=True)
    elif status == "mine":
        records = records.filter(my_value__isnull=False)
    elif status == "maybe":
        records = (
            records.filter(my_value=Verdict.MAYBE)
            if review.membership.is_blind
            else records.filter(
                Exists(Decision.objects.filter(record=OuterRef("pk"), stage=STAGE, value="maybe"))
            )
        )
    elif status in {"conflict", "include", "exclude"}:
        records = records.unique().filter(ta_status=status)
    elif status in {"exclude_people", "exclude_rule"}:
        # PRISMA's human / automation split: excluded by the lead's stopping rule or not.
        by_rule = Exists(
            Resolution.objects.filter(record=OuterRef("pk"), stage=STAGE, rule__isnull=False)
        )
        records = records.unique().filter(ta_status=StageStatus.EXCLUDE)
        records = records.filter(by_rule if status == "exclude_rule" else ~by_rule)
    return records


def filtered_records(review, form: RecordFilterForm, user):
    mine = Decision.objects.filter(record=OuterRef("pk"), stage=STAGE, reviewer=user)
    records = (
        Record.objects.in_review(review)
        .for_list()
        .annotate(my_value=Subquery(mine.values("value")[:1]))
    )
    # A wrong field (its error shows) must not drop the others: the valid ones still filter,
    # or a bulk action would act on rows the lead thinks are filtered out.
    form.is_valid()
    data = {"status": "", "q": "", "source": None, "year": None, "duplicates": "", "box": ""}
    data |= getattr(form, "cleaned_data", {})
    if data["box"]:  # the records behind a PRISMA number: as many as the number says
        records = box_filter(
            review, data["box"], data.get("label") or None, blind=form.blind, records=records
        )
    records = _by_status(review, records, data["status"])
    records = records.search(data["q"] or "")
    if data["source"]:
        records = records.filter(source=data["source"])
    if data["year"] is not None:
        records = records.filter(year=data["year"])
    if data["duplicates"] == "unique":
        records = records.unique()
    elif data["duplicates"] == "duplicate":
        records = records.duplicates()
    return records


@login_required
@require_safe
def record_list(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    blind = review.membership.is_blind
    form = RecordFilterForm(request.GET or None, review=review, blind=blind)
    records = filtered_records(review, form, request.user)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/records.html",
        {
            "review": review,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "blind": blind,
            "reasons": list(stage_reasons(review)),
        },
    )


@login_required
@require_POST
def records_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    form = BulkActionForm(request.POST, review=review, reasons=stage_reasons(review))
    if not form.is_valid():
        problems = form_problems(form)
        messages.error(request, f"Nothing changed: {problems}")
    else:
        try:
            done, skipped = bulk_resolve(
                review=review,
                record_ids=[r.pk for r in form.cleaned_data["records"]],
                stage=STAGE,
                lead=request.user,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ScreeningError as exc:
            messages.error(request, f"Nothing changed: {exc}")
        else:
            messages.success(
                request,
                f"{done} record(s) marked {form.cleaned_data['value']}d by you"
                + (
                    f"; {skipped} left as they were (already resolved, or settled at full text)."
                    if skipped
                    else "."
                ),
            )
    return back_to(request, "screening:records", slug=slug)


@login_required
@require_safe
def record_detail(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug)
    record = get_object_or_404(
        Record.objects.in_review(review).select_related("source", "duplicate_of"), pk=record_id
    )
    pairs = DuplicatePair.objects.filter(Q(duplicate=record) | Q(keep=record), review=review)
    events, stages = _trail(review, record, request.user)
    return render(
        request,
        "screening/record_detail.html",
        {
            "review": review,
            "record": record,
            "pairs": pairs.select_related("keep", "duplicate", "decided_by"),
            "duplicates": record.duplicates.filter(review=review).only("id", "number", "title"),
            "raw": json.dumps(record.raw_record, indent=2, ensure_ascii=False),
            "events": events,
            "stages": stages,
        },
    )


def _trail(review, record: Record, user) -> tuple:
    """The record's history, and its decisions and resolution per stage, as `user` may see them:
    until the lead resolves a stage, a blind reviewer sees only their own part of its trail."""
    events = record.events.select_related("actor", "reason").order_by("at", "id")
    decisions = record.decisions.select_related("reviewer", "reason").order_by("decided_at")
    resolutions = {r.stage: r for r in record.resolutions.select_related("resolved_by", "reason")}
    if review.membership.is_blind:
        events = events.filter(Q(actor=user) | Q(stage__in=resolutions))
        decisions = decisions.filter(Q(reviewer=user) | Q(stage__in=resolutions))
    decisions = list(decisions)
    shown = [Stage.TITLE_ABSTRACT]
    if record.ta_status == StageStatus.INCLUDE:
        shown.append(Stage.FULL_TEXT)
    stages = [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "resolution": resolutions.get(stage),
            "decisions": [d for d in decisions if d.stage == stage],
        }
        for stage in shown
    ]
    return events, stages


@login_required
@require_POST
def record_unmark(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    record = get_object_or_404(Record.objects.in_review(review), pk=record_id)
    count = unmark_record(record=record, by=request.user)
    messages.success(
        request, f"Unmarked: {count} duplicate link(s) undone; the record stands alone."
    )
    return redirect("screening:record-detail", slug=review.slug, record_id=record.pk)
