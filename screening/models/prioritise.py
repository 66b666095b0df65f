"""Prioritised screening: each retraining of a review's ranking model, and the lead's rules that
exclude the records left unscreened."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviewapp.models import Review


class RankingRun(models.Model):
    """One retraining of the ranking model (queued, then run by the Celery worker).

    The latest finished run is the model state the lead sees; the rows are its history."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Training"
        READY = "ready", "Ranked"
        COLD = "cold", "Waiting for an include and an exclude"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        DECISIONS = "decisions", "New decisions"
        LEAD = "lead", "Lead's request"
        IMPORT = "import", "New records"

    PENDING = (State.QUEUED, State.RUNNING)
    # No retrain takes this long, even cold at 100,000 records: a run pending longer was lost.
    STALE_AFTER = timedelta(minutes=15)

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ranking_runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Title/abstract decisions up to this id were in the review when the run was queued: the next
    # run is due `retrain_every` decisions later.
    decision_watermark = models.BigIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0, help_text="Decisions in the review.")
    includes = models.PositiveIntegerField(default=0, help_text="Final includes trained on.")
    excludes = models.PositiveIntegerField(default=0, help_text="Final excludes trained on.")
    records = models.PositiveIntegerField(default=0, help_text="Records in the model.")
    ranked = models.PositiveIntegerField(default=0, help_text="Unscreened records re-ranked.")
    estimated_remaining = models.FloatField(
        null=True, blank=True, help_text="Model estimate of relevant records not yet screened."
    )
    consecutive_excludes = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    model = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["review", "decision_watermark"], name="ranking_run_watermark"),
        ]
        constraints = [
            # At most one run queued or running per review: concurrent triggers collapse.
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_pending_ranking_run",
            ),
        ]

    def __str__(self) -> str:
        return f"ranking run {self.pk} of review {self.review_id}: {self.state}"

    @classmethod
    def stale_before(cls) -> datetime:
        """Runs queued (or started) before this no longer count as pending."""
        return timezone.now() - cls.STALE_AFTER


class ExclusionRule(models.Model):
    """The lead's decision to exclude every record still unscreened at title/abstract.

    Each record it excludes gets a Resolution pointing here; PRISMA counts them as excluded by
    automation. Undoing the rule deletes those resolutions (the history keeps both events)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exclusion_rules")
    rule = models.TextField(help_text="The stopping rule, as it will be reported.")
    run = models.ForeignKey(
        RankingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(default=timezone.now)
    excluded = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-applied_at", "-id"]

    def __str__(self) -> str:
        return f"rule {self.pk}: {self.rule[:60]}"
