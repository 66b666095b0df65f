"""Screening forms: uploads, record filters, duplicate decisions."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from reviewapp.models import ExclusionReason
from reviewapp.params import NumberField

from .importers import FORMATS
from .models import Source
from .prisma import boxes
from .services.imports import size_problem

# Notes are for a reason in words, not documents: a cap keeps pages and exports readable. No
# maxlength in the page: a browser would cut a pasted note silently; the form says so instead.
NOTE_MAX_CHARS = 5000


def note_field(**kwargs) -> forms.CharField:
    """A note: optional, at most NOTE_MAX_CHARS, refused with a message that keeps the text."""
    return forms.CharField(
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"A note holds at most {NOTE_MAX_CHARS:,} characters; this one has "
            "%(show_value)s. Shorten it (your text is kept in the box)."
        },
        **kwargs,
    )


FORMAT_CHOICES = [("auto", "Detect from the file")] + [(f, f) for f in FORMATS]


def form_problems(form: forms.Form) -> str:
    """Every error of a bound form as one line, for a message or a card's alert."""
    return "; ".join(error for errors in form.errors.values() for error in errors)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:  # no file at all: say so, do not "start" nothing
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Export files",
        allow_empty_file=True,  # refused by name with the others (services.uploads), not here
        help_text="RIS, BibTeX, PubMed (MEDLINE/nbib or XML), Web of Science, EndNote XML, "
        "CSV/TSV/XLSX. Several files of one search are kept as parts of the same source.",
    )
    name = forms.CharField(max_length=200, label="Source name", help_text="e.g. PsycINFO")
    method = forms.ChoiceField(choices=Source.Method.choices, initial=Source.Method.DATABASE)
    other_kind = forms.ChoiceField(
        choices=[("", "---------"), *Source.OtherKind.choices],
        required=False,
        label="Other method",
        help_text="For an other-method source: its line in PRISMA 2020's right-hand column. "
        "Its records skip title/abstract screening and go straight to full text.",
    )
    platform = forms.CharField(max_length=200, required=False, help_text="e.g. Ovid, EBSCOhost")
    searched_on = forms.DateField(
        required=False, label="Date searched", widget=forms.DateInput(attrs={"type": "date"})
    )
    search_string = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = note_field()
    file_format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="auto", label="Format")
    force = forms.BooleanField(
        required=False,
        label="Import even if this exact file was imported before",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("other_kind") and data.get("method") != Source.Method.OTHER:
            self.add_error("other_kind", "Only a source of method 'Other method' takes this.")
        return data

    def clean_files(self) -> list:
        # Refused here, before a worker reads a file too big to import into memory.
        files = self.cleaned_data["files"]
        problems = [size_problem(f.size, f.name) for f in files]
        if any(problems):
            raise forms.ValidationError([p for p in problems if p])
        return files


class RecordFilterForm(forms.Form):
    """The records list's filter bar (its template lays the fields out in one row)."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Words, author, DOI, PMID or #number"}),
    )
    source = forms.ModelChoiceField(queryset=Source.objects.none(), required=False)
    year = forms.IntegerField(required=False, min_value=0, max_value=3000)
    duplicates = forms.ChoiceField(
        required=False,
        choices=[("", "All records"), ("unique", "Unique only"), ("duplicate", "Duplicates only")],
    )
    status = forms.ChoiceField(required=False, label="Title/abstract")
    # The records behind a number of the PRISMA diagram (screening.prisma), and its part.
    box = forms.CharField(required=False, widget=forms.HiddenInput, label="PRISMA box")
    label = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    STATUS_ALL = [
        ("", "Any status"),
        ("undecided", "Not decided by me"),
        ("mine", "Decided by me"),
        ("maybe", "Maybe"),
        ("conflict", "Conflict"),
        ("include", "Included"),
        ("exclude", "Excluded"),
        ("exclude_people", "Excluded by reviewers"),
        ("exclude_rule", "Excluded by stopping rule"),
    ]
    # While blind, a reviewer may filter only by their own decisions.
    STATUS_BLIND = STATUS_ALL[:4]

    def __init__(self, *args, review, blind: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = review.sources.all()
        self.fields["source"].empty_label = "Any source"
        self.fields["status"].choices = self.STATUS_BLIND if blind else self.STATUS_ALL
        self.blind = blind
        for field in self.fields.values():  # Bootstrap's look: the bar renders bare widgets
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def clean_box(self) -> str:
        key = self.cleaned_data["box"]
        if key and key not in boxes(blind=self.blind):
            raise forms.ValidationError(f"There is no PRISMA box '{key}'.")
        return key

    def box_label(self) -> str:
        """The wording of the PRISMA box the list is filtered by (and its part), or ''."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("box"):
            return ""
        found = boxes(blind=self.blind)[data["box"]].label
        return f"{found}: {data['label']}" if data.get("label") else found


class DecisionForm(forms.Form):
    record = NumberField(widget=forms.HiddenInput)
    value = forms.ChoiceField(
        choices=[("include", "Include"), ("exclude", "Exclude"), ("maybe", "Maybe")]
    )
    # The reasons come in as a list the card shows too, so the hot path reads them once.
    reason = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    note = note_field()
    labels = forms.CharField(required=False, help_text="Comma-separated, e.g. 'check later'")

    def __init__(self, *args, reasons: Sequence[ExclusionReason], **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = {reason.pk: reason for reason in reasons}
        self.fields["reason"].choices = [("", "No reason")] + [
            (reason.pk, str(reason)) for reason in reasons
        ]

    def clean_reason(self) -> ExclusionReason | None:
        pk = self.cleaned_data["reason"]
        return None if pk is None else self.reasons[pk]

    def label_list(self) -> list[str]:
        return [label for label in self.cleaned_data.get("labels", "").split(",") if label.strip()]


class ResolveForm(forms.Form):
    record = NumberField(widget=forms.HiddenInput)
    value = forms.ChoiceField(choices=[("include", "Include"), ("exclude", "Exclude")])
    reason = forms.ModelChoiceField(queryset=None, required=False, empty_label="No reason")
    note = note_field()

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons


class BulkActionForm(forms.Form):
    records = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Tick the records to act on first."}
    )
    value = forms.ChoiceField(choices=[("exclude", "Exclude"), ("include", "Include")])
    reason = forms.ModelChoiceField(queryset=None, required=False, empty_label="No reason")
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, review, reasons, **kwargs):
        from .models import Record

        super().__init__(*args, **kwargs)
        self.fields["records"].queryset = Record.objects.in_review(review).unique()
        self.fields["reason"].queryset = reasons
