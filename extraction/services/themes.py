"""Writes to the codebook and to coded quotes: the rules live here, not in the views.

Rules: a code's parent is in the same review and never the code itself or one of its
descendants; a code with quotes is never deleted (retire or merge it); every change to a
quote is kept in CodedQuoteChange.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from reviewapp.models import Review, ReviewQuestion
from screening.models import Study
from screening.textqueries import quote_span

from ..models import Code, CodedQuote, CodedQuoteChange

CODE_FIELDS = ("code", "label", "definition", "include_when", "exclude_when", "status", "order")


def descendant_ids(code: Code) -> set[int]:
    """Ids of every code below this one (one query for the review's tree)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Code.objects.filter(review_id=code.review_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(children.get(code.pk, []))
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def check_parent(code: Code, parent: Code | None) -> None:
    """Refuse a parent from another review, the code itself, or one of its descendants."""
    if parent is None:
        return
    if parent.review_id != code.review_id:
        raise ValidationError({"parent": "That code belongs to another review."})
    if code.pk and (parent.pk == code.pk or parent.pk in descendant_ids(code)):
        raise ValidationError({"parent": "A code cannot sit under itself or one of its sub-codes."})


def _check_questions(review: Review, questions: Iterable[ReviewQuestion]) -> list[ReviewQuestion]:
    questions = list(questions)
    if any(q.review_id != review.pk for q in questions):
        raise ValidationError({"questions": "That question belongs to another review."})
    return questions


@transaction.atomic
def save_code(
    *,
    review: Review,
    by: AbstractBaseUser | None,
    instance: Code | None = None,
    parent: Code | None = None,
    questions: Iterable[ReviewQuestion] | None = None,
    **values,
) -> Code:
    """Add a code (no instance) or change one: its fields, its parent (a move), its questions."""
    code = instance or Code(review=review, created_by=by)
    if code.review_id != review.pk:
        raise ValidationError("That code belongs to another review.")
    check_parent(code, parent)
    for name in CODE_FIELDS:
        if values.get(name) is not None:
            setattr(code, name, values[name])
    code.parent = parent
    if code.pk is None and values.get("order") is None:  # a new code goes after its siblings
        siblings = Code.objects.filter(review=review, parent=parent)
        code.order = (siblings.aggregate(last=Max("order"))["last"] or 0) + 1
    if Code.objects.filter(review=review, code=code.code).exclude(pk=code.pk).exists():
        raise ValidationError({"code": f"The codebook already has a code {code.code}."})
    code.save()
    if questions is not None:  # None: a move or an edit that leaves the links as they are
        code.questions.set(_check_questions(review, questions))
    return code


def set_retired(*, code: Code, retired: bool) -> Code:
    """Retire a code (kept on its quotes, no longer offered for coding) or bring it back."""
    code.retired = retired
    code.save(update_fields=["retired"])
    return code


@transaction.atomic
def delete_code(*, code: Code) -> None:
    """Delete a code nobody has used and that has no sub-codes; otherwise refuse."""
    if code.quotes.exists():
        raise ValidationError(
            f"{code.code} has coded quotes: retire it, or merge it into another code."
        )
    if code.children.exists():
        raise ValidationError(f"{code.code} has sub-codes: move or delete them first.")
    Code.objects.filter(merged_into=code).update(merged_into=None)
    code.delete()


@transaction.atomic
def merge_code(*, code: Code, into: Code, by: AbstractBaseUser) -> int:
    """Move the code's quotes and sub-codes to `into`, then retire it as merged. Returns how many
    quotes moved; each move is kept in the quotes' history."""
    if into.review_id != code.review_id:
        raise ValidationError({"into": "That code belongs to another review."})
    if into.pk == code.pk or into.pk in descendant_ids(code):
        raise ValidationError({"into": "Merge into a code outside this one's own branch."})
    moved = 0
    for quote in code.quotes.select_related("code").select_for_update():
        old = _snapshot(quote)
        quote.code = into
        quote.save(update_fields=["code", "updated_at"])
        _log(quote, CodedQuoteChange.Action.MERGED, old, _snapshot(quote), by)
        moved += 1
    code.children.update(parent=into)
    code.retired, code.merged_into = True, into
    code.save(update_fields=["retired", "merged_into"])
    return moved


def _snapshot(quote: CodedQuote) -> dict:
    return {
        "code": quote.code.code,
        "quote": quote.quote,
        "location": quote.location,
        "page_number": quote.page_number,
        "char_start": quote.char_start,
        "char_end": quote.char_end,
    }


def _log(quote: CodedQuote, action: str, old: dict, new: dict, by) -> None:
    CodedQuoteChange.objects.create(
        coded_quote=quote if action != CodedQuoteChange.Action.DELETED else None,
        study_id=quote.study_id,
        action=action,
        old=old,
        new=new,
        changed_by=by,
    )


QUOTE_FIELDS = ("quote", "location", "page_number", "char_start", "char_end")


def _span(study: Study, quote: str, values: dict) -> None:
    """Replace the reader's selection offsets (a hint: where to look first) with the quote's
    place in the extracted text of its page; both None when typed by hand or not there."""
    span = None
    if values.get("char_end") is not None:
        span = quote_span(study.pk, quote, values.get("page_number"), values.get("char_start"))
    values["char_start"], values["char_end"] = span or (None, None)


def _check_code_for(study: Study, code: Code, current: Code | None = None) -> None:
    if code.review_id != study.review_id:
        raise ValidationError({"code": "That code belongs to another review."})
    if code.retired and code != current:
        raise ValidationError({"code": f"{code.code} is retired: pick a code in use."})


@transaction.atomic
def add_quote(*, study: Study, code: Code, by: AbstractBaseUser, quote: str, **where) -> CodedQuote:
    """Code the study with `code`, on this verbatim quote and its location."""
    _check_code_for(study, code)
    if not quote.strip():
        raise ValidationError({"quote": "Paste the passage, word for word."})
    values = {name: where.get(name) for name in QUOTE_FIELDS[1:]}
    values["location"] = values["location"] or ""
    _span(study, quote, values)
    coded = CodedQuote.objects.create(study=study, code=code, coded_by=by, quote=quote, **values)
    _log(coded, CodedQuoteChange.Action.CREATED, {}, _snapshot(coded), by)
    return coded


@transaction.atomic
def edit_quote(*, coded: CodedQuote, by: AbstractBaseUser, code: Code, **values) -> CodedQuote:
    """Change a coded quote (its code, text or location); the old version stays in history."""
    # The stored version, not the instance: a bound form has already put the new values on it.
    stored = CodedQuote.objects.select_related("code", "study").get(pk=coded.pk)
    _check_code_for(stored.study, code, current=stored.code)
    old = _snapshot(stored)
    coded.code = code
    if "char_end" in values:  # from the form: where the reader's selection was, if it was
        values = {"page_number": stored.page_number, **values}
        _span(stored.study, values.get("quote", stored.quote), values)
    for name in QUOTE_FIELDS:
        if name in values:
            setattr(coded, name, values[name] if name != "location" else values[name] or "")
    if not coded.quote.strip():
        raise ValidationError({"quote": "Paste the passage, word for word."})
    new = _snapshot(coded)
    if new != old:
        coded.save()
        _log(coded, CodedQuoteChange.Action.EDITED, old, new, by)
    return coded


@transaction.atomic
def delete_quote(*, coded: CodedQuote, by: AbstractBaseUser) -> None:
    """Delete a coded quote; what it said stays in history."""
    _log(coded, CodedQuoteChange.Action.DELETED, _snapshot(coded), {}, by)
    coded.delete()


@transaction.atomic
def load_codebook(
    *, review: Review, by: AbstractBaseUser | None, codes: Sequence[dict]
) -> list[Code]:
    """Add these codes (dicts with code, label, parent code, definition, guidance, question
    numbers, status), parents before children; codes already in the codebook are left alone."""
    existing = {c.code: c for c in Code.objects.filter(review=review)}
    questions = {q.number: q for q in review.questions.all()}
    added = []
    for order, spec in enumerate(codes, start=1):
        if spec["code"] in existing:
            continue
        code = Code.objects.create(
            review=review,
            created_by=by,
            parent=existing.get(spec.get("parent") or ""),
            order=order,
            **{k: spec[k] for k in CODE_FIELDS if k in spec and k != "order"},
        )
        code.questions.set(questions[n] for n in spec.get("questions", ()) if n in questions)
        existing[code.code] = code
        added.append(code)
    return added
