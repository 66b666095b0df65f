"""The lead's conflict queue: both decisions beside the record, resolved by keyboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for
from reviewapp.models import Review, Role, Stage
from reviewapp.params import number_param, parse_number

from ..forms import ResolveForm, form_problems
from ..models import Decision, Record, Resolution, StageStatus
from ..services.decisions import ScreeningError, reopen_record, resolve_record
from ..services.fulltext import sought_records
from .screen import draft, keyed_reasons, stage_reasons

STAGE = Stage.TITLE_ABSTRACT
STATUS_FIELD = {Stage.TITLE_ABSTRACT: "ta_status", Stage.FULL_TEXT: "ft_status"}


def stage_from(value: str | None) -> Stage:
    return Stage.FULL_TEXT if value == Stage.FULL_TEXT else Stage.TITLE_ABSTRACT


def open_conflicts(review: Review, stage: str = STAGE):
    records = Record.objects.in_review(review).unique()
    if stage == Stage.FULL_TEXT:
        records = sought_records(review)  # as PRISMA counts full text: included at title/abstract
    return records.filter(**{STATUS_FIELD[Stage(stage)]: StageStatus.CONFLICT})


def _context(
    review: Review,
    stage: str,
    error: str | None = None,
    *,
    show: int | None = None,
    resolved: Resolution | None = None,
    typed: dict | None = None,
) -> dict:
    """The lead's conflict card: `show` that record if it is open (else the queue's first),
    `resolved` the one just resolved (offered for undo), `typed` what was typed if refused."""
    queue = open_conflicts(review, stage).order_by("id")
    record = (queue.filter(pk=show).first() if show else None) or queue.first()
    decisions = []
    if record is not None:
        decisions = list(
            Decision.objects.filter(record=record, stage=stage)
            .select_related("reviewer", "reason")
            .order_by("decided_at")
        )
    return {
        "review": review,
        "record": record,
        "decisions": decisions,
        "remaining": queue.count(),
        "stage": stage,
        "other_stage_conflicts": open_conflicts(
            review,
            Stage.FULL_TEXT if stage == Stage.TITLE_ABSTRACT else Stage.TITLE_ABSTRACT,
        ).count(),
        "reasons": keyed_reasons(review, stage),
        "error": error,
        "resolved": resolved,
        "draft": typed or draft(),
        "action": reverse("screening:conflicts", kwargs={"slug": review.slug}),
        "stage_label": Stage(stage).label,
    }


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    stage = stage_from(request.GET.get("stage") or request.POST.get("stage"))
    if request.method == "GET":
        return render(request, "screening/conflicts.html", _context(review, stage))
    if request.POST.get("action") == "undo":
        return _undo_resolution(request, review, stage)
    resolution, error = _resolve(request, review, stage)
    if error is None and not request.htmx:
        url = reverse("screening:conflicts", kwargs={"slug": review.slug})
        return redirect(f"{url}?stage={stage}")
    # A refused resolution shows its record again with what the lead typed.
    record = request.POST.get("record", "")
    context = _context(
        review,
        stage,
        error,
        show=parse_number(record) if error else None,
        resolved=resolution,
        typed=draft(posted=request.POST) if error else None,
    )
    template = "screening/conflicts.html#conflict" if request.htmx else "screening/conflicts.html"
    return render(request, template, context, status=400 if error else 200)


def _resolve(request: HttpRequest, review: Review, stage: str) -> tuple:
    """The lead's posted resolution: (resolution, None) or (None, what was wrong)."""
    form = ResolveForm(request.POST, reasons=stage_reasons(review, stage))
    if not form.is_valid():
        return None, form_problems(form)
    try:
        resolution = resolve_record(
            review=review,
            record_id=form.cleaned_data["record"],
            stage=stage,
            lead=request.user,
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except ScreeningError as exc:
        return None, str(exc)
    return resolution, None


def _undo_resolution(request: HttpRequest, review: Review, stage: str) -> HttpResponse:
    """The lead takes back the resolution just made (u): the record is shown again to decide."""
    record_id = number_param(request.POST, "record")
    error = None
    try:
        if record_id is None:
            raise ScreeningError("Nothing to undo.")
        reopen_record(review=review, record_id=record_id, stage=stage, lead=request.user)
    except ScreeningError as exc:
        error = str(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        url = reverse("screening:conflicts", kwargs={"slug": review.slug})
        return redirect(f"{url}?stage={stage}")
    context = _context(review, stage, error, show=record_id if not error else None)
    return render(
        request, "screening/conflicts.html#conflict", context, status=400 if error else 200
    )


@login_required
@require_POST
def record_reopen(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    try:
        stage = stage_from(request.POST.get("stage"))
        reopen_record(review=review, record_id=record_id, stage=stage, lead=request.user)
        messages.success(request, "Reopened: the record goes back to its reviewers' decisions.")
    except ScreeningError as exc:
        messages.error(request, str(exc))
    return redirect("screening:record-detail", slug=review.slug, record_id=record_id)
