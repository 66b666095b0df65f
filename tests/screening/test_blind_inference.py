"""Blind mode by inference: what reviewer 1 can reach must not move when reviewer 2 casts a vote
that leaves the record unsettled (a conflict, or a record reviewer 1 has still to decide).

An agreement settles a record (it goes on to full text, or out): that outcome is the review's and
every member sees it. What must stay hidden is whether a colleague has voted on a record that is
not settled, and how: a reviewer who could tell a conflict from "not yet decided" could change
their vote to agree before the conflict reached the lead.
"""

import re

import pytest
from django.urls import reverse

from screening.services.decisions import record_decision
from tests.factories import ReasonFactory, RecordFactory, SourceFactory

TA = "title_abstract"
FT = "full_text"
OTHER = {"include": "exclude", "exclude": "include"}


@pytest.fixture
def records(review, reviewer):
    review.relevance_hint = True  # the model's hint reads the record's state: it must not tell
    review.save()
    source = SourceFactory(review=review)
    maybe, mine, untouched = (
        RecordFactory(source=source, title=f"Record {name}", rank=0.9) for name in ("M", "I", "U")
    )
    RecordFactory(source=source, title="Record left for both")
    record_decision(review=review, record_id=maybe.pk, stage=TA, reviewer=reviewer, value="maybe")
    record_decision(review=review, record_id=mine.pk, stage=TA, reviewer=reviewer, value="include")
    return {"maybe": maybe, "mine": mine, "untouched": untouched}


def pages(review, records) -> list[tuple[str, dict]]:
    slug = {"slug": review.slug}
    listing = reverse("screening:records", kwargs=slug)
    found = [
        (reverse("home"), {}),
        (reverse("reviewapp:dashboard", kwargs=slug), {}),
        (reverse("reviewapp:team", kwargs=slug), {}),
        (reverse("screening:sources", kwargs=slug), {}),
        (reverse("screening:duplicates", kwargs=slug), {}),
        (reverse("screening:agreement", kwargs=slug), {}),
        (reverse("screening:fulltexts", kwargs=slug), {}),
        (reverse("screening:studies", kwargs=slug), {}),
        (reverse("screening:screen-ta", kwargs=slug), {}),
        (reverse("screening:screen-ft", kwargs=slug), {}),
        (listing, {}),
        # The PRISMA diagram and its numbers (issue 12)
        (reverse("extraction:prisma", kwargs=slug), {}),
        (reverse("extraction:prisma-download", kwargs={**slug, "fmt": "json"}), {}),
        (reverse("extraction:prisma-download", kwargs={**slug, "fmt": "csv"}), {}),
        (listing, {"box": "awaiting_title_abstract"}),
        (listing, {"box": "awaiting_conflicts"}),
    ]
    for record in records.values():
        found += [
            (reverse("screening:screen-ta", kwargs=slug), {"record": record.number}),
            (reverse("screening:record-detail", kwargs={**slug, "record_id": record.pk}), {}),
        ]
    statuses = ["undecided", "mine", "maybe", "conflict", "include", "exclude", "exclude_people"]
    found += [(listing, {"status": status}) for status in statuses]
    return found


def normalised(body: str) -> str:
    """The page without what changes between any two requests (CSRF tokens)."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", body)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "csrf", body)


def snapshot(client, seen: list[tuple[str, dict]]) -> dict[str, tuple[int, str]]:
    shots = {}
    for url, params in seen:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, params, headers=headers)
            key = f"{url} {params} {headers}"
            shots[key] = (response.status_code, normalised(response.content.decode()))
    return shots


def differences(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after[key]]


@pytest.mark.parametrize("value", ["include", "exclude"])
def test_a_colleagues_unsettled_vote_changes_nothing_reviewer_one_can_see(
    client_for, review, records, reviewer, second_reviewer, value
):
    client = client_for(reviewer)
    before = snapshot(client, pages(review, records))
    # Against a maybe, either vote is a conflict; against my include, the other vote is one;
    # on a record I have not decided, the record still waits for me.
    for key, vote in (("maybe", value), ("mine", "exclude"), ("untouched", value)):
        record_decision(
            review=review, record_id=records[key].pk, stage=TA, reviewer=second_reviewer, value=vote
        )
    after = snapshot(client, pages(review, records))
    assert differences(before, after) == []


def test_the_comparison_sees_a_settled_outcome(
    client_for, review, records, reviewer, second_reviewer
):
    """The check can fail: an agreement settles the record, and that shows (the full-text list)."""
    client = client_for(reviewer)
    before = snapshot(client, pages(review, records))
    record_decision(
        review=review,
        record_id=records["mine"].pk,
        stage=TA,
        reviewer=second_reviewer,
        value="include",
    )
    after = snapshot(client, pages(review, records))
    assert any("full-texts" in key for key in differences(before, after))


@pytest.fixture
def full_text_records(review, reviewer, second_reviewer, lead):
    """Two records both reviewers included at title/abstract, retrieved; reviewer 1 voted on one
    at full text."""
    from screening.services.fulltext import attach_url

    source = SourceFactory(review=review)
    found = {}
    for key in ("mine", "untouched"):
        record = RecordFactory(source=source, title=f"Full text {key}")
        for person in (reviewer, second_reviewer):
            record_decision(
                review=review, record_id=record.pk, stage=TA, reviewer=person, value="include"
            )
        record.refresh_from_db()
        attach_url(review=review, record=record, url=f"https://example.org/{key}", by=lead)
        found[key] = record
    record_decision(
        review=review, record_id=found["mine"].pk, stage=FT, reviewer=reviewer, value="include"
    )
    return found


@pytest.mark.parametrize("value", ["include", "exclude"])
def test_a_colleagues_unsettled_full_text_vote_changes_nothing_reviewer_one_can_see(
    client_for, review, full_text_records, reviewer, second_reviewer, value
):
    client = client_for(reviewer)
    pages_seen = [
        *pages(review, full_text_records),
        *(
            (reverse("screening:screen-ft", kwargs={"slug": review.slug}), {"record": r.number})
            for r in full_text_records.values()
        ),
    ]
    reason = ReasonFactory(review=review, code="FT-R", label="Wrong population")
    before = snapshot(client, pages_seen)
    record_decision(
        review=review,
        record_id=full_text_records["mine"].pk,
        stage=FT,
        reviewer=second_reviewer,
        value="exclude",
        reason=reason,
    )
    record_decision(
        review=review,
        record_id=full_text_records["untouched"].pk,
        stage=FT,
        reviewer=second_reviewer,
        value=value,
        reason=reason if value == "exclude" else None,
    )
    assert differences(before, snapshot(client, pages_seen)) == []
