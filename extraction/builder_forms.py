"""The lead's forms for building the charting form: they validate input; services/forms.py
applies it (on a new version once charts use the current one)."""

from __future__ import annotations

from typing import Any

from django import forms

from reviewapp.models import ReviewQuestion

from .models import ChartForm, FieldType, FormField, FormSection
from .models.forms import key_validator


def _key_field() -> forms.CharField:
    return forms.CharField(
        max_length=60,
        validators=[key_validator],
        help_text="A short name used in exports, e.g. rq1_methods.",
    )


class SectionForm(forms.Form):
    key = _key_field()
    title = forms.CharField(max_length=300)
    order = forms.IntegerField(min_value=0, initial=0)
    question = forms.ModelChoiceField(
        queryset=ReviewQuestion.objects.none(), required=False, label="Review question"
    )
    depends_on_key = forms.ChoiceField(
        required=False,
        label="Shown only when the multiple-choice field",
        help_text="Leave empty for a section always shown.",
    )
    depends_on_choice = forms.CharField(
        max_length=300, required=False, label="has this option ticked"
    )

    def __init__(self, *args: Any, form: ChartForm | None, review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = ReviewQuestion.objects.filter(review=review)
        multiple = (
            FormField.objects.filter(section__form=form, type=FieldType.MULTIPLE_CHOICE)
            if form
            else FormField.objects.none()
        )
        self.fields["depends_on_key"].choices = [("", "—")] + [
            (f.key, f"{f.label} ({f.key})") for f in multiple
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("depends_on_key") and not data.get("depends_on_choice"):
            self.add_error("depends_on_choice", "Name the option that shows this section.")
        return data

    @staticmethod
    def initial_for(section: FormSection) -> dict:
        return {
            "key": section.key,
            "title": section.title,
            "order": section.order,
            "question": section.question_id,
            "depends_on_key": section.depends_on.key if section.depends_on else "",
            "depends_on_choice": section.depends_on_choice,
        }


class FieldForm(forms.Form):
    section_key = forms.ChoiceField(label="Section")
    key = _key_field()
    label = forms.CharField(max_length=300)
    type = forms.ChoiceField(choices=FieldType.choices)
    required = forms.BooleanField(required=False)
    help_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Options",
        help_text="One per line, in order (for an ordinal field, lowest first).",
    )
    order = forms.IntegerField(min_value=0, initial=0)
    takes_quote = forms.BooleanField(
        required=False, label="Also ask for a verbatim quote and its page or location"
    )

    def __init__(self, *args: Any, form: ChartForm | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sections = form.sections.all() if form else FormSection.objects.none()
        self.fields["section_key"].choices = [(s.key, s.title) for s in sections]

    def clean_choices(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["choices"].splitlines())
        return [line for line in lines if line]

    @staticmethod
    def initial_for(field: FormField) -> dict:
        return {
            "section_key": field.section.key,
            "key": field.key,
            "label": field.label,
            "type": field.type,
            "required": field.required,
            "help_text": field.help_text,
            "choices": "\n".join(field.choices),
            "order": field.order,
            "takes_quote": field.takes_quote,
        }


class ChartersForm(forms.Form):
    charters_per_study = forms.TypedChoiceField(
        choices=ChartForm._meta.get_field("charters_per_study").choices,
        coerce=int,
        label="Charters per study",
    )
