"""The PRISMA 2020 flow diagram of a review, and its downloads (SVG, JSON, tidy CSV, and the
PRISMA2020 package's template CSV): the same numbers, from screening.prisma."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from reviewapp.access import get_review_for
from screening.prisma import prisma_flow

from ..exports.prisma import prisma_json, write_prisma2020_csv, write_prisma_csv
from ..exports.prisma_svg import Link, prisma_svg

# format -> (file name ending, content type)
DOWNLOADS = {
    "svg": ("prisma.svg", "image/svg+xml"),
    "json": ("prisma.json", "application/json"),
    "csv": ("prisma.csv", "text/csv; charset=utf-8"),
    "prisma2020": ("prisma2020.csv", "text/csv; charset=utf-8"),
}


def records_link(slug: str) -> Link:
    """The records list behind a number: `?box=` (and `&label=` for a source or a reason)."""
    base = reverse("screening:records", kwargs={"slug": slug})

    def link(box: str, label: str | None) -> str:
        return f"{base}?{urlencode({'box': box, **({'label': label} if label else {})})}"

    return link


@login_required
@require_safe
def prisma_page(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    flow = prisma_flow(review, blind=review.membership.is_blind)
    # prisma_svg escapes every text it draws, so the document is safe to embed as it is.
    svg = mark_safe(prisma_svg(flow, link=records_link(review.slug), title=review.title))  # noqa: S308
    return render(
        request,
        "extraction/prisma.html",
        {"review": review, "svg": svg, "rows": flow.table(), "downloads": DOWNLOADS},
    )


@login_required
@require_safe
def prisma_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    if fmt not in DOWNLOADS:
        raise Http404("No such PRISMA download.")
    flow = prisma_flow(review, blind=review.membership.is_blind)
    if fmt == "svg":
        body = prisma_svg(flow, title=review.title)
    elif fmt == "json":
        body = prisma_json(flow) + "\n"
    else:
        buffer = io.StringIO()
        (write_prisma_csv if fmt == "csv" else write_prisma2020_csv)(buffer, flow)
        body = buffer.getvalue()
    ending, content_type = DOWNLOADS[fmt]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-{ending}"'
    return response
