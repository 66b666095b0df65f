"""Title/abstract screening: one record at a time, keyboard first, htmx with plain-form fallback."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for
from reviewapp.models import Review, Role, Stage
from reviewapp.services import current_criteria

from ..forms import DecisionForm
from ..highlight import highlight, parse_terms
from ..models import Decision, Record
from ..queues import next_record
from ..services.decisions import (
    ScreeningError,
    last_decided_record_id,
    record_decision,
    undo_decision,
)

STAGE = Stage.TITLE_ABSTRACT


def stage_reasons(review: Review, stage: str = STAGE):
    flag = {Stage.TITLE_ABSTRACT: "at_title_abstract", Stage.FULL_TEXT: "at_full_text"}[stage]
    return review.reasons.filter(active=True, **{flag: True}).order_by("number", "code")


def _progress(review: Review, user) -> dict:
    mine = Decision.objects.filter(review=review, stage=STAGE, reviewer=user).count()
    pool = Record.objects.in_review(review).unique()
    total = pool.filter(pilot=True).count() if review.calibration else pool.count()
    return {"done": mine, "total": total, "percent": round(100 * mine / total) if total else 0}


def _card(request: HttpRequest, review: Review, record: Record | None, **extra) -> dict:
    include, exclude = parse_terms(review.include_terms), parse_terms(review.exclude_terms)
    mine = None
    if record is not None:
        mine = Decision.objects.filter(record=record, stage=STAGE, reviewer=request.user).first()
    return {
        "review": review,
        "record": record,
        "mine": mine,
        "title": highlight(record.title, include, exclude) if record else "",
        "abstract": highlight(record.abstract, include, exclude) if record else "",
        "reasons": list(stage_reasons(review)),
        "criteria": list(current_criteria(review).criteria.all()),
        "progress": _progress(review, request.user),
        "action": reverse("screening:screen-ta", kwargs={"slug": review.slug}),
        **extra,
    }


def _record_to_show(request: HttpRequest, review: Review) -> Record | None:
    """?record=N shows that record if it is mine to (re)decide; otherwise the next one."""
    wanted = request.GET.get("record", "")
    if wanted.isdigit():
        record = Record.objects.in_review(review).unique().filter(pk=int(wanted)).first()
        mine = Decision.objects.filter(record=record, stage=STAGE, reviewer=request.user)
        if record is not None and (mine.exists() or record.ta_status == ""):
            return record
    return next_record(review, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def screen_title_abstract(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    if request.method == "GET":
        context = _card(request, review, _record_to_show(request, review))
        return render(request, "screening/screen.html", context)
    form = DecisionForm(request.POST, reasons=stage_reasons(review))
    error = None
    if form.is_valid():
        try:
            record_decision(
                review=review,
                record_id=form.cleaned_data["record"],
                stage=STAGE,
                reviewer=request.user,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                labels=form.label_list(),
            )
        except ScreeningError as exc:
            error = str(exc)
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    if error is None and not request.htmx:
        return redirect("screening:screen-ta", slug=review.slug)  # post/redirect/get
    record = next_record(review, request.user)
    if error is not None and form.is_valid():
        record = Record.objects.in_review(review).filter(pk=form.cleaned_data["record"]).first()
    context = _card(request, review, record, error=error, last=form.data.get("value"))
    template = "screening/screen.html#card" if request.htmx else "screening/screen.html"
    return render(request, template, context, status=200 if error is None else 400)


@login_required
@require_POST
def screen_undo(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    record_id = last_decided_record_id(review=review, stage=STAGE, reviewer=request.user)
    error = None
    record = None
    if record_id is None:
        error = "Nothing to undo: you have no decisions here yet."
    else:
        try:
            record = undo_decision(
                review=review, record_id=record_id, stage=STAGE, reviewer=request.user
            )
        except ScreeningError as exc:
            error = str(exc)
    if not request.htmx:
        url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
        return redirect(url if record is None else f"{url}?record={record.pk}")
    context = _card(
        request,
        review,
        record or next_record(review, request.user),
        error=error,
        undone=record is not None,
    )
    return render(request, "screening/screen.html#card", context, status=400 if error else 200)
