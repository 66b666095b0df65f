"""Full-text screening in bench/load.py: records included at title/abstract in the set-up (two
reviewers' includes through the service) with their full text marked retrieved; some reviewers
screen that stage too, in a tab of their own, and the clients' log is compared with the
database at the end as title/abstract decisions are."""

from __future__ import annotations

from collections import Counter

FT_URL = "/reviews/{slug}/screen/full-text/"


def seed(review, reviewers: list, count: int, skip: int) -> int:
    """`count` records (apart from the `skip` newest, charting's) included at title/abstract by
    two reviewers each, their reports retrieved: the full-text queue. Returns how many."""
    from django.db import transaction

    from reviewapp.models import Stage
    from screening.models import Record
    from screening.services.decisions import record_decision

    ids = list(
        Record.objects.filter(review=review, ta_count=0)
        .order_by("-id")
        .values_list("pk", flat=True)[skip : skip + count]
    )
    for i, record_id in enumerate(ids):
        with transaction.atomic():
            for user in (reviewers[i % len(reviewers)], reviewers[(i + 1) % len(reviewers)]):
                record_decision(review=review, record_id=record_id, reviewer=user,
                                stage=Stage.TITLE_ABSTRACT, value="include")  # fmt: skip
            Record.objects.filter(pk=record_id).update(retrieval="retrieved")
    return len(ids)


def reviewer_class(base_class, reason_id: int):
    """bench/load.py's Reviewer at the full-text stage: its own endpoint names, and a reason on
    every exclude (the full-text stage asks for one)."""

    class FullTextReviewer(base_class):
        def _send(self, path, data=None, headers=None):
            if data is not None and data.get("value") == "exclude":
                data = {**data, "reason": reason_id}
            return super()._send(path, data, headers)

    return FullTextReviewer


def compare(review, clients, ids: dict) -> dict:
    """Acknowledged full-text decisions against the database: lost, duplicated, counts."""
    from django.db.models import Count

    from reviewapp.models import Stage
    from screening.models import Decision, Record

    decisions = Decision.objects.filter(review=review, stage=Stage.FULL_TEXT)
    acknowledged = Counter((ids[c.username], r) for c in clients for r in c.decided)
    stored = Counter(decisions.values_list("reviewer_id", "record_id"))
    per_record = dict(decisions.values("record_id").annotate(n=Count("id")).values_list(
        "record_id", "n"))  # fmt: skip
    counts = Record.objects.filter(review=review, ta_status="include").values_list("pk", "ft_count")
    return {
        "ft_decisions": sum(acknowledged.values()),
        "ft_stored": decisions.count(),
        "ft_lost": sum(1 for pair in acknowledged if pair not in stored),
        "ft_duplicated": sum(n - 1 for n in stored.values() if n > 1),
        "ft_count_mismatch": sum(1 for pk, n in counts if per_record.get(pk, 0) != n),
        "ft_refused": sum(c.refusals for c in clients),
        "ft_doubles": sum(c.doubles for c in clients),
        "ft_settled": Record.objects.filter(review=review, retrieval="retrieved", study=None)
        .exclude(ft_status="")
        .count(),
    }
