"""The lead builds the charting form; once a chart uses a version, changes go to a copy.

Every edit goes through `writable_form`: the current version if no chart uses it yet, else a
new version copied from it. Sections and fields are addressed by key (unique within a version),
so an edit named against the old version lands on its counterpart in the copy, and the charts
made on the old version keep rendering with exactly the form they were made on.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.http import Http404

from reviewapp.models import Review

from ..models import CHOICE_TYPES, Chart, ChartForm, FieldType, FormField, FormSection


class FormEditRefused(ValueError):
    """An edit that would leave the form inconsistent; the message says what to change."""


def current_form(review: Review) -> ChartForm | None:
    """The review's newest form version (the one new charts are made on), if any."""
    return ChartForm.objects.filter(review=review).order_by("-version").first()


def form_fields(form: ChartForm) -> list[FormField]:
    """Every field of a version, in section then field order."""
    return list(
        FormField.objects.filter(section__form=form)
        .select_related("section")
        .order_by("section__order", "section__id", "order", "id")
    )


def is_frozen(form: ChartForm) -> bool:
    """A version some chart was made on: it may no longer change."""
    return form.charts.exists()


@transaction.atomic
def ensure_form(*, review: Review, by: AbstractBaseUser | None) -> ChartForm:
    """The current version, creating version 1 for a review that has none."""
    form = current_form(review)
    return form or ChartForm.objects.create(review=review, version=1, created_by=by)


@transaction.atomic
def copy_form(*, form: ChartForm, by: AbstractBaseUser | None) -> ChartForm:
    """A new version with the same settings, sections and fields (dependencies remapped)."""
    latest = ChartForm.objects.filter(review=form.review_id).aggregate(v=Max("version"))["v"]
    copy = ChartForm.objects.create(
        review=form.review,
        version=(latest or 0) + 1,
        charters_per_study=form.charters_per_study,
        created_by=by,
    )
    new_fields: dict[int, FormField] = {}
    sections = list(form.sections.all())
    for section in sections:
        new_section = FormSection.objects.create(
            form=copy,
            key=section.key,
            title=section.title,
            order=section.order,
            question=section.question,
            depends_on_choice=section.depends_on_choice,
        )
        for field in section.fields.all():
            old_pk = field.pk
            field.pk = None
            field.section = new_section
            field.save()
            new_fields[old_pk] = field
        section.copy = new_section  # type: ignore[attr-defined]
    for section in sections:
        if section.depends_on_id:
            section.copy.depends_on = new_fields.get(section.depends_on_id)  # type: ignore[attr-defined]
            section.copy.save(update_fields=["depends_on"])  # type: ignore[attr-defined]
    return copy


@transaction.atomic
def writable_form(*, review: Review, by: AbstractBaseUser | None) -> ChartForm:
    """The version an edit may change: the current one, or a fresh copy once charts use it."""
    form = ensure_form(review=review, by=by)
    ChartForm.objects.select_for_update().filter(pk=form.pk).first()
    return copy_form(form=form, by=by) if is_frozen(form) else form


def _section(form: ChartForm, key: str) -> FormSection:
    section = form.sections.filter(key=key).first()
    if section is None:
        raise FormEditRefused(f"There is no section '{key}' on the form.")
    return section


def _field(form: ChartForm, key: str) -> FormField:
    field = FormField.objects.filter(section__form=form, key=key).first()
    if field is None:
        raise FormEditRefused(f"There is no field '{key}' on the form.")
    return field


def _dependency(
    form: ChartForm, key: str, choice: str, section: FormSection | None
) -> FormField | None:
    if not key:
        return None
    field = _field(form, key)
    if field.type != FieldType.MULTIPLE_CHOICE:
        raise FormEditRefused("A section can depend only on a multiple-choice field.")
    if choice not in field.choices:
        raise FormEditRefused(f"'{choice}' is not one of the options of '{field.label}'.")
    if section is not None and field.section_id == section.pk:
        raise FormEditRefused("A section cannot depend on one of its own fields.")
    return field


@transaction.atomic
def add_section(
    *,
    review: Review,
    by: AbstractBaseUser,
    key: str,
    title: str,
    order: int = 0,
    question: Any = None,
    depends_on_key: str = "",
    depends_on_choice: str = "",
) -> FormSection:
    """A new section on the writable version."""
    form = writable_form(review=review, by=by)
    if form.sections.filter(key=key).exists():
        raise FormEditRefused(f"The form already has a section '{key}'.")
    return FormSection.objects.create(
        form=form,
        key=key,
        title=title,
        order=order,
        question=question,
        depends_on=_dependency(form, depends_on_key, depends_on_choice, None),
        depends_on_choice=depends_on_choice if depends_on_key else "",
    )


@transaction.atomic
def update_section(
    *,
    review: Review,
    by: AbstractBaseUser,
    section_key: str,
    title: str,
    order: int = 0,
    question: Any = None,
    depends_on_key: str = "",
    depends_on_choice: str = "",
) -> FormSection:
    """Change a section's title, order, question or dependency (its key stays)."""
    form = writable_form(review=review, by=by)
    section = _section(form, section_key)
    section.depends_on = _dependency(form, depends_on_key, depends_on_choice, section)
    section.depends_on_choice = depends_on_choice if depends_on_key else ""
    section.title, section.order, section.question = title, order, question
    section.save()
    return section


