"""Export jobs: start one, watch its progress, download the finished file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reviewapp.access import get_review_for

from ..exports.kinds import CONTENT_TYPES
from ..forms import ExportForm
from ..models import ExportJob
from ..services.exports import (
    ExportRefused,
    export_file,
    fail_lost_exports,
    retry_export,
    start_export,
)

RECENT = 30


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            start_export(
                review=review,
                kind=form.cleaned_data["kind"],
                fmt=form.cleaned_data["fmt"],
                by=request.user,
                options={
                    "bom": form.cleaned_data["bom"],
                    "per_reviewer": form.cleaned_data["per_reviewer"],
                },
            )
        except ExportRefused as error:
            form.add_error(None, str(error))
        else:
            messages.info(request, "Export queued: its progress shows below.")
            return redirect("extraction:exports", slug=review.slug)
    fail_lost_exports(review=review)  # a job whose worker died shows failed, with "Try again"
    jobs = ExportJob.objects.visible_to(review.membership)[:RECENT]
    return render(
        request,
        "extraction/exports.html",
        {"review": review, "jobs": jobs, "form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_safe
def export_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """One job's row: what the page polls while the job is queued or running."""
    review = get_review_for(request.user, slug)
    fail_lost_exports(review=review)
    job = get_object_or_404(ExportJob.objects.visible_to(review.membership), pk=job_id)
    return render(request, "extraction/exports.html#job", {"review": review, "job": job})


@login_required
@require_safe
def export_download(request: HttpRequest, slug: str, job_id: int) -> FileResponse:
    """The finished file, as an attachment; 404 until the job is done (never a partial file)."""
    review = get_review_for(request.user, slug)
    job = get_object_or_404(ExportJob.objects.visible_to(review.membership), pk=job_id)
    path = export_file(job)
    if path is None:
        raise Http404("This export has no file.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def export_retry(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """Run a failed job again, as the person who asked for it (so blind mode still holds)."""
    review = get_review_for(request.user, slug)
    job = get_object_or_404(ExportJob.objects.visible_to(review.membership), pk=job_id)
    try:
        retry_export(job=job)
    except ExportRefused as error:
        messages.error(request, str(error))
    else:
        messages.info(request, "Export queued again: its progress shows below.")
    return redirect("extraction:exports", slug=review.slug)
