"""Logging in with a cap on failed attempts, so a password cannot be guessed at leisure.

After LOGIN_MAX_FAILURES failed attempts for one username from one address within
LOGIN_LOCKOUT, that pair is refused (even with the right password) until the window passes.
The count lives in Django's cache: with the default per-process cache each server process
counts on its own, which still caps guessing at a few dozen tries per window.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError


def client_address(request) -> str:
    """The address a request came from. Behind proxies (FORWARDED_FOR_HOPS of them, each adding
    the address it saw to X-Forwarded-For) REMOTE_ADDR is the nearest proxy's, the same for
    everyone: counting by it would let anyone lock any account out."""
    if request is None:
        return ""
    hops = settings.FORWARDED_FOR_HOPS
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]  # written by our outermost proxy: a client cannot forge it
    return request.META.get("REMOTE_ADDR", "")


def _key(request, username: str) -> str:
    address = client_address(request)
    digest = hashlib.sha256(f"{username.casefold()}|{address}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


class ThrottledLogin:
    """Mixin for an authentication form: refuses a locked username/address, counts failures."""

    def clean(self):
        username = self.data.get("username", "")
        key = _key(self.request, username)
        if cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES:
            minutes = round(settings.LOGIN_LOCKOUT.total_seconds() / 60)
            raise ValidationError(
                f"Too many failed attempts for this account from here: try again in "
                f"{minutes} minutes.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if cache.add(key, 1, settings.LOGIN_LOCKOUT.total_seconds()) is False:
                cache.incr(key)
            raise
        cache.delete(key)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass
