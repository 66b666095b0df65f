"""Counts that must agree everywhere, and outcomes that must not slip: the dashboard's boxes and
the lists they link to, PRISMA's invariants after late changes, deduplication after screening,
and settings changed mid-review."""

import pytest
from django.urls import reverse

from screening.models import DuplicatePair, Record, ScreeningEvent
from screening.prisma import prisma_counts
from screening.queues import next_record
from screening.services.decisions import (
    SettledAtFullText,
    bulk_resolve,
    record_decision,
    reopen_record,
    resolve_record,
    undo_decision,
)
from screening.services.dedup import decide_pair, find_duplicates
from screening.services.fulltext import RetrievalError, attach_url, mark_not_retrieved
from screening.services.stopping import exclude_remaining, undo_rule
from screening.services.studies import link_reports
from tests.factories import ReasonFactory, RecordFactory, SourceFactory
from tests.forms import settings_post

TA, FT = "title_abstract", "full_text"


def decide(review, record, user, value, stage=TA, **kwargs):
    return record_decision(
        review=review, record_id=record.pk, stage=stage, reviewer=user, value=value, **kwargs
    )


def both(review, record, first, second, value, stage=TA, **kwargs):
    decide(review, record, first, value, stage, **kwargs)
    decide(review, record, second, value, stage, **kwargs)


def retrieve(review, record, user):
    record.refresh_from_db()
    attach_url(review=review, record=record, url=f"https://example.org/{record.pk}", by=user)


def listed(client, review, **params) -> int:
    response = client.get(reverse("screening:records", kwargs={"slug": review.slug}), params)
    return response.context["page"].paginator.count


def invariants_hold(p: dict) -> bool:
    identified = sum(n for column in p["identified"].values() for n in column.values())
    waiting = p["awaiting"]
    return (
        p["screened"] == identified - sum(p["removed_before_screening"].values())
        and p["sought"]
        == p["screened"]
        - sum(p["excluded_screening"].values())
        - waiting["title_abstract"]
        - waiting["conflicts"]
        and p["assessed"] == p["sought"] - p["not_retrieved"] - waiting["full_text"]
        and p["included_reports"] == p["assessed"] - sum(p["excluded_fulltext"].values())
        and waiting["full_text"] >= 0
    )


@pytest.fixture
def included_at_full_text(review, lead, reviewer, second_reviewer):
    record = RecordFactory(source=SourceFactory(review=review))
    both(review, record, reviewer, second_reviewer, "include")
    retrieve(review, record, lead)
    both(review, record, reviewer, second_reviewer, "include", FT)
    return record


def test_each_exclusion_box_counts_what_its_list_shows(
    client_for, review, lead, reviewer, second_reviewer
):
    review.blind_mode = False
    review.save()
    by_people, *_rest = RecordFactory.create_batch(3, source=SourceFactory(review=review))
    both(review, by_people, reviewer, second_reviewer, "exclude")
    exclude_remaining(review=review, lead=lead, rule="Stopped after 200 excludes in a row")
    p = prisma_counts(review)
    assert p["excluded_screening"] == {"human": 1, "automation": 2}

    client = client_for(lead)
    page = client.get(reverse("reviewapp:dashboard", kwargs={"slug": review.slug})).content
    assert b'data-testid="count-ta-exclude">1<' in page
    assert b'data-testid="count-ta-automation">2<' in page
    assert b"?status=exclude_people&amp;duplicates=unique" in page
    assert b"?status=exclude_rule&amp;duplicates=unique" in page
    assert listed(client, review, status="exclude_people", duplicates="unique") == 1
    assert listed(client, review, status="exclude_rule", duplicates="unique") == 2
    assert listed(client, review, status="exclude", duplicates="unique") == 3


def test_full_text_reasons_sharing_a_label_add_up(review, lead, reviewer, second_reviewer):
    retired = ReasonFactory(review=review, code="OTHER1", label="Other", number=1)
    successor = ReasonFactory(review=review, code="OTHER2", label="Other", number=2)
    records = RecordFactory.create_batch(2, source=SourceFactory(review=review))
    for record, reason in zip(records, (retired, successor), strict=True):
        both(review, record, reviewer, second_reviewer, "include")
        retrieve(review, record, lead)
        both(review, record, reviewer, second_reviewer, "exclude", FT, reason=reason)
    p = prisma_counts(review)
    assert p["excluded_fulltext"] == {"Other": 2}
    assert invariants_hold(p)


