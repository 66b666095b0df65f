"""What the dashboard shows; the only place (with urls.py) that reads upward into the apps."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from screening.queries import review_progress

from .models import Review
from .services import current_criteria


def dashboard_context(review: Review, user: AbstractBaseUser) -> dict:
    """Everything the dashboard template needs, in a fixed number of queries."""
    criteria = current_criteria(review)
    blind = review.membership.is_blind
    return {
        "review": review,
        "questions": list(review.questions.all()),
        "members": list(
            review.memberships.select_related("user").order_by("role", "user__username")
        ),
        "criteria_version": criteria,
        "criteria": list(criteria.criteria.order_by("-kind", "number")),  # inclusion first
        "reasons": list(review.reasons.filter(active=True)),
        "progress": review_progress(review, user, blind=blind),
        "blind": blind,
    }