@transaction.atomic
def delete_section(*, review: Review, by: AbstractBaseUser, section_key: str) -> ChartForm:
    """Remove a section and its fields from the writable version."""
    form = writable_form(review=review, by=by)
    _section(form, section_key).delete()
    return form


def _check_field(form: ChartForm, attrs: dict[str, Any], field: FormField | None) -> None:
    others = FormField.objects.filter(section__form=form, key=attrs["key"])
    if field is not None:
        others = others.exclude(pk=field.pk)
    if others.exists():
        raise FormEditRefused(f"The form already has a field '{attrs['key']}'.")
    choices = attrs.get("choices") or []
    if attrs["type"] in CHOICE_TYPES and len(choices) < 2:
        raise FormEditRefused("A choice or ordinal field needs at least two options.")
    if len(set(choices)) != len(choices):
        raise FormEditRefused("Each option may appear only once.")
    if attrs["type"] not in CHOICE_TYPES:
        attrs["choices"] = []
    if field is not None and field.dependent_sections.exists():
        if attrs["type"] != FieldType.MULTIPLE_CHOICE:
            raise FormEditRefused("A section depends on this field: it must stay multiple choice.")
        missing = {s.depends_on_choice for s in field.dependent_sections.all()} - set(choices)
        if missing:
            raise FormEditRefused(
                f"A section depends on the option(s) {', '.join(sorted(missing))}: keep them."
            )


FIELD_ATTRS = ("key", "label", "type", "required", "help_text", "choices", "order", "takes_quote")


@transaction.atomic
def add_field(*, review: Review, by: AbstractBaseUser, section_key: str, **attrs: Any) -> FormField:
    """A new field in a section of the writable version."""
    form = writable_form(review=review, by=by)
    section = _section(form, section_key)
    attrs = {name: attrs[name] for name in FIELD_ATTRS if name in attrs}
    _check_field(form, attrs, None)
    return FormField.objects.create(section=section, **attrs)


@transaction.atomic
def update_field(
    *, review: Review, by: AbstractBaseUser, field_key: str, section_key: str = "", **attrs: Any
) -> FormField:
    """Change a field's definition (on a new version if charts use the current one)."""
    form = writable_form(review=review, by=by)
    field = _field(form, field_key)
    attrs = {name: attrs[name] for name in FIELD_ATTRS if name in attrs}
    attrs.setdefault("key", field.key)
    attrs.setdefault("type", field.type)
    _check_field(form, attrs, field)
    for name, value in attrs.items():
        setattr(field, name, value)
    if section_key:
        field.section = _section(form, section_key)
    field.save()
    return field


@transaction.atomic
def delete_field(*, review: Review, by: AbstractBaseUser, field_key: str) -> ChartForm:
    """Remove a field from the writable version (sections depending on it become unconditional)."""
    form = writable_form(review=review, by=by)
    field = _field(form, field_key)
    field.dependent_sections.update(depends_on=None, depends_on_choice="")
    field.delete()
    return form


@transaction.atomic
def set_charters_per_study(*, review: Review, by: AbstractBaseUser, charters: int) -> ChartForm:
    """One or two independent charters per study: a review setting, changed in place, so only
    while no chart exists. With charts, two to one would turn a colleague's chart into the
    study's single chart (shown to everyone) and one to two would reopen settled studies."""
    if charters not in (1, 2):
        raise FormEditRefused("Choose one or two reviewers per study.")
    form = ensure_form(review=review, by=by)
    if form.charters_per_study == charters:
        return form
    if Chart.objects.filter(study__review=review).exists():
        raise FormEditRefused(
            "Reviewers have started charting, so the number of reviewers per study can no "
            "longer change."
        )
    form.charters_per_study = charters
    form.save(update_fields=["charters_per_study"])
    return form


def find_section(form: ChartForm | None, key: str) -> FormSection:
    """The current version's section with this key, else 404."""
    section = form.sections.filter(key=key).select_related("depends_on").first() if form else None
    if section is None:
        raise Http404("No such section on the form.")
    return section


def find_field(form: ChartForm | None, key: str) -> FormField:
    """The current version's field with this key, else 404."""
    found = FormField.objects.filter(section__form=form, key=key).select_related("section")
    field = found.first() if form else None
    if field is None:
        raise Http404("No such field on the form.")
    return field


@transaction.atomic
def add_question_sections(*, review: Review, by: AbstractBaseUser) -> list[FormSection]:
    """A 'source characteristics' section and one per review question, where missing."""
    form = writable_form(review=review, by=by)
    wanted = [("source", "Source characteristics", None)] + [
        (f"rq{q.number}", str(q), q) for q in review.questions.all()
    ]
    have = set(form.sections.values_list("key", flat=True))
    have_questions = set(form.sections.values_list("question_id", flat=True))
    made = []
    for order, (key, title, question) in enumerate(wanted):
        if key in have or (question is not None and question.pk in have_questions):
            continue
        made.append(
            FormSection.objects.create(
                form=form, key=key, title=title[:300], order=order * 10, question=question
            )
        )
    return made
