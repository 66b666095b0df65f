"""PRISMA 2020 flow counts: every box of the diagram, both columns, from one place.

Each box is defined once by the records behind it (a Q on Record); `prisma_flow` counts them all
in one aggregate query (plus one grouped query for per-source and one for per-reason counts) and
`box_filter` lists the same records, so the page, the JSON, both CSVs, the SVG, the dashboard, the
`prisma` command and the records list behind each number cannot disagree (DESIGN.md contract).

Left column: records from databases and registers, screened at title/abstract. Right column
(`other_methods`): records from other methods (websites, organisations, citation searching ...)
enter at "reports sought for retrieval", as the PRISMA 2020 template draws them (the import
includes them at title/abstract). Duplicates are removed across both columns: a record is counted
once, in the column of the record that is kept; each column reports its own duplicates removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from reviewapp.models import Review, Stage

from .models import Record, Resolution, Source, StageStatus

LEFT_COLUMN = "databases_registers"
RIGHT_COLUMN = "other_methods"
NO_REASON = "No reason recorded"

_M, _K = Source.Method, Source.OtherKind
DATABASES = Q(source__method=_M.DATABASE)
REGISTERS = Q(source__method=_M.REGISTER)
LEFT = Q(source__method__in=[_M.DATABASE, _M.REGISTER])
RIGHT = Q(source__method=_M.OTHER)
UNIQUE = Q(duplicate_of__isnull=True)
DUPLICATE = Q(duplicate_of__isnull=False)
SOUGHT = UNIQUE & Q(ta_status=StageStatus.INCLUDE)
NOT_RETRIEVED = Q(retrieval="not_retrieved")
ASSESSED = Q(ft_status__in=[StageStatus.INCLUDE, StageStatus.EXCLUDE])
EXCLUDED_FT = Q(ft_status=StageStatus.EXCLUDE)
INCLUDED = SOUGHT & Q(ft_status=StageStatus.INCLUDE)
# Excluded by the lead's stopping rule (prioritised screening), not by a person's reading.
BY_RULE = Q(
    Exists(
        Resolution.objects.filter(
            record=OuterRef("pk"), stage=Stage.TITLE_ABSTRACT, rule__isnull=False
        )
    )
)
# One record per included study: a record without a study is its own; of a study's included
# reports, the first stands for it.
FIRST_REPORT = ~Q(
    Exists(Record.objects.filter(INCLUDED, study=OuterRef("study"), pk__lt=OuterRef("pk")))
)


def _kind(*kinds: str) -> Q:
    return RIGHT & Q(source__other_kind__in=kinds)


@dataclass(frozen=True)
class Box:
    """One number of the diagram: its key (`?box=`), column, the template's wording, and the
    records behind it (None: a box this app never fills, always 0). `part`: the box is also
    reported per "source" (name) or per "reason" (full-text exclusion reason label)."""

    key: str
    column: str
    label: str
    records: Q | None
    part: str | None = None


BOXES: tuple[Box, ...] = (
    Box("identified_databases", LEFT_COLUMN, "Databases", DATABASES, "source"),
    Box("identified_registers", LEFT_COLUMN, "Registers", REGISTERS, "source"),
    Box("duplicates", LEFT_COLUMN, "Duplicate records removed", LEFT & DUPLICATE),
    Box("automation", LEFT_COLUMN, "Records marked as ineligible by automation tools", None),
    Box("removed_other", LEFT_COLUMN, "Records removed for other reasons", None),
    Box("screened", LEFT_COLUMN, "Records screened", LEFT & UNIQUE),
    Box(
        "excluded_screening",
        LEFT_COLUMN,
        "Records excluded",
        LEFT & UNIQUE & Q(ta_status=StageStatus.EXCLUDE),
    ),
    Box(
        "excluded_human",
        LEFT_COLUMN,
        "Records excluded by a human",
        LEFT & UNIQUE & Q(ta_status=StageStatus.EXCLUDE) & ~BY_RULE,
    ),
    Box(
        "excluded_automation",
        LEFT_COLUMN,
        "Records excluded by automation tools",
        LEFT & UNIQUE & Q(ta_status=StageStatus.EXCLUDE) & BY_RULE,
    ),
    Box("sought", LEFT_COLUMN, "Reports sought for retrieval", LEFT & SOUGHT),
    Box("not_retrieved", LEFT_COLUMN, "Reports not retrieved", LEFT & SOUGHT & NOT_RETRIEVED),
    Box("assessed", LEFT_COLUMN, "Reports assessed for eligibility", LEFT & SOUGHT & ASSESSED),
    Box(
        "excluded_fulltext",
        LEFT_COLUMN,
        "Reports excluded",
        LEFT & SOUGHT & EXCLUDED_FT,
        "reason",
    ),
    Box("identified_websites", RIGHT_COLUMN, "Websites", _kind(_K.WEBSITE), "source"),
    Box(
        "identified_organisations", RIGHT_COLUMN, "Organisations", _kind(_K.ORGANISATION), "source"
    ),
    Box("identified_citations", RIGHT_COLUMN, "Citation searching", _kind(_K.CITATIONS), "source"),
    Box("identified_other_sources", RIGHT_COLUMN, "Other", _kind(_K.OTHER, ""), "source"),
    Box("other_duplicates", RIGHT_COLUMN, "Duplicate records removed", RIGHT & DUPLICATE),
    Box("other_sought", RIGHT_COLUMN, "Reports sought for retrieval", RIGHT & SOUGHT),
    Box(
        "other_not_retrieved",
        RIGHT_COLUMN,
        "Reports not retrieved",
        RIGHT & SOUGHT & NOT_RETRIEVED,
    ),
    Box(
        "other_assessed",
        RIGHT_COLUMN,
        "Reports assessed for eligibility",
        RIGHT & SOUGHT & ASSESSED,
    ),
    Box(
        "other_excluded_fulltext",
        RIGHT_COLUMN,
        "Reports excluded",
        RIGHT & SOUGHT & EXCLUDED_FT,
        "reason",
    ),
    Box("included_studies", "included", "Studies included in review", INCLUDED & FIRST_REPORT),
    Box("included_reports", "included", "Reports of included studies", INCLUDED),
    # Not boxes of the template, but what the invariants need: records still on their way.
    Box(
        "awaiting_title_abstract",
        "awaiting",
        "Records awaiting title/abstract decisions",
        LEFT & UNIQUE & Q(ta_status=StageStatus.OPEN),
    ),
    Box(
        "awaiting_conflicts",
        "awaiting",
        "Records in conflict at title/abstract (for the lead)",
        LEFT & UNIQUE & Q(ta_status=StageStatus.CONFLICT),
    ),
    Box(
        "awaiting_full_text",
        "awaiting",
        "Reports awaiting retrieval or full-text decisions (databases and registers)",
        LEFT & SOUGHT & ~NOT_RETRIEVED & ~ASSESSED,
    ),
    Box(
        "other_awaiting_full_text",
        "awaiting",
        "Reports awaiting retrieval or full-text decisions (other methods)",
        RIGHT & SOUGHT & ~NOT_RETRIEVED & ~ASSESSED,
    ),
)

# A reviewer in blind mode must not tell a conflict from "not decided yet" (a colleague's vote
# would show): for them the two title/abstract waits are one number, and conflicts none.
BLIND_AWAITING = Box(
    "awaiting_title_abstract",
    "awaiting",
    "Records awaiting a title/abstract outcome",
    LEFT & UNIQUE & Q(ta_status__in=[StageStatus.OPEN, StageStatus.CONFLICT]),
)
HIDDEN_WHEN_BLIND = {"awaiting_conflicts"}


def boxes(*, blind: bool = False) -> dict[str, Box]:
    """The diagram's boxes by key, as a member in blind mode (or not) may see them."""
    found = {box.key: box for box in BOXES}
    if blind:
        found["awaiting_title_abstract"] = BLIND_AWAITING
        for key in HIDDEN_WHEN_BLIND:
            del found[key]
    return found