@pytest.mark.parametrize("outcome", ["decisions", "resolution"])
def test_an_assessed_full_text_cannot_also_be_not_retrieved(
    review, lead, reviewer, second_reviewer, outcome
):
    record = RecordFactory(source=SourceFactory(review=review))
    both(review, record, reviewer, second_reviewer, "include")
    retrieve(review, record, lead)
    if outcome == "decisions":
        decide(review, record, reviewer, "include", FT)
    else:  # the lead decides it directly: no reviewer decisions at all
        resolve_record(review=review, record_id=record.pk, stage=FT, lead=lead, value="include")
    record.refresh_from_db()
    with pytest.raises(RetrievalError, match="is attached or already has decisions"):
        mark_not_retrieved(review=review, record=record, note="library said no")
    record.refresh_from_db()
    assert record.retrieval == "retrieved"
    assert invariants_hold(prisma_counts(review))


def test_title_abstract_is_settled_once_full_text_has_decisions(
    review, lead, reviewer, second_reviewer, included_at_full_text
):
    record = included_at_full_text
    with pytest.raises(SettledAtFullText):
        decide(review, record, second_reviewer, "exclude")
    with pytest.raises(SettledAtFullText):
        undo_decision(review=review, record_id=record.pk, stage=TA, reviewer=reviewer)
    with pytest.raises(SettledAtFullText):
        resolve_record(review=review, record_id=record.pk, stage=TA, lead=lead, value="exclude")
    assert bulk_resolve(
        review=review, record_ids=[record.pk], stage=TA, lead=lead, value="exclude"
    ) == (0, 1)
    record.refresh_from_db()
    assert (record.ta_status, record.ft_status) == ("include", "include")
    assert prisma_counts(review)["included_reports"] == 1

    # Once the full-text decisions are taken back, title/abstract may change again.
    for user in (reviewer, second_reviewer):
        undo_decision(review=review, record_id=record.pk, stage=FT, reviewer=user)
    decide(review, record, second_reviewer, "exclude")
    record.refresh_from_db()
    assert record.ta_status == "conflict"
    assert invariants_hold(prisma_counts(review))


def test_undo_key_after_full_text_says_why_and_changes_nothing(
    client_for, review, reviewer, included_at_full_text
):
    response = client_for(reviewer).post(
        reverse("screening:screen-ta-undo", kwargs={"slug": review.slug}), follow=True
    )
    assert "its title/abstract outcome is settled" in response.content.decode()
    included_at_full_text.refresh_from_db()
    assert included_at_full_text.ta_status == "include"


def test_studies_and_full_text_conflicts_list_only_what_prisma_counts(
    client_for, review, lead, reviewer, second_reviewer, included_at_full_text
):
    # A record left at full text by a title/abstract change made before this was enforced.
    Record.objects.filter(pk=included_at_full_text.pk).update(ta_status="conflict")
    other = RecordFactory(source=SourceFactory(review=review))
    both(review, other, reviewer, second_reviewer, "include")
    retrieve(review, other, lead)
    decide(review, other, reviewer, "include", FT)
    decide(review, other, second_reviewer, "maybe", FT)
    Record.objects.filter(pk=included_at_full_text.pk).update(ft_status="conflict")

    client = client_for(lead)
    studies = client.get(reverse("screening:studies", kwargs={"slug": review.slug}))
    assert len(studies.context["reports"]) == prisma_counts(review)["included_reports"] == 0
    queue = client.get(reverse("screening:conflicts", kwargs={"slug": review.slug}), {"stage": FT})
    assert queue.context["record"].pk == other.pk
    assert queue.context["remaining"] == 1


def test_a_later_dedup_never_hides_a_screened_record_by_itself(
    review, lead, reviewer, second_reviewer
):
    source = SourceFactory(review=review)
    earlier = RecordFactory(source=source, doi="10.1/abc", title="Young people and CSE services")
    later = RecordFactory(source=source, doi="10.1/abc", title="Young people and CSE services")
    both(review, earlier, reviewer, second_reviewer, "exclude")
    both(review, later, reviewer, second_reviewer, "include")
    retrieve(review, later, lead)
    both(review, later, reviewer, second_reviewer, "include", FT)
    link_reports(review=review, record_ids=[later.pk], by=lead, new_label="Smith 2013")

    result = find_duplicates(review=review)

    assert (result.marked, result.pending) == (0, 1)  # a person decides
    assert prisma_counts(review)["included_reports"] == 1


