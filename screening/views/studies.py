"""Included reports grouped into studies (PRISMA: included studies vs reports)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reviewapp.access import get_review_for
from reviewapp.params import number_list_param, parse_number

from ..models import StageStatus, Study
from ..services.fulltext import sought_records
from ..services.studies import link_reports, unlink_report


def included_reports(review):
    # Through the sought records, as PRISMA counts them: the same set, whatever happens.
    return sought_records(review).filter(ft_status=StageStatus.INCLUDE)


@login_required
@require_http_methods(["GET", "POST"])
def studies(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    if request.method == "POST":
        if not review.membership.is_lead:
            raise PermissionDenied("Only a lead links reports to studies.")
        _link_or_unlink(request, review)
        return redirect("screening:studies", slug=review.slug)
    reports = included_reports(review).select_related("study").order_by("study__label", "id")
    # The chart column reads each study's charts (extraction's reverse relation), loaded at once.
    reports = reports.prefetch_related("study__charts")
    return render(
        request,
        "screening/studies.html",
        {
            "review": review,
            "reports": reports,
            # A study whose reports were all excluded since is not one to link to.
            "studies": review.studies.filter(reports__in=included_reports(review)).distinct(),
        },
    )


def _link_or_unlink(request: HttpRequest, review) -> None:
    """The lead's action on the ticked reports: link them to a study, or let them stand alone."""
    ids = number_list_param(request.POST, "records")
    # The study list's "new study" choice is not a number: anything else than one means a new
    # study (as before), never a 500.
    chosen = parse_number(request.POST.get("study", ""))
    allowed = list(included_reports(review).filter(pk__in=ids).values_list("pk", flat=True))
    if not allowed:
        messages.error(request, "Select reports included at full text.")
    elif request.POST.get("action") == "unlink":
        for record_id in allowed:
            unlink_report(review=review, record_id=record_id)
        messages.success(request, f"{len(allowed)} report(s) now stand as their own study.")
    else:
        study = link_reports(
            review=review,
            record_ids=allowed,
            by=request.user,
            study=Study.objects.filter(review=review, pk=chosen).first() if chosen else None,
            new_label=request.POST.get("label", ""),
        )
        messages.success(request, f"{len(allowed)} report(s) linked to '{study.label}'.")
