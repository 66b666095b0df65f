"""Reports and studies: the lead links several records (reports) to one study."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef

from reviewapp.models import Review

from ..models import Record, Study


@transaction.atomic
def link_reports(
    *,
    review: Review,
    record_ids: Iterable[int],
    by: AbstractBaseUser | None,
    study: Study | None = None,
    new_label: str = "",
) -> Study:
    """Put the records under one study (an existing one, or a new one with this label; without
    one, the first report's first author and year, as studies are usually cited)."""
    records = Record.objects.in_review(review).filter(pk__in=list(record_ids))
    if study is None:
        label = new_label.strip() or _cited_as(records.order_by("id").first())
        study = Study.objects.create(review=review, label=label, created_by=by)
    elif study.review_id != review.pk:
        raise ValueError("That study belongs to another review.")
    records.update(study=study)
    # A study whose every report moved to this one is gone, as when its last report is unlinked.
    _empty_studies(review).exclude(pk=study.pk).delete()
    return study


def _cited_as(record: Record | None) -> str:
    """'Smith 2013' for the first report's first author and year (as far as they are known)."""
    if record is None:
        return "Study"
    surname = record.authors[0].split(",")[0].strip() if record.authors else ""
    parts = [surname or (record.title[:40].strip() if record.title else ""), str(record.year or "")]
    label = " ".join(part for part in parts if part) or f"Study of record #{record.number}"
    return label[: Study._meta.get_field("label").max_length]  # a long group author fits


@transaction.atomic
def unlink_report(*, review: Review, record_id: int) -> None:
    """A report stands for a study of its own again; empty studies are removed."""
    Record.objects.in_review(review).filter(pk=record_id).update(study=None)
    _empty_studies(review).delete()


def _empty_studies(review: Review):
    # A study someone charted or coded stays even without reports: deleting it would delete the
    # charts, coded quotes and the quotes' history (research data) with it. Named by the reverse
    # relation or the app registry only, so screening never imports extraction.
    history = apps.get_model("extraction", "CodedQuoteChange").objects.filter(study=OuterRef("pk"))
    return Study.objects.filter(
        review=review, reports__isnull=True, charts__isnull=True, coded_quotes__isnull=True
    ).exclude(Exists(history))
