"""The charting page's form, built from a form version and laid out with crispy-forms.

The Django form only renders: every field is optional and lenient at this level, because what
was typed is saved as a draft whatever it is, and extraction/values.py decides what it means.
Each field's current error (from the stored draft) rides on the field as `chart_error`, shown by
extraction/_chart_field.html in a box the autosave answer replaces out of band.
"""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.http import QueryDict
from django.utils.html import escape

from .models import Chart, ChartForm, FieldType, FormField, FormSection
from .services.charting import Posted, field_errors, hidden_sections, values_by_key
from .services.forms import form_fields
from .values import Raw, to_initial

QUOTE, LOCATION = "__quote", "__location"
# Hidden: set by the reader (static/js/reader-quotes.js) when a selection is quoted into the
# field, emptied when the quote is edited by hand. The server stores the offsets in the page's
# extracted text (services.charting), the posted start only says where to look first.
CHAR_START, CHAR_END = "__char_start", "__char_end"
YES_NO = [("yes", "Yes"), ("no", "No")]
FIELD_TEMPLATE = "extraction/_chart_field.html"


def _form_field(field: FormField) -> forms.Field:
    common: dict[str, Any] = {
        "label": field.label,
        "required": False,
        # crispy prints help text unescaped; the lead typed it, the reviewers read it.
        "help_text": escape(field.help_text),
    }
    options = [(choice, choice) for choice in field.choices]
    if field.type == FieldType.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if field.type == FieldType.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if field.type == FieldType.ORDINAL:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if field.type == FieldType.YES_NO:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if field.type == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=False, **common)
    if field.type == FieldType.DATE:
        # A text box, not type=date: a browser sends a half-typed date there as "", and what was
        # typed would be lost instead of kept as a draft with its error.
        return forms.CharField(
            widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "inputmode": "numeric"}),
            **common,
        )
    if field.type in (FieldType.INTEGER, FieldType.DECIMAL):
        mode = "numeric" if field.type == FieldType.INTEGER else "decimal"
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": mode}), **common)
    return forms.CharField(**common)


class ChartEntryForm(forms.Form):
    """One form version as inputs: a field per FormField, plus quote and location if asked."""

    def __init__(
        self,
        *,
        sections: list[FormSection],
        fields: list[FormField],
        initial: dict[str, Any],
        errors: dict[str, str],
        hidden: set[int],
        read_only: bool = False,
    ) -> None:
        super().__init__(initial=initial, prefix=None)
        by_section: dict[int, list[FormField]] = {}
        for field in fields:
            by_section.setdefault(field.section_id, []).append(field)
            self.fields[field.key] = _form_field(field)
            self.fields[field.key].chart_error = errors.get(field.key, "")
            if field.takes_quote:
                self.fields[field.key + QUOTE] = forms.CharField(
                    label="Verbatim quote", required=False, strip=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )  # fmt: skip
                self.fields[field.key + LOCATION] = forms.CharField(
                    label="Page or location", required=False, max_length=100
                )
                for name in (CHAR_START, CHAR_END):
                    self.fields[field.key + name] = forms.CharField(
                        required=False, widget=forms.HiddenInput
                    )
        for form_field in self.fields.values():
            form_field.disabled = read_only
            form_field.chart_error = getattr(form_field, "chart_error", "")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(self._section(s, by_section.get(s.pk, []), s.pk in hidden) for s in sections)
        )

    def _section(self, section: FormSection, fields: list[FormField], hidden: bool) -> Div:
        items: list[Any] = [HTML(f'<h2 class="h5 card-title">{template_safe(section.title)}</h2>')]
        for field in fields:
            items.append(Field(field.key, template=FIELD_TEMPLATE))
            if field.takes_quote:
                items.append(
                    Div(
                        Div(Field(field.key + QUOTE), css_class="col-md-9"),
                        Div(Field(field.key + LOCATION), css_class="col-md-3"),
                        Field(field.key + CHAR_START),
                        Field(field.key + CHAR_END),
                        css_class="row chart-quote",
                    )
                )
        attrs: dict[str, str] = {"css_id": f"section-{section.key}"}
        if section.depends_on_id:
            attrs["data_depends_on"] = section.depends_on.key
            attrs["data_depends_choice"] = section.depends_on_choice
        return Div(
            Div(*items, css_class="card-body"),
            css_class="card mb-3 chart-section" + (" d-none" if hidden else ""),
            **attrs,
        )


def template_safe(text: str) -> str:
    """Text for crispy's HTML(), which renders its string as a template: escaped, and with no
    braces or percent signs left to read as template tags."""
    return escape(text).replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


def _offset(post: QueryDict, name: str) -> int | None:
    text = post.get(name, "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def raw_from_post(fields: list[FormField], post: QueryDict) -> dict[str, Posted]:
    """What the page posted for each field: (raw input, quote, location, selection start). The
    page posts every field at once, so a multiple-choice field with nothing ticked (absent)
    means none ticked. The start is None unless the quote came from a selection."""
    posted: dict[str, Posted] = {}
    for field in fields:
        raw: Raw = post.getlist(field.key) if field.type == FieldType.MULTIPLE_CHOICE else None
        if raw is None:
            if field.key not in post:
                continue
            raw = post.get(field.key, "")
        quote = post.get(field.key + QUOTE, "") if field.takes_quote else ""
        location = post.get(field.key + LOCATION, "") if field.takes_quote else ""
        selected = field.takes_quote and _offset(post, field.key + CHAR_END) is not None
        near = _offset(post, field.key + CHAR_START) if selected else None
        posted[field.key] = (raw, quote, location, near)
    return posted


def entry_form_for(
    chart: Chart | None, form: ChartForm, *, read_only: bool = False
) -> ChartEntryForm:
    """The page's form for a chart (or a blank one on `form` before the first save)."""
    stored = values_by_key(chart)
    fields = form_fields(form)
    initial: dict[str, Any] = {}
    for form_field in fields:
        value = stored.get(form_field.key)
        if value is None:
            continue
        # The draft is what was typed: shown as typed, valid or not, so nothing is lost.
        draft = value.draft if value.draft is not None else to_initial(form_field.type, value.value)
        initial[form_field.key] = draft
        initial[form_field.key + QUOTE] = value.quote
        initial[form_field.key + LOCATION] = value.location
        initial[form_field.key + CHAR_START] = value.quote_char_start
        initial[form_field.key + CHAR_END] = value.quote_char_end
    return ChartEntryForm(
        sections=list(form.sections.select_related("depends_on")),
        fields=fields,
        initial=initial,
        errors=field_errors(chart) if chart is not None else {},
        hidden=hidden_sections(form, {k: v.value for k, v in stored.items()}),
        read_only=read_only,
    )
