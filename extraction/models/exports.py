"""Export jobs: one file built by a worker, listed on the exports page until it is downloaded."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from reviewapp.models import Review

from ..querysets import ExportJobQuerySet


class ExportJob(models.Model):
    """A requested export: its kind, format and options, its progress, and the finished file."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(max_length=20)
    format = models.CharField(max_length=10)
    options = models.JSONField(default=dict, blank=True, help_text="e.g. bom, per_reviewer")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes of the finished file.")
    # Relative to MEDIA_ROOT; set only once the file is complete under its final name.
    file_path = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    # No export of a review runs this long: one still running lost its worker, and the broker
    # hands its task out again (acks_late); that redelivery redoes it from the start.
    STALE_AFTER = timedelta(minutes=30)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["review", "-created_at"], name="exportjob_review_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.format}: {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def file_name(self) -> str:
        """The name the download is offered under: review, kind, date; nothing user-typed."""
        stamp = f"{self.created_at:%Y%m%d-%H%M}" if self.created_at else "export"
        return f"{self.review.slug}-{self.kind}-{stamp}.{self.format}"
