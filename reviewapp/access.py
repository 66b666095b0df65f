"""The only way to fetch a review (and so anything inside it) for a user.

Non-members get 404, never 403: a review's existence is itself private. Members whose role is
too low for the action get 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, Review, Role


def get_membership_for(
    user: AbstractBaseUser | AnonymousUser, slug: str, *, role: str = Role.VIEWER
) -> Membership:
    """The user's membership of the review `slug`, at least `role`; 404 for non-members."""
    if not user.is_authenticated:
        raise Http404("No such review.")
    membership = Membership.objects.select_related("review").filter(review__slug=slug, user=user)
    membership = membership.order_by().first()
    if membership is None:
        raise Http404("No such review.")
    membership.user = user  # already loaded by the session: no join for it
    if not membership.has_role(role):
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role in this review.")
    return membership


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
