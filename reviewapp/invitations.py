"""Invitations: how a lead brings people into a review without learning who has an account.

Anyone signed in can start a review and so be a lead; a team form that said "no such user"
would let them probe which usernames and e-mails exist. So a lead invites by what they know
(a username or an e-mail), always gets the same answer, and sees the invitation as they typed
it; the account it matched (if any) sees it on their home page and accepts or declines.
Staff, who can see accounts anyway, still add people and create accounts directly.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from . import services
from .models import Invitation, Membership, Review

User = get_user_model()


def neutral_answer(who: str) -> str:
    """The one answer to every invitation, whether or not an account matched."""
    return f"If an account matches '{who}', it has been invited. Invitations wait on its home page."


class TooManyInvitations(Exception):
    """The lead has sent INVITATIONS_PER_HOUR invitations within the last hour."""


def _only(users) -> AbstractBaseUser | None:
    found = list(users[:2])
    return found[0] if len(found) == 1 else None  # two accounts share it: neither


def _matching_user(who: str, review: Review) -> AbstractBaseUser | None:
    """The one active account `who` names (username, else e-mail), not yet in the team."""
    active = User.objects.filter(is_active=True)
    user = active.filter(username=who).first() or _only(active.filter(username__iexact=who))
    if user is None and "@" in who:
        user = _only(active.filter(email__iexact=who))
    if user is not None and Membership.objects.filter(review=review, user=user).exists():
        return None
    return user


@transaction.atomic
def invite(*, review: Review, who: str, role: str, by: AbstractBaseUser) -> Invitation:
    """Invite whoever `who` names to the review as `role`; the same outcome for the caller
    whether or not anyone matches. Inviting the same name again changes nothing."""
    who = who.strip()
    User.objects.select_for_update().filter(pk=by.pk).first()  # one lead's invitations in turn
    now = timezone.now()
    listed = Invitation.objects.listed_for_lead(review).filter(expires_at__gt=now)
    earlier = listed.filter(invited_as__iexact=who).first()
    if earlier is not None:
        return earlier
    limit = settings.INVITATIONS_PER_HOUR
    sent = Invitation.objects.filter(invited_by=by, created_at__gt=now - timedelta(hours=1))
    if sent.count() >= limit:
        raise TooManyInvitations(
            f"You have sent {limit} invitations in the last hour, the most allowed "
            "(INVITATIONS_PER_HOUR): try again later."
        )
    return Invitation.objects.create(
        review=review,
        invited_as=who,
        user=_matching_user(who, review),
        role=role,
        invited_by=by,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
    )


def _open_invitation_for(user: AbstractBaseUser, invitation_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(pk=invitation_id, user=user, status=Invitation.Status.PENDING)
        .unexpired()
        .select_related("review")
        .first()
    )
    if invitation is None:  # someone else's, answered, revoked or expired: nothing to act on
        raise Http404("No such invitation.")
    return invitation


@transaction.atomic
def accept_invitation(*, invitation_id: int, user: AbstractBaseUser) -> Membership:
    """Join the review as invited (someone already in the team keeps their role)."""
    invitation = _open_invitation_for(user, invitation_id)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    membership = Membership.objects.filter(review=invitation.review, user=user).first()
    if membership is not None:  # added by staff meanwhile
        return membership
    return services.add_member(
        review=invitation.review, user=user, role=invitation.role, by=invitation.invited_by
    )


@transaction.atomic
def decline_invitation(*, invitation_id: int, user: AbstractBaseUser) -> Invitation:
    """Say no; the lead's list keeps showing it until it expires (see listed_for_lead)."""
    invitation = _open_invitation_for(user, invitation_id)
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    return invitation


@transaction.atomic
def revoke_invitation(*, review: Review, invitation_id: int) -> Invitation:
    """Take back an invitation the team page lists (answered or not, expired or not)."""
    invitation = (
        Invitation.objects.listed_for_lead(review)
        .select_for_update(of=("self",))
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    return invitation
