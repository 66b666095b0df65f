"""The screening step's query budget (issue #19): decide + the next card in at most 8 queries,
whatever the team's size; a decision that queues a ranking retrain may add one.

Counted as Django counts them (django_assert_max_num_queries): BEGIN and COMMIT included. The
session comes from the cache (cached_db sessions), the user with the membership and the review,
the reasons ride along as a column; the record's lock reads its decisions and resolution; the
progress and the next card come in one statement.
"""

import re

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.urls import reverse

from reviewapp.models import Membership
from screening.models import Decision, RankingRun, Record
from screening.queues import next_record
from screening.services.decisions import record_decision
from tests.factories import (
    MembershipFactory,
    ReasonFactory,
    RecordFactory,
    SourceFactory,
    UserFactory,
)

TA = "title_abstract"
BUDGET = 8
CARD_RECORD = re.compile(r'data-record="(\d+)"')


def screen_url(review):
    return reverse("screening:screen-ta", kwargs={"slug": review.slug})


@pytest.fixture
def reasons(review):
    return [
        ReasonFactory(review=review, code="POP", label="Wrong population", number=1),
        ReasonFactory(review=review, code="DES", label="Wrong design", number=2),
    ]


def team_of(review, size: int) -> list:
    users = [UserFactory(username=f"screener{i}") for i in range(size)]
    Membership.objects.bulk_create(
        Membership(review=review, user=user, role="reviewer") for user in users
    )
    return users


def half_decide(review, records, users) -> None:
    """Each colleague but the first leaves a record half-decided (the queue's other arm)."""
    for user, record in zip(users[1:], records, strict=False):
        record_decision(
            review=review, record_id=record.pk, stage=TA, reviewer=user, value="include"
        )


def post_decision(client, review, record, value="exclude", reason=None):
    data = {"record": record.pk, "value": value, "reason": reason.pk if reason else ""}
    return client.post(screen_url(review), data, headers={"HX-Request": "true"})


@pytest.mark.parametrize("size", [2, 11])
def test_decide_and_next_fit_the_budget_whatever_the_team(
    client, review, reasons, size, django_assert_max_num_queries
):
    review.retrain_every = 100  # the retrain's one query more is the next test's
    review.save(update_fields=["retrain_every"])
    users = team_of(review, size)
    records = RecordFactory.create_batch(30, source=SourceFactory(review=review))
    half_decide(review, records[10:], users)
    me = users[0]
    client.force_login(me)
    # The page first: on PostgreSQL a connection prepares each hot statement once (2 more).
    assert client.get(screen_url(review)).status_code == 200
    for _ in range(3):
        record = next_record(review, me)
        with django_assert_max_num_queries(BUDGET):
            response = post_decision(client, review, record, reason=reasons[1])
        assert response.status_code == 200
        mine = Decision.objects.get(record=record, reviewer=me, stage=TA)
        assert (mine.value, mine.reason_id) == ("exclude", reasons[1].pk)
        shown = int(CARD_RECORD.search(response.content.decode()).group(1))
        assert shown != record.pk
        assert shown == next_record(review, me).pk  # the card is the queue's next record
        assert "Wrong design" in response.content.decode()  # the reasons came along


def test_a_decision_that_queues_a_retrain_adds_one_query(
    client, review, reviewer, second_reviewer, django_assert_max_num_queries
):
    review.retrain_every = 3
    review.save(update_fields=["retrain_every"])
    records = RecordFactory.create_batch(10, source=SourceFactory(review=review))
    client.force_login(reviewer)
    for record in records[:2]:
        assert post_decision(client, review, record).status_code == 200
    assert not RankingRun.objects.filter(review=review).exists()
    # The first run on a connection also prepares its statement (2 more, once): a worker then
    # trains it, and the next one is the steady state.
    assert post_decision(client, review, records[2]).status_code == 200
    first = RankingRun.objects.get(review=review)
    RankingRun.objects.filter(pk=first.pk).update(state=RankingRun.State.READY)
    for record in records[3:5]:
        assert post_decision(client, review, record).status_code == 200
    with django_assert_max_num_queries(BUDGET + 1):
        assert post_decision(client, review, records[5]).status_code == 200
    run = RankingRun.objects.exclude(pk=first.pk).get(review=review)
    assert run.state == RankingRun.State.QUEUED
    assert run.decision_watermark == Decision.objects.filter(review=review).latest("id").pk
    # While that run is pending, further decisions queue nothing more.
    with django_assert_max_num_queries(BUDGET):
        assert post_decision(client, review, records[6]).status_code == 200
    assert RankingRun.objects.filter(review=review).count() == 2


def test_changing_my_decision_keeps_its_first_time_and_fits_the_budget(
    client, review, reviewer, reasons, django_assert_max_num_queries
):
    record = RecordFactory(source=SourceFactory(review=review))
    RecordFactory(source=record.source)
    client.force_login(reviewer)
    post_decision(client, review, record, value="include")
    first = Decision.objects.get(record=record, reviewer=reviewer)
    with django_assert_max_num_queries(BUDGET + 1):  # the decision row is updated, not made
        post_decision(client, review, record, value="exclude", reason=reasons[0])
    changed = Decision.objects.get(record=record, reviewer=reviewer)
    assert (changed.value, changed.reason_id) == ("exclude", reasons[0].pk)
    assert changed.decided_at == first.decided_at and changed.updated_at > first.updated_at
    assert Record.objects.get(pk=record.pk).ta_count == 1


# ------------------------------------------------------------------- the one-query access check


def test_a_session_from_before_a_password_change_is_sent_to_sign_in(client, review, reviewer):
    RecordFactory(source=SourceFactory(review=review))
    client.force_login(reviewer)
    reviewer.set_password("a-new-password-123")
    reviewer.save()
    response = client.get(screen_url(review))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert HASH_SESSION_KEY not in client.session  # the session was ended, as Django ends it


def test_a_disabled_account_is_sent_to_sign_in(client, review, reviewer):
    client.force_login(reviewer)
    reviewer.is_active = False
    reviewer.save()
    response = client.get(screen_url(review))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_no_session_is_sent_to_sign_in_with_the_page_to_come_back_to(client, review):
    response = client.get(screen_url(review) + "?record=3")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"] and "record%3D3" in response["Location"]


def test_members_of_other_reviews_get_404_and_viewers_403(client, review, outsider, viewer):
    client.force_login(outsider)
    assert client.get(screen_url(review)).status_code == 404
    client.force_login(viewer)
    assert client.get(screen_url(review)).status_code == 403


def test_the_user_the_view_sees_is_the_signed_in_one(client, review, reviewer, second_reviewer):
    record = RecordFactory(source=SourceFactory(review=review))
    client.force_login(second_reviewer)
    post_decision(client, review, record, value="include")
    assert Decision.objects.get(record=record).reviewer == second_reviewer
    assert MembershipFactory._meta.model.objects.filter(review=review).count() == 2
