"""Forms validate input; services do the writing."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.db import models
from django.forms import BaseModelFormSet, modelformset_factory

from .models import RESERVED_SLUGS, ExclusionReason, Review, ReviewQuestion, Role
from .terms import count_problem, parse_terms, term_problem

User = get_user_model()


class ReviewCreateForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["title", "slug", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                f"'{slug}' is a word the site's addresses use: choose another."
            )
        if Review.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"A review with the short name '{slug}' already exists.")
        return slug


class ReviewSettingsForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "title",
            "description",
            "population",
            "concept",
            "context",
            "search_strategy",
            "notice",
            "ta_reviewers_per_record",
            "ft_reviewers_per_record",
            "blind_mode",
            "ta_reason_required",
            "include_terms",
            "exclude_terms",
            "calibration",
            "retrain_every",
            "relevance_hint",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "population",
                "concept",
                "context",
                "notice",
                "include_terms",
                "exclude_terms",
            )
        } | {"search_strategy": forms.Textarea(attrs={"rows": 5})}

    def clean_include_terms(self) -> str:
        return _checked_terms(self.cleaned_data["include_terms"])

    def clean_exclude_terms(self) -> str:
        return _checked_terms(self.cleaned_data["exclude_terms"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if "include_terms" in cleaned and "exclude_terms" in cleaned:
            count = len(parse_terms(cleaned["include_terms"])) + len(
                parse_terms(cleaned["exclude_terms"])
            )
            problem = count_problem(count)
            if problem:
                self.add_error("include_terms", problem)
        return cleaned


def _checked_terms(text: str) -> str:
    problems = [p for p in map(term_problem, parse_terms(text)) if p]
    if problems:
        raise forms.ValidationError(problems)
    return text


class QuestionForm(forms.ModelForm):
    class Meta:
        model = ReviewQuestion
        fields = ["number", "text"]
        widgets = {
            "number": forms.NumberInput(attrs={"min": 1, "class": "max-w-6rem"}),
            "text": forms.Textarea(attrs={"rows": 2}),
        }


class BaseReviewFormSet(BaseModelFormSet):
    """A model formset limited to one review's rows."""

    def __init__(self, *args, review: Review, **kwargs) -> None:
        self.review = review
        kwargs.setdefault("queryset", self.model.objects.filter(review=review))
        super().__init__(*args, **kwargs)

    def save_new(self, form, commit=True):
        form.instance.review = self.review
        return super().save_new(form, commit=commit)


class QuestionFormSetBase(BaseReviewFormSet):
    def clean(self) -> None:
        super().clean()
        numbers = [
            f.cleaned_data["number"]
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("text")
            and f.cleaned_data.get("number") is not None  # a bad number has its own error
        ]
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise forms.ValidationError(
                f"Two questions share the number {', '.join(map(str, repeated))}: "
                "give each question its own number."
            )


QuestionFormSet = modelformset_factory(
    ReviewQuestion, form=QuestionForm, formset=QuestionFormSetBase, extra=1, can_delete=True
)


class CriteriaForm(forms.Form):
    include = forms.CharField(
        label="Inclusion criteria (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    exclude = forms.CharField(
        label="Exclusion criteria (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note = forms.CharField(
        label="What changed and why",
        required=False,
        max_length=300,
        help_text="Kept with the new version; decisions record the version in force.",
    )


class ReasonForm(forms.ModelForm):
    class Meta:
        model = ExclusionReason
        fields = [
            "number",
            "code",
            "label",
            "at_title_abstract",
            "at_retrieval",
            "at_full_text",
            "note_required",
            "active",
        ]
        widgets = {"number": forms.NumberInput(attrs={"min": 0, "class": "max-w-5rem"})}


class ReasonFormSetBase(BaseReviewFormSet):
    def clean(self) -> None:
        super().clean()
        codes = [
            f.cleaned_data["code"].upper()
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("code")
        ]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise forms.ValidationError(f"Each reason needs its own code: {', '.join(repeated)}.")
        # (An error on a form marked for deletion would not stop the formset: say it here.)
        in_use = [
            f"'{form.instance.code}' is used by {uses} decision(s) or history row(s): untick "
            "Active to retire it instead of deleting it."
            for form in self.forms
            if self._should_delete_form(form) and form.instance.pk
            for uses in [_uses(form.instance)]
            if uses
        ]
        if in_use:
            raise forms.ValidationError(in_use)

    def save(self, commit: bool = True):
        # Codes are unique per review and rows are saved one by one: two reasons swapping codes
        # would collide half-way. Changed codes step aside first (inside the caller's atomic).
        changed = [
            f.instance.pk
            for f in self.initial_forms
            if f.instance.pk and "code" in f.changed_data and f not in self.deleted_forms
        ]
        if changed:
            for pk in changed:
                ExclusionReason.objects.filter(pk=pk).update(code=f"~{pk}")
        return super().save(commit=commit)


def _uses(instance: models.Model) -> int:
    """Rows that protect `instance` from deletion (decisions, history), whatever app they are in."""
    relations = instance._meta.get_fields(include_hidden=True)  # reverse names are often "+"
    return sum(
        relation.related_model._base_manager.filter(**{relation.field.name: instance}).count()
        for relation in relations
        if relation.auto_created
        and not relation.concrete
        and getattr(relation, "on_delete", None) is models.PROTECT
    )


ReasonFormSet = modelformset_factory(
    ExclusionReason, form=ReasonForm, formset=ReasonFormSetBase, extra=1, can_delete=True
)


class InviteForm(forms.Form):
    who = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        help_text="They see the invitation on their home page and accept or decline it.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)

    def clean_who(self) -> str:
        return self.cleaned_data["who"].strip()


class AddMemberForm(forms.Form):
    """Staff only (the team page): it says whether an account exists."""

    username = forms.CharField(label="Existing user's username", max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(
                f"No user is called '{username}'. Create an account for them below instead."
            )
        return user


class CreateCollaboratorForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        help_text="Share it with them privately; they can change it after logging in.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        username_field = User._meta.get_field("username")
        for validator in username_field.validators:
            validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"The username '{username}' is taken.")
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
