"""Charts: one reviewer's (or the consensus) answers for one study, with every change kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from screening.models import Study

from .forms import ChartForm, FormField


class Chart(models.Model):
    """A study charted by one reviewer on one form version, or the agreed (consensus) chart."""

    class Kind(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        CONSENSUS = "consensus", "Consensus"

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        COMPLETE = "complete", "Complete"  # every value valid and every required field filled
        SUBMITTED = "submitted", "Submitted"  # complete, and handed in (opens the comparison)

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        AGREED = "agreed", "Agreed"
        CHANGED = "changed", "Changed after discussion"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="charts")
    form = models.ForeignKey(ChartForm, on_delete=models.PROTECT, related_name="charts")
    charted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REVIEWER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    charted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    verification_status = models.CharField(
        max_length=10, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every save: a save made against an older revision (another tab or window changed
    # the chart since) is refused rather than overwriting what that other save wrote.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["study", "kind", "charted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "charted_by", "kind"], name="one_chart_per_study_charter_kind"
            ),
            models.UniqueConstraint(
                fields=["study"],
                condition=models.Q(kind="consensus"),
                name="one_consensus_per_study",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} by {self.charted_by} ({self.kind}, {self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in {self.Status.COMPLETE, self.Status.SUBMITTED}


class ChartValue(models.Model):
    """One field's answer on one chart: the valid value, or the raw draft that failed validation."""

    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="values")
    field = models.ForeignKey(FormField, on_delete=models.PROTECT, related_name="values")
    value = models.JSONField(null=True, blank=True, help_text="The validated value (None: empty).")
    # What was typed, kept even when it does not validate, so autosave loses nothing.
    draft = models.JSONField(null=True, blank=True)
    is_valid = models.BooleanField(default=True)
    quote = models.TextField(blank=True, help_text="Verbatim quote from the source.")
    location = models.CharField(max_length=100, blank=True, help_text="Page or location.")
    # A quote taken by selection in the reader: its offsets in the extracted text of the page
    # its location names (screening.FullTextPage.text), so it can be shown again. None when
    # typed or edited by hand, or when that page's text does not hold it.
    quote_char_start = models.PositiveIntegerField(null=True, blank=True)
    quote_char_end = models.PositiveIntegerField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["chart", "field__section__order", "field__order", "field_id"]
        constraints = [
            models.UniqueConstraint(fields=["chart", "field"], name="one_value_per_chart_field"),
        ]

    def __str__(self) -> str:
        return f"{self.field.key}={self.value!r}"


class ChartValueChange(models.Model):
    """Append-only history of a value: who changed it, when, from what to what."""

    value = models.ForeignKey(ChartValue, on_delete=models.CASCADE, related_name="history")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    # Each is {"value": ..., "draft": ..., "quote": ..., "location": ..., "quote_char_start": ...,
    # "quote_char_end": ...} (older rows lack the offsets); old is {} on creation.
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict)

    class Meta:
        ordering = ["value", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.value_id} changed at {self.changed_at:%Y-%m-%d %H:%M}"
