"""Middleware of our own (kept small)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended is sent to the login page as a whole page.

    Without this, htmx follows the redirect and puts the login page inside the card being
    swapped (navigation bar and all), and the reviewer's key presses seem to do nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            # Back to the page the reviewer was on (not the fragment's URL) after logging in.
            login = response["Location"].split("?", 1)[0]
            page = request.htmx.current_url_abs_path
            if page:
                login = f"{login}?{urlencode({'next': page})}"
            return HttpResponseClientRedirect(login)
        return response
