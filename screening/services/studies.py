"""Reports and studies: the lead links several records (reports) to one study."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from reviewapp.models import Review

from ..models import Record, Study


@transaction.atomic
def link_reports(
    *,
    review: Review,
    record_ids: Iterable[int],
    by: AbstractBaseUser,
    study: Study | None = None,
    new_label: str = "",
) -> Study:
    """Put the records under one study (an existing one, or a new one with this label)."""
    if study is None:
        study = Study.objects.create(
            review=review, label=new_label.strip() or "Study", created_by=by
        )
    elif study.review_id != review.pk:
        raise ValueError("That study belongs to another review.")
    Record.objects.in_review(review).filter(pk__in=list(record_ids)).update(study=study)
    return study


@transaction.atomic
def unlink_report(*, review: Review, record_id: int) -> None:
    """A report stands for a study of its own again; empty studies are removed."""
    Record.objects.in_review(review).filter(pk=record_id).update(study=None)
    Study.objects.filter(review=review, reports__isnull=True).delete()
