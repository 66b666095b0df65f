"""Forms of the codebook and of coding: they validate; the services in services/themes.py save."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from reviewapp.models import Review

from .models import Code, CodedQuote
from .services.themes import check_parent, descendant_ids
from .themes_table import code_tree

INDENT = "\u2003"  # an em space per level: the choice lists show the tree


def code_choices(codes) -> list[tuple[int, str]]:
    """(id, label) for the codes in tree order, each indented by its depth."""
    return [
        (code.pk, f"{INDENT * depth}{code.code} {code.label}") for code, depth in code_tree(codes)
    ]


class _TreeChoiceField(forms.ModelChoiceField):
    """A code picker that lists its codes as an indented tree (in the queryset's own set)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refresh()

    def refresh(self) -> None:
        blank = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = blank + code_choices(self.queryset)


class CodeForm(forms.ModelForm):
    parent = _TreeChoiceField(
        queryset=Code.objects.none(), required=False, empty_label="(a top-level theme)"
    )

    class Meta:
        model = Code
        fields = [
            "code",
            "label",
            "parent",
            "status",
            "order",
            "definition",
            "include_when",
            "exclude_when",
            "questions",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 2}),
            "include_when": forms.Textarea(attrs={"rows": 2}),
            "exclude_when": forms.Textarea(attrs={"rows": 2}),
            "questions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, review: Review, **kwargs) -> None:
        kwargs.setdefault("instance", Code(review=review))
        super().__init__(*args, **kwargs)
        self.review = review
        codes = Code.objects.filter(review=review, merged_into__isnull=True)
        if self.instance.pk:  # never under itself or its own branch
            codes = codes.exclude(pk__in={self.instance.pk, *descendant_ids(self.instance)})
        self.fields["parent"].queryset = codes
        self.fields["parent"].refresh()
        if not self.instance.pk:  # a new code: blank puts it after its siblings
            self.fields["order"].required = False
            self.fields["order"].help_text = "Order among its siblings; blank: after them."
            self.initial["order"] = None
        self.fields["questions"].queryset = review.questions.order_by("number", "id")
        self.fields["questions"].label_from_instance = _question_label

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        others = Code.objects.filter(review=self.review, code=code).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(f"The codebook already has a code {code}.")
        return code

    def clean_parent(self) -> Code | None:
        parent = self.cleaned_data["parent"]
        check_parent(self.instance, parent)  # a ValidationError names the field itself
        return parent

    def values(self) -> dict:
        """The cleaned values as the save_code service takes them."""
        data = dict(self.cleaned_data)
        return {"parent": data.pop("parent"), "questions": list(data.pop("questions")), **data}


def _question_label(question) -> str:
    return f"{question.label}: {Truncator(question.text).chars(100)}"


class MergeForm(forms.Form):
    into = _TreeChoiceField(queryset=Code.objects.none(), label="Merge into", empty_label=None)

    def __init__(self, *args, code: Code, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        field.queryset = Code.objects.filter(review_id=code.review_id, merged_into__isnull=True)
        field.queryset = field.queryset.exclude(pk__in={code.pk, *descendant_ids(code)})
        field.refresh()


class QuoteForm(forms.ModelForm):
    code = _TreeChoiceField(queryset=Code.objects.none(), empty_label="Choose a code…")

    class Meta:
        model = CodedQuote
        # char_start/char_end: hidden, set by the reader when a selection is quoted (emptied
        # when the quote is edited by hand); the service stores the offsets it finds itself.
        fields = ["code", "quote", "page_number", "location", "char_start", "char_end"]
        labels = {"page_number": "Page", "quote": "Verbatim quote"}
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 3}),
            "char_start": forms.HiddenInput,
            "char_end": forms.HiddenInput,
        }
        help_texts = {"page_number": "", "location": "Optional: section, paragraph, or p. 3-4."}

    def __init__(self, *args, review: Review, **kwargs) -> None:
        # Prefixed: the form also sits on the charting page, beside fields of any name.
        kwargs.setdefault("prefix", "quote")
        super().__init__(*args, **kwargs)
        codes = Code.objects.filter(review=review, merged_into__isnull=True, retired=False)
        if self.instance.pk:  # a quote keeps its retired code unless someone changes it
            codes = codes | Code.objects.filter(pk=self.instance.code_id)
        self.fields["code"].queryset = codes.distinct()
        self.fields["code"].refresh()
        self.fields["page_number"].widget.attrs.update({"min": 1, "class": "max-w-6rem"})

    def clean_quote(self) -> str:
        quote = self.cleaned_data["quote"]
        if not quote.strip():
            raise ValidationError("Paste the passage, word for word.")
        return quote.replace("\x00", "")  # PostgreSQL cannot store NUL in text

    def values(self) -> dict:
        return dict(self.cleaned_data)
