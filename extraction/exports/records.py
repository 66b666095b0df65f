"""Records with their decision trail (#12, #17): one row per record with its source, duplicate
status, each stage's outcome, every reviewer's decision, reason and note, and the lead's
resolution; and the RIS of the included records.

A blind reviewer exporting sees what the records page shows them: their own decisions, and a
stage's outcome and colleagues' decisions only once the lead has resolved that stage.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import F, Q

from reviewapp.models import Membership, Stage
from screening.models import Decision, Record, Resolution

from .base import ExportContext, in_chunks
from .csvsafe import write_csv
from .xlsx import write_xlsx

STAGES = [Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value]

RECORD_COLUMNS = [
    "record_id",
    # The number people see and quote (1, 2, 3 … within the review); the id stays the key.
    "record_number",
    "source",
    "source_method",
    "source_file",
    "source_position",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "keywords",
    "url",
    "type",
    "abstract",
    "duplicate_status",
    "duplicate_of",
    "duplicate_of_number",
    # Each stage's outcome as PRISMA counts it ("" while open).
    "title_abstract",
    "retrieval",
    "retrieval_note",
    "full_text",
    "full_text_reason",
    "study",
]


def trail_reviewers(ctx: ExportContext) -> list[tuple[int, str]]:
    """The review's screeners and anyone else with a decision (a former member), by name: one
    group of columns each. For a blind reviewer only decisions they may see add a column, so a
    colleague's vote on an open record does not show even as a new column."""
    decided = Decision.objects.filter(review=ctx.review)
    if ctx.blind:
        decided = decided.filter(
            Q(reviewer_id=ctx.user_id) | Q(record__resolutions__stage=F("stage"))
        )
    screeners = Membership.objects.filter(review=ctx.review).screeners().values("user_id")
    users = get_user_model().objects.filter(
        Q(pk__in=screeners) | Q(pk__in=decided.values("reviewer_id"))
    )
    return sorted((u.pk, u.get_username()) for u in users.only("pk", "username"))


def trail_header(reviewers: list[tuple[int, str]]) -> list[str]:
    header = list(RECORD_COLUMNS)
    for stage in STAGES:
        for _pk, name in reviewers:
            header += [f"{stage}:{name}", f"{stage}:{name}:reason", f"{stage}:{name}:note"]
        header += [f"{stage}:resolution", f"{stage}:resolution_reason"]
        header += [f"{stage}:resolved_by", f"{stage}:resolution_note"]
    return header


def _records(ctx: ExportContext):
    return (
        Record.objects.in_review(ctx.review)
        .select_related("source", "ft_reason", "study")
        .defer("raw")
        .annotate(duplicate_number=F("duplicate_of__number"))
    )


def _chunk_trail(ctx: ExportContext, lo: int, hi: int) -> tuple[dict, dict]:
    """Decisions {(record, stage, reviewer): row} and resolutions {(record, stage): row} of the
    records with ids lo..hi: two range queries a chunk, whatever its size."""
    span = {"review": ctx.review, "record_id__gte": lo, "record_id__lte": hi}
    decisions = {
        (r, s, who): (value, reason or "", note)
        for r, s, who, value, reason, note in Decision.objects.filter(**span).values_list(
            "record_id", "stage", "reviewer_id", "value", "reason__label", "note"
        )
    }
    resolutions = {
        (r, s): (value, reason or "", by or ("stopping rule" if rule else ""), note)
        for r, s, value, reason, by, rule, note in Resolution.objects.filter(**span).values_list(
            "record_id",
            "stage",
            "value",
            "reason__label",
            "resolved_by__username",
            "rule_id",
            "note",
        )
    }
    return decisions, resolutions


def _base_cells(r: Record, resolved: set[str], blind: bool) -> list:
    def seen(stage: str, value: object) -> object:
        return value if not blind or stage in resolved else ""

    return [
        r.pk,
        r.number,
        r.source.name,
        r.source.method,
        r.source.file_name,
        r.source_position,
        r.title,
        "; ".join(r.authors),
        r.year,
        r.journal,
        r.volume,
        r.issue,
        r.pages,
        r.doi,
        r.pmid,
        "; ".join(r.keywords),
        r.url,
        r.type,
        r.abstract,
        "duplicate" if r.duplicate_of_id else "unique",
        r.duplicate_of_id or "",
        r.duplicate_number or "",
        seen(Stage.TITLE_ABSTRACT, r.ta_status),
        r.retrieval,
        r.retrieval_note,
        seen(Stage.FULL_TEXT, r.ft_status),
        seen(Stage.FULL_TEXT, r.ft_reason.label if r.ft_reason else ""),
        r.study.label if r.study else "",
    ]


def trail_rows(ctx: ExportContext, reviewers: list[tuple[int, str]]) -> Iterator[list]:
    """One row a record, in id order, as `trail_header(reviewers)` names the columns."""
    records = _records(ctx)
    total, done = records.count(), 0
    for chunk in in_chunks(records):
        decisions, resolutions = _chunk_trail(ctx, chunk[0].pk, chunk[-1].pk)
        for r in chunk:
            resolved = {s for s in STAGES if (r.pk, s) in resolutions}
            row = _base_cells(r, resolved, ctx.blind)
            for stage in STAGES:
                visible = not ctx.blind or stage in resolved
                for pk, _name in reviewers:
                    cells = decisions.get((r.pk, stage, pk), ("", "", ""))
                    row += cells if visible or pk == ctx.user_id else ("", "", "")
                row += resolutions.get((r.pk, stage), ("", "", "", ""))
            yield row
        done += len(chunk)
        ctx.progress(done, total)


def write_records_csv(handle, ctx: ExportContext) -> int:
    reviewers = trail_reviewers(ctx)
    return write_csv(handle, trail_header(reviewers), trail_rows(ctx, reviewers), bom=ctx.bom)


def write_records_xlsx(handle, ctx: ExportContext) -> int:
    reviewers = trail_reviewers(ctx)
    return write_xlsx(handle, [("Records", trail_header(reviewers), trail_rows(ctx, reviewers))])
