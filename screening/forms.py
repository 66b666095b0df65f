"""Screening forms: uploads, record filters, duplicate decisions."""

from __future__ import annotations

from django import forms

from .importers import FORMATS
from .models import Source

FORMAT_CHOICES = [("auto", "Detect from the file")] + [(f, f) for f in FORMATS]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Export files",
        help_text="RIS, BibTeX, PubMed (MEDLINE/nbib or XML), Web of Science, EndNote XML, "
        "CSV/TSV/XLSX. Several files of one search are kept as parts of the same source.",
    )
    name = forms.CharField(max_length=200, label="Source name", help_text="e.g. PsycINFO")
    method = forms.ChoiceField(choices=Source.Method.choices, initial=Source.Method.DATABASE)
    platform = forms.CharField(max_length=200, required=False, help_text="e.g. Ovid, EBSCOhost")
    searched_on = forms.DateField(
        required=False, label="Date searched", widget=forms.DateInput(attrs={"type": "date"})
    )
    search_string = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file_format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="auto", label="Format")
    force = forms.BooleanField(
        required=False,
        label="Import even if this exact file was imported before",
    )


class RecordFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    source = forms.ModelChoiceField(queryset=Source.objects.none(), required=False)
    year = forms.IntegerField(required=False, min_value=0, max_value=3000)
    duplicates = forms.ChoiceField(
        required=False,
        choices=[("", "All records"), ("unique", "Unique only"), ("duplicate", "Duplicates only")],
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = review.sources.all()
