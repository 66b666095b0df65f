"""Calibration and the pilot set, agreement on the records PRISMA counts, and the dashboard's
queues and conflicts at both stages."""

import pytest
from django.urls import reverse

from screening.models import Record
from screening.queues import next_record
from screening.services.decisions import ScreeningError, record_decision
from screening.services.fulltext import attach_url
from screening.views.agreement import pair_agreement
from tests.factories import DuplicatePairFactory, ReasonFactory, RecordFactory, SourceFactory

TA, FT = "title_abstract", "full_text"


def decide(review, record, user, value="include", stage=TA, **kwargs):
    return record_decision(
        review=review, record_id=record.pk, stage=stage, reviewer=user, value=value, **kwargs
    )


@pytest.fixture
def calibrating(review):
    source = SourceFactory(review=review)
    pilot = RecordFactory(source=source, pilot=True)
    others = RecordFactory.create_batch(3, source=source)
    review.calibration = True
    review.save()
    return pilot, others


def test_the_pilot_set_is_the_reviewers_not_the_leads(
    review, lead, reviewer, second_reviewer, calibrating
):
    pilot, _ = calibrating
    assert next_record(review, lead) is None  # the lead is not served pilot records
    with pytest.raises(ScreeningError, match="Pilot records are for the reviewers"):
        decide(review, pilot, lead)
    decide(review, pilot, reviewer)
    assert next_record(review, second_reviewer) == pilot  # still waiting for them
    decide(review, pilot, second_reviewer)
    assert Record.objects.get(pk=pilot.pk).ta_status == "include"


def test_calibration_holds_on_the_server_too(client_for, review, reviewer, calibrating):
    pilot, others = calibrating
    with pytest.raises(ScreeningError, match="Calibration is running"):
        decide(review, others[0], reviewer)
    url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
    page = client_for(reviewer).get(url, {"record": others[0].pk}).content.decode()
    assert f'data-record="{pilot.pk}"' in page  # not the record asked for


def test_progress_during_calibration_counts_the_pilot_set(
    client_for, review, reviewer, calibrating
):
    _pilot, others = calibrating
    review.calibration = False
    review.save()
    for record in others:  # decided before calibration began
        decide(review, record, reviewer)
    review.calibration = True
    review.save()
    page = client_for(reviewer).get(reverse("screening:screen-ta", kwargs={"slug": review.slug}))
    assert "0 of 1 decided by me (pilot set)" in page.content.decode()


def test_a_pilot_record_is_an_ordinary_record_at_full_text(review, lead, reviewer, second_reviewer):
    from tests.factories import MembershipFactory, UserFactory

    third = MembershipFactory(review=review, user=UserFactory(username="rev3"), role="reviewer")
    pilot = RecordFactory(source=SourceFactory(review=review), pilot=True)
    for user in (reviewer, second_reviewer, third.user):
        decide(review, pilot, user)
    pilot.refresh_from_db()
    attach_url(review=review, record=pilot, url="https://example.org/p", by=lead)
    decide(review, pilot, reviewer, "include", FT)
    decide(review, pilot, second_reviewer, "include", FT)
    assert Record.objects.get(pk=pilot.pk).ft_status == "include"  # two, as the review says


def test_the_pilot_sample_takes_only_records_still_to_screen(client_for, review, lead):
    from screening.services.decisions import resolve_record

    records = RecordFactory.create_batch(4, source=SourceFactory(review=review))
    for record in records[:2]:
        resolve_record(review=review, record_id=record.pk, stage=TA, lead=lead, value="exclude")
    client_for(lead).post(
        reverse("screening:agreement-pilot", kwargs={"slug": review.slug}),
        {"action": "sample", "size": "4"},
    )
    assert set(Record.objects.filter(pilot=True)) == set(records[2:])


def test_agreement_leaves_out_records_marked_duplicate(review, reviewer, second_reviewer):
    source = SourceFactory(review=review)
    kept, copy = RecordFactory(source=source), RecordFactory(source=source)
    decide(review, kept, reviewer)
    decide(review, kept, second_reviewer)
    decide(review, copy, reviewer, "include")
    decide(review, copy, second_reviewer, "exclude")
    DuplicatePairFactory(keep=kept, duplicate=copy, status="confirmed", review=review)
    Record.objects.filter(pk=copy.pk).update(duplicate_of=kept)
    [row] = pair_agreement(review, TA)
    assert (row["stats"].common, row["stats"].percent) == (1, 100.0)


def test_the_dashboard_shows_my_queues_and_conflicts_at_both_stages(
    client_for, review, lead, reviewer, second_reviewer, calibrating
):
    _pilot, others = calibrating
    url = reverse("reviewapp:dashboard", kwargs={"slug": review.slug})
    page = client_for(reviewer).get(url).content.decode()
    assert 'data-testid="my-queue">1<' in page  # the pilot set, as the screening page serves
    review.calibration = False
    review.save()
    review.blind_mode = False
    review.save()
    reasons = [ReasonFactory(review=review, number=n, code=f"R{n}") for n in (1, 2)]
    for record in others[:2]:
        decide(review, record, reviewer)
        decide(review, record, second_reviewer)
        record.refresh_from_db()
        attach_url(review=review, record=record, url=f"https://example.org/{record.pk}", by=lead)
    decide(review, others[0], reviewer, "exclude", FT, reason=reasons[0])
    decide(review, others[0], second_reviewer, "exclude", FT, reason=reasons[1])
    page = client_for(lead).get(url).content.decode()
    assert 'data-testid="count-ft-conflicts">1<' in page
    page = client_for(reviewer).get(url).content.decode()
    assert 'data-testid="my-queue-ft">1<' in page  # others[1] waits for their full-text decision


def test_a_lead_and_one_reviewer_complete_the_pilot_set(client_for, review, lead, reviewer):
    records = RecordFactory.create_batch(4, source=SourceFactory(review=review))
    Record.objects.filter(pk__in=[r.pk for r in records[:2]]).update(pilot=True)
    review.calibration = True
    review.save()
    for pilot in records[:2]:
        assert next_record(review, reviewer) == Record.objects.get(pk=pilot.pk)
        decide(review, pilot, reviewer)
    assert set(Record.objects.filter(pilot=True).values_list("ta_status", flat=True)) == {"include"}


def test_a_pilot_record_settles_when_the_team_goes_from_two_reviewers_to_one(
    review, lead, reviewer, second_reviewer, calibrating, django_capture_on_commit_callbacks
):
    from reviewapp.models import Membership
    from reviewapp.services import remove_member

    pilot, _others = calibrating
    decide(review, pilot, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        remove_member(membership=Membership.objects.get(review=review, user=second_reviewer))
    assert Record.objects.get(pk=pilot.pk).ta_status == "include"