# The right-column box of an `other` source, by its kind.
_OTHER_BOX = {
    _K.WEBSITE: "identified_websites",
    _K.ORGANISATION: "identified_organisations",
    _K.CITATIONS: "identified_citations",
}
_SOURCE_BOX = {_M.DATABASE: "identified_databases", _M.REGISTER: "identified_registers"}


def _source_box(method: str, kind: str) -> str:
    if method == _M.OTHER:
        return _OTHER_BOX.get(kind, "identified_other_sources")
    return _SOURCE_BOX[method]


@dataclass
class PrismaFlow:
    """Every box's number (`None`: hidden from this member) and the per-source and per-reason
    parts of the boxes that have them."""

    boxes: dict[str, Box]
    n: dict[str, int | None]
    parts: dict[str, dict[str, int]] = field(default_factory=dict)
    blind: bool = False

    def rows(self) -> list[tuple[str, str, str, int | None]]:
        """(column, box key, label, n), one a box, or one a part for boxes with parts (tidy)."""
        found = []
        for box in BOXES:
            if box.key in HIDDEN_WHEN_BLIND and self.blind:
                found.append((box.column, box.key, box.label, None))
            elif box.part and self.parts.get(box.key):
                found += [(box.column, box.key, k, n) for k, n in self.parts[box.key].items()]
            else:
                shown = self.boxes[box.key]
                found.append((box.column, box.key, shown.label, self.n[box.key]))
        return found

    def table(self) -> list[dict]:
        """rows() for the page: each with `part`, the label to filter by when it names a part."""
        parted = {box.key for box in BOXES if box.part}
        return [
            {
                "column": column,
                "box": key,
                "label": label,
                "n": n,
                "part": label if key in parted and self.parts.get(key) else "",
            }
            for column, key, label, n in self.rows()
        ]

    def as_json(self) -> dict:
        """The DESIGN.md key set (top level: databases and registers; `other_methods`: the
        right-hand column)."""
        n, parts = self.n, self.parts
        return {
            "identified": {
                "databases": parts["identified_databases"],
                "registers": parts["identified_registers"],
                "other": _merged(parts, _OTHER_BOXES),
            },
            "removed_before_screening": {
                "duplicates": n["duplicates"],
                "automation": n["automation"],
                "other": n["removed_other"],
            },
            "screened": n["screened"],
            "excluded_screening": {
                "human": n["excluded_human"],
                "automation": n["excluded_automation"],
            },
            "sought": n["sought"],
            "not_retrieved": n["not_retrieved"],
            "assessed": n["assessed"],
            "excluded_fulltext": parts["excluded_fulltext"],
            "other_methods": {
                "identified": {
                    kind: parts[key] for kind, key in zip(OTHER_KINDS, _OTHER_BOXES, strict=True)
                },
                "duplicates": n["other_duplicates"],
                "sought": n["other_sought"],
                "not_retrieved": n["other_not_retrieved"],
                "assessed": n["other_assessed"],
                "excluded_fulltext": parts["other_excluded_fulltext"],
                "awaiting": {"full_text": n["other_awaiting_full_text"]},
            },
            "included_studies": n["included_studies"],
            "included_reports": n["included_reports"],
            "awaiting": {
                "title_abstract": n["awaiting_title_abstract"],
                "full_text": n["awaiting_full_text"],
                "conflicts": n["awaiting_conflicts"],
            },
        }


