"""Full-text retrieval: per-record uploads, links and 'not retrieved'; bulk PDFs; the PDF view."""

from __future__ import annotations

import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role
from reviewapp.params import number_param

from ..byteranges import file_response
from ..forms import NOTE_MAX_CHARS, MultipleFileField
from ..models import FullText
from ..services.fulltext import (
    RetrievalError,
    assign_fulltext,
    attach_pdf,
    attach_url,
    bulk_attach,
    download_name,
    mark_not_retrieved,
    remove_fulltext,
    reset_retrieval,
    sought_records,
)
from .redirects import back_to

RETRIEVAL_FILTERS = {"pending": "", "retrieved": "retrieved", "not_retrieved": "not_retrieved"}


@login_required
@require_safe
def fulltexts(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    records = sought_records(review).prefetch_related("fulltexts").order_by("id")
    wanted = request.GET.get("retrieval", "")
    if wanted in RETRIEVAL_FILTERS:
        records = records.filter(retrieval=RETRIEVAL_FILTERS[wanted])
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    unassigned = FullText.objects.filter(review=review, record__isnull=True)
    return render(
        request,
        "screening/fulltexts.html",
        {
            "review": review,
            "page": page,
            "query": f"retrieval={wanted}" if wanted else "",
            "wanted": wanted,
            "unassigned": unassigned,
            "sought": sought_records(review).only("id", "number", "title"),
        },
    )


def _retrieval_action(request: HttpRequest, review, record) -> str:
    """Carry out the posted retrieval action on the record; what was done (RetrievalError when
    it cannot be)."""
    action = request.POST.get("action")
    if action == "upload" and request.FILES.get("file"):
        kind = request.POST.get("kind") or FullText.Kind.REPORT
        if kind not in FullText.Kind.values:
            raise RetrievalError("Choose main report or supplement.")
        attach_pdf(
            review=review, record=record, upload=request.FILES["file"], kind=kind, by=request.user
        )
        return f"PDF added to record #{record.number}."
    if action == "url" and request.POST.get("url", "").startswith(("http://", "https://")):
        attach_url(review=review, record=record, url=request.POST["url"], by=request.user)
        return f"Link added to record #{record.number}."
    if action == "not_retrieved":
        note = request.POST.get("note", "")
        if len(note) > NOTE_MAX_CHARS:
            raise RetrievalError(
                f"A note holds at most {NOTE_MAX_CHARS:,} characters; this one has "
                f"{len(note):,}. Shorten it and mark the record again."
            )
        mark_not_retrieved(review=review, record=record, note=note)
        return f"Record #{record.number} marked not retrieved."
    if action == "reset":
        reset_retrieval(review=review, record=record)
        return f"Record #{record.number} is sought again."
    raise RetrievalError("Choose a PDF file, a link starting with http(s)://, or a note.")


@login_required
@require_POST
def fulltext_record(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    record = get_object_or_404(sought_records(review), pk=record_id)
    try:
        done = _retrieval_action(request, review, record)
        messages.success(request, done)
    except RetrievalError as error:
        messages.error(request, str(error))
    return back_to(request, "screening:fulltexts", slug=review.slug)


@login_required
@require_POST
def fulltext_remove(request: HttpRequest, slug: str, fulltext_id: int) -> HttpResponse:
    """The lead takes off a file or link attached to the wrong record."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    fulltext = get_object_or_404(FullText, review=review, pk=fulltext_id)
    label = fulltext.original_name or fulltext.url
    try:
        remove_fulltext(review=review, fulltext=fulltext)
        messages.success(request, f"Removed {label}.")
    except RetrievalError as error:
        messages.error(request, str(error))
    return back_to(request, "screening:fulltexts", slug=review.slug)


@login_required
@require_POST
def fulltext_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    field = MultipleFileField()
    try:
        uploads = field.clean(request.FILES.getlist("files"))
        outcome = bulk_attach(review=review, uploads=uploads, by=request.user)
    except (RetrievalError, ValidationError, zipfile.BadZipFile) as error:
        messages.error(request, f"Nothing was stored: {error}")
        return redirect("screening:fulltexts", slug=review.slug)
    messages.success(
        request,
        f"{len(outcome.matched)} PDF(s) matched to records by DOI/PMID; "
        f"{len(outcome.unmatched)} left for the lead to assign.",
    )
    for problem in outcome.rejection_summary():
        messages.error(request, problem)
    return redirect("screening:fulltexts", slug=review.slug)


@login_required
@require_POST
def fulltext_assign(request: HttpRequest, slug: str, fulltext_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    fulltext = get_object_or_404(FullText, review=review, pk=fulltext_id, record__isnull=True)
    record_id = number_param(request.POST, "record")
    record = sought_records(review).filter(pk=record_id).first() if record_id else None
    if record is None:
        messages.error(request, "Choose one of the records sought for full text.")
    else:
        assign_fulltext(review=review, fulltext=fulltext, record=record)
        messages.success(request, f"{fulltext.original_name} assigned to record #{record.number}.")
    return redirect("screening:fulltexts", slug=review.slug)


@login_required
@require_safe
@xframe_options_sameorigin
def fulltext_file(request: HttpRequest, slug: str, fulltext_id: int) -> HttpResponse:
    """The PDF, only for members of its review (never a public media URL), shown inline."""
    review = get_review_for(request.user, slug)
    fulltext = get_object_or_404(FullText, review=review, pk=fulltext_id)
    if not fulltext.file:
        return redirect(fulltext.url)
    return pdf_response(request, fulltext)


def pdf_response(request: HttpRequest, fulltext: FullText) -> HttpResponse:
    """The PDF, whole or by the byte range pdf.js asks for (see screening/byteranges.py)."""
    response = file_response(
        request, fulltext.file, "application/pdf", download_name(fulltext.original_name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def fulltext_read(request: HttpRequest, slug: str, fulltext_id: int) -> HttpResponse:
    """One PDF in the app's reader (search results open it at their page: #page=N)."""
    review = get_review_for(request.user, slug)
    fulltext = get_object_or_404(
        FullText.objects.select_related("record").exclude(file=""), review=review, pk=fulltext_id
    )
    return render(request, "screening/fulltext_read.html", {"review": review, "fulltext": fulltext})
