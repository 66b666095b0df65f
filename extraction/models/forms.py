"""The charting form a review's lead builds: versions, sections (one per question) and fields.

A version is frozen once a chart uses it; a change after that copies the form into a new version
(see extraction/services/forms.py), so every chart keeps rendering with the form it was made on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from reviewapp.models import Review, ReviewQuestion

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", "Lower-case letters, digits and underscores, starting with a letter."
)


class ChartForm(models.Model):
    """One version of a review's charting form; the highest version is the current one."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="chart_forms")
    version = models.PositiveIntegerField(default=1)
    # A review-level charting setting kept with the form (and copied into each new version)
    # so that reviewapp needs no extraction-specific column.
    charters_per_study = models.PositiveSmallIntegerField(
        choices=[(1, "One reviewer"), (2, "Two reviewers (dual, independent)")],
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(2)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["review", "version"], name="chart_form_version"),
        ]

    def __str__(self) -> str:
        return f"{self.review.slug} form v{self.version}"


class FormSection(models.Model):
    """A group of fields: one per review question, plus source characteristics."""

    form = models.ForeignKey(ChartForm, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=60, validators=[key_validator])
    title = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)
    question = models.ForeignKey(
        ReviewQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown only when this multiple-choice field (in the same form version) has this choice ticked.
    depends_on = models.ForeignKey(
        "extraction.FormField",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependent_sections",
    )
    depends_on_choice = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["form", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="section_key_per_form"),
        ]

    def __str__(self) -> str:
        return self.title


class FieldType(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    INTEGER = "integer", "Integer"
    DECIMAL = "decimal", "Decimal"
    DATE = "date", "Date"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    ORDINAL = "ordinal", "Ordinal (ordered scale)"
    YES_NO = "yes_no", "Yes / no"


CHOICE_TYPES = frozenset({FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.ORDINAL})


class FormField(models.Model):
    """One question on the form; its key is unique within the form version (a column in exports)."""

    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(max_length=60, validators=[key_validator])
    label = models.CharField(max_length=300)
    type = models.CharField(max_length=20, choices=FieldType.choices)
    required = models.BooleanField(default=False)
    help_text = models.TextField(blank=True)
    choices = models.JSONField(
        default=list, blank=True, help_text="Options in order; for an ordinal field, the scale."
    )
    order = models.PositiveIntegerField(default=0)
    takes_quote = models.BooleanField(
        default=False, help_text="Also asks for a verbatim quote and its page or location."
    )

    class Meta:
        ordering = ["section__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="field_key_per_section"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_choices(self) -> bool:
        return self.type in CHOICE_TYPES
