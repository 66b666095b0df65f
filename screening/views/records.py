"""All records of a review: search, filters, pagination; one record with every field."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role

from ..forms import RecordFilterForm
from ..models import DuplicatePair, Record
from ..services.dedup import unmark_record

PAGE_SIZE = 50


def filtered_records(review, form: RecordFilterForm):
    records = Record.objects.in_review(review).for_list()
    if not form.is_valid():
        return records
    data = form.cleaned_data
    records = records.search(data["q"] or "")
    if data["source"]:
        records = records.filter(source=data["source"])
    if data["year"] is not None:
        records = records.filter(year=data["year"])
    if data["duplicates"] == "unique":
        records = records.unique()
    elif data["duplicates"] == "duplicate":
        records = records.duplicates()
    return records


@login_required
@require_safe
def record_list(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    form = RecordFilterForm(request.GET or None, review=review)
    page = Paginator(filtered_records(review, form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/records.html",
        {"review": review, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_safe
def record_detail(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug)
    record = get_object_or_404(
        Record.objects.in_review(review).select_related("source", "duplicate_of"), pk=record_id
    )
    pairs = DuplicatePair.objects.filter(
        review=review, duplicate=record
    ) | DuplicatePair.objects.filter(review=review, keep=record)
    return render(
        request,
        "screening/record_detail.html",
        {
            "review": review,
            "record": record,
            "pairs": pairs.select_related("keep", "duplicate", "decided_by"),
            "duplicates": record.duplicates.only("id", "title"),
            "raw": json.dumps(record.raw, indent=2, ensure_ascii=False),
        },
    )


@login_required
@require_POST
def record_unmark(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    record = get_object_or_404(Record.objects.in_review(review), pk=record_id)
    count = unmark_record(record=record, by=request.user)
    messages.success(
        request, f"Unmarked: {count} duplicate link(s) undone; the record stands alone."
    )
    return redirect("screening:record-detail", slug=review.slug, record_id=record.pk)
