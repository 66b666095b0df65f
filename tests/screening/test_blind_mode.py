"""Blind mode canary: nothing reviewer 1 can reach shows reviewer 2's reason or note."""

import pytest
from django.urls import reverse

from screening.services.decisions import record_decision, resolve_record
from tests.factories import ReasonFactory, RecordFactory, SourceFactory

TA = "title_abstract"
NOTE_CANARY = "canary-note-7f3a9"
REASON_CANARY = "canary-reason-51c2"


@pytest.fixture
def disagreement(review, reviewer, second_reviewer):
    source = SourceFactory(review=review)
    record = RecordFactory(source=source, title="A shared record")
    RecordFactory(source=source)  # something left to screen
    reason = ReasonFactory(review=review, code="EX-CANARY", label=REASON_CANARY)
    record_decision(
        review=review, record_id=record.pk, stage=TA, reviewer=reviewer, value="include"
    )
    record_decision(
        review=review,
        record_id=record.pk,
        stage=TA,
        reviewer=second_reviewer,
        value="exclude",
        reason=reason,
        note=NOTE_CANARY,
    )
    # Retired, so the reason no longer appears in option lists: only a leak would show it.
    reason.active = False
    reason.save()
    return record


def pages_for(review, record) -> list[tuple[str, dict]]:
    slug = {"slug": review.slug}
    records = reverse("screening:records", kwargs=slug)
    pages = [
        (reverse("home"), {}),
        (reverse("reviewapp:dashboard", kwargs=slug), {}),
        (reverse("reviewapp:team", kwargs=slug), {}),
        (reverse("screening:sources", kwargs=slug), {}),
        (reverse("screening:duplicates", kwargs=slug), {}),
        (reverse("screening:agreement", kwargs=slug), {}),
        (reverse("screening:screen-ta", kwargs=slug), {}),
        (reverse("screening:screen-ta", kwargs=slug), {"record": record.pk}),
        (reverse("screening:record-detail", kwargs={**slug, "record_id": record.pk}), {}),
        (records, {}),
    ]
    pages += [
        (records, {"status": s})
        for s in ["undecided", "mine", "maybe", "conflict", "include", "exclude"]
    ]
    return pages


def leaks(client, review, record) -> list[str]:
    found = []
    for url, params in pages_for(review, record):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, params, headers=headers)
            assert response.status_code == 200, (url, params, response.status_code)
            body = response.content.decode()
            found += [
                f"{url} {params}" for canary in (NOTE_CANARY, REASON_CANARY) if canary in body
            ]
            found += [f"{url} {params}: code" for _ in [1] if "EX-CANARY" in body]
    return found


def test_reviewer_one_sees_nothing_of_reviewer_two_before_resolution(
    client_for, review, disagreement, reviewer
):
    assert leaks(client_for(reviewer), review, disagreement) == []


def test_the_canary_shows_once_the_lead_resolves(client_for, review, disagreement, reviewer, lead):
    resolve_record(review=review, record_id=disagreement.pk, stage=TA, lead=lead, value="exclude")
    assert leaks(client_for(reviewer), review, disagreement)  # proves the check can see a leak


def test_the_lead_sees_both_decisions_on_the_conflicts_page(client_for, review, disagreement, lead):
    page = client_for(lead).get(reverse("screening:conflicts", kwargs={"slug": review.slug}))
    assert NOTE_CANARY in page.content.decode()
    assert REASON_CANARY in page.content.decode()


def test_without_blind_mode_reviewers_may_see_outcomes(client_for, review, disagreement, reviewer):
    review.blind_mode = False
    review.save()
    page = client_for(reviewer).get(
        reverse("screening:records", kwargs={"slug": review.slug}), {"status": "conflict"}
    )
    assert "A shared record" in page.content.decode()


def test_a_resolved_title_abstract_stage_does_not_open_the_full_text_trail(
    client_for, review, reviewer, second_reviewer, lead
):
    from screening.services.fulltext import attach_url

    record = RecordFactory(source=SourceFactory(review=review))
    record_decision(
        review=review, record_id=record.pk, stage=TA, reviewer=reviewer, value="include"
    )
    record_decision(
        review=review, record_id=record.pk, stage=TA, reviewer=second_reviewer, value="maybe"
    )
    resolve_record(review=review, record_id=record.pk, stage=TA, lead=lead, value="include")
    record.refresh_from_db()
    attach_url(review=review, record=record, url="https://example.org/r", by=lead)
    reason = ReasonFactory(review=review, code="FT-CANARY", label=REASON_CANARY)
    record_decision(
        review=review,
        record_id=record.pk,
        stage="full_text",
        reviewer=second_reviewer,
        value="exclude",
        reason=reason,
        note=NOTE_CANARY,
        labels=["label-canary-2b"],
    )
    url = reverse("screening:record-detail", kwargs={"slug": review.slug, "record_id": record.pk})
    page = client_for(reviewer).get(url).content.decode()
    assert 'data-testid="resolution-title_abstract"' in page  # the resolved stage shows
    for canary in (NOTE_CANARY, REASON_CANARY, "FT-CANARY", "label-canary-2b"):
        assert canary not in page
