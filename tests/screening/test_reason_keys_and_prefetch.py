"""A reason's key is the number the lead gave it, at every stage; the screening page prefetches
the next card; a decision on a card that went stale is refused and the card stays."""

import pytest
from django.urls import reverse

from screening.models import Decision
from screening.queues import next_record
from screening.services.decisions import record_decision
from tests.factories import ReasonFactory, RecordFactory, SourceFactory

TA, FT = "title_abstract", "full_text"


def url(review, stage=TA):
    name = "screening:screen-ta" if stage == TA else "screening:screen-ft"
    return reverse(name, kwargs={"slug": review.slug})


@pytest.fixture
def records(review):
    return RecordFactory.create_batch(3, source=SourceFactory(review=review))


def reason_keys(body: str, reasons) -> dict[str, str | None]:
    """{code: the key its radio button declares, or None} for the reasons on the page."""
    keys = {}
    for r in reasons:
        start = body.find(f'id="reason-{r.pk}"')
        if start == -1:
            continue
        tag = body[start : body.find(">", start)]
        keys[r.code] = tag.split('data-key="')[1].split('"')[0] if "data-key=" in tag else None
    return keys


def test_a_reason_keeps_its_number_as_key_at_both_stages(client_for, review, records, reviewer):
    pop = ReasonFactory(review=review, code="EX-POP", number=1)
    date = ReasonFactory(review=review, code="EX-DATE", number=2, at_full_text=False)
    ctx = ReasonFactory(review=review, code="EX-CTX", number=3)
    rq = ReasonFactory(review=review, code="EX-RQ", number=5, at_title_abstract=False)
    reasons = [pop, date, ctx, rq]
    RecordFactory(source=records[0].source, ta_status="include", retrieval="retrieved")
    client = client_for(reviewer)
    ta = client.get(url(review, TA)).content.decode()
    ft = client.get(url(review, FT)).content.decode()
    assert reason_keys(ta, reasons) == {"EX-POP": "1", "EX-DATE": "2", "EX-CTX": "3"}
    # At full text EX-DATE is not offered; EX-CTX stays 3 (not moved up to 2).
    assert reason_keys(ft, reasons) == {"EX-POP": "1", "EX-CTX": "3", "EX-RQ": "5"}
    assert '<kbd class="key">3</kbd>' in ft and '<kbd class="key">2</kbd>' not in ft


def test_a_number_two_reasons_share_gives_neither_a_key(client_for, review, records, reviewer):
    a = ReasonFactory(review=review, code="EX-A", number=4)
    b = ReasonFactory(review=review, code="EX-B", number=4)
    c = ReasonFactory(review=review, code="EX-C", number=12)
    body = client_for(reviewer).get(url(review)).content.decode()
    assert reason_keys(body, [a, b, c]) == {"EX-A": None, "EX-B": None, "EX-C": None}


def test_the_prefetched_card_is_the_record_after_the_one_on_screen(
    client_for, review, records, reviewer
):
    client = client_for(reviewer)
    response = client.get(f"{url(review)}?after={records[0].pk}", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-record="{records[1].pk}"' in body
    assert "<html" not in body  # the card alone
    assert "1 of 3 decided by me" in body  # as it will read once the decision is in
    # Nothing is decided by fetching it.
    assert not Decision.objects.exists()


def test_the_prefetch_skips_a_half_decided_record_on_screen(
    review, records, reviewer, second_reviewer
):
    record_decision(
        review=review, record_id=records[0].pk, stage=TA, reviewer=second_reviewer, value="include"
    )
    assert next_record(review, reviewer) == records[0]
    assert next_record(review, reviewer, skip=records[0].pk) == records[1]


def test_nothing_to_prefetch_after_the_last_record(client_for, review, records, reviewer):
    for r in records[:2]:
        record_decision(review=review, record_id=r.pk, stage=TA, reviewer=reviewer, value="include")
    response = client_for(reviewer).get(
        f"{url(review)}?after={records[2].pk}", headers={"HX-Request": "true"}
    )
    assert response.status_code == 204


def test_a_decision_on_a_card_others_decided_meanwhile_is_refused_and_the_card_stays(
    client_for, review, records, reviewer, second_reviewer, lead
):
    for user in (second_reviewer, lead):
        record_decision(
            review=review, record_id=records[0].pk, stage=TA, reviewer=user, value="exclude"
        )
    response = client_for(reviewer).post(
        url(review), {"record": records[0].pk, "value": "include"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: This record already has the decisions it needs." in body
    assert f'data-record="{records[0].pk}"' in body
    assert 'data-testid="done"' not in body
    assert not Decision.objects.filter(reviewer=reviewer).exists()
