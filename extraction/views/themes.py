"""Codebook (the lead edits, members read), coding quotes on a study, the theme table and the
data dictionary."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Review, Role
from screening.models import Study

from ..dictionary import current_form, data_dictionary
from ..models import Code, CodedQuote
from ..services.charting import charting_studies
from ..services.themes import (
    add_quote,
    delete_code,
    delete_quote,
    edit_quote,
    merge_code,
    save_code,
    set_retired,
)
from ..theme_forms import CodeForm, MergeForm, QuoteForm
from ..themes_table import code_tree, theme_table


def _review(request: HttpRequest, slug: str, *, write: Role) -> Review:
    """Reading needs membership; writing (POST) needs `write`."""
    return get_review_for(request.user, slug, role=write if request.method == "POST" else "viewer")


def _data(request: HttpRequest):
    """The POSTed data (even when empty, so the form is bound and says what is missing)."""
    return request.POST if request.method == "POST" else None


def _saved(form, save) -> bool:
    """Run the service; a rule it refuses becomes the form's error rather than a 500."""
    try:
        save()
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest, slug: str) -> HttpResponse:
    review = _review(request, slug, write=Role.LEAD)
    form = CodeForm(_data(request), review=review) if review.membership.is_lead else None
    if (
        form is not None
        and form.is_bound
        and form.is_valid()
        and _saved(form, lambda: save_code(review=review, by=request.user, **form.values()))
    ):
        messages.success(request, f"Code {form.cleaned_data['code']} added.")
        return redirect("extraction:codebook", slug=review.slug)
    codes = (
        Code.objects.filter(review=review, merged_into__isnull=True)
        .annotate(n_quotes=Count("quotes"))
        .prefetch_related("questions")
    )
    return render(
        request,
        "extraction/codebook.html",
        {
            "review": review,
            "tree": code_tree(codes),
            "parents": {c.parent_id for c in codes if c.parent_id},  # no delete button on these
            "form": form,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


def _code(review: Review, code_id: int) -> Code:
    return get_object_or_404(Code.objects.filter(review=review), pk=code_id)


@login_required
@require_http_methods(["GET", "POST"])
def code_edit(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    code = _code(review, code_id)
    form = CodeForm(_data(request), review=review, instance=code)
    if form.is_bound and form.is_valid():
        values = form.values()
        if _saved(form, lambda: save_code(review=review, by=request.user, instance=code, **values)):
            messages.success(request, f"Code {code.code} saved.")
            return redirect("extraction:codebook", slug=review.slug)
    return _code_page(request, review, code, form=form, merge=MergeForm(code=code))


def _code_page(request, review, code, *, form, merge) -> HttpResponse:
    bound = form.is_bound or merge.is_bound
    return render(
        request,
        "extraction/code_edit.html",
        {
            "review": review,
            "code": code,
            "form": form,
            "merge": merge,
            "n_quotes": code.quotes.count(),
        },
        status=400 if bound else 200,
    )


@login_required
@require_POST
def code_retire(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    """Retire the code (or, with retired=0, bring it back)."""
    review = get_review_for(request.user, slug, role=Role.LEAD)
    code = set_retired(code=_code(review, code_id), retired=request.POST.get("retired") != "0")
    messages.success(request, f"Code {code.code} {'retired' if code.retired else 'back in use'}.")
    return redirect("extraction:codebook", slug=review.slug)


@login_required
@require_POST
def code_delete(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    code = _code(review, code_id)
    try:
        delete_code(code=code)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Code {code.code} deleted.")
    return redirect("extraction:codebook", slug=review.slug)


@login_required
@require_POST
def code_merge(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    code = _code(review, code_id)
    merge = MergeForm(request.POST, code=code)
    if merge.is_valid():
        into = merge.cleaned_data["into"]
        if _saved(merge, lambda: merge_code(code=code, into=into, by=request.user)):
            messages.success(request, f"Code {code.code} merged into {into.code}.")
            return redirect("extraction:codebook", slug=review.slug)
    return _code_page(
        request, review, code, form=CodeForm(review=review, instance=code), merge=merge
    )


def study_codes_context(
    review: Review, study: Study, user, *, form=None, editing=None, edit_form=None
) -> dict:
    """What templates/extraction/_study_codes.html needs: also for a page that includes it."""
    can_code = review.membership.can_screen
    quotes = study.coded_quotes.select_related("code", "coded_by").order_by(
        "code__order", "code__code", "created_at", "id"
    )
    return {
        "review": review,
        "study": study,
        "quotes": quotes,
        "can_code": can_code,
        "form": form or (QuoteForm(review=review) if can_code else None),
        "editing": editing,
        "edit_form": edit_form,
        "user_id": user.pk,
    }


def _study(review: Review, study_id: int) -> Study:
    # Only an included study is coded (as only one is charted): the theme table counts those.
    return get_object_or_404(charting_studies(review), pk=study_id)


def _codes_response(request, context: dict, *, status: int = 200) -> HttpResponse:
    template = "extraction/_study_codes.html" if request.htmx else "extraction/study_codes.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def study_codes(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """A study's coded quotes; a reviewer codes a quote to a theme here."""
    review = _review(request, slug, write=Role.REVIEWER)
    study = _study(review, study_id)
    form = QuoteForm(_data(request), review=review) if review.membership.can_screen else None
    if request.method == "POST":
        values = form.values() if form.is_valid() else None
        if values and _saved(form, lambda: add_quote(study=study, by=request.user, **values)):
            if not request.htmx:
                messages.success(request, f"Quote coded to {values['code'].code}.")
                return redirect("extraction:study-codes", slug=review.slug, study_id=study.pk)
            form = None  # a fresh form under the list
        else:
            context = study_codes_context(review, study, request.user, form=form)
            return _codes_response(request, context, status=400)
    return _codes_response(request, study_codes_context(review, study, request.user, form=form))


def _own_quote(request: HttpRequest, review: Review, study: Study, quote_id: int) -> CodedQuote:
    """A quote of this study that the user may change: their own (the lead: anyone's)."""
    coded = get_object_or_404(study.coded_quotes.select_related("code"), pk=quote_id)
    if coded.coded_by_id != request.user.pk and not review.membership.is_lead:
        raise PermissionDenied("Only the person who coded a quote (or the lead) changes it.")
    return coded


@login_required
@require_http_methods(["GET", "POST"])
def coded_quote(request: HttpRequest, slug: str, study_id: int, quote_id: int) -> HttpResponse:
    """Edit one coded quote in place: GET shows its form, POST saves it."""
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    study = _study(review, study_id)
    coded = _own_quote(request, review, study, quote_id)
    edit_form = QuoteForm(_data(request), review=review, instance=coded, prefix="edit")
    if edit_form.is_bound and edit_form.is_valid():
        values = edit_form.values()
        if _saved(edit_form, lambda: edit_quote(coded=coded, by=request.user, **values)):
            if not request.htmx:
                messages.success(request, "Quote saved.")
                return redirect("extraction:study-codes", slug=review.slug, study_id=study.pk)
            return _codes_response(request, study_codes_context(review, study, request.user))
    context = study_codes_context(
        review, study, request.user, editing=coded.pk, edit_form=edit_form
    )
    return _codes_response(request, context, status=400 if edit_form.is_bound else 200)


@login_required
@require_POST
def coded_quote_delete(
    request: HttpRequest, slug: str, study_id: int, quote_id: int
) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.REVIEWER)
    study = _study(review, study_id)
    delete_quote(coded=_own_quote(request, review, study, quote_id), by=request.user)
    if not request.htmx:
        messages.success(request, "Quote deleted (its text stays in the study's history).")
        return redirect("extraction:study-codes", slug=review.slug, study_id=study.pk)
    return _codes_response(request, study_codes_context(review, study, request.user))


@login_required
@require_safe
def themes(request: HttpRequest, slug: str) -> HttpResponse:
    """The theme table: themes by study (counts of quotes; totals of distinct studies) and by
    review question, with the quotes behind each."""
    review = get_review_for(request.user, slug)
    table = theme_table(review)
    columns = list(zip(table.study_ids, table.studies, strict=True))
    return render(
        request, "extraction/themes.html", {"review": review, "table": table, "columns": columns}
    )


@login_required
@require_safe
def dictionary(request: HttpRequest, slug: str) -> HttpResponse:
    """Every field of the current charting form and every code, with its meaning."""
    review = get_review_for(request.user, slug)
    rows = data_dictionary(review)
    return render(
        request,
        "extraction/dictionary.html",
        {
            "review": review,
            "form": current_form(review),
            # (section title, shown when, its fields), in form order.
            "sections": [
                (title, shown_when, list(group))
                for (title, shown_when), group in groupby(
                    (r for r in rows if r.kind == "field"), key=lambda r: (r.section, r.shown_when)
                )
            ],
            "codes": [r for r in rows if r.kind == "code"],
        },
    )
