"""Writes about a review and its team that touch several rows or enforce a rule."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm

from .models import (
    RESERVED_SLUGS,
    CriteriaVersion,
    EligibilityCriterion,
    Membership,
    Review,
    Role,
    Stage,
)
from .signals import decisions_needed_changed

User = get_user_model()

SCREENING_STAGES = (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT)


def _lock_decision_rules(review: Review) -> None:
    """Wait for the decisions in flight, and hold new ones until this transaction ends.

    Every decision holds the review's row shared while it reads the rules (screening's
    lock_record), so this lock, exclusive of that, is taken before the rules change; decisions
    arriving meanwhile wait and then read the new rules. FOR NO KEY UPDATE: imports (which
    only reference the row) are not held up."""
    Review.objects.select_for_update(no_key=True).filter(pk=review.pk).values_list("pk").get()


@transaction.atomic
def save_review_settings(form: ModelForm) -> Review:
    """Save the review's settings form; if a stage now needs fewer decisions per record, the
    records that have them get their outcome (decisions_needed_changed)."""
    review = form.instance  # validation has already put the new values on it
    stored = Review.objects.get(pk=review.pk)
    lowered = [
        stage
        for stage in SCREENING_STAGES
        if review.reviewers_per_record(stage) < stored.reviewers_per_record(stage)
    ]
    if lowered:
        _lock_decision_rules(review)
    form.save()
    if lowered:
        decisions_needed_changed.send(sender=Review, review=review, stages=lowered)
    return review


def _reviewer_left(review: Review) -> None:
    """A pilot record needs every reviewer: one fewer may complete some."""
    decisions_needed_changed.send(sender=Review, review=review, stages=[Stage.TITLE_ABSTRACT])


@transaction.atomic
def create_review(*, owner: AbstractBaseUser | None, slug: str, title: str, **fields) -> Review:
    """A new review whose creator (if any) is its first lead, with criteria version 1."""
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"'{slug}' is a word the site's addresses use."})
    if Review.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A review with the short name '{slug}' already exists."})
    review = Review(slug=slug, title=title, created_by=owner, **fields)
    review.full_clean()
    review.save()
    if owner is not None:
        Membership.objects.create(review=review, user=owner, role=Role.LEAD, added_by=owner)
    CriteriaVersion.objects.create(review=review, number=1, created_by=owner, note="Created")
    return review


def current_criteria(review: Review) -> CriteriaVersion:
    """The criteria version in force (the latest); decisions record it."""
    version = review.criteria_versions.order_by("-number").first()
    if version is None:  # reviews made outside create_review (e.g. in the admin)
        version = CriteriaVersion.objects.create(review=review, number=1, note="Created")
    return version


def _clean_lines(lines: Sequence[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


@transaction.atomic
def update_criteria(
    *,
    review: Review,
    by: AbstractBaseUser | None,
    include: Sequence[str],
    exclude: Sequence[str],
    note: str = "",
) -> CriteriaVersion:
    """Save edited criteria as a new version; unchanged criteria keep the version in force."""
    # Lock the review row so two leads saving at once get consecutive version numbers.
    Review.objects.select_for_update().filter(pk=review.pk).first()
    current = current_criteria(review)
    include, exclude = _clean_lines(include), _clean_lines(exclude)
    existing = list(current.criteria.order_by("kind", "number").values_list("kind", "text"))
    wanted = [(EligibilityCriterion.Kind.EXCLUDE, t) for t in exclude] + [
        (EligibilityCriterion.Kind.INCLUDE, t) for t in include
    ]  # "exclude" sorts before "include", as in the query above
    if existing == wanted and not note.strip():
        return current  # unchanged (a note alone, e.g. a clarification, makes a version)
    version = CriteriaVersion.objects.create(
        review=review, number=current.number + 1, created_by=by, note=note
    )
    EligibilityCriterion.objects.bulk_create(
        EligibilityCriterion(version=version, kind=kind, number=i, text=text)
        for kind, items in (
            (EligibilityCriterion.Kind.INCLUDE, include),
            (EligibilityCriterion.Kind.EXCLUDE, exclude),
        )
        for i, text in enumerate(items, start=1)
    )
    return version


@transaction.atomic
def add_member(
    *, review: Review, user: AbstractBaseUser, role: str, by: AbstractBaseUser | None
) -> Membership:
    """Add a user to the team; an existing member is refused (change their role instead)."""
    if Membership.objects.filter(review=review, user=user).exists():
        raise ValidationError(f"{user.get_username()} is already in this review's team.")
    return Membership.objects.create(review=review, user=user, role=role, added_by=by)


@transaction.atomic
def create_collaborator(
    *,
    review: Review,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    role: str,
    by: AbstractBaseUser | None,
) -> Membership:
    """Create an account for a collaborator and add them to the team in one step."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username '{username}' is taken."})
    user = User.objects.create_user(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=password,
    )
    return add_member(review=review, user=user, role=role, by=by)


def _lock_leads(review: Review) -> list[int]:
    # Locking every lead row serialises concurrent demotions, so two leads cannot both step
    # down at once and leave the review without one.
    return list(
        Membership.objects.select_for_update()
        .filter(review=review, role=Role.LEAD)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last lead cannot be demoted."""
    leads = _lock_leads(membership.review)
    if membership.role == Role.LEAD and role != Role.LEAD and leads == [membership.pk]:
        raise ValidationError("A review must keep at least one lead: make someone else lead first.")
    leaves = membership.role == Role.REVIEWER and role != Role.REVIEWER
    if leaves:
        _lock_decision_rules(membership.review)
    membership.role = role
    membership.save(update_fields=["role"])
    if leaves:
        _reviewer_left(membership.review)
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    """Remove someone from the team; the last lead cannot be removed."""
    leads = _lock_leads(membership.review)
    if membership.role == Role.LEAD and leads == [membership.pk]:
        raise ValidationError("A review must keep at least one lead: make someone else lead first.")
    leaves = membership.role == Role.REVIEWER
    if leaves:
        _lock_decision_rules(membership.review)
    membership.delete()
    if leaves:
        _reviewer_left(membership.review)
