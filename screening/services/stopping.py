"""The lead's stopping decision: a suggestion from two signals, and excluding the remainder by a
stated rule, which PRISMA reports as automation and which can be undone.

The suggestion (README, "Prioritised screening") is only a suggestion and needs both signals,
measured by each ranking run (services.prioritise): the last N title/abstract decisions were
all excludes (N = max(100, 5 % of the records)), and the model estimates less than one relevant
record among those left.

N was max(50, 5 %) until bench/prioritise.py --stopping replayed it on the 16 labelled reviews
(issue #14): on cohen2006_antihistamines (310 records, 15 relevant after the priors, a review the
model ranks no better than chance) 50 excludes in a row came by chance, with the estimate below
one, after 270 records, at 93 % recall. At least 100 in a row never fired below 95 % recall on
any of the 16 (figures in the bench's docstring); it costs a little of the work saved elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from reviewapp.models import Review, Stage

from ..models import (
    ExclusionRule,
    RankingRun,
    Record,
    Resolution,
    ScreeningEvent,
    StageStatus,
    Verdict,
)
from .decisions import ScreeningError

TA = Stage.TITLE_ABSTRACT
# The fewest excludes in a row the suggestion asks for, however small the review (see above).
MIN_EXCLUDES_IN_A_ROW = 100


@dataclass(frozen=True)
class Suggestion:
    stop: bool
    needed_excludes: int
    text: str


def stopping_suggestion(
    run: RankingRun | None,
    unique_records: int,
    unscreened: int | None = None,
    *,
    decisions_per_record: int = 1,
) -> Suggestion:
    """Whether stopping looks reasonable (see the module docstring and the README).

    The rule was measured in records (bench/prioritise.py --stopping, one decision a record);
    the run it reads counts decisions, so with two reviewers a record it asks for twice as
    many (else it would fire after half the records it was checked on)."""
    records = max(MIN_EXCLUDES_IN_A_ROW, math.ceil(0.05 * unique_records))
    needed = records * max(1, decisions_per_record)
    if unscreened == 0:  # the run's estimate is about records that have since been screened
        return Suggestion(False, needed, "Nothing is left unscreened: there is nothing to stop.")
    if run is None or run.state != RankingRun.State.READY:
        return Suggestion(False, needed, "No suggestion until the model has ranked the records.")
    low_estimate = run.estimated_remaining is not None and run.estimated_remaining < 1
    if run.consecutive_excludes >= needed and low_estimate:
        return Suggestion(
            True,
            needed,
            f"The last {run.consecutive_excludes} decisions were excludes (the rule asks for "
            f"{needed}) and the model expects {run.estimated_remaining:.1f} relevant records "
            "among those left: stopping may be reasonable. It is your call.",
        )
    return Suggestion(
        False,
        needed,
        f"Keep screening: {run.consecutive_excludes} excludes in a row of the {needed} the rule "
        f"asks for; the model expects {run.estimated_remaining or 0:.1f} relevant records left.",
    )


@transaction.atomic
def exclude_remaining(*, review: Review, lead: AbstractBaseUser, rule: str) -> ExclusionRule:
    """Exclude every record nobody has screened yet, by the lead's stated stopping rule.

    Records with a decision already (half-decided, conflicts) are left to people."""
    rule = rule.strip()
    if not rule:
        raise ScreeningError("State the stopping rule; it is reported with the PRISMA counts.")
    untouched = (
        Record.objects.in_review(review)
        .unique()
        .filter(ta_status=StageStatus.OPEN, ta_count=0)
        .select_for_update()
        .order_by("id")
    )
    ids = list(untouched.values_list("pk", flat=True))  # locked: nobody decides them meanwhile
    if not ids:
        raise ScreeningError("No unscreened records are left to exclude.")
    latest = RankingRun.objects.filter(review=review, state=RankingRun.State.READY).first()
    applied = ExclusionRule.objects.create(
        review=review, rule=rule, run=latest, applied_by=lead, excluded=len(ids)
    )
    now = timezone.now()
    Resolution.objects.bulk_create(
        Resolution(
            review=review,
            record_id=pk,
            stage=TA,
            value=Verdict.EXCLUDE,
            note=rule,
            resolved_by=lead,
            resolved_at=now,
            rule=applied,
        )
        for pk in ids
    )
    _history(review, ids, lead, ScreeningEvent.Kind.AUTOMATION, rule, value=Verdict.EXCLUDE, at=now)
    Record.objects.filter(pk__in=ids).update(ta_status=StageStatus.EXCLUDE)
    return applied


@transaction.atomic
def undo_rule(*, review: Review, lead: AbstractBaseUser, rule_id: int) -> int:
    """Take a stopping rule back: its records need screening again (returns how many unique
    records do)."""
    rule = (
        ExclusionRule.objects.select_for_update()
        .filter(review=review, pk=rule_id, undone_at__isnull=True)
        .first()
    )
    if rule is None:
        raise ScreeningError("That rule is not in force in this review.")
    rows = list(
        Record.objects.select_for_update()
        .filter(review=review, resolutions__rule=rule)
        .order_by("id")
        .values_list("pk", "duplicate_of_id")
    )
    ids = [pk for pk, _ in rows]
    Resolution.objects.filter(rule=rule).delete()
    _history(review, ids, lead, ScreeningEvent.Kind.REOPENED, f"Stopping rule undone: {rule.rule}")
    # A record under the rule had no decisions (a resolved record takes none), so it is open.
    Record.objects.filter(pk__in=ids).update(ta_status=StageStatus.OPEN)
    rule.undone_at, rule.undone_by = timezone.now(), lead
    rule.save(update_fields=["undone_at", "undone_by"])
    return sum(1 for _, duplicate_of in rows if duplicate_of is None)  # duplicates are not screened


def _history(
    review: Review, ids: Sequence[int], lead: AbstractBaseUser, kind: str, note: str, **fields
) -> None:
    """One history row per record the rule excluded or gave back."""
    ScreeningEvent.objects.bulk_create(
        ScreeningEvent(
            review=review, record_id=pk, stage=TA, actor=lead, kind=kind, note=note, **fields
        )
        for pk in ids
    )
