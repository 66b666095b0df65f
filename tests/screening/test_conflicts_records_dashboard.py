"""The lead's conflict page, record filters and bulk action, dashboard and PRISMA numbers."""

import pytest
from django.urls import reverse

from screening.models import Resolution, ScreeningEvent
from screening.prisma import prisma_counts
from screening.services.decisions import record_decision
from tests.factories import ReasonFactory, RecordFactory, SourceFactory

TA = "title_abstract"


def decide(review, record, user, value, **kwargs):
    record_decision(
        review=review, record_id=record.pk, stage=TA, reviewer=user, value=value, **kwargs
    )


def test_lead_resolves_a_conflict_and_gets_the_next(
    client_for, review, lead, reviewer, second_reviewer
):
    source = SourceFactory(review=review)
    first, second = RecordFactory.create_batch(2, source=source)
    for record in (first, second):
        decide(review, record, reviewer, "include", note="fits RQ3")
        decide(review, record, second_reviewer, "exclude", note="adults only")
    client = client_for(lead)
    url = reverse("screening:conflicts", kwargs={"slug": review.slug})
    page = client.get(url).content.decode()
    assert "fits RQ3" in page and "adults only" in page
    response = client.post(
        url, {"record": first.pk, "value": "include"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert f'data-record="{second.pk}"' in body
    assert Resolution.objects.get(record=first).resolved_by == lead


def test_the_lead_can_undo_the_resolution_just_made(
    client_for, review, lead, reviewer, second_reviewer
):
    first, second = RecordFactory.create_batch(2, source=SourceFactory(review=review))
    for record in (first, second):
        decide(review, record, reviewer, "include")
        decide(review, record, second_reviewer, "exclude")
    client = client_for(lead)
    url = reverse("screening:conflicts", kwargs={"slug": review.slug})
    body = client.post(
        url, {"record": first.pk, "value": "include"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-testid="resolved"' in body and 'data-key="u"' in body
    body = client.post(
        url,
        {"action": "undo", "record": first.pk, "stage": TA},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'data-record="{first.pk}"' in body  # back on screen to decide again
    assert not Resolution.objects.exists()
    assert ScreeningEvent.objects.filter(record=first, kind="reopened", actor=lead).exists()


def test_a_refused_resolution_keeps_the_leads_note(
    client_for, review, lead, reviewer, second_reviewer
):
    first, second = RecordFactory.create_batch(2, source=SourceFactory(review=review))
    for record in (first, second):
        decide(review, record, reviewer, "include")
        decide(review, record, second_reviewer, "exclude")
    review.ta_reason_required = True
    review.save()
    ReasonFactory(review=review)
    response = client_for(lead).post(
        reverse("screening:conflicts", kwargs={"slug": review.slug}),
        {"record": second.pk, "value": "exclude", "note": "adults, checked the methods"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert f'data-record="{second.pk}"' in body  # the record it was about, not the queue's first
    assert ">adults, checked the methods</textarea>" in body


def test_records_list_status_filters(client_for, review, lead, reviewer, second_reviewer):
    source = SourceFactory(review=review)
    agreed, conflicted, untouched = RecordFactory.create_batch(3, source=source)
    decide(review, agreed, reviewer, "include")
    decide(review, agreed, second_reviewer, "include")
    decide(review, conflicted, reviewer, "maybe")
    decide(review, conflicted, second_reviewer, "exclude")
    url = reverse("screening:records", kwargs={"slug": review.slug})

    def ids(client, status):
        return {r.pk for r in client.get(url, {"status": status}).context["page"].object_list}

    lead_client = client_for(lead)
    assert ids(lead_client, "include") == {agreed.pk}
    assert ids(lead_client, "conflict") == {conflicted.pk}
    assert ids(lead_client, "maybe") == {conflicted.pk}
    assert ids(lead_client, "undecided") == {untouched.pk}
    reviewer_client = client_for(second_reviewer)
    assert ids(reviewer_client, "mine") == {agreed.pk, conflicted.pk}
    assert ids(reviewer_client, "maybe") == set()  # blind: only my own maybes
    assert ids(reviewer_client, "conflict") == {agreed.pk, conflicted.pk, untouched.pk}


def test_bulk_exclude_with_a_reason(client_for, review, lead):
    source = SourceFactory(review=review)
    records = RecordFactory.create_batch(3, source=source)
    reason = ReasonFactory(review=review)
    response = client_for(lead).post(
        reverse("screening:records-bulk", kwargs={"slug": review.slug}),
        {"records": [records[0].pk, records[1].pk], "value": "exclude", "reason": reason.pk},
    )
    assert response.status_code == 302
    assert set(Resolution.objects.values_list("record_id", flat=True)) == {
        records[0].pk,
        records[1].pk,
    }
    assert ScreeningEvent.objects.filter(kind="bulk", actor=lead).count() == 2


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        (
            "/reviews/participation/records/?status=conflict",
            "/reviews/participation/records/?status=conflict",
        ),
        ("https://evil.example/phish", "/reviews/participation/records/"),
        ("//evil.example/phish", "/reviews/participation/records/"),
    ],
)
def test_after_a_bulk_action_only_a_page_of_this_site_is_followed(
    client_for, review, lead, next_url, lands_on
):
    record = RecordFactory(source=SourceFactory(review=review))
    response = client_for(lead).post(
        reverse("screening:records-bulk", kwargs={"slug": review.slug}),
        {"records": [record.pk], "value": "exclude", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_bulk_action_refuses_records_of_another_review(client_for, review, lead):
    foreign = RecordFactory()
    client_for(lead).post(
        reverse("screening:records-bulk", kwargs={"slug": review.slug}),
        {"records": [foreign.pk], "value": "exclude"},
    )
    assert not Resolution.objects.exists()


def test_prisma_invariants_hold_through_screening(review, lead, reviewer, second_reviewer):
    source = SourceFactory(review=review)
    records = RecordFactory.create_batch(6, source=source)
    RecordFactory(source=source, duplicate_of=records[0])
    decide(review, records[0], reviewer, "include")
    decide(review, records[0], second_reviewer, "include")
    decide(review, records[1], reviewer, "exclude")
    decide(review, records[1], second_reviewer, "exclude")
    decide(review, records[2], reviewer, "include")
    decide(review, records[2], second_reviewer, "exclude")
    decide(review, records[3], reviewer, "include")
    counts = prisma_counts(review)
    identified = sum(sum(column.values()) for column in counts["identified"].values())
    assert counts["screened"] == identified - sum(counts["removed_before_screening"].values())
    awaiting = counts["awaiting"]
    excluded = sum(counts["excluded_screening"].values())
    assert counts["sought"] == (
        counts["screened"] - excluded - awaiting["title_abstract"] - awaiting["conflicts"]
    )
    assert (counts["sought"], excluded, awaiting["conflicts"], awaiting["title_abstract"]) == (
        1,
        1,
        1,
        3,
    )


def test_dashboard_shows_the_same_numbers_as_prisma(
    client_for, review, lead, reviewer, second_reviewer
):
    source = SourceFactory(review=review)
    record = RecordFactory(source=source)
    RecordFactory(source=source)
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "exclude")
    page = client_for(lead).get(reverse("reviewapp:dashboard", kwargs={"slug": review.slug}))
    body = page.content.decode()
    assert 'data-testid="count-conflicts">1<' in body
    assert 'data-testid="count-ta-open">1<' in body
    blind = client_for(reviewer).get(reverse("reviewapp:dashboard", kwargs={"slug": review.slug}))
    assert "count-conflicts" not in blind.content.decode()
    assert 'data-testid="my-queue">1<' in blind.content.decode()


def test_agreement_page_for_the_lead_and_hidden_from_blind_reviewers(
    client_for, review, lead, reviewer, second_reviewer
):
    record = RecordFactory(source=SourceFactory(review=review))
    decide(review, record, reviewer, "include")
    decide(review, record, second_reviewer, "include")
    url = reverse("screening:agreement", kwargs={"slug": review.slug})
    lead_page = client_for(lead).get(url).content.decode()
    assert "rev1 · rev2" in lead_page
    assert "100.0%" in lead_page
    reviewer_page = client_for(reviewer).get(url).content.decode()
    assert "rev1 · rev2" not in reviewer_page
    assert "Blind mode is on" in reviewer_page


def test_lead_builds_a_pilot_set_and_runs_calibration(client_for, review, lead):
    RecordFactory.create_batch(10, source=SourceFactory(review=review))
    client = client_for(lead)
    url = reverse("screening:agreement-pilot", kwargs={"slug": review.slug})
    client.post(url, {"action": "sample", "size": "4"})
    assert review.records.filter(pilot=True).count() == 4
    client.post(url, {"action": "start"})
    review.refresh_from_db()
    assert review.calibration
    client.post(url, {"action": "sample", "size": "0"})
    assert review.records.filter(pilot=True).count() == 4


def test_a_bulk_action_with_nothing_ticked_says_what_to_do(client_for, review, lead):
    response = client_for(lead).post(
        reverse("screening:records-bulk", kwargs={"slug": review.slug}),
        {"value": "exclude"},
        follow=True,
    )
    assert "Nothing changed: Tick the records to act on first." in response.content.decode()


def test_a_wrong_filter_keeps_the_others_and_a_doi_link_finds_its_record(client_for, review, lead):
    source = SourceFactory(review=review)
    wanted = RecordFactory(source=source, title="Participation study", doi="10.1111/car.2345")
    RecordFactory(source=source, title="Something else")
    client = client_for(lead)
    url = reverse("screening:records", kwargs={"slug": review.slug})
    response = client.get(url, {"q": "participation", "year": "2015a"})
    assert [r.pk for r in response.context["page"].object_list] == [wanted.pk]
    assert "Enter a whole number" in response.content.decode()
    for q in ("https://doi.org/10.1111/car.2345", "doi:10.1111/CAR.2345"):
        found = client.get(url, {"q": q}).context["page"].object_list
        assert [r.pk for r in found] == [wanted.pk], q


def test_an_author_with_accents_is_found(client_for, review, lead):
    wanted = RecordFactory(source=SourceFactory(review=review), authors=["Müller, Jürgen"])
    url = reverse("screening:records", kwargs={"slug": review.slug})
    found = client_for(lead).get(url, {"q": "Müller"}).context["page"].object_list
    assert [r.pk for r in found] == [wanted.pk]
