"""Logging in with a cap on failed attempts, so a password cannot be guessed at leisure.

After LOGIN_MAX_FAILURES failed attempts for one username from one address within
LOGIN_LOCKOUT, that pair is refused (even with the right password) until the window passes.
The username is counted as authentication sees it (the form's own cleaning: stripped, NFKC),
so " lead", "lead\\t" or "lead" in full-width letters share one counter with "lead". The count
lives in the database (LoginFailure), which every server process shares.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import LoginFailure


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


def failure_key(username: str, address: str) -> str:
    """The counter's key for a username already normalised as authentication normalises it.
    Case-folded on top: stricter than the (case-sensitive) backend, never looser."""
    return hashlib.sha256(f"{username.casefold()}|{address}".encode()).hexdigest()[:32]


def failures(key: str) -> int:
    """Failed attempts counted on this key in the current window."""
    row = LoginFailure.objects.filter(key=key, expires_at__gt=timezone.now()).first()
    return row.count if row else 0


def count_failure(key: str) -> None:
    """One more failure on this key: a fresh window when the last one has passed. One UPDATE
    with F() so concurrent processes never lose a count."""
    now = timezone.now()
    if LoginFailure.objects.filter(key=key, expires_at__gt=now).update(count=F("count") + 1):
        return
    expires = now + settings.LOGIN_LOCKOUT
    if LoginFailure.objects.filter(key=key).update(count=1, expires_at=expires):
        return  # an expired window, started again
    try:
        with transaction.atomic():
            LoginFailure.objects.create(key=key, count=1, expires_at=expires)
    except IntegrityError:  # another process created it a moment ago
        LoginFailure.objects.filter(key=key).update(count=F("count") + 1)
    LoginFailure.objects.filter(expires_at__lt=now).delete()  # keep the table small


class ThrottledLogin:
    """Mixin for an authentication form: refuses a locked username/address, counts failures."""

    def clean(self):
        # The username field's own cleaning (strip, then NFKC) is what authenticate() gets.
        username = self.fields["username"].to_python(self.data.get("username", ""))
        key = failure_key(username, client_address(self.request))
        if failures(key) >= settings.LOGIN_MAX_FAILURES:
            minutes = round(settings.LOGIN_LOCKOUT.total_seconds() / 60)
            raise ValidationError(
                f"Too many failed attempts for this account from here: try again in "
                f"{minutes} minutes.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            count_failure(key)
            raise
        LoginFailure.objects.filter(key=key).delete()
        return cleaned


class ThrottledAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass
