"""Who screens what next, and the screening page over HTTP (htmx and plain posts)."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import Decision, Record
from screening.queues import next_record
from screening.services.decisions import record_decision
from tests.factories import ReasonFactory, RecordFactory, SourceFactory

TA = "title_abstract"


def screen_url(review):
    return reverse("screening:screen-ta", kwargs={"slug": review.slug})


@pytest.fixture
def records(review):
    source = SourceFactory(review=review)
    return RecordFactory.create_batch(4, source=source)


def decide(review, record, user, value="include"):
    record_decision(review=review, record_id=record.pk, stage=TA, reviewer=user, value=value)


def test_next_record_is_import_order_then_skips_my_decided(
    review, records, reviewer, second_reviewer
):
    assert next_record(review, reviewer) == records[0]
    decide(review, records[0], reviewer)
    assert next_record(review, reviewer) == records[1]
    # The other reviewer is still served the record I decided: it needs two decisions.
    assert next_record(review, second_reviewer) == records[0]


def test_next_record_follows_priority(review, records, reviewer):
    Record.objects.filter(pk=records[2].pk).update(rank=0.9)
    assert next_record(review, reviewer) == records[2]


def test_a_record_with_all_its_decisions_leaves_every_queue(
    review, records, reviewer, second_reviewer, lead
):
    decide(review, records[0], reviewer)
    decide(review, records[0], second_reviewer)
    served = next_record(review, lead)
    assert served is not None and served != records[0]


def test_more_screeners_than_needed_are_spread_over_the_best_records(
    review, records, reviewer, second_reviewer, lead
):
    # Three screeners, two decisions per record: each opens a different untouched record.
    served = {next_record(review, user) for user in (reviewer, second_reviewer, lead)}
    assert len(served) == 3
    assert served <= set(records[:3])


def test_two_screeners_share_the_same_first_record(review, records, reviewer, second_reviewer):
    assert next_record(review, reviewer) == next_record(review, second_reviewer) == records[0]


def test_calibration_serves_only_the_pilot_set(review, records, reviewer):
    Record.objects.filter(pk=records[3].pk).update(pilot=True)
    review.calibration = True
    review.save()
    assert next_record(review, reviewer) == records[3]
    decide(review, records[3], reviewer)
    assert next_record(review, reviewer) is None
    review.calibration = False
    review.save()
    assert next_record(review, reviewer) == records[0]


def test_htmx_decision_returns_the_next_card_fragment(client_for, review, records, reviewer):
    response = client_for(reviewer).post(
        screen_url(review),
        {"record": records[0].pk, "value": "include"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-record="{records[1].pk}"' in body
    assert "<html" not in body
    assert Decision.objects.get(reviewer=reviewer).record == records[0]


def test_plain_form_post_redirects_to_the_next_record(client_for, review, records, reviewer):
    client = client_for(reviewer)
    response = client.post(screen_url(review), {"record": records[0].pk, "value": "exclude"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'data-record="{records[1].pk}"' in page


def test_every_button_shows_its_key(client_for, review, records, reviewer):
    ReasonFactory(review=review, number=1, label="Wrong population")  # its number is its key
    page = client_for(reviewer).get(screen_url(review)).content.decode()
    for key in ["i", "e", "m", "1", "n", "u", "?"]:
        assert f'data-key="{key}"' in page
        assert f'<kbd class="key">{key}</kbd>' in page


def test_a_refused_decision_says_why_and_keeps_the_record(client_for, review, records, reviewer):
    other = ReasonFactory(review=review, note_required=True, label="Other")
    response = client_for(reviewer).post(
        screen_url(review),
        {"record": records[0].pk, "value": "exclude", "reason": other.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "needs a note saying why" in body
    assert f'data-record="{records[0].pk}"' in body
    assert not Decision.objects.exists()


def test_a_refused_decision_keeps_what_the_reviewer_entered(client_for, review, records, reviewer):
    other = ReasonFactory(review=review, number=1, note_required=True, label="Other")
    response = client_for(reviewer).post(
        screen_url(review),
        {
            "record": records[0].pk,
            "value": "exclude",
            "reason": other.pk,
            "note": "",
            "labels": "check later, qualitative",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    picked = f'value="{other.pk}" id="reason-{other.pk}" data-key="1" data-note-required checked>'
    assert picked in body
    assert 'value="check later, qualitative"' in body


def test_undo_offers_the_reason_note_and_labels_taken_back(client_for, review, records, reviewer):
    reason = ReasonFactory(review=review, number=1, label="Wrong population")
    client = client_for(reviewer)
    client.post(
        screen_url(review),
        {
            "record": records[0].pk,
            "value": "exclude",
            "reason": reason.pk,
            "note": "adults only",
            "labels": "check later",
        },
    )
    body = client.post(
        reverse("screening:screen-ta-undo", kwargs={"slug": review.slug}),
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'id="reason-{reason.pk}" data-key="1" checked>' in body
    assert ">adults only</textarea>" in body
    assert 'value="check later"' in body


def test_a_record_the_lead_resolved_meanwhile_stays_on_screen_with_why(
    client_for, review, records, reviewer, lead
):
    from screening.services.decisions import resolve_record

    resolve_record(review=review, record_id=records[0].pk, stage=TA, lead=lead, value="exclude")
    response = client_for(reviewer).post(
        screen_url(review),
        {"record": records[0].pk, "value": "include", "note": "typed"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: the lead resolved this record while you read it." in body
    assert "go on to your next record" in body
    assert 'data-testid="next-record"' in body
    assert f'data-record="{records[0].pk}"' in body  # the card stays: not "nothing left"
    assert 'data-testid="done"' not in body
    assert ">typed</textarea>" in body
    assert not Decision.objects.filter(reviewer=reviewer).exists()


def test_an_htmx_request_after_the_session_ended_reloads_the_login_page(client, review, records):
    response = client.post(
        screen_url(review),
        {"record": records[0].pk, "value": "include"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login")
    assert not Decision.objects.exists()
    page = screen_url(review)
    response = client.post(
        page,
        {"record": records[0].pk, "value": "include"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(page, safe='')}"


def test_undo_brings_my_last_record_back(client_for, review, records, reviewer):
    client = client_for(reviewer)
    client.post(screen_url(review), {"record": records[0].pk, "value": "include"})
    response = client.post(
        reverse("screening:screen-ta-undo", kwargs={"slug": review.slug}),
        headers={"HX-Request": "true"},
    )
    assert f'data-record="{records[0].pk}"' in response.content.decode()
    assert not Decision.objects.exists()


def test_terms_are_highlighted_on_escaped_text(client_for, review, reviewer):
    review.include_terms = "particip*"
    review.exclude_terms = "adults"
    review.save()
    RecordFactory(
        source=SourceFactory(review=review),
        title="<img src=x onerror=alert(1)> Participation of adults",
    )
    page = client_for(reviewer).get(screen_url(review)).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert '<mark class="term-include">Participation</mark>' in page
    assert '<mark class="term-exclude">adults</mark>' in page


def _queries_for_one_decision(client, review, reviewer) -> int:
    record = next_record(review, reviewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            screen_url(review),
            {"record": record.pk, "value": "include"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    return len(queries)


def _add_records(review, source, count: int, start: int = 0) -> None:
    Record.objects.bulk_create(
        Record(review=review, source=source, source_position=i, title=f"Record {i}")
        for i in range(start, start + count)
    )


def test_query_count_is_the_same_for_100_and_5000_records(
    client_for, review, reviewer, second_reviewer
):
    source = SourceFactory(review=review)
    client = client_for(reviewer)
    _add_records(review, source, 100)
    small = [_queries_for_one_decision(client, review, reviewer) for _ in range(3)]
    _add_records(review, source, 4900, start=100)
    large = [_queries_for_one_decision(client, review, reviewer) for _ in range(3)]
    assert len(set(small)) == 1, small
    assert small == large


def test_progress_counts_unique_records_only(client_for, review, reviewer):
    source = SourceFactory(review=review)
    first = RecordFactory(source=source)
    RecordFactory(source=source)
    RecordFactory(source=source, duplicate_of=first)
    page = client_for(reviewer).get(screen_url(review)).content.decode()
    assert "0 of 2 decided by me" in page


def test_a_large_team_completes_half_decided_records_in_a_circle(review):
    from tests.factories import MembershipFactory, UserFactory

    users = [UserFactory(username=f"circle{i}") for i in range(4)]
    for user in users:
        MembershipFactory(review=review, user=user, role="reviewer")
    source = SourceFactory(review=review)
    records = RecordFactory.create_batch(8, source=source)
    # Four open the page at once: each is shown a different untouched record, and decides it.
    shown = {user.pk: next_record(review, user) for user in users}
    assert len({record.pk for record in shown.values()}) == 4
    for user in users:
        decide(review, shown[user.pk], user)
    firsts = {pk: record.pk for pk, record in shown.items()}
    # Now each is offered a different colleague's half-decided record: no two collide.
    offered = [next_record(review, user).pk for user in users]
    assert len(set(offered)) == 4
    assert set(offered) <= set(firsts.values()) | {r.pk for r in records}


def test_a_large_team_with_a_ranking_does_not_converge_on_the_best_half_decided_record(review):
    """With distinct ranks the best half-decided record is everyone's best: each is offered a
    different one of the team's best few instead (the load bench's 409s: 75 % of first posts)."""
    from tests.factories import MembershipFactory, UserFactory

    users = [UserFactory(username=f"ranked{i}") for i in range(4)]
    for user in users:
        MembershipFactory(review=review, user=user, role="reviewer")
    records = RecordFactory.create_batch(12, source=SourceFactory(review=review))
    for i, record in enumerate(records):
        Record.objects.filter(pk=record.pk).update(rank=1 - i / 100)
    shown = {user.pk: next_record(review, user) for user in users}
    assert len({record.pk for record in shown.values()}) == 4
    for user in users:
        decide(review, shown[user.pk], user)
    offered = [next_record(review, user) for user in users]
    assert len({record.pk for record in offered}) == 4
    # Each still finishes a colleague's record (the team's best), never one of its own.
    for user, record in zip(users, offered, strict=True):
        assert record.pk in {r.pk for r in shown.values()} and record != shown[user.pk]


@pytest.mark.parametrize("leaves", ["removed", "made a viewer"])
def test_records_a_departed_screener_half_decided_go_to_the_rest_of_the_team(
    review, records, reviewer, second_reviewer, leaves
):
    from reviewapp.models import Membership
    from reviewapp.services import change_role, remove_member

    decide(review, records[0], reviewer)
    decide(review, records[2], reviewer)
    membership = Membership.objects.get(review=review, user=reviewer)
    if leaves == "removed":
        remove_member(membership=membership)
    else:
        change_role(membership=membership, role="viewer")
    # No current screener decided them, yet each still needs its second decision.
    assert next_record(review, second_reviewer) == records[0]
    decide(review, records[0], second_reviewer)
    assert next_record(review, second_reviewer) == records[1]
    decide(review, records[1], second_reviewer)
    assert next_record(review, second_reviewer) == records[2]
    decide(review, records[2], second_reviewer)
    assert Record.objects.get(pk=records[2].pk).ta_count == 2


def test_a_departed_screeners_full_text_records_are_served_too(review, reviewer, second_reviewer):
    from reviewapp.models import Membership
    from reviewapp.services import remove_member

    source = SourceFactory(review=review)
    records = RecordFactory.create_batch(
        2, source=source, ta_status="include", retrieval="retrieved"
    )
    record_decision(
        review=review,
        record_id=records[1].pk,
        stage="full_text",
        reviewer=reviewer,
        value="include",
    )
    remove_member(membership=Membership.objects.get(review=review, user=reviewer))
    assert next_record(review, second_reviewer, "full_text") == records[0]
    record_decision(
        review=review,
        record_id=records[0].pk,
        stage="full_text",
        reviewer=second_reviewer,
        value="include",
    )
    assert next_record(review, second_reviewer, "full_text") == records[1]
