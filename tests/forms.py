"""Form data the tests post, built from the current values so each test names only its change."""

from __future__ import annotations


def review_settings(review, **changes) -> dict:
    """The review settings form's fields ('general' section) as the review stands, changed."""
    data = {
        "title": review.title,
        "ta_reviewers_per_record": str(review.ta_reviewers_per_record),
        "ft_reviewers_per_record": str(review.ft_reviewers_per_record),
        "retrain_every": str(review.retrain_every),
    }
    if review.blind_mode:
        data["blind_mode"] = "on"
    return data | {name: str(value) for name, value in changes.items()}


def settings_post(review, **changes) -> dict:
    """What the settings page posts for its 'general' section."""
    return {"section": "general"} | review_settings(review, **changes)
