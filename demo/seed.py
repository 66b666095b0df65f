"""Idempotent loading of the demo review and users (`manage.py seed_demo`)."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import transaction

from reviewapp.models import ExclusionReason, Membership, Review, ReviewQuestion
from reviewapp.services import create_review, update_criteria

from . import protocol as demo
from .charting import seed_chart_form, seed_codebook
from .cse_records import seed_cse_records
from .open_data import import_demo_records

User = get_user_model()


def _seed_users(password: str | None) -> dict[str, object]:
    """The demo accounts. An existing one keeps its password unless one is given explicitly
    (`make run` seeds on every start: a password its owner changed must not go back to the
    public default)."""
    users = {}
    for username, first, last, _role in demo.USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created or password is not None:
            user.set_password(password or demo.DEFAULT_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


@transaction.atomic
def seed_cse_review(users: dict) -> Review:
    """The protocol review, created once. Once it exists it is the lead's: seeding again never
    touches its protocol, team, questions, criteria or reasons (`make run` seeds every start)."""
    review = Review.objects.filter(slug=demo.SLUG).first()
    return review or _new_review(
        users,
        slug=demo.SLUG,
        fields={
            "title": demo.TITLE,
            "description": demo.DESCRIPTION,
            "notice": demo.NOTICE,
            "population": demo.POPULATION,
            "concept": demo.CONCEPT,
            "context": demo.CONTEXT,
            "search_strategy": demo.SEARCH_STRATEGY,
        },
        questions=demo.QUESTIONS,
        criteria=(demo.INCLUDE_CRITERIA, [], "Protocol (illustrative reconstruction)"),
        reasons=demo.REASONS,
    )


def seed_open_review(users: dict) -> Review:
    """The open-data review, created once; its records are topped up if missing."""
    with transaction.atomic():
        review = Review.objects.filter(slug=demo.OPEN_SLUG).first() or _new_review(
            users,
            slug=demo.OPEN_SLUG,
            fields={
                "title": demo.OPEN_TITLE,
                "description": demo.OPEN_DESCRIPTION,
                "notice": demo.OPEN_NOTICE,
            },
            questions=demo.OPEN_QUESTIONS,
            criteria=(demo.OPEN_INCLUDE, demo.OPEN_EXCLUDE, "Demo"),
            reasons=demo.OPEN_REASONS,
        )
    import_demo_records(review=review, by=users["lead"])
    return review


def _new_review(
    users: dict, *, slug: str, fields: dict, questions, criteria: tuple, reasons
) -> Review:
    """A demo review with its team, questions, criteria (include, exclude, note) and reasons."""
    review = create_review(owner=users["lead"], slug=slug, **fields)
    for username, _first, _last, role in demo.USERS:
        Membership.objects.get_or_create(
            review=review, user=users[username], defaults={"role": role}
        )
    ReviewQuestion.objects.bulk_create(
        ReviewQuestion(review=review, number=number, text=text)
        for number, text in enumerate(questions, start=1)
    )
    include, exclude, note = criteria
    update_criteria(review=review, by=users["lead"], include=include, exclude=exclude, note=note)
    ExclusionReason.objects.bulk_create(
        ExclusionReason(
            review=review,
            code=code,
            label=label,
            number=number,
            at_title_abstract=ta,
            at_retrieval=rt,
            at_full_text=ft,
            note_required=note_required,
        )
        for number, (code, label, ta, rt, ft, note_required) in enumerate(reasons, start=1)
    )
    return review


def seed_demo(*, password: str | None = None) -> Iterator[str]:
    """Create or top up the demo users and reviews; yields a line per thing done."""
    users = _seed_users(password)
    new = not Review.objects.filter(slug=demo.SLUG).exists()
    review = seed_cse_review(users)
    seed_chart_form(review, users["lead"])
    seed_codebook(review, users["lead"])
    if new:  # made-up records go only into a review made now, never into a team's own
        seed_cse_records(review=review, users=users)
    open_review = seed_open_review(users)
    yield (
        f"Review '{review.slug}': {review.questions.count()} questions, a charting form, "
        f"{review.codes.count()} codes and {review.records.count():,} records (made up for the "
        "demo when it was created)."
    )
    yield (
        f"Review '{open_review.slug}': {open_review.records.count():,} records "
        "(Kitchenham et al. 2010, CC-BY 4.0)."
    )
    yield (
        f"Demo logins: {', '.join(users)} (password: {password or demo.DEFAULT_PASSWORD}, "
        "unless changed since)"
    )
