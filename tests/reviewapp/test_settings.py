"""The lead edits the protocol, questions, versioned criteria and exclusion reasons."""

import pytest
from django.urls import reverse

from reviewapp.models import CriteriaVersion, ExclusionReason, Review, ReviewQuestion
from reviewapp.services import current_criteria
from tests.factories import QuestionFactory, ReasonFactory


def settings_url(review):
    return reverse("reviewapp:settings", kwargs={"slug": review.slug})


def formset_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_lead_creates_a_review_and_becomes_its_lead(client_for, lead):
    client = client_for(lead)
    response = client.post(reverse("review-create"), {"title": "Scoping review", "slug": "scoping"})
    assert response.status_code == 302
    review = Review.objects.get(slug="scoping")
    assert review.memberships.get(user=lead).role == "lead"
    assert current_criteria(review).number == 1


def test_duplicate_slug_is_refused_with_a_message(client_for, lead, review):
    response = client_for(lead).post(
        reverse("review-create"), {"title": "Another", "slug": review.slug}
    )
    assert response.status_code == 200
    assert f"short name &#x27;{review.slug}&#x27; already exists" in response.content.decode()
    assert Review.objects.filter(slug=review.slug).count() == 1


def test_lead_saves_protocol_fields(client_for, lead, review):
    response = client_for(lead).post(
        settings_url(review),
        {
            "section": "general",
            "title": "New title",
            "population": "Young people",
            "ta_reviewers_per_record": "1",
            "ft_reviewers_per_record": "2",
            "retrain_every": "25",
            "blind_mode": "on",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (
        review.title,
        review.population,
        review.ta_reviewers_per_record,
        review.retrain_every,
    ) == ("New title", "Young people", 1, 25)


def test_reviewers_per_record_must_be_one_or_two(client_for, lead, review):
    response = client_for(lead).post(
        settings_url(review),
        {
            "section": "general",
            "title": "T",
            "ta_reviewers_per_record": "3",
            "ft_reviewers_per_record": "2",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    review.refresh_from_db()
    assert review.ta_reviewers_per_record == 2


def test_questions_are_added_reordered_and_deleted(client_for, lead, review):
    q1 = QuestionFactory(review=review, number=1, text="First")
    q2 = QuestionFactory(review=review, number=2, text="Second")
    data = {"section": "questions"} | formset_data(
        "q",
        [
            {"id": q1.pk, "number": "2", "text": "First, edited"},
            {"id": q2.pk, "number": "1", "text": "Second", "DELETE": "on"},
            {"number": "3", "text": "A new question"},
        ],
        initial=2,
    )
    assert client_for(lead).post(settings_url(review), data).status_code == 302
    assert list(review.questions.values_list("number", "text")) == [
        (2, "First, edited"),
        (3, "A new question"),
    ]


def test_two_questions_with_one_number_are_refused(client_for, lead, review):
    data = {"section": "questions"} | formset_data(
        "q", [{"number": "1", "text": "A"}, {"number": "1", "text": "B"}]
    )
    response = client_for(lead).post(settings_url(review), data)
    assert response.status_code == 400
    assert "share the number 1" in response.content.decode()
    assert not ReviewQuestion.objects.filter(review=review).exists()


def test_each_criteria_edit_makes_a_new_version(client_for, lead, review):
    client = client_for(lead)
    post = {"section": "criteria", "include": "Young people\nCSE services", "exclude": "News"}
    client.post(settings_url(review), post)
    client.post(settings_url(review), post)  # unchanged: no new version
    client.post(settings_url(review), post | {"include": "Young people"})
    versions = CriteriaVersion.objects.filter(review=review).order_by("number")
    assert [v.number for v in versions] == [1, 2, 3]
    assert list(versions[1].criteria.order_by("kind", "number").values_list("kind", "text")) == [
        ("exclude", "News"),
        ("include", "Young people"),
        ("include", "CSE services"),
    ]
    assert current_criteria(review).number == 3
    assert list(
        current_criteria(review).criteria.order_by("kind").values_list("text", flat=True)
    ) == [
        "News",
        "Young people",
    ]


def test_reasons_need_unique_codes(client_for, lead, review):
    data = {"section": "reasons"} | formset_data(
        "r",
        [
            {"number": "1", "code": "EX-POP", "label": "Population", "at_title_abstract": "on"},
            {"number": "2", "code": "ex-pop", "label": "Again", "at_full_text": "on"},
        ],
    )
    response = client_for(lead).post(settings_url(review), data)
    assert response.status_code == 400
    assert "Each reason needs its own code: EX-POP" in response.content.decode()
    assert not ExclusionReason.objects.filter(review=review).exists()


def test_reasons_record_their_stages(client_for, lead, review):
    reason = ReasonFactory(review=review, code="EX-NA", label="Not obtainable")
    data = {"section": "reasons"} | formset_data(
        "r",
        [
            {
                "id": reason.pk,
                "number": "8",
                "code": "EX-NA",
                "label": "Not obtainable",
                "at_retrieval": "on",
                "active": "on",
            }
        ],
        initial=1,
    )
    assert client_for(lead).post(settings_url(review), data).status_code == 302
    reason.refresh_from_db()
    assert reason.stage_labels == ["Full-text retrieval"]


@pytest.mark.parametrize("persona", ["reviewer", "viewer"])
def test_only_a_lead_changes_settings(client_for, team, review, persona):
    response = client_for(team[persona]).post(
        settings_url(review),
        {
            "section": "general",
            "title": "Hijacked",
            "ta_reviewers_per_record": "1",
            "ft_reviewers_per_record": "1",
        },
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.title != "Hijacked"


def _reason_row(reason, **changes) -> dict:
    row = {
        "id": reason.pk,
        "number": str(reason.number),
        "code": reason.code,
        "label": reason.label,
        "at_title_abstract": "on",
        "active": "on",
    }
    return row | changes


def test_a_reason_in_use_cannot_be_deleted_and_the_page_says_why(
    client_for, lead, reviewer, review
):
    from screening.services.decisions import record_decision
    from tests.factories import RecordFactory, SourceFactory

    reason = ReasonFactory(review=review, code="EX-POP", number=1)
    record = RecordFactory(source=SourceFactory(review=review))
    record_decision(
        review=review,
        record_id=record.pk,
        stage="title_abstract",
        reviewer=reviewer,
        value="exclude",
        reason=reason,
    )
    data = {"section": "reasons"} | formset_data("r", [_reason_row(reason, DELETE="on")], initial=1)
    response = client_for(lead).post(settings_url(review), data)
    assert response.status_code == 400
    assert "is used by 2 decision(s) or history row(s): untick Active" in response.content.decode()
    assert ExclusionReason.objects.filter(pk=reason.pk).exists()


def test_two_reasons_can_swap_codes(client_for, lead, review):
    a = ReasonFactory(review=review, code="EX-A", number=1)
    b = ReasonFactory(review=review, code="EX-B", number=2)
    data = {"section": "reasons"} | formset_data(
        "r", [_reason_row(a, code="EX-B"), _reason_row(b, code="EX-A")], initial=2
    )
    assert client_for(lead).post(settings_url(review), data).status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.code, b.code) == ("EX-B", "EX-A")


def test_a_question_without_a_number_says_so(client_for, lead, review):
    data = {"section": "questions"} | formset_data("q", [{"number": "", "text": "A question"}])
    response = client_for(lead).post(settings_url(review), data)
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_the_create_pages_own_word_cannot_be_a_slug(client_for, lead):
    response = client_for(lead).post(reverse("review-create"), {"title": "New", "slug": "new"})
    assert "&#x27;new&#x27; is a word the site&#x27;s addresses use" in response.content.decode()
    assert not Review.objects.filter(slug="new").exists()


def test_a_note_alone_makes_a_new_criteria_version(lead, review):
    from reviewapp.services import current_criteria, update_criteria

    update_criteria(review=review, by=lead, include=["Young people"], exclude=[])
    before = current_criteria(review).number
    version = update_criteria(
        review=review, by=lead, include=["Young people"], exclude=[], note="Clarified after pilot"
    )
    assert (version.number, version.note) == (before + 1, "Clarified after pilot")


def _save_terms(client, review, include: str, exclude: str = ""):
    return client.post(
        settings_url(review),
        {
            "section": "general",
            "title": review.title,
            "ta_reviewers_per_record": "2",
            "ft_reviewers_per_record": "2",
            "retrain_every": "10",
            "include_terms": include,
            "exclude_terms": exclude,
        },
    )


def test_more_terms_than_a_review_highlights_are_refused_with_the_count(
    client_for, lead, review, settings
):
    settings.REVIEW_MAX_TERMS = 500
    include = "\n".join(f"include{i}" for i in range(300))
    exclude = "\n".join(f"exclude{i}" for i in range(201))
    response = _save_terms(client_for(lead), review, include, exclude)
    assert response.status_code == 400
    assert "501 terms: a review highlights at most 500" in response.content.decode()
    review.refresh_from_db()
    assert review.include_terms == ""


def test_as_many_terms_as_the_limit_are_saved(client_for, lead, review, settings):
    settings.REVIEW_MAX_TERMS = 500
    include = "\n".join(f"include{i}" for i in range(300))
    exclude = "\n".join(f"exclude{i}" for i in range(200))
    assert _save_terms(client_for(lead), review, include, exclude).status_code == 302
    review.refresh_from_db()
    assert review.exclude_terms.endswith("exclude199")


def test_a_term_longer_than_the_limit_is_refused_with_its_length(
    client_for, lead, review, settings
):
    settings.REVIEW_MAX_TERM_CHARS = 100
    response = _save_terms(client_for(lead), review, "youth\n" + "a" * 101)
    assert response.status_code == 400
    assert "is 101 characters long: a term has at most 100" in response.content.decode()
    assert _save_terms(client_for(lead), review, "youth\n" + "a" * 100).status_code == 302
