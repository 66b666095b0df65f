"""PRISMA 2020 flow counts: one function, the same names everywhere (DESIGN.md contract).

Every page, export and the diagram read these numbers from here, so they cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from reviewapp.models import Review, Stage

from .models import Record, Resolution, Source, StageStatus

COLUMNS = {
    Source.Method.DATABASE: "databases",
    Source.Method.REGISTER: "registers",
    Source.Method.OTHER: "other",
}


def identified(review: Review) -> dict[str, dict[str, int]]:
    """Records identified, per source name, in the diagram's column for its method."""
    rows = (
        Record.objects.in_review(review)
        .values_list("source__method", "source__name")
        .annotate(n=Count("id"))
        .order_by("source__method", "source__name")
    )
    columns: dict[str, dict[str, int]] = {name: {} for name in COLUMNS.values()}
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for method, name, n in rows:
        totals[(COLUMNS[method], name)] += n
    for (column, name), n in totals.items():
        columns[column][name] = n
    return columns


def excluded_fulltext(review: Review) -> dict[str, int]:
    """Full texts excluded, per the reason reported (agreed, or the lead's)."""
    rows = (
        Record.objects.in_review(review)
        .filter(duplicate_of__isnull=True, ta_status=StageStatus.INCLUDE)
        .filter(ft_status=StageStatus.EXCLUDE)
        .values_list("ft_reason__label", "ft_reason__number")
        .annotate(n=Count("id"))
        .order_by("ft_reason__number", "ft_reason__label")
    )
    # Keyed by label, as the diagram reports them: reasons sharing a label (a retired one and
    # its successor) add up rather than overwrite each other.
    counts: dict[str, int] = {}
    for label, _number, n in rows:
        key = label or "No reason recorded"
        counts[key] = counts.get(key, 0) + n
    return counts


def prisma_counts(review: Review) -> dict:
    """The full PRISMA 2020 key set for a review."""
    unique = Q(duplicate_of__isnull=True)
    sought_q = unique & Q(ta_status=StageStatus.INCLUDE)
    records = Record.objects.in_review(review).aggregate(
        total=Count("id"),
        duplicates=Count("id", filter=Q(duplicate_of__isnull=False)),
        ta_open=Count("id", filter=unique & Q(ta_status=StageStatus.OPEN)),
        ta_include=Count("id", filter=unique & Q(ta_status=StageStatus.INCLUDE)),
        ta_exclude=Count("id", filter=unique & Q(ta_status=StageStatus.EXCLUDE)),
        ta_conflict=Count("id", filter=unique & Q(ta_status=StageStatus.CONFLICT)),
        not_retrieved=Count("id", filter=sought_q & Q(retrieval="not_retrieved")),
        ft_include=Count("id", filter=sought_q & Q(ft_status=StageStatus.INCLUDE)),
        ft_exclude=Count("id", filter=sought_q & Q(ft_status=StageStatus.EXCLUDE)),
        own_studies=Count(
            "id", filter=sought_q & Q(ft_status=StageStatus.INCLUDE, study__isnull=True)
        ),
        linked_studies=Count(
            "study", distinct=True, filter=sought_q & Q(ft_status=StageStatus.INCLUDE)
        ),
    )
    # Excluded by the lead's stopping rule (prioritised screening), not by a person's reading.
    by_rule = Resolution.objects.filter(
        review=review,
        stage=Stage.TITLE_ABSTRACT,
        rule__isnull=False,
        record__duplicate_of__isnull=True,
        record__ta_status=StageStatus.EXCLUDE,
    ).count()
    screened = records["total"] - records["duplicates"]
    sought = records["ta_include"]  # reports sought = included at title/abstract
    assessed = records["ft_include"] + records["ft_exclude"]
    return {
        "identified": identified(review),
        "removed_before_screening": {
            "duplicates": records["duplicates"],
            "automation": 0,
            "other": 0,
        },
        "screened": screened,
        "excluded_screening": {"human": records["ta_exclude"] - by_rule, "automation": by_rule},
        "sought": sought,
        "not_retrieved": records["not_retrieved"],
        "assessed": assessed,
        "excluded_fulltext": excluded_fulltext(review),
        "included_studies": records["own_studies"] + records["linked_studies"],
        "included_reports": records["ft_include"],
        # Full text awaits retrieval, decisions, or the lead (full-text conflicts).
        "awaiting": {
            "title_abstract": records["ta_open"],
            "full_text": sought - records["not_retrieved"] - assessed,
            "conflicts": records["ta_conflict"],
        },
    }
