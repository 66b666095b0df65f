"""The lead's form builder: sections, fields, dual charting; edits version the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role

from ..builder_forms import ChartersForm, FieldForm, SectionForm
from ..models import ChartForm, FormField
from ..services import forms as builder
from ..services.forms import FormEditRefused, current_form, form_fields, is_frozen


def _page(request: HttpRequest, review, **forms_and_status) -> HttpResponse:
    form = current_form(review)
    context = {
        "review": review,
        "form": form,
        "frozen": bool(form and is_frozen(form)),
        "sections": list(form.sections.select_related("question", "depends_on")) if form else [],
        "fields": form_fields(form) if form else [],
        "section_form": SectionForm(form=form, review=review),
        "field_form": FieldForm(form=form),
        "charters_form": ChartersForm(
            initial={"charters_per_study": form.charters_per_study if form else 1}
        ),
    }
    status = forms_and_status.pop("status", 200)
    context.update(forms_and_status)
    return render(request, "extraction/form_builder.html", context, status=status)


@login_required
@require_safe
def form_builder(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    return _page(request, review)


def _done(request: HttpRequest, review, before: ChartForm | None, what: str) -> HttpResponse:
    after = current_form(review)
    if before is not None and after is not None and after.version != before.version:
        what += (
            f" Charts made on version {before.version} keep it; new charts use "
            f"version {after.version}."
        )
    messages.success(request, what)
    return redirect("extraction:form", slug=review.slug)


@login_required
@require_POST
def form_settings(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    charters = ChartersForm(request.POST)
    if not charters.is_valid():
        return _page(request, review, charters_form=charters, status=400)
    try:
        builder.set_charters_per_study(
            review=review, by=request.user, charters=charters.cleaned_data["charters_per_study"]
        )
    except FormEditRefused as refusal:
        charters.add_error(None, str(refusal))
        return _page(request, review, charters_form=charters, status=400)
    return _done(request, review, None, "Charting setting saved.")


@login_required
@require_POST
def sections_for_questions(request: HttpRequest, slug: str) -> HttpResponse:
    """One section per review question (and one for source characteristics), where missing."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    made = builder.add_question_sections(review=review, by=request.user)
    return _done(request, review, before, f"{len(made)} section(s) added.")


@login_required
@require_POST
def section_add(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    section_form = SectionForm(request.POST, form=before, review=review)
    if section_form.is_valid():
        try:
            builder.add_section(review=review, by=request.user, **section_form.cleaned_data)
        except FormEditRefused as refusal:
            section_form.add_error(None, str(refusal))
        else:
            return _done(request, review, before, "Section added.")
    return _page(request, review, section_form=section_form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    section = builder.find_section(before, key)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["key"] = key  # a section's key stays: charts and exports name it
    section_form = SectionForm(
        data, form=before, review=review, initial=SectionForm.initial_for(section)
    )
    section_form.fields["key"].disabled = True
    if data is not None and section_form.is_valid():
        changes = {k: v for k, v in section_form.cleaned_data.items() if k != "key"}
        try:
            builder.update_section(review=review, by=request.user, section_key=key, **changes)
        except FormEditRefused as refusal:
            section_form.add_error(None, str(refusal))
        else:
            return _done(request, review, before, "Section saved.")
    status = 400 if data is not None else 200
    context = {"review": review, "thing": section, "edit_form": section_form, "kind": "section"}
    return render(request, "extraction/form_edit.html", context, status=status)


@login_required
@require_POST
def section_delete(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    builder.find_section(before, key)
    builder.delete_section(review=review, by=request.user, section_key=key)
    return _done(request, review, before, "Section removed.")


def _field_attrs(cleaned: dict) -> dict:
    return {k: v for k, v in cleaned.items() if k != "section_key"}


@login_required
@require_POST
def field_add(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    field_form = FieldForm(request.POST, form=before)
    if field_form.is_valid():
        data = field_form.cleaned_data
        try:
            builder.add_field(
                review=review, by=request.user, section_key=data["section_key"],
                **_field_attrs(data),
            )  # fmt: skip
        except FormEditRefused as refusal:
            field_form.add_error(None, str(refusal))
        else:
            return _done(request, review, before, "Field added.")
    return _page(request, review, field_form=field_form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    field: FormField = builder.find_field(before, key)
    field_form = FieldForm(
        request.POST if request.method == "POST" else None,
        form=before,
        initial=FieldForm.initial_for(field),
    )
    if request.method == "POST" and field_form.is_valid():
        data = field_form.cleaned_data
        try:
            builder.update_field(
                review=review, by=request.user, field_key=key,
                section_key=data["section_key"], **_field_attrs(data),
            )  # fmt: skip
        except FormEditRefused as refusal:
            field_form.add_error(None, str(refusal))
        else:
            return _done(request, review, before, "Field saved.")
    status = 400 if request.method == "POST" else 200
    context = {"review": review, "thing": field, "edit_form": field_form, "kind": "field"}
    return render(request, "extraction/form_edit.html", context, status=status)


@login_required
@require_POST
def field_delete(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    before = current_form(review)
    builder.find_field(before, key)
    builder.delete_field(review=review, by=request.user, field_key=key)
    return _done(request, review, before, "Field removed.")