OTHER_KINDS = ("websites", "organisations", "citation_searching", "other")
_OTHER_BOXES = (
    "identified_websites",
    "identified_organisations",
    "identified_citations",
    "identified_other_sources",
)


def _merged(parts: dict[str, dict[str, int]], keys: tuple[str, ...]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for key in keys:
        for name, count in parts[key].items():
            merged[name] = merged.get(name, 0) + count
    return merged


def prisma_flow(review: Review, *, blind: bool = False) -> PrismaFlow:
    """Every PRISMA 2020 box of the review: one aggregate, one per-source, one per-reason query."""
    shown = boxes(blind=blind)
    counted = {key: box.records for key, box in shown.items() if box.records is not None}
    totals = Record.objects.in_review(review).aggregate(
        **{key: Count("id", filter=q) for key, q in counted.items()}
    )
    n: dict[str, int | None] = {box.key: 0 for box in BOXES}
    n.update(totals)
    for key in HIDDEN_WHEN_BLIND - set(shown):
        n[key] = None
    parts: dict[str, dict[str, int]] = {box.key: {} for box in BOXES if box.part}
    for method, kind, name, count in (
        Record.objects.in_review(review)
        .values_list("source__method", "source__other_kind", "source__name")
        .annotate(n=Count("id"))
        .order_by("source__method", "source__name")
    ):
        box_parts = parts[_source_box(method, kind)]
        box_parts[name] = box_parts.get(name, 0) + count
    for method, label, _number, count in (
        Record.objects.in_review(review)
        .filter(SOUGHT & EXCLUDED_FT)
        .values_list("source__method", "ft_reason__label", "ft_reason__number")
        .annotate(n=Count("id"))
        .order_by("ft_reason__number", "ft_reason__label")
    ):
        key = "other_excluded_fulltext" if method == _M.OTHER else "excluded_fulltext"
        # Keyed by label, as the diagram reports them: reasons sharing a label (a retired one
        # and its successor) add up rather than overwrite each other.
        reason = label or NO_REASON
        parts[key][reason] = parts[key].get(reason, 0) + count
    return PrismaFlow(boxes=shown, n=n, parts=parts, blind=blind)


def prisma_counts(review: Review, *, blind: bool = False) -> dict:
    """The full PRISMA 2020 key set for a review (DESIGN.md's JSON contract)."""
    return prisma_flow(review, blind=blind).as_json()


class UnknownBox(ValueError):
    """A `?box=` that names no box (or one hidden from this member)."""


def box_filter(
    review: Review,
    key: str,
    label: str | None = None,
    *,
    blind: bool = False,
    records: QuerySet | None = None,
) -> QuerySet:
    """The records behind box `key` (and, for a box with parts, behind its part `label`: a
    source name or a reason label): as many as the box's number."""
    box = boxes(blind=blind).get(key)
    if box is None:
        raise UnknownBox(f"There is no PRISMA box '{key}'.")
    found = records if records is not None else Record.objects.in_review(review)
    if box.records is None:
        return found.none()
    found = found.filter(box.records)
    if label and box.part == "source":
        found = found.filter(source__name=label)
    elif label and box.part == "reason":
        reason = Q(ft_reason__label=label)
        found = found.filter(reason | Q(ft_reason__isnull=True) if label == NO_REASON else reason)
    return found
