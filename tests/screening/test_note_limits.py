"""Notes (#17.3): at most 5,000 characters, refused with a message that keeps the text; long
notes shown folded."""

import pytest
from django.urls import reverse

from screening.models import Decision, Resolution
from screening.services.decisions import record_decision
from tests.factories import RecordFactory, SourceFactory

TA = "title_abstract"
LIMIT = 5000


@pytest.fixture
def records(review):
    return RecordFactory.create_batch(2, source=SourceFactory(review=review))


def _decide(client, review, record, note):
    url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
    return client.post(
        url,
        {"record": record.pk, "value": "include", "note": note},
        headers={"HX-Request": "true"},
    )


def test_a_note_over_the_limit_is_refused_saying_so_and_kept_on_its_card(
    client_for, review, reviewer, records
):
    client = client_for(reviewer)
    second = records[1]
    note = "x" * (LIMIT + 1)
    response = _decide(client, review, second, note)
    body = response.content.decode()
    assert response.status_code == 400
    assert "A note holds at most 5,000 characters; this one has 5001." in body
    assert f'data-record="{second.pk}"' in body  # the same record, not the next
    assert f">{note}</textarea>" in body
    assert not Decision.objects.exists()


def test_a_note_at_the_limit_is_saved_whole(client_for, review, reviewer, records):
    note = "y" * LIMIT
    assert _decide(client_for(reviewer), review, records[0], note).status_code == 200
    assert Decision.objects.get().note == note


def test_a_resolution_note_over_the_limit_is_refused_and_kept(
    client_for, review, lead, reviewer, second_reviewer, records
):
    record = records[0]
    for who, value in ((reviewer, "include"), (second_reviewer, "exclude")):
        record_decision(review=review, record_id=record.pk, stage=TA, reviewer=who, value=value)
    note = "z" * (LIMIT + 10)
    response = client_for(lead).post(
        reverse("screening:conflicts", kwargs={"slug": review.slug}),
        {"record": record.pk, "value": "include", "stage": TA, "note": note},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "this one has 5010" in body and f">{note}</textarea>" in body
    assert not Resolution.objects.exists()


def test_a_source_note_over_the_limit_is_a_form_error(client_for, review, lead):
    response = client_for(lead).post(
        reverse("screening:sources", kwargs={"slug": review.slug}),
        {"name": "PsycINFO", "method": "database", "file_format": "auto", "notes": "n" * 5001},
    )
    assert response.status_code == 400
    assert "A note holds at most 5,000 characters; this one has 5001." in response.content.decode()


def test_a_retrieval_note_over_the_limit_is_refused(client_for, review, lead):
    record = RecordFactory(source=SourceFactory(review=review), ta_status="include")
    url = reverse("screening:fulltext-record", kwargs={"slug": review.slug, "record_id": record.pk})
    response = client_for(lead).post(
        url, {"action": "not_retrieved", "note": "w" * 6000}, follow=True
    )
    [message] = [m.message for m in response.context["messages"]]
    assert message.startswith("A note holds at most 5,000 characters; this one has 6,000.")
    record.refresh_from_db()
    assert record.retrieval == ""


def test_a_long_note_is_shown_folded_and_a_short_one_in_full(
    client_for, review, lead, reviewer, second_reviewer, records
):
    record = records[0]
    long_note, short_note = "L" * LIMIT, "adults only"
    record_decision(
        review=review,
        record_id=record.pk,
        stage=TA,
        reviewer=reviewer,
        value="include",
        note=long_note,
    )
    record_decision(
        review=review,
        record_id=record.pk,
        stage=TA,
        reviewer=second_reviewer,
        value="exclude",
        note=short_note,
    )
    page = client_for(lead).get(reverse("screening:conflicts", kwargs={"slug": review.slug}))
    body = page.content.decode()
    assert '<details class="note" data-testid="note">' in body
    assert "(5000 characters)" in body
    assert f'<span class="note-text text-prewrap" data-testid="note">{short_note}</span>' in body
