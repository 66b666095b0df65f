"""Error pages in the site's layout (400, 403, 404; 500 is Django's own, on templates/500.html), and
the favicon's old address.

An htmx request gets the page's fragment: htmx swaps 4xx answers into the card (base.html's
htmx-config), and a whole page there would nest the navigation bar inside the card.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe


def _error(request: HttpRequest, name: str, status: int, context: dict) -> HttpResponse:
    fragment = getattr(request, "htmx", False)
    template = f"{name}#problem" if fragment else name
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: the message of a malformed request is Django's, not ours: not shown."""
    return _error(request, "400.html", 400, {})


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403, for members only (outsiders get 404): our own message names the role needed."""
    return _error(request, "403.html", 403, {"reason": str(exception)})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404, the same for a review that does not exist and one the user may not see."""
    return _error(request, "404.html", 404, {})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked for where a page names no icon (a PDF): the site's icon, not a 404."""
    return redirect(static("favicon.svg"), permanent=True)
