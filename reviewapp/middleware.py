"""Middleware of our own (kept small): htmx login redirects; security headers."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect

from .params import BadParameter


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


def content_security_policy() -> str:
    """The CONTENT_SECURITY_POLICY setting (directive -> sources) as one header value."""
    return "; ".join(
        " ".join([directive, *sources])
        for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
    )


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer, and no caching of what a
    signed-in user is shown.

    The policy lives in settings (CONTENT_SECURITY_POLICY), so every page, those added later
    included, inherits it: a page needing more widens it there, with a reason. A PDF gets no
    CSP: Chromium renders PDFs through a plugin that a CSP meant for pages (object-src 'none')
    would block, and the PDF is served as application/pdf with nosniff, never as a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = content_security_policy()
        self.csp_header = (
            "Content-Security-Policy-Report-Only"
            if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_pdf = response.get("Content-Type", "").startswith("application/pdf")
        if not is_pdf and self.policy:
            response.headers.setdefault(self.csp_header, self.policy)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        # A shared or back-button cache must not keep a reviewer's pages or a review's PDFs:
        # they are behind a login, and another user of the same browser or proxy could read
        # them after the reviewer logs out.
        user = getattr(request, "user", None)
        if is_pdf or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


class BadParameterMiddleware:
    """A number parameter that is not one (reviewapp.params) is a 400 that says which and why,
    as a page, or for htmx as a fragment that takes the place of what was asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadParameter):
            return None
        template = "bad_parameter.html#problem" if request.htmx else "bad_parameter.html"
        return render(request, template, {"message": str(exception)}, status=400)
