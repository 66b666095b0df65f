"""Sources: the search log, uploads, and import jobs the page polls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role

from ..forms import UploadForm
from ..models import ImportJob
from ..services.imports import ImportRejected, SourceFields
from ..services.jobs import fail_lost_imports, queue_import, retry_import


def _source_fields(data: dict) -> SourceFields:
    return SourceFields(
        name=data["name"],
        method=data["method"],
        other_kind=data["other_kind"],
        platform=data["platform"],
        searched_on=data["searched_on"],
        search_string=data["search_string"],
        notes=data["notes"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def sources(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not review.membership.is_lead:
            raise PermissionDenied("Only a lead imports search results.")
        if form.is_valid():
            with transaction.atomic():
                queued = [
                    queue_import(
                        review=review,
                        upload=upload,
                        source_fields=_source_fields(form.cleaned_data),
                        by=request.user,
                        fmt=form.cleaned_data["file_format"],
                        force=form.cleaned_data["force"],
                    )
                    for upload in form.cleaned_data["files"]
                ]
            _report_outcomes(request, [job.pk for job in queued])
            return redirect("screening:sources", slug=review.slug)
    rows = review.sources.select_related("imported_by").annotate(
        duplicates=Count("records", filter=Q(records__duplicate_of__isnull=False))
    )
    fail_lost_imports(review=review)  # a job whose worker died shows failed, with "try again"
    jobs = ImportJob.objects.filter(review=review).select_related("created_by", "source")[:20]
    return render(
        request,
        "screening/sources.html",
        {"review": review, "sources": rows, "jobs": jobs, "form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _report_outcomes(request: HttpRequest, job_ids: list[int]) -> None:
    """One message per file, saying what happened: refused (why), done, or queued. A worker
    that ran at once (or an eager test run) has already settled the job."""
    for job in ImportJob.objects.filter(pk__in=job_ids).order_by("pk"):
        if job.status == ImportJob.Status.FAILED:
            messages.error(request, f"Refused: {job.message}")
        elif job.status == ImportJob.Status.DONE:
            messages.success(request, f"{job.file_name}: {job.message}")
        else:
            messages.info(request, f"{job.file_name}: queued for import; progress shows below.")


@login_required
@require_safe
def import_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug)
    job = get_object_or_404(ImportJob.objects.select_related("source"), review=review, pk=job_id)
    response = render(request, "screening/sources.html#job", {"review": review, "job": job})
    if request.htmx and not job.is_active and job.status == ImportJob.Status.DONE:
        response["HX-Refresh"] = "true"  # the sources table and counts changed: reload once
    return response


@login_required
@require_POST
def import_retry(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    job = get_object_or_404(ImportJob, review=review, pk=job_id)
    try:
        with transaction.atomic():
            retry_import(job=job, by=request.user)
    except ImportRejected as error:
        messages.error(request, str(error))
    else:
        messages.info(request, f"{job.file_name}: imported again; progress shows below.")
    return redirect("screening:sources", slug=review.slug)
