"""Screening pages (title/abstract and full text): one record at a time, keyboard first, htmx
with a plain-form fallback. The stage is a parameter of the same views."""

from __future__ import annotations

import math

from django.contrib import messages
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import member_review, signed_in
from reviewapp.models import ExclusionReason, Membership, Review, Role, Stage
from reviewapp.params import number_param, parse_number
from reviewapp.services import current_criteria
from reviewapp.sqljson import json_rows, rows_from_json

from ..forms import DecisionForm, form_problems
from ..highlight import highlight, parse_terms
from ..models import Decision, Record, ScreeningEvent, StageStatus
from ..queues import Progress, next_record, open_records, queue_state, reviewer_progress
from ..services import prioritise
from ..services.decisions import (
    AlreadyDecided,
    AlreadyResolved,
    ScreeningError,
    last_decided_record_id,
    record_decision,
    undo_decision,
)
from ..services.fulltext import sought_records

STAGE = Stage.TITLE_ABSTRACT
URL_NAMES = {
    Stage.TITLE_ABSTRACT: ("screening:screen-ta", "screening:screen-ta-undo"),
    Stage.FULL_TEXT: ("screening:screen-ft", "screening:screen-ft-undo"),
}


def stage_reasons(review: Review, stage: str = STAGE) -> QuerySet[ExclusionReason]:
    flag = {Stage.TITLE_ABSTRACT: "at_title_abstract", Stage.FULL_TEXT: "at_full_text"}[stage]
    return review.reasons.filter(active=True, **{flag: True}).order_by("number", "code")


REASON_FIELDS = (
    "id",
    "review",
    "code",
    "label",
    "number",
    "at_title_abstract",
    "at_retrieval",
    "at_full_text",
    "note_required",
    "active",
)


def reasons_column(stage: str) -> str:
    """The stage's active reasons as one JSON column of the membership row (member_review's
    `extra`), so the screening page reads them in the query that checks access."""
    flag = {Stage.TITLE_ABSTRACT: "at_title_abstract", Stage.FULL_TEXT: "at_full_text"}[stage]
    member = connection.ops.quote_name(Membership._meta.db_table)
    where = f"x.review_id = {member}.review_id AND x.active AND x.{flag}"
    return json_rows(ExclusionReason, REASON_FIELDS, where, "x")


def keyed_reasons(review: Review, stage: str = STAGE) -> list[ExclusionReason]:
    """The stage's reasons, each with its `key`: the number the lead gave it (1-9), the same at
    every stage, so a reviewer's fingers learn it once. A number shared or out of range gets no
    key rather than a different one."""
    column = getattr(getattr(review, "membership", None), "stage_reasons", None)
    if column is None:
        reasons = list(stage_reasons(review, stage))
    else:  # read with the membership (reasons_column), ordered as stage_reasons orders them
        found = rows_from_json(ExclusionReason, column, REASON_FIELDS)
        reasons = sorted(found, key=lambda reason: (reason.number, reason.code))
    numbers = [r.number for r in reasons]
    for reason in reasons:
        unique = numbers.count(reason.number) == 1
        reason.key = str(reason.number) if unique and 1 <= reason.number <= 9 else ""
    return reasons


def relevance_hint(review: Review, record: Record | None, stage: str = STAGE) -> str:
    """The model's view of the record, only where the lead turned the hint on."""
    # Ranks are title/abstract positions among the unscreened records: nowhere else do they mean
    # "top x %". A conflict counts as unsettled too: were the hint to vanish when a colleague's
    # vote makes one, a blind reviewer would read that vote from it.
    unscreened = (
        stage == Stage.TITLE_ABSTRACT
        and record is not None
        and record.ta_status in {StageStatus.OPEN, StageStatus.CONFLICT}
        and record.rank > 0
    )
    if not unscreened or not review.relevance_hint:
        return ""
    top = max(1, math.ceil(round((1 - record.rank) * 100, 6)))  # no 5.000000001 % -> 6 %
    return f"Ranked in the top {top} % of the unscreened records by the model"


