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
from ..services.jobs import (
    delete_refused_import,
    fail_lost_imports,
    queue_import,
    refuse_upload,
    retry_import,
)
from ..services.uploads import upload_problem


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
                jobs = [
                    _queue_or_refuse(request, review, form, f) for f in form.cleaned_data["files"]
                ]
            _report_outcomes(request, [job.pk for job in jobs])
            return redirect("screening:sources", slug=review.slug)
    rows = review.sources.select_related("imported_by").annotate(
        duplicates=Count("records", filter=Q(records__duplicate_of__isnull=False))
    )
    fail_lost_imports(review=review)  # a job whose worker died shows failed, with "try again"
    jobs = ImportJob.objects.filter(review=review).select_related("created_by", "source")
    failed = Q(status=ImportJob.Status.FAILED)
    return render(
        request,
        "screening/sources.html",
        {
            "review": review,
            "sources": rows,
            "jobs": jobs.exclude(failed)[:20],
            # Kept apart, folded away: they are out of the search log and of every count.
            "refused": jobs.filter(failed)[:100],
            "form": form,
            # A browser cannot keep a chosen file across the answer: say so, by name.
            "choose_again": [f.name for f in request.FILES.getlist("files")]
            if form.is_bound
            else [],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _queue_or_refuse(request: HttpRequest, review, form: UploadForm, upload) -> ImportJob:
    """Queue the file's import, or refuse it on sight if it is plainly not a search export."""
    fields = _source_fields(form.cleaned_data)
    problem = upload_problem(upload)
    if problem:
        return refuse_upload(
            review=review,
            file_name=upload.name,
            problem=problem,
            source_fields=fields,
            by=request.user,
        )
    return queue_import(
        review=review,
        upload=upload,
        source_fields=fields,
        by=request.user,
        fmt=form.cleaned_data["file_format"],
        force=form.cleaned_data["force"],
    )


def _report_outcomes(request: HttpRequest, job_ids: list[int]) -> None:
    """One message per file, saying what happened: refused (why), done, or queued. A worker
    that ran at once (or an eager test run) has already settled the job."""
    for job in ImportJob.objects.filter(pk__in=job_ids).order_by("pk"):
        _say_outcome(request, job)


def _say_outcome(request: HttpRequest, job: ImportJob) -> None:
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
    if request.htmx and not job.is_active:
        # Settled while the page watched: reload once, with the outcome as the page's one
        # message (the "queued" one is gone); a refused file moves to the refused list.
        _say_outcome(request, job)
        response["HX-Refresh"] = "true"
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


@login_required
@require_POST
def import_delete(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    job = get_object_or_404(ImportJob, review=review, pk=job_id)
    try:
        with transaction.atomic():
            delete_refused_import(job=job)
    except ImportRejected as error:
        messages.error(request, str(error))
    else:
        messages.info(request, f"{job.file_name}: taken off the refused files.")
    return redirect("screening:sources", slug=review.slug)
