"""Hot-path statements prepared once per connection, and the writes made from them."""

import pytest
from django.db import IntegrityError, connection, transaction

from reviewapp import prepared
from screening.models import Decision, ScreeningEvent
from tests.factories import RecordFactory, SourceFactory

TA = "title_abstract"


def a_decision(record, user, value="include"):
    return Decision(review=record.review, record=record, stage=TA, reviewer=user, value=value)


def test_insert_writes_what_save_writes(review, reviewer):
    record = RecordFactory(source=SourceFactory(review=review))
    decision = a_decision(record, reviewer)
    decision.labels = ["check later"]
    prepared.insert(decision)
    stored = Decision.objects.get(pk=decision.pk)
    assert (stored.value, stored.labels, stored.reviewer_id) == (
        "include",
        ["check later"],
        reviewer.pk,
    )
    assert stored.decided_at == decision.decided_at and not decision._state.adding
    event = ScreeningEvent(review=review, record=record, stage=TA, actor=reviewer, kind="decided")
    prepared.insert(event)
    assert ScreeningEvent.objects.get(pk=event.pk).at == event.at


def test_update_changes_only_the_named_fields(review):
    record = RecordFactory(source=SourceFactory(review=review), title="Kept")
    record.ta_count, record.ta_status, record.title = 2, "include", "Not saved"
    prepared.update(record, ["ta_count", "ta_status"])
    record.refresh_from_db()
    assert (record.ta_count, record.ta_status, record.title) == (2, "include", "Kept")


def test_a_failed_insert_raises_and_the_next_one_still_works(review, reviewer, second_reviewer):
    record = RecordFactory(source=SourceFactory(review=review))
    prepared.insert(a_decision(record, reviewer))
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert(a_decision(record, reviewer))  # one decision per reviewer and stage
    prepared.insert(a_decision(record, second_reviewer))
    assert Decision.objects.filter(record=record).count() == 2


@pytest.mark.django_db(transaction=True)
def test_statements_dropped_behind_its_back_are_prepared_again(review, reviewer):
    if connection.vendor != "postgresql":
        pytest.skip("PREPARE is PostgreSQL's; SQLite runs the statement as it is")
    assert prepared.prepared_rows("SELECT %s::int + 1", [1]) == [(2,)]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a transaction-mode pooler's DISCARD would do
    assert prepared.prepared_rows("SELECT %s::int + 1", [41]) == [(42,)]
