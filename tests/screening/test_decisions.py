"""The screening rules, through the decision service (DESIGN.md 'Screening rules')."""

import pytest

from screening.models import Decision, Resolution, ScreeningEvent
from screening.services.decisions import (
    ScreeningError,
    bulk_resolve,
    record_decision,
    reopen_record,
    resolve_record,
    undo_decision,
)
from tests.factories import ReasonFactory, RecordFactory, SourceFactory, UserFactory

TA = "title_abstract"


@pytest.fixture
def record(review):
    return RecordFactory(source=SourceFactory(review=review))


def decide(review, record, user, value, **kwargs):
    return record_decision(
        review=review, record_id=record.pk, stage=TA, reviewer=user, value=value, **kwargs
    )


def status(record):
    record.refresh_from_db()
    return record.ta_status


def test_two_reviewers_who_agree_settle_the_record(review, record, reviewer, second_reviewer):
    decide(review, record, reviewer, "include")
    assert status(record) == ""  # still needs the second decision
    decide(review, record, second_reviewer, "include")
    assert status(record) == "include"
    assert record.ta_count == 2


def test_a_second_decision_that_disagrees_opens_a_conflict(
    review, record, reviewer, second_reviewer
):
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "exclude")
    assert status(record) == "conflict"


def test_maybe_counts_as_disagreement(review, record, reviewer, second_reviewer):
    decide(review, record, reviewer, "maybe")
    decide(review, record, second_reviewer, "maybe")
    assert status(record) == "conflict"


def test_with_one_reviewer_per_record_the_decision_is_final(review, record, reviewer):
    review.ta_reviewers_per_record = 1
    review.save()
    decide(review, record, reviewer, "exclude")
    assert status(record) == "exclude"


def test_with_one_reviewer_a_maybe_goes_to_the_lead(review, record, reviewer):
    review.ta_reviewers_per_record = 1
    review.save()
    decide(review, record, reviewer, "maybe")
    assert status(record) == "conflict"


def test_a_record_never_gets_more_decisions_than_it_needs(
    review, record, reviewer, second_reviewer, lead
):
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "include")
    with pytest.raises(ScreeningError, match="already has the decisions it needs"):
        decide(review, record, lead, "exclude")
    assert Decision.objects.filter(record=record).count() == 2


def test_changing_a_decision_keeps_one_row_and_adds_history(review, record, reviewer):
    decide(review, record, reviewer, "include")
    decide(review, record, reviewer, "exclude", note="second thoughts")
    assert Decision.objects.get(record=record).value == "exclude"
    kinds = list(ScreeningEvent.objects.filter(record=record).values_list("kind", "value"))
    assert kinds == [("decided", "include"), ("changed", "exclude")]


def test_deciding_the_same_again_writes_nothing(review, record, reviewer):
    decide(review, record, reviewer, "include")
    decide(review, record, reviewer, "include")
    assert ScreeningEvent.objects.filter(record=record).count() == 1


def test_a_change_after_agreement_reopens_a_conflict(review, record, reviewer, second_reviewer):
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "include")
    decide(review, record, second_reviewer, "exclude")
    assert status(record) == "conflict"


def test_undo_takes_the_decision_back_but_keeps_it_in_history(
    review, record, reviewer, second_reviewer
):
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "exclude")
    undo_decision(review=review, record_id=record.pk, stage=TA, reviewer=reviewer)
    record.refresh_from_db()
    assert (record.ta_status, record.ta_count, record.ta_first_decider_id) == (
        "",
        1,
        second_reviewer.pk,
    )
    assert not Decision.objects.filter(record=record, reviewer=reviewer).exists()
    assert ScreeningEvent.objects.filter(record=record, kind="undone").count() == 1


def test_after_the_lead_resolves_only_the_lead_can_reopen(
    review, record, reviewer, second_reviewer, lead
):
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "exclude")
    resolve_record(review=review, record_id=record.pk, stage=TA, lead=lead, value="include")
    assert status(record) == "include"
    with pytest.raises(ScreeningError, match="only the lead can reopen"):
        decide(review, record, reviewer, "exclude")
    with pytest.raises(ScreeningError, match="only the lead can reopen"):
        undo_decision(review=review, record_id=record.pk, stage=TA, reviewer=reviewer)
    reopen_record(review=review, record_id=record.pk, stage=TA, lead=lead)
    assert status(record) == "conflict"
    assert not Resolution.objects.exists()
    assert list(ScreeningEvent.objects.filter(record=record, actor=lead).values_list("kind")) == [
        ("resolved",),
        ("reopened",),
    ]
    decide(review, record, reviewer, "exclude")  # reviewers may change again
    assert status(record) == "exclude"


def test_resolution_records_who_and_when(review, record, reviewer, second_reviewer, lead):
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "maybe")
    resolution = resolve_record(
        review=review, record_id=record.pk, stage=TA, lead=lead, value="exclude", note="off topic"
    )
    assert resolution.resolved_by == lead
    assert resolution.resolved_at is not None


def test_reason_rules(review, record, reviewer):
    ft_only = ReasonFactory(review=review, code="EX-RQ", at_title_abstract=False)
    other = ReasonFactory(review=review, code="EX-OTHER", note_required=True)
    with pytest.raises(ScreeningError, match="not a reason used at this stage"):
        decide(review, record, reviewer, "exclude", reason=ft_only)
    with pytest.raises(ScreeningError, match="needs a note"):
        decide(review, record, reviewer, "exclude", reason=other)
    decide(review, record, reviewer, "exclude", reason=other, note="a conference notice")
    review.ta_reason_required = True
    review.save()
    second = RecordFactory(source=record.source)
    with pytest.raises(ScreeningError, match="Choose an exclusion reason"):
        decide(review, second, reviewer, "exclude")


def test_a_reason_from_another_review_is_refused(review, record, reviewer):
    foreign = ReasonFactory()  # belongs to a different review
    with pytest.raises(ScreeningError, match="not a reason used"):
        decide(review, record, reviewer, "exclude", reason=foreign)


def test_each_decision_records_the_criteria_version_in_force(review, record, reviewer, lead):
    from reviewapp.services import update_criteria

    first = decide(review, record, reviewer, "include")
    version = update_criteria(review=review, by=lead, include=["Young people"], exclude=[])
    second = decide(review, RecordFactory(source=record.source), reviewer, "include")
    assert first.criteria_version.number == 1
    assert second.criteria_version == version


def test_bulk_exclusion_is_recorded_per_record_and_skips_resolved(review, record, lead):
    others = RecordFactory.create_batch(3, source=record.source)
    resolve_record(review=review, record_id=record.pk, stage=TA, lead=lead, value="include")
    reason = ReasonFactory(review=review)
    done, skipped = bulk_resolve(
        review=review,
        record_ids=[record.pk] + [r.pk for r in others],
        stage=TA,
        lead=lead,
        value="exclude",
        reason=reason,
    )
    assert (done, skipped) == (3, 1)
    assert ScreeningEvent.objects.filter(kind="bulk", reason=reason).count() == 3
    assert status(record) == "include"


def test_a_pilot_record_needs_every_reviewer(review, record, reviewer, second_reviewer, lead):
    third = UserFactory(username="rev3")
    review.memberships.create(user=third, role="reviewer")
    record.pilot = True
    record.save()
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "include")
    assert status(record) == ""
    decide(review, record, third, "include")
    assert status(record) == "include"


def test_duplicates_are_not_screened(review, record, reviewer):
    dup = RecordFactory(source=record.source, duplicate_of=record)
    with pytest.raises(ScreeningError, match="duplicate"):
        decide(review, dup, reviewer, "include")
