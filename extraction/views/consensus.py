"""The lead's comparison of two independent charts and the consensus chart."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for
from reviewapp.models import Role
from reviewapp.params import parse_number

from ..chart_form import entry_form_for, raw_from_post
from ..models import Chart
from ..services.charting import (
    ChartingRefused,
    charting_studies,
    reviewer_charts,
    save_or_refuse,
)
from ..services.consensus import (
    compare,
    consensus_of,
    ready_for_comparison,
    start_consensus,
    verify_consensus,
)
from ..services.forms import form_fields
from .charting import refused_answer


def _context(review, study, problems=()) -> dict:
    consensus = consensus_of(study)
    ready = ready_for_comparison(study)
    read_only = consensus is not None and consensus.is_done
    return {
        "review": review,
        "study": study,
        "ready": ready,
        "charts": reviewer_charts(study) if ready else [],
        "rows": compare(study) if ready else [],
        "chart": consensus,
        "read_only": read_only,
        "entry": entry_form_for(consensus, consensus.form, read_only=read_only)
        if consensus
        else None,
        "problems": problems,
        "save_url": "extraction:consensus-save",
        "submit_url": "",
        "verifications": [Chart.Verification.AGREED, Chart.Verification.CHANGED],
    }


@login_required
@require_http_methods(["GET", "POST"])
def consensus_page(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """GET: the comparison (once both charts are in); POST: start the consensus chart."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    study = get_object_or_404(charting_studies(review), pk=study_id)
    if request.method == "POST":
        try:
            start_consensus(study=study, by=request.user)
        except ChartingRefused as refusal:
            messages.error(request, str(refusal))
        return redirect("extraction:consensus", slug=review.slug, study_id=study.pk)
    return render(request, "extraction/consensus.html", _context(review, study))


@login_required
@require_POST
def consensus_save(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Autosave of the consensus chart (the same rules as a reviewer's chart)."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    study = get_object_or_404(charting_studies(review), pk=study_id)
    chart = consensus_of(study)
    if chart is None:
        return refused_answer(request, review, study, ChartingRefused("Start the consensus."))
    fields = form_fields(chart.form)
    try:
        result = save_or_refuse(
            chart=chart,
            posted=raw_from_post(fields, request.POST),
            revision=parse_number(request.POST.get("revision", ""), low=0) or 0,
            by=request.user,
        )
    except ChartingRefused as refusal:
        return refused_answer(request, review, study, refusal, "extraction:consensus")
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect("extraction:consensus", slug=review.slug, study_id=study.pk)
    errors = result.errors
    context = {
        "chart": chart,
        "errors": errors,
        "field_errors": [(f.key, errors.get(f.key, "")) for f in fields],
    }
    return render(request, "extraction/chart.html#saved", context)


@login_required
@require_POST
def consensus_verify(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Record the consensus as agreed or changed after discussion, verified by this lead."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    study = get_object_or_404(charting_studies(review), pk=study_id)
    chart = consensus_of(study)
    if chart is None:
        messages.error(request, "Start the consensus first.")
        return redirect("extraction:consensus", slug=review.slug, study_id=study.pk)
    try:
        problems = verify_consensus(
            chart=chart, by=request.user, status=request.POST.get("verification", "")
        )
    except ChartingRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("extraction:consensus", slug=review.slug, study_id=study.pk)
    if problems:
        context = _context(review, study, problems=problems)
        return render(request, "extraction/consensus.html", context, status=400)
    messages.success(request, f"Consensus of {study.label} verified.")
    return redirect("extraction:index", slug=review.slug)
