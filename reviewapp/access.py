"""The only way to fetch a review (and so anything inside it) for a user.

Non-members get 404, never 403: a review's existence is itself private. Members whose role is
too low for the action get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.functional import empty

from .models import Membership, Review, Role
from .prepared import prepared_rows
from .sqljson import instance_from_row


def get_membership_for(
    user: AbstractBaseUser | AnonymousUser, slug: str, *, role: str = Role.VIEWER
) -> Membership:
    """The user's membership of the review `slug`, at least `role`; 404 for non-members."""
    if not user.is_authenticated:
        raise Http404("No such review.")
    return _check_role(_membership(user, slug, {}), user, role)


def get_review_for(
    user: AbstractBaseUser | AnonymousUser, slug: str, *, role: str = Role.VIEWER
) -> Review:
    """The review `slug` if the user belongs to it with at least `role`; `review.membership` set."""
    membership = get_membership_for(user, slug, role=role)
    review = membership.review
    review.membership = membership  # type: ignore[attr-defined]
    return review


def memberships_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The user's memberships (one per review they belong to), reviews loaded."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("review").order_by("review__title")


# ---------------------------------------------------------------------------------- hot path
# Screening asks for the same three rows on every decision: the session's user, their
# membership and the review. Django's login_required loads the user (one query), then the
# membership and review follow (another): here they come in one, with whatever the view asks to
# ride along (`extra`, annotations on the membership row).


class SignInRequired(Exception):
    """The session names no valid user (signed out, password changed, account disabled)."""


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required for views that fetch their review with `member_review`: the session must
    name a user, whom member_review loads with the membership (not before, as login_required)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if SESSION_KEY not in request.session:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except SignInRequired:
            return redirect_to_login(request.get_full_path())

    return wrapper


def member_review(
    request: HttpRequest, slug: str, *, role: str = Role.VIEWER, extra: dict[str, str] | None = None
) -> Review:
    """get_review_for(request.user, ...) in one query, user included; `extra` names SQL columns
    (scalar subqueries of this code's own, over "reviewapp_membership") that ride along, set on
    review.membership. The checks are Django's own (session
    hash, active account); anything unusual takes the ordinary path, which has them all."""
    membership = _user_with_membership(request, slug, extra or {})
    if membership is None:
        if not request.user.is_authenticated:
            raise SignInRequired
        membership = _membership(request.user, slug, extra or {})
    membership = _check_role(membership, request.user, role)
    review = membership.review
    review.membership = membership  # type: ignore[attr-defined]
    return review


def _membership(user, slug: str, extra: dict[str, str]) -> Membership | None:
    rows = Membership.objects.select_related("review").filter(review__slug=slug, user=user)
    columns = {name: RawSQL(sql, []) for name, sql in extra.items()}  # noqa: S611  (our SQL)
    return rows.annotate(**columns).order_by().first()  # already loaded by the session: no join


def _check_role(membership: Membership | None, user, role: str) -> Membership:
    if membership is None:
        raise Http404("No such review.")
    membership.user = user  # the request's own object
    if not membership.has_role(role):
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role in this review.")
    return membership


def _user_with_membership(
    request: HttpRequest, slug: str, extra: dict[str, str]
) -> Membership | None:
    """The membership with its user and review, the user checked as django.contrib.auth.get_user
    checks them and set on the request; None to take the ordinary path instead."""
    lazy = request.user
    if getattr(lazy, "_wrapped", None) is not empty:
        return None  # already loaded (a middleware asked): nothing to save
    session = request.session
    backend = session.get(BACKEND_SESSION_KEY)
    if backend not in settings.AUTHENTICATION_BACKENDS or not _is_model_backend(backend):
        return None
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
    except (KeyError, ValidationError):
        return None
    rows = prepared_rows(_member_sql(tuple(extra.items())), [slug, user_id])
    if not rows:
        return None  # not a member, or no such user: the ordinary path says which
    membership = _member_from_row(rows[0], list(extra))
    user = membership.user
    stored_hash = session.get(HASH_SESSION_KEY) or ""
    if not user.is_active or not constant_time_compare(stored_hash, user.get_session_auth_hash()):
        return None  # a fallback key to rotate, or a session to end: get_user does both
    request.user = request._cached_user = user  # type: ignore[attr-defined]
    return membership


@cache
def _member_columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


@cache
def _member_sql(extra: tuple[tuple[str, str], ...]) -> str:
    """The membership, its review and its user in one row (params: slug, user id), then the
    `extra` columns. Aliases are the tables' names, as the ORM's, so `extra` SQL reads alike."""
    quote = connection.ops.quote_name
    tables = [quote(m._meta.db_table) for m in (Membership, Review, get_user_model())]
    columns = [
        f"{table}.{quote(model._meta.get_field(name).column)}"
        for table, model in zip(tables, (Membership, Review, get_user_model()), strict=True)
        for name in _member_columns(model)
    ]
    member, review, user = tables
    return (
        f"SELECT {', '.join(columns + [sql for _, sql in extra])} FROM {member} "  # noqa: S608
        f"JOIN {review} ON {review}.id = {member}.review_id "
        f"JOIN {user} ON {user}.id = {member}.user_id WHERE {review}.slug = %s "
        f"AND {member}.user_id = %s"
    )


def _member_from_row(row: tuple, extra: list[str]) -> Membership:
    values = iter(row)
    made = []
    for model in (Membership, Review, get_user_model()):
        names = _member_columns(model)
        made.append(instance_from_row(model, names, [next(values) for _ in names]))
    membership, membership.review, membership.user = made
    for name in extra:
        setattr(membership, name, next(values))
    return membership


def _is_model_backend(path: str) -> bool:
    from django.contrib.auth import load_backend

    return isinstance(load_backend(path), ModelBackend)