def test_the_duplicate_queue_warns_the_lead_before_hiding_a_screened_record(
    client_for, review, lead, reviewer, second_reviewer
):
    source = SourceFactory(review=review)
    first = RecordFactory(source=source, doi="10.1/abc", title="Young people and CSE services")
    second = RecordFactory(source=source, doi="10.1/abc", title="Young people and CSE services")
    both(review, first, reviewer, second_reviewer, "exclude")
    both(review, second, reviewer, second_reviewer, "include")
    find_duplicates(review=review)
    url = reverse("screening:duplicates", kwargs={"slug": review.slug})

    page = client_for(lead).get(url).content.decode()
    assert 'data-testid="hides-screening"' in page
    assert "title/abstract: include" in page
    # A reviewer in blind mode sees the pair, not the outcomes.
    page = client_for(reviewer).get(url).content.decode()
    assert "title/abstract:" not in page and "hides-screening" not in page


def test_an_update_searchs_copy_of_a_screened_record_is_still_marked(
    review, reviewer, second_reviewer
):
    screened = RecordFactory(source=SourceFactory(review=review), doi="10.1/xyz", title="A study")
    both(review, screened, reviewer, second_reviewer, "include")
    update = SourceFactory(review=review)
    copy = RecordFactory(source=update, doi="10.1/xyz", title="A study")

    result = find_duplicates(review=review, new_source=update)

    assert result.marked == 1
    copy.refresh_from_db()
    assert copy.duplicate_of_id == screened.pk


def test_lowering_reviewers_per_record_settles_half_decided_records(
    client_for, review, lead, reviewer, second_reviewer, django_capture_on_commit_callbacks
):
    half, maybe, untouched = RecordFactory.create_batch(3, source=SourceFactory(review=review))
    decide(review, half, reviewer, "include")
    decide(review, maybe, reviewer, "maybe")
    with django_capture_on_commit_callbacks(execute=True):  # the worker settles after commit
        response = client_for(lead).post(
            reverse("reviewapp:settings", kwargs={"slug": review.slug}),
            settings_post(review, ta_reviewers_per_record=1),
        )
    assert response.status_code == 302
    statuses = dict(Record.objects.values_list("pk", "ta_status"))
    assert [statuses[r.pk] for r in (half, maybe, untouched)] == ["include", "conflict", ""]
    assert next_record(review, second_reviewer) == untouched
    assert prisma_counts(review)["awaiting"] == {
        "title_abstract": 1,
        "full_text": 1,  # `half` is included now: its full text is sought
        "conflicts": 1,
    }


def test_labels_and_what_was_undone_stay_in_the_history(review, reviewer):
    record = RecordFactory(source=SourceFactory(review=review))
    decide(review, record, reviewer, "include", labels=["check later"])
    decide(review, record, reviewer, "include", labels=["qualitative"])
    undo_decision(review=review, record_id=record.pk, stage=TA, reviewer=reviewer)
    history = list(
        ScreeningEvent.objects.filter(record=record).values_list("kind", "value", "labels")
    )
    assert history == [
        ("decided", "include", ["check later"]),
        ("changed", "include", ["qualitative"]),
        ("undone", "include", ["qualitative"]),
    ]


def test_a_rule_counts_only_records_still_screened_after_dedup(
    client_for, review, lead, reviewer, second_reviewer
):
    source = SourceFactory(review=review)
    kept = RecordFactory(source=source, doi="10.1/dup", title="Same paper twice")
    copy = RecordFactory(source=source, doi="10.1/dup", title="Same paper twice")
    exclude_remaining(review=review, lead=lead, rule="Stopped by rule")
    assert find_duplicates(review=review).pending == 1  # both carry an outcome: a person checks
    decide_pair(pair=DuplicatePair.objects.get(review=review), duplicate=True, by=lead)
    copy.refresh_from_db()
    assert copy.duplicate_of_id == kept.pk

    panel = client_for(lead).get(reverse("screening:prioritise", kwargs={"slug": review.slug}))
    [rule] = panel.context["rules"]
    assert rule.standing == prisma_counts(review)["excluded_screening"]["automation"] == 1
    assert undo_rule(review=review, lead=lead, rule_id=rule.pk) == 1


