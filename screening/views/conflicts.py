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

from ..forms import ResolveForm
from ..models import Decision, Record, StageStatus
from ..services.decisions import ScreeningError, reopen_record, resolve_record
from .screen import stage_reasons

STAGE = Stage.TITLE_ABSTRACT


def open_conflicts(review: Review):
    return Record.objects.in_review(review).unique().filter(ta_status=StageStatus.CONFLICT)


def _context(review: Review, error: str | None = None) -> dict:
    queue = open_conflicts(review).order_by("id")
    record = queue.first()
    decisions = []
    if record is not None:
        decisions = list(
            Decision.objects.filter(record=record, stage=STAGE)
            .select_related("reviewer", "reason")
            .order_by("decided_at")
        )
    return {
        "review": review,
        "record": record,
        "decisions": decisions,
        "remaining": queue.count(),
        "reasons": list(stage_reasons(review)),
        "error": error,
        "action": reverse("screening:conflicts", kwargs={"slug": review.slug}),
    }


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    if request.method == "GET":
        return render(request, "screening/conflicts.html", _context(review))
    form = ResolveForm(request.POST, reasons=stage_reasons(review))
    error = None
    if form.is_valid():
        try:
            resolve_record(
                review=review,
                record_id=form.cleaned_data["record"],
                stage=STAGE,
                lead=request.user,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ScreeningError as exc:
            error = str(exc)
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    if error is None and not request.htmx:
        return redirect("screening:conflicts", slug=review.slug)
    template = "screening/conflicts.html#conflict" if request.htmx else "screening/conflicts.html"
    return render(request, template, _context(review, error), status=400 if error else 200)


@login_required
@require_POST
def record_reopen(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    try:
        reopen_record(review=review, record_id=record_id, stage=STAGE, lead=request.user)
        messages.success(request, "Reopened: the record goes back to its reviewers' decisions.")
    except ScreeningError as exc:
        messages.error(request, str(exc))
    return redirect("screening:record-detail", slug=review.slug, record_id=record_id)
