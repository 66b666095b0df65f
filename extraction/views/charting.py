"""Charting: the included studies with their charts, one study's chart, autosave and submit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role
from reviewapp.params import parse_number
from screening.models import Study

from ..chart_form import entry_form_for, raw_from_post
from ..models import Chart
from ..services.charting import (
    ChartingRefused,
    StaleSave,
    chart_history,
    chart_of,
    charters_needed,
    charting_studies,
    reopen_chart,
    reviewer_charts,
    save_or_refuse,
    standalone_reports,
    start_chart,
    study_for_report,
    submit_chart,
    why_cannot_chart,
)
from ..services.consensus import consensus_of, ready_for_comparison
from ..services.forms import current_form, form_fields
from .themes import study_codes_context


@login_required
@require_safe
def extraction_index(request: HttpRequest, slug: str) -> HttpResponse:
    """Every study to chart, with the state of its charts (never anyone else's answers)."""
    review = get_review_for(request.user, slug)
    studies = charting_studies(review).prefetch_related("charts").order_by("label", "id")
    rows = [(study, chart_summary(study.charts.all(), request.user)) for study in studies]
    # An included report without a study is a study of its own (as PRISMA counts it); its
    # Chart button makes the study (study-start), so a GET here never writes.
    alone = list(standalone_reports(review))
    context = {"review": review, "rows": rows, "alone": alone, "form": current_form(review)}
    return render(request, "extraction/index.html", context)


def chart_summary(charts, user) -> dict:
    """Counts and the user's own status, from already loaded charts."""
    independent = [c for c in charts if c.kind == Chart.Kind.REVIEWER]
    consensus = next((c for c in charts if c.kind == Chart.Kind.CONSENSUS), None)
    mine = next((c for c in independent if c.charted_by_id == user.pk), None)
    return {
        "submitted": sum(c.status == Chart.Status.SUBMITTED for c in independent),
        "started": len(independent),
        "mine": mine,
        "consensus": consensus,
    }


def _study(review, study_id: int) -> Study:
    return get_object_or_404(charting_studies(review), pk=study_id)


@login_required
@require_safe
def chart_page(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """A reviewer's own chart of the study (a viewer reads the settled one), PDF beside it."""
    review = get_review_for(request.user, slug)
    study = _study(review, study_id)
    return render(request, "extraction/chart.html", _chart_context(review, study, request.user))


def _chart_context(review, study: Study, user, problems=()) -> dict:
    membership = review.membership
    refusal = why_cannot_chart(study, user) if membership.can_screen else ""
    if membership.can_screen and not refusal:
        chart = chart_of(study, user)
        read_only = chart is not None and chart.is_done
    else:
        # Not charting it: read what is settled (never a chart still blind to others).
        chart, read_only = _settled_chart(study), True
    form = chart.form if chart is not None else current_form(review)
    reports = study.reports.order_by("id").prefetch_related("fulltexts")
    # The main report's full text if there is one, else whatever full text the study has.
    fulltexts = sorted(
        (ft for r in reports for ft in r.fulltexts.all()), key=lambda ft: ft.kind != "report"
    )
    fulltext = fulltexts[0] if fulltexts else None
    return {
        "review": review,
        "study": study,
        "chart": chart,
        "reports": reports,
        "fulltext": fulltext,
        "refusal": refusal,
        "read_only": read_only,
        "entry": entry_form_for(chart, form, read_only=read_only) if form else None,
        "problems": problems,
        "history": chart_history(chart),
        "comparison_ready": membership.is_lead and ready_for_comparison(study),
        "needed": charters_needed(study),
        "save_url": "extraction:chart-save",
        "submit_url": "extraction:chart-submit",
        # The study's coded quotes beside the reader: themes are coded while charting.
        "codes": study_codes_context(review, study, user),
    }


def _settled_chart(study: Study) -> Chart | None:
    """What a viewer may read: the consensus, or a single charter's submitted chart."""
    consensus = consensus_of(study)
    if consensus is not None or charters_needed(study) > 1:
        return consensus
    return next((c for c in reviewer_charts(study) if c.is_done), None)


@login_required
@require_POST
def chart_save(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Autosave (htmx: errors and the new revision out of band) or the page's Save button."""
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    study = _study(review, study_id)
    try:
        chart = start_chart(study=study, by=request.user)
        result = save_or_refuse(
            chart=chart,
            posted=raw_from_post(form_fields(chart.form), request.POST),
            revision=parse_number(request.POST.get("revision", ""), low=0) or 0,
            by=request.user,
        )
    except ChartingRefused as refusal:
        return refused_answer(request, review, study, refusal)
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect("extraction:chart", slug=review.slug, study_id=study.pk)
    fields = form_fields(chart.form)
    return render(
        request,
        "extraction/chart.html#saved",
        {
            "chart": result.chart,
            "errors": result.errors,
            "field_errors": [(f.key, result.errors.get(f.key, "")) for f in fields],
        },
    )


def refused_answer(
    request: HttpRequest, review, study: Study, refusal: ChartingRefused, page="extraction:chart"
) -> HttpResponse:
    """The message of a refused save: in the page's status line (htmx), or after a redirect."""
    status = 409 if isinstance(refusal, StaleSave) else 400
    if request.htmx:
        context = {"message": str(refusal), "stale": isinstance(refusal, StaleSave)}
        return render(request, "extraction/chart.html#refused", context, status=status)
    messages.error(request, str(refusal))
    return redirect(page, slug=review.slug, study_id=study.pk)


@login_required
@require_POST
def chart_submit(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Save what the page holds, then hand the chart in, or list every problem."""
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    study = _study(review, study_id)
    try:
        chart = start_chart(study=study, by=request.user)
        save_or_refuse(
            chart=chart,
            posted=raw_from_post(form_fields(chart.form), request.POST),
            revision=parse_number(request.POST.get("revision", ""), low=0) or 0,
            by=request.user,
        )
    except ChartingRefused as refusal:
        return refused_answer(request, review, study, refusal)
    problems = submit_chart(chart=chart, by=request.user)
    if problems:
        context = _chart_context(review, study, request.user, problems=problems)
        return render(request, "extraction/chart.html", context, status=400)
    messages.success(request, f"Chart of {study.label} submitted.")
    return redirect("extraction:index", slug=review.slug)


@login_required
@require_POST
def study_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the chart of an included report that stands alone (it becomes a study of its own)."""
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    record_id = parse_number(request.POST.get("record", ""))
    try:
        study = study_for_report(review=review, record_id=record_id or 0, by=request.user)
    except ChartingRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("screening:studies", slug=review.slug)
    return redirect("extraction:chart", slug=review.slug, study_id=study.pk)


@login_required
@require_POST
def chart_reopen(request: HttpRequest, slug: str, study_id: int, chart_id: int) -> HttpResponse:
    """The lead reopens a submitted chart so its charter can correct it."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    study = _study(review, study_id)
    chart = get_object_or_404(Chart, study=study, pk=chart_id)
    try:
        reopen_chart(chart=chart, by=request.user)
    except ChartingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        who = chart.charted_by.get_username()
        messages.success(request, f"The chart of {study.label} by {who} is open for changes again.")
    return redirect("extraction:index", slug=review.slug)
