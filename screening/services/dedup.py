"""Find duplicate records in a review, mark the sure ones, queue the likely ones; all reversible.

A record marked duplicate points (duplicate_of) at the earliest record of its group, which
goes on to screening. Links are DuplicatePair rows; the record's pointer is always recomputed
from the active pairs, so unmarking any pair restores the records and every count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviewapp.models import Review

from ..matching import Candidate, MatchRecord, find_candidates
from ..models import DuplicatePair, Record, Source, StageStatus

AUTO_THRESHOLD = 95.0
REVIEW_THRESHOLD = 80.0
# Fields the kept record takes from its duplicate when its own are empty.
FILLABLE = (
    "doi",
    "pmid",
    "abstract",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "url",
    "keywords",
)


@dataclass
class DedupResult:
    candidates: int = 0
    marked: int = 0  # pairs marked sure duplicates
    pending: int = 0  # pairs left to a person
    hidden: int = 0  # records these pairs newly hid (four copies: 6 pairs, 3 records)


def _match_records(review: Review) -> list[MatchRecord]:
    rows = (
        Record.objects.in_review(review)
        .unique()
        .order_by("id")
        .values_list("id", "title", "year", "authors", "journal", "doi", "pmid")
    )
    return [
        MatchRecord(
            id=pk,
            title=title,
            year=year,
            first_author=authors[0] if authors else "",
            journal=journal,
            doi=doi,
            pmid=pmid,
        )
        for pk, title, year, authors, journal, doi, pmid in rows.iterator(chunk_size=5000)
    ]


@transaction.atomic
def find_duplicates(
    *,
    review: Review,
    new_source: Source | None = None,
    auto_threshold: float = AUTO_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
) -> DedupResult:
    """Compare the review's unique records (or a new source's against all) and store pairs."""
    Review.objects.select_for_update().filter(pk=review.pk).first()  # one dedup at a time
    records = _match_records(review)
    new_ids = None
    if new_source is not None:
        new_ids = set(new_source.records.values_list("id", flat=True))
    candidates = find_candidates(records, new_ids=new_ids, min_score=review_threshold)
    known = set(DuplicatePair.objects.filter(review=review).values_list("keep_id", "duplicate_id"))
    fresh = [
        c
        for c in candidates
        if (c.keep_id, c.duplicate_id) not in known and (c.duplicate_id, c.keep_id) not in known
    ]
    pairs = [_pair(review, c, auto=c.score >= auto_threshold) for c in fresh]
    _keep_screened_records_visible(review, pairs)
    DuplicatePair.objects.bulk_create(pairs, batch_size=2000)
    auto = [p for p in pairs if p.status == DuplicatePair.Status.AUTO]
    hidden = 0
    if auto:
        hidden_before = Record.objects.in_review(review).duplicates().count()
        relink(review)
        _fill_kept_records(review, auto)
        hidden = Record.objects.in_review(review).duplicates().count() - hidden_before
    return DedupResult(
        candidates=len(candidates),
        marked=len(auto),
        pending=len(pairs) - len(auto),
        hidden=hidden,
    )


def _keep_screened_records_visible(review: Review, pairs: list[DuplicatePair]) -> None:
    """Leave to a person the sure pairs that would hide a record someone has screened.

    Marking hides a group's records behind its earliest one, decisions and all: an update
    search's copy of a screened record is hidden as it should be, but a screened record hidden
    behind an earlier copy would take its outcome with it (an included report would drop out of
    PRISMA). Such a group's new sure pairs go to the duplicates queue instead."""
    # A record found by other methods is included at title/abstract on import, unread: only
    # its full-text work (retrieval, decisions) is an outcome to keep visible.
    other = Q(source__method=Source.Method.OTHER)
    full_text_work = ~Q(retrieval="") | Q(ft_count__gt=0) | ~Q(ft_status=StageStatus.OPEN)
    screened = set(
        Record.objects.in_review(review)
        .unique()
        .filter(
            Q(ta_count__gt=0) | (~other & ~Q(ta_status=StageStatus.OPEN)) | (other & full_text_work)
        )
        .values_list("id", flat=True)
    )
    if not screened:
        return
    active = list(
        DuplicatePair.objects.filter(review=review, status__in=DuplicatePair.ACTIVE).values_list(
            "keep_id", "duplicate_id"
        )
    )
    while True:
        auto = [p for p in pairs if p.status == DuplicatePair.Status.AUTO]
        roots = _roots(active + [(p.keep_id, p.duplicate_id) for p in auto])
        # Unique records are their group's root under the active pairs alone, so a screened
        # record that is no longer a root was hidden by this run's sure pairs.
        blocked = {roots[r] for r in screened if roots.get(r, r) != r}
        demoted = [pair for pair in auto if roots[pair.keep_id] in blocked]
        # Nothing left to demote: a screened record hidden by the active pairs alone (a pair
        # the lead confirmed between the two reads above); that was a person's decision.
        if not demoted:
            return
        for pair in demoted:
            pair.status = DuplicatePair.Status.PENDING


