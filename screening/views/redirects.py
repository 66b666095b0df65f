"""Where a form goes back to after a POST."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request: HttpRequest, fallback: str, **kwargs) -> HttpResponseRedirect:
    """Redirect to the form's `next` (the list it was posted from, filters kept), if it is a
    page of this site; else to `fallback` (a URL name and its kwargs). A `next` pointing
    elsewhere is never followed: a forged form must not send a lead off the site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, **kwargs)
