"""Concurrent reviewers on PostgreSQL: the row lock settles every race in the database."""

import threading

import pytest
from django.db import connection, connections

from screening.models import Decision, Record, ScreeningEvent
from screening.services.decisions import ScreeningError, record_decision
from tests.factories import (
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

TA = "title_abstract"
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL row locks (CI runs them on PostgreSQL)")


def run_together(calls):
    """Start every call at once (a barrier) and collect what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_many_reviewers_at_once_never_exceed_two_decisions():
    review = ReviewFactory()
    users = [UserFactory(username=f"racer{i}") for i in range(6)]
    for user in users:
        MembershipFactory(review=review, user=user, role="reviewer")
    records = RecordFactory.create_batch(5, source=SourceFactory(review=review))
    for record in records:
        results = run_together(
            [
                lambda u=u, r=record: record_decision(
                    review=review, record_id=r.pk, stage=TA, reviewer=u, value="include"
                )
                for u in users
            ]
        )
        made = [r for r in results if isinstance(r, Decision)]
        refused = [r for r in results if isinstance(r, ScreeningError)]
        assert len(made) == 2 and len(refused) == 4, results
        assert Decision.objects.filter(record=record).count() == 2
        record.refresh_from_db()
        assert (record.ta_count, record.ta_status) == (2, "include")
        assert {d.reviewer_id for d in made} == set(
            Decision.objects.filter(record=record).values_list("reviewer_id", flat=True)
        )


def test_one_reviewer_deciding_twice_at_once_keeps_one_row_and_both_events():
    review = ReviewFactory()
    user = UserFactory(username="double")
    MembershipFactory(review=review, user=user, role="reviewer")
    record = RecordFactory(source=SourceFactory(review=review))
    results = run_together(
        [
            lambda v=v: record_decision(
                review=review, record_id=record.pk, stage=TA, reviewer=user, value=v
            )
            for v in ("include", "exclude")
        ]
    )
    assert all(isinstance(r, Decision) for r in results), results
    assert Decision.objects.filter(record=record).count() == 1
    events = list(ScreeningEvent.objects.filter(record=record).values_list("kind", flat=True))
    assert sorted(events) == ["changed", "decided"]  # no decision lost: both are in the history
    assert Record.objects.get(pk=record.pk).ta_count == 1


def test_a_decision_in_flight_is_settled_by_the_lead_lowering_reviewers_per_record():
    """The lead lowers two reviewers per record to one while a reviewer's first decision on a
    record is still in its transaction: the lowering waits for it, then settles the record."""
    from django.db import transaction

    from reviewapp.forms import ReviewSettingsForm
    from reviewapp.services import save_review_settings
    from tests.forms import review_settings

    review = ReviewFactory(ta_reviewers_per_record=2)
    reviewer = UserFactory()
    MembershipFactory(review=review, user=reviewer, role="reviewer")
    record = RecordFactory(source=SourceFactory(review=review))
    decided, release = threading.Event(), threading.Event()

    def reviewer_decides():
        try:
            with transaction.atomic():
                record_decision(
                    review=review, record_id=record.pk, stage=TA, reviewer=reviewer, value="include"
                )
                decided.set()
                release.wait(10)  # the transaction stays open while the lead saves
        finally:
            connections.close_all()

    def lead_lowers():
        try:
            decided.wait(10)
            data = review_settings(review, ta_reviewers_per_record=1)
            form = ReviewSettingsForm(data, instance=type(review).objects.get(pk=review.pk))
            assert form.is_valid(), form.errors
            # The reviewer commits half a second from now, while the lead is saving.
            threading.Timer(0.5, release.set).start()
            save_review_settings(form)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reviewer_decides), threading.Thread(target=lead_lowers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    record.refresh_from_db()
    assert (record.ta_count, record.ta_status) == (1, "include")


def test_imports_into_one_review_at_once_take_consecutive_numbers():
    from pathlib import Path

    from screening.services.imports import SourceFields, import_records

    review = ReviewFactory()
    data = (Path(__file__).resolve().parent.parent / "data" / "small.ris").read_bytes()
    results = run_together(
        [
            lambda i=i: import_records(
                review=review,
                data=data,
                file_name=f"part{i}.ris",
                source_fields=SourceFields(name="PsycINFO"),
                by=None,
                force=True,
                dedup=False,
            )
            for i in range(4)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = list(Record.objects.filter(review=review).values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, 13))
    for source_id in {r.source.pk for r in results}:  # each file a run of consecutive numbers
        mine = sorted(Record.objects.filter(source_id=source_id).values_list("number", flat=True))
        assert mine == list(range(mine[0], mine[0] + 3))


def _while_held(first, second, hold: float = 0.4):
    """Run `first` in a transaction kept open `hold` seconds after it returns, and `second` in
    another thread meanwhile (it waits for the record's lock); what `second` returned or raised."""
    from django.db import transaction

    done, result = threading.Event(), {}

    def holder():
        try:
            with transaction.atomic():
                first()
                done.set()
                threading.Event().wait(hold)
        finally:
            connections.close_all()

    def waiter():
        try:
            done.wait(10)
            result["value"] = second()
        except Exception as error:
            result["value"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result["value"]


def test_a_decision_that_waited_for_a_colleagues_reads_their_decision_after_the_wait():
    """The lock statement reads the record's decisions as of its start; the colleague's decision
    committed during the wait is read again under the lock, so the outcome counts both."""
    review = ReviewFactory()
    first, second = UserFactory(username="first"), UserFactory(username="second")
    for user in (first, second):
        MembershipFactory(review=review, user=user, role="reviewer")
    record = RecordFactory(source=SourceFactory(review=review))
    outcome = _while_held(
        lambda: record_decision(
            review=review, record_id=record.pk, stage=TA, reviewer=first, value="include"
        ),
        lambda: record_decision(
            review=review, record_id=record.pk, stage=TA, reviewer=second, value="exclude"
        ),
    )
    assert isinstance(outcome, Decision), outcome
    record.refresh_from_db()
    assert (record.ta_count, record.ta_status) == (2, "conflict")
    assert ScreeningEvent.objects.filter(record=record).count() == 2


def test_a_decision_that_waited_for_the_leads_resolution_is_refused():
    from screening.services.decisions import AlreadyResolved, resolve_record

    review = ReviewFactory()
    lead, reviewer = UserFactory(username="lead-r"), UserFactory(username="reviewer-r")
    MembershipFactory(review=review, user=lead, role="lead")
    MembershipFactory(review=review, user=reviewer, role="reviewer")
    record = RecordFactory(source=SourceFactory(review=review))
    outcome = _while_held(
        lambda: resolve_record(
            review=review, record_id=record.pk, stage=TA, lead=lead, value="exclude"
        ),
        lambda: record_decision(
            review=review, record_id=record.pk, stage=TA, reviewer=reviewer, value="include"
        ),
    )
    assert isinstance(outcome, AlreadyResolved), outcome
    assert not Decision.objects.filter(record=record).exists()
    record.refresh_from_db()
    assert record.ta_status == "exclude"