def _pair(review: Review, candidate: Candidate, *, auto: bool) -> DuplicatePair:
    status = DuplicatePair.Status.AUTO if auto else DuplicatePair.Status.PENDING
    return DuplicatePair(
        review=review,
        keep_id=candidate.keep_id,
        duplicate_id=candidate.duplicate_id,
        score=round(candidate.score, 1),
        method=candidate.method,
        matched=list(candidate.matched),
        status=status,
    )


def _roots(edges: list[tuple[int, int]]) -> dict[int, int]:
    """Union-find over active pairs: each record's group root is the group's lowest id."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def relink(review: Review) -> int:
    """Point every record at its group's root as the active pairs say; returns rows changed."""
    edges = list(
        DuplicatePair.objects.filter(review=review, status__in=DuplicatePair.ACTIVE).values_list(
            "keep_id", "duplicate_id"
        )
    )
    roots = _roots(edges)
    wanted = {pk: root for pk, root in roots.items() if pk != root}
    current = dict(
        Record.objects.in_review(review).duplicates().values_list("id", "duplicate_of_id")
    )
    changed = [
        Record(pk=pk, duplicate_of_id=wanted.get(pk))
        for pk in set(wanted) | set(current)
        if wanted.get(pk) != current.get(pk)
    ]
    Record.objects.bulk_update(changed, ["duplicate_of"], batch_size=2000)
    return len(changed)


def _fill_kept_records(review: Review, pairs: list[DuplicatePair]) -> None:
    """Give each kept record what its duplicate has and it lacks; remember it on the pair."""
    ids = {p.keep_id for p in pairs} | {p.duplicate_id for p in pairs}
    rows = {r.pk: r for r in Record.objects.filter(pk__in=ids).only("id", *FILLABLE)}
    touched: dict[int, Record] = {}
    for pair in pairs:
        keep, duplicate = rows[pair.keep_id], rows[pair.duplicate_id]
        filled = {}
        for name in FILLABLE:
            if not getattr(keep, name) and getattr(duplicate, name):
                filled[name] = getattr(keep, name)
                setattr(keep, name, getattr(duplicate, name))
        if filled:
            pair.filled = filled
            touched[keep.pk] = keep
    if touched:
        Record.objects.bulk_update(list(touched.values()), list(FILLABLE), batch_size=1000)
        DuplicatePair.objects.bulk_update(
            [p for p in pairs if p.filled], ["filled"], batch_size=1000
        )


def _restore_kept_record(pair: DuplicatePair) -> None:
    """Undo a pair's fill-ins where the kept record still holds what was copied in."""
    if not pair.filled:
        return
    keep = Record.objects.get(pk=pair.keep_id)
    duplicate = Record.objects.get(pk=pair.duplicate_id)
    changed = []
    for name, before in pair.filled.items():
        if getattr(keep, name) == getattr(duplicate, name):
            setattr(keep, name, before)
            changed.append(name)
    if changed:
        keep.save(update_fields=changed)
    pair.filled = {}


@transaction.atomic
def decide_pair(
    *, pair: DuplicatePair, duplicate: bool, by: AbstractBaseUser | None
) -> DuplicatePair:
    """The lead's call on a pair: duplicates (confirm) or not (reject / unmark)."""
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    was_active = pair.is_active
    if duplicate:
        pair.status = DuplicatePair.Status.CONFIRMED
    else:
        pair.status = DuplicatePair.Status.UNMARKED if was_active else DuplicatePair.Status.REJECTED
        if was_active:
            _restore_kept_record(pair)
    pair.decided_by, pair.decided_at = by, timezone.now()
    pair.save()
    relink(pair.review)
    if duplicate and not was_active:
        _fill_kept_records(pair.review, [pair])
    return pair


@transaction.atomic
def unmark_record(*, record: Record, by: AbstractBaseUser | None) -> int:
    """Make a record stand on its own again: every active pair marking it duplicate is undone."""
    pairs = DuplicatePair.objects.filter(
        Q(duplicate=record) | Q(keep=record), status__in=DuplicatePair.ACTIVE
    ).select_related("review")
    count = 0
    for pair in pairs:
        decide_pair(pair=pair, duplicate=False, by=by)
        count += 1
    return count