def _card(
    request: HttpRequest,
    review: Review,
    record: Record | None,
    stage: str = STAGE,
    *,
    reasons: list | None = None,
    from_queue: bool = False,
    progress: Progress | None = None,
    **extra,
) -> dict:
    """The card's context. `from_queue`: the queue served the record, so it is not yet mine."""
    mine = None
    if record is not None and not from_queue:
        mine = Decision.objects.filter(record=record, stage=stage, reviewer=request.user).first()
    action, undo = URL_NAMES[Stage(stage)]
    extra.setdefault("draft", draft(mine))
    return {
        "stage": stage,
        "stage_label": Stage(stage).label,
        "calibrating": review.calibration and stage == Stage.TITLE_ABSTRACT,
        "undo_action": reverse(undo, kwargs={"slug": review.slug}),
        "review": review,
        "record": record,
        "mine": mine,
        "reasons": keyed_reasons(review, stage) if reasons is None else reasons,
        "reason_required": stage == Stage.FULL_TEXT or review.ta_reason_required,
        "progress": progress or reviewer_progress(review, request.user, stage),
        "hint": relevance_hint(review, record, stage),
        "action": reverse(action, kwargs={"slug": review.slug}),
        **_record_parts(review, record, stage),
        **_page_parts(request, review, record, stage),
        **extra,
    }


def _record_parts(review: Review, record: Record | None, stage: str) -> dict:
    """The record's texts with the review's terms marked, and its full texts (full text)."""
    if record is None:
        return {"title": "", "abstract": "", "fulltexts": []}
    include, exclude = parse_terms(review.include_terms), parse_terms(review.exclude_terms)
    return {
        "title": highlight(record.title, include, exclude),
        "abstract": highlight(record.abstract, include, exclude),
        "fulltexts": list(record.fulltexts.all()) if stage == Stage.FULL_TEXT else [],
    }


def _page_parts(request: HttpRequest, review: Review, record: Record | None, stage: str) -> dict:
    """What the whole page shows beside the card: a swapped-in card needs none of it again."""
    return {
        "criteria": []
        if request.htmx
        else list(current_criteria(review).criteria.order_by("-kind", "number")),
        # Done for now, not done: full texts still to be found come to the queue later.
        "awaiting_retrieval": sought_records(review).filter(retrieval="").count()
        if record is None and stage == Stage.FULL_TEXT
        else 0,
    }


def draft(decision: Decision | ScreeningEvent | None = None, posted: dict | None = None) -> dict:
    """What the card's reason, note and labels show: what the reviewer just typed (a refused
    decision must not lose it), else their decision on the record, else nothing."""
    if posted is not None:
        reason = posted.get("reason", "")
        return {
            "reason_id": parse_number(reason),
            "note": posted.get("note", ""),
            "labels": posted.get("labels", ""),
        }
    if decision is None:
        return {"reason_id": None, "note": "", "labels": ""}
    return {
        "reason_id": decision.reason_id,
        "note": decision.note,
        "labels": ", ".join(decision.labels),
    }


def _record_to_show(
    request: HttpRequest, review: Review, stage: str
) -> tuple[Record | None, Progress | None]:
    """?record=N (the record's number in the review, as pages show it) shows that record if it
    is mine to (re)decide; otherwise the next one (with the progress: one statement)."""
    wanted = number_param(request.GET, "record")
    if wanted is not None:
        candidates = open_records(review, stage)
        if stage == Stage.TITLE_ABSTRACT and review.calibration:
            candidates = candidates.filter(pilot=True)  # only the pilot set while calibrating
        record = candidates.filter(number=wanted).first()
        mine = Decision.objects.filter(
            review=review, record__number=wanted, stage=stage, reviewer=request.user
        ).first()
        if record is None and mine is not None:
            record = mine.record
        if record is not None:
            return record, None
    progress, record = queue_state(review, request.user, stage)
    return record, progress


# What a reviewer does about a record that no longer needs them.
NEXT = "Nothing to do for it: go on to your next record."


def _apply(request: HttpRequest, review: Review, stage: str, form: DecisionForm) -> tuple:
    """Record the posted decision: (decided, error, stale). Stale: the record no longer needs
    this reviewer (a card that sat on screen while others decided it)."""
    if not form.is_valid():
        return False, form_problems(form), None
    try:
        record_decision(
            review=review,
            record_id=form.cleaned_data["record"],
            stage=stage,
            reviewer=request.user,
            value=form.cleaned_data["value"],
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            labels=form.label_list(),
        )
    except AlreadyDecided as exc:
        return False, f"Not saved: {exc} Colleagues decided it while you read it. {NEXT}", True
    except AlreadyResolved:
        return False, f"Not saved: the lead resolved this record while you read it. {NEXT}", True
    except ScreeningError as exc:
        return False, f"Not saved: {exc}", False
    return True, None, False


