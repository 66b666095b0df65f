"""The theme codebook (hierarchical codes) and the quotes coded to studies with them.

A code that has quotes is never deleted: it is retired (kept on its quotes, offered no more) or
merged into another (its quotes move, with history). Every change to a quote is kept in
CodedQuoteChange, also after the quote itself is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from reviewapp.models import Review, ReviewQuestion
from screening.models import Study

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", "Use letters, digits, dots, dashes or underscores (e.g. T1.2)."
)


class Code(models.Model):
    """One theme or sub-theme of the review's codebook."""

    class Status(models.TextChoices):
        SOURCE_DERIVED = "source_derived", "Source-derived"
        PROPOSED = "proposed", "Proposed"
        EMERGENT = "emergent", "Emergent"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=30, validators=[code_validator], help_text="e.g. T1.2")
    label = models.CharField(max_length=200)
    # RESTRICT: a parent goes only once its children have moved (no orphaned sub-codes), yet
    # a whole review can still be deleted with its codebook.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="children"
    )
    definition = models.TextField(blank=True, help_text="Apply when the passage…")
    include_when = models.TextField("include guidance", blank=True)
    exclude_when = models.TextField("exclude guidance", blank=True)
    questions = models.ManyToManyField(
        ReviewQuestion, blank=True, related_name="codes", verbose_name="linked review questions"
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PROPOSED)
    order = models.PositiveIntegerField(default=0, help_text="Order among its siblings.")
    retired = models.BooleanField(
        default=False, help_text="Kept on the quotes coded with it; no longer offered for coding."
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "code"], name="code_unique_in_review"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="code_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class CodedQuote(models.Model):
    """A code attached to a study, with the verbatim passage that supports it and where it is."""

    # RESTRICT: a code with quotes is never deleted on its own (retire or merge it instead).
    code = models.ForeignKey(Code, on_delete=models.RESTRICT, related_name="quotes")
    # CASCADE as the study's charts do: a study goes only when its reports are unlinked.
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="coded_quotes")
    quote = models.TextField(help_text="Verbatim, as in the source.")
    location = models.CharField(
        max_length=100, blank=True, help_text="Page or location as cited, e.g. p. 12 or §3.2."
    )
    # For a PDF reader that selects the passage: the page (1-based) and the offsets of the
    # selection in that page's extracted text.
    page_number = models.PositiveIntegerField(null=True, blank=True)
    char_start = models.PositiveIntegerField(null=True, blank=True)
    char_end = models.PositiveIntegerField(null=True, blank=True)
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coded_quotes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["study", "code", "created_at", "id"]
        indexes = [models.Index(fields=["code", "study"], name="codedquote_code_study")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(char_start__isnull=True)
                | models.Q(char_end__isnull=True)
                | models.Q(char_end__gte=models.F("char_start")),
                name="coded_quote_span_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code.code} on {self.study}: {self.quote[:40]}"


class CodedQuoteChange(models.Model):
    """Append-only history of coded quotes: created, edited, moved by a merge, deleted."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        MERGED = "merged", "Moved by a code merge"
        DELETED = "deleted", "Deleted"

    # SET_NULL: the history outlives a deleted quote.
    coded_quote = models.ForeignKey(
        CodedQuote, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    # Each is {"code": "T1.2", "quote": ..., "location": ..., "page_number": ...}; old is {} on
    # creation, new is {} on deletion.
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} quote {self.coded_quote_id} at {self.changed_at:%Y-%m-%d %H:%M}"