def test_reopen_at_title_abstract_is_refused_after_full_text(
    review, lead, reviewer, second_reviewer
):
    record = RecordFactory(source=SourceFactory(review=review))
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "exclude")
    resolve_record(review=review, record_id=record.pk, stage=TA, lead=lead, value="include")
    retrieve(review, record, lead)
    decide(review, record, reviewer, "include", FT)
    with pytest.raises(SettledAtFullText):
        reopen_record(review=review, record_id=record.pk, stage=TA, lead=lead)


def test_dedup_ends_when_a_screened_record_is_hidden_by_the_leads_own_pair(review, lead, reviewer):
    import signal

    from tests.factories import DuplicatePairFactory

    source = SourceFactory(review=review)
    earlier = RecordFactory(source=source, title="Alpha study")
    screened = RecordFactory(source=source, title="Alpha study (conference version)")
    decide(review, screened, reviewer, "include")
    # The lead's confirmation committed between dedup's two reads: an active pair hides a record
    # that still looked unique a moment before.
    DuplicatePairFactory(keep=earlier, duplicate=screened, status="confirmed", review=review)

    def stuck(*_):
        raise TimeoutError("find_duplicates did not finish")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)
    try:
        find_duplicates(review=review)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def lower_to_one_reviewer(client, review):
    return client.post(
        reverse("reviewapp:settings", kwargs={"slug": review.slug}),
        settings_post(review, ta_reviewers_per_record=1, ft_reviewers_per_record=1),
    )


def test_a_decision_made_with_a_stale_review_follows_the_rule_in_the_database(
    client_for, review, lead, reviewer
):
    from reviewapp.models import Review

    record = RecordFactory(source=SourceFactory(review=review))
    loaded_by_the_request = Review.objects.get(pk=review.pk)  # still says two per record
    assert lower_to_one_reviewer(client_for(lead), review).status_code == 302
    decide(loaded_by_the_request, record, reviewer, "exclude")
    record.refresh_from_db()
    assert record.ta_status == "exclude"


@pytest.mark.parametrize("leaves", ["removed", "made a viewer"])
def test_a_pilot_record_settles_when_a_reviewer_leaves(
    review, lead, reviewer, second_reviewer, leaves, django_capture_on_commit_callbacks
):
    from reviewapp.models import Membership
    from reviewapp.services import change_role, remove_member
    from tests.factories import MembershipFactory, UserFactory

    third = MembershipFactory(review=review, user=UserFactory(username="rev3"), role="reviewer")
    source = SourceFactory(review=review)
    pilot, other = RecordFactory(source=source, pilot=True), RecordFactory(source=source)
    review.calibration = True
    review.save()
    both(review, pilot, reviewer, second_reviewer, "include")
    assert Record.objects.get(pk=pilot.pk).ta_status == ""  # the third reviewer is missing
    membership = Membership.objects.get(pk=third.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the worker settles after commit
        if leaves == "removed":
            remove_member(membership=membership)
        else:
            change_role(membership=membership, role="viewer")
    assert Record.objects.get(pk=pilot.pk).ta_status == "include"
    review.calibration = False
    review.save()
    assert next_record(review, lead) == other  # not the pilot record nobody may decide


def test_lowering_skips_a_record_it_may_not_touch_and_saves(
    client_for, review, lead, reviewer, second_reviewer, django_capture_on_commit_callbacks
):
    # Left by the earlier release, which let title/abstract change after full-text decisions.
    legacy, half = RecordFactory.create_batch(2, source=SourceFactory(review=review))
    Record.objects.filter(pk=legacy.pk).update(ta_count=1, ft_count=1, ft_status="")
    decide(review, half, reviewer, "include")
    with django_capture_on_commit_callbacks(execute=True):
        assert lower_to_one_reviewer(client_for(lead), review).status_code == 302
    review.refresh_from_db()
    assert review.ta_reviewers_per_record == 1
    statuses = dict(Record.objects.values_list("pk", "ta_status"))
    assert (statuses[legacy.pk], statuses[half.pk]) == ("", "include")


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_lowering_settles_in_the_request(
    client_for, review, lead, reviewer, monkeypatch
):
    from screening import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.settle_records, "delay", broker_down)
    half = RecordFactory(source=SourceFactory(review=review))
    decide(review, half, reviewer, "exclude")
    assert lower_to_one_reviewer(client_for(lead), review).status_code == 302
    half.refresh_from_db()
    assert half.ta_status == "exclude"
