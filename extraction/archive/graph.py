"""Which tables belong to a review, how to find a review's rows in each, and the load order."""

from __future__ import annotations

from collections import deque
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

REVIEW = "reviewapp.Review"

# Every table that hangs off a review and is carried, row for row. The order here does not
# matter: load_order() sorts them by their foreign keys.
CARRIED = frozenset(
    {
        "reviewapp.Review",
        "reviewapp.Membership",
        "reviewapp.ReviewQuestion",
        "reviewapp.CriteriaVersion",
        "reviewapp.EligibilityCriterion",
        "reviewapp.ExclusionReason",
        "screening.RankingRun",
        "screening.ExclusionRule",
        "screening.Source",
        "screening.Record",
        "screening.Study",
        "screening.FullText",
        "screening.FullTextPage",
        "screening.DuplicatePair",
        "screening.Decision",
        "screening.Resolution",
        "screening.ScreeningEvent",
        "extraction.ChartForm",
        "extraction.FormSection",
        "extraction.FormField",
        "extraction.Chart",
        "extraction.ChartValue",
        "extraction.ChartValueChange",
        "extraction.Code",
        "extraction.Code_questions",
        "extraction.CodedQuote",
        "extraction.CodedQuoteChange",
    }
)

# Tables that hang off a review but are not research data: the state of jobs that ran on the
# old instance. Their results are carried (a source's records, an export's tables can be
# written again); the jobs themselves would be "running" or point at files that are not there.
SKIPPED = {
    "screening.ImportJob": "job state; its Source and records are carried",
    "extraction.ExportJob": "job state and derived files; exports can be run again",
    "reviewapp.Invitation": "links to join on the old instance; the team itself is carried",
}

# Column types computed from other columns on the instance itself, never carried.
DERIVED_FIELD_TYPES = (SearchVectorField,)


def all_models() -> list[type[models.Model]]:
    return list(apps.get_models(include_auto_created=True))


def is_user(model: type[models.Model]) -> bool:
    return model._meta.label == settings.AUTH_USER_MODEL


def foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)
    ]


def path_to_review(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its review (`section__form__review`), '' for Review itself,
    None if it has no path. Paths over non-null keys win, so no row is missed by a null."""
    if model._meta.label == REVIEW:
        return ""
    for strict in (True, False):
        found = _shortest_path(model, strict=strict)
        if found is not None:
            return found
    return None


def _shortest_path(start: type[models.Model], *, strict: bool) -> str | None:
    queue: deque[tuple[type[models.Model], list[str]]] = deque([(start, [])])
    seen = {start}
    while queue:
        model, path = queue.popleft()
        for field in foreign_keys(model):
            target = field.related_model
            if is_user(target) or target in seen or (strict and field.null):
                continue
            if target._meta.label == REVIEW:
                return "__".join([*path, field.name])
            seen.add(target)
            queue.append((target, [*path, field.name]))
    return None


def review_scoped_labels() -> set[str]:
    """Every model of the project with a path to a review (the set CARRIED | SKIPPED must match)."""
    return {m._meta.label for m in all_models() if path_to_review(m) is not None}


def carried_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns written to the archive: every concrete one but the key and derived ones."""
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, DERIVED_FIELD_TYPES)
    ]


@cache
def load_order() -> tuple[str, ...]:
    """CARRIED sorted so each table's non-null foreign keys point at tables loaded before it;
    nullable keys that point later (or at the same table) are set in a second pass."""
    hard: dict[str, set[str]] = {label: set() for label in CARRIED}
    soft: dict[str, set[str]] = {label: set() for label in CARRIED}
    for label in CARRIED:
        for field in foreign_keys(apps.get_model(label)):
            target = field.related_model._meta.label
            if target in CARRIED and target != label:
                (soft if field.null else hard)[label].add(target)
    order: list[str] = []
    while len(order) < len(CARRIED):
        ready = sorted(
            (label for label in CARRIED if label not in order and hard[label] <= set(order)),
            key=lambda label: (len(soft[label] - set(order)), label),
        )
        if not ready:
            raise RuntimeError(
                f"non-null foreign keys form a cycle among {set(CARRIED) - set(order)}"
            )
        order.append(ready[0])
    return tuple(order)
