"""Screening decisions: one current row per (record, stage, reviewer), an append-only history,
and the lead's resolutions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviewapp.models import CriteriaVersion, ExclusionReason, Review, Stage

from .prioritise import ExclusionRule
from .records import Record

SCREENING_STAGES = [
    (Stage.TITLE_ABSTRACT.value, Stage.TITLE_ABSTRACT.label),
    (Stage.FULL_TEXT.value, Stage.FULL_TEXT.label),
]


class Verdict(models.TextChoices):
    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"
    MAYBE = "maybe", "Maybe"


class StageStatus(models.TextChoices):
    """Where a record stands at a stage (kept on the record for constant-time queues)."""

    OPEN = "", "Needs decisions"
    INCLUDE = "include", "Included"
    EXCLUDE = "exclude", "Excluded"
    CONFLICT = "conflict", "Conflict"


class Decision(models.Model):
    """A reviewer's current decision on a record at a stage; its history is in ScreeningEvent."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=20, choices=SCREENING_STAGES)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    value = models.CharField(max_length=10, choices=Verdict.choices)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    labels = models.JSONField(default=list, blank=True)
    criteria_version = models.ForeignKey(
        CriteriaVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "stage", "reviewer"], name="one_decision_per_reviewer"
            ),
        ]
        indexes = [
            models.Index(fields=["review", "stage", "reviewer"], name="decision_reviewer"),
            # The newest decisions of a stage: the ranking's watermark and "decisions since the
            # last run", asked on every decision, read a few index entries, not the stage's all.
            models.Index(fields=["review", "stage", "id"], name="decision_stage_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.value} record {self.record_id} ({self.stage})"


class Resolution(models.Model):
    """The lead's final call on a record at a stage (a conflict, a maybe, or a bulk action)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="resolutions")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="resolutions")
    stage = models.CharField(max_length=20, choices=SCREENING_STAGES)
    value = models.CharField(
        max_length=10, choices=[(Verdict.INCLUDE, "Include"), (Verdict.EXCLUDE, "Exclude")]
    )
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(default=timezone.now)
    rule = models.ForeignKey(
        ExclusionRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
        help_text="Set when a stopping rule, not a person, excluded the record.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "stage"], name="one_resolution_per_stage"),
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} {self.stage}: {self.value}"


class ScreeningEvent(models.Model):
    """Append-only history: every decision, change, undo, resolution and reopening."""

    class Kind(models.TextChoices):
        DECIDED = "decided", "Decided"
        CHANGED = "changed", "Changed"
        UNDONE = "undone", "Undone"
        RESOLVED = "resolved", "Resolved by lead"
        REOPENED = "reopened", "Reopened by lead"
        BULK = "bulk", "Bulk action by lead"
        AUTOMATION = "automation", "Excluded by the lead's stopping rule"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="screening_events")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="events")
    stage = models.CharField(max_length=20, choices=SCREENING_STAGES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=10, blank=True)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    labels = models.JSONField(default=list, blank=True)  # the decision's labels at the time
    criteria_version = models.ForeignKey(
        CriteriaVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "stage", "at"], name="event_record_stage")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.kind} {self.value}"