def _decide(request: HttpRequest, review: Review, stage: str) -> HttpResponse:
    reasons = keyed_reasons(review, stage)
    form = DecisionForm(request.POST, reasons=reasons)
    decided, error, stale = _apply(request, review, stage, form)
    record, progress, from_queue = _shown_after(request, review, stage, form, decided, error)
    if error is None and not request.htmx:
        return redirect(URL_NAMES[Stage(stage)][0], slug=review.slug)  # post/redirect/get
    context = _card(
        request,
        review,
        record,
        stage,
        reasons=reasons,
        from_queue=from_queue,
        progress=progress,
        error=error,
        stale=stale,
        **({} if from_queue else {"draft": draft(posted=request.POST)}),
    )
    template = "screening/screen.html#card" if request.htmx else "screening/screen.html"
    status = 200 if error is None else 409 if stale else 400
    return render(request, template, context, status=status)


def _shown_after(
    request: HttpRequest, review: Review, stage: str, form: DecisionForm, decided: bool, error
) -> tuple[Record | None, Progress, bool]:
    """What the answer to a decision shows: (record, progress, from the queue). A refused
    decision shows its record again, with what was typed (a note too long, say); otherwise, or
    if the form did not even name a record, the queue's next, with the progress in the same
    statement."""
    posted = form.cleaned_data.get("record") if error is not None else None
    if posted is not None:
        record = Record.objects.in_review(review).filter(pk=posted).first()
        if record is not None:
            return record, reviewer_progress(review, request.user, stage), False
    progress, record = queue_state(review, request.user, stage)
    # Queued for the worker, never run here (but where tasks run eagerly in the request, the
    # new ranking is there to serve from).
    if decided and stage == Stage.TITLE_ABSTRACT and prioritise.retrain_if_due(review, progress):
        progress, record = queue_state(review, request.user, stage)
    return record, progress, True


def _take_back(request: HttpRequest, review: Review, stage: str) -> tuple[Record | None, str]:
    """Undo the reviewer's latest decision at the stage: (its record, or None and why not)."""
    record_id = last_decided_record_id(review=review, stage=stage, reviewer=request.user)
    if record_id is None:
        return None, "Nothing to undo: you have no decisions here yet."
    try:
        return undo_decision(
            review=review, record_id=record_id, stage=stage, reviewer=request.user
        ), ""
    except ScreeningError as exc:
        return None, str(exc)


def _undo(request: HttpRequest, review: Review, stage: str) -> HttpResponse:
    record, error = _take_back(request, review, stage)
    error = error or None
    if not request.htmx:
        if error:
            messages.error(request, error)  # the plain page shows it after the redirect
        url = reverse(URL_NAMES[Stage(stage)][0], kwargs={"slug": review.slug})
        if record is None:
            return redirect(url)
        number = Record.objects.filter(pk=record.pk).values_list("number", flat=True).get()
        return redirect(f"{url}?record={number}")
    extra = {}
    if record is not None:  # the service locked only the record's state: load it to show
        shown = Record.objects.in_review(review).defer("raw").get(pk=record.pk)
        # The card offers what was taken back (reason, note, labels), to decide again from it.
        undone = ScreeningEvent.objects.filter(
            record=record, stage=stage, actor=request.user, kind=ScreeningEvent.Kind.UNDONE
        ).last()
        extra["draft"] = draft(undone)
    else:
        shown = next_record(review, request.user, stage)
    context = _card(request, review, shown, stage, error=error, undone=record is not None, **extra)
    return render(request, "screening/screen.html#card", context, status=400 if error else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    """The screening page of a stage (the URL conf names the stage)."""
    extra = {"stage_reasons": reasons_column(stage)}
    review = member_review(request, slug, role=Role.REVIEWER, extra=extra)
    if request.method == "POST":
        return _decide(request, review, stage)
    after = number_param(request.GET, "after")
    if request.htmx and after is not None:
        return _upcoming(request, review, stage, after)
    record, progress = _record_to_show(request, review, stage)
    context = _card(request, review, record, stage, progress=progress)
    return render(request, "screening/screen.html", context)


def _upcoming(request: HttpRequest, review: Review, stage: str, after: int) -> HttpResponse:
    """The card the reviewer will likely see once the record `after` is decided, fetched while
    they read: keys.js shows it (inert) the moment they decide, until the answer confirms it."""
    mine, record = queue_state(review, request.user, stage, skip=after)
    if record is None:
        return HttpResponse(status=204)
    progress = Progress(min(mine.done + 1, mine.total), mine.total)
    context = _card(request, review, record, stage, from_queue=True, progress=progress)
    return render(request, "screening/screen.html#card", context)


@signed_in
@require_POST
def screen_undo(request: HttpRequest, slug: str, stage: str) -> HttpResponse:
    extra = {"stage_reasons": reasons_column(stage)}
    review = member_review(request, slug, role=Role.REVIEWER, extra=extra)
    return _undo(request, review, stage)
