"""seed_demo loads the demo reviews idempotently and never undoes a lead's work."""

import pytest
from django.core.management import call_command

from demo import protocol as demo
from reviewapp.models import CriteriaVersion, ExclusionReason, Membership, Review, ReviewQuestion


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_the_second_time():
    call_command("seed_demo")
    counts = [
        model.objects.count()
        for model in (Review, ReviewQuestion, Membership, ExclusionReason, CriteriaVersion)
    ]
    call_command("seed_demo")
    assert counts == [
        model.objects.count()
        for model in (Review, ReviewQuestion, Membership, ExclusionReason, CriteriaVersion)
    ]
    review = Review.objects.get(slug="cse-participation")
    assert list(review.questions.values_list("text", flat=True)) == demo.QUESTIONS
    assert review.questions.count() == 5
    assert review.notice.startswith("Search strategy, eligibility criteria and charting form")
    assert set(review.reasons.values_list("code", flat=True)) == {
        "EX-POP",
        "EX-CON",
        "EX-CTX",
        "EX-TYPE",
        "EX-RQ",
        "EX-LANG",
        "EX-DATE",
        "EX-NA",
        "EX-OTHER",
    }
    assert review.reasons.get(code="EX-NA").stage_labels == ["Full-text retrieval"]
    assert review.reasons.get(code="EX-OTHER").note_required
    roles = dict(review.memberships.values_list("user__username", "role"))
    assert roles == {"lead": "lead", "reviewer1": "reviewer", "reviewer2": "reviewer"}


@pytest.mark.django_db
def test_seed_demo_keeps_a_leads_later_edits():
    call_command("seed_demo")
    review = Review.objects.get(slug="cse-participation")
    review.questions.filter(number=1).update(text="Edited by the lead")
    call_command("seed_demo", password="another-pass")
    assert review.questions.get(number=1).text == "Edited by the lead"
    assert review.memberships.get(role="lead").user.check_password("another-pass")


@pytest.mark.django_db
def test_demo_review_shows_its_five_questions_and_notice(client):
    call_command("seed_demo")
    client.login(username="lead", password="review-demo")
    page = client.get("/reviews/cse-participation/").content.decode()
    assert page.count('class="review-question') == 5
    assert "illustrative reconstructions" in page


@pytest.mark.django_db
def test_seeding_again_never_undoes_the_leads_work():
    from django.contrib.auth import get_user_model

    from reviewapp.services import remove_member

    call_command("seed_demo")
    review = Review.objects.get(slug="cse-participation")
    review.title = "CSE participation: our real review"
    review.save()
    remove_member(membership=review.memberships.get(user__username="reviewer2"))
    review.reasons.get(code="EX-LANG").delete()  # one no demo decision uses
    lead = get_user_model().objects.get(username="lead")
    lead.set_password("a-private-password-123")
    lead.save()

    call_command("seed_demo")  # as `make run` does on every start

    review.refresh_from_db()
    assert review.title == "CSE participation: our real review"
    assert not review.memberships.filter(user__username="reviewer2").exists()
    assert not review.reasons.filter(code="EX-LANG").exists()
    lead.refresh_from_db()
    assert lead.check_password("a-private-password-123")


@pytest.mark.django_db
def test_seed_demo_loads_the_protocols_charting_form_and_codebook_once():
    from extraction.models import ChartForm, Code, FormField, FormSection

    call_command("seed_demo")
    review = Review.objects.get(slug="cse-participation")
    form = ChartForm.objects.get(review=review)
    assert form.version == 1
    sections = list(form.sections.order_by("order"))
    assert [s.key for s in sections] == ["source", "rq1", "rq2", "rq3", "rq4", "rq5"]
    switch = FormField.objects.get(section__form=form, key="rq_relevance")
    assert (switch.type, switch.required, switch.choices) == (
        "multiple_choice",
        True,
        ["RQ1", "RQ2", "RQ3", "RQ4", "RQ5"],
    )
    assert sections[0].depends_on is None
    assert [(s.depends_on, s.depends_on_choice, s.question.number) for s in sections[1:]] == [
        (switch, f"RQ{n}", n) for n in range(1, 6)
    ]
    fields = {f.key: f for f in FormField.objects.filter(section__form=form)}
    assert len(fields) == 16 + 7 + 6 + 7 + 6 + 6  # as the protocol lists; citation is the record
    assert fields["requirement_explicitness"].type == "ordinal"
    assert fields["requirement_explicitness"].choices[0] == "Explicit & mandatory"
    assert fields["definition_text"].takes_quote and fields["definition_text"].type == "long_text"
    assert fields["model_described"].type == "yes_no"
    assert fields["groups_addressed"].choices == fields["population_groups"].choices
    assert "Assessment/planning/review meetings" in fields["participation_activities"].choices

    codes = {c.code: c for c in Code.objects.filter(review=review)}
    assert len(codes) == 17
    assert codes["T1.2"].parent == codes["T1"] and codes["T5"].parent is None
    assert codes["T1"].status == "source_derived" and codes["T1.1"].status == "proposed"
    assert sorted(q.number for q in codes["T7"].questions.all()) == [1, 4]
    assert codes["T4.1"].label == "Recognised as an individual"

    counts = (
        ChartForm.objects.count(),
        FormSection.objects.count(),
        FormField.objects.count(),
        Code.objects.count(),
        Code.questions.through.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        ChartForm.objects.count(),
        FormSection.objects.count(),
        FormField.objects.count(),
        Code.objects.count(),
        Code.questions.through.objects.count(),
    )


@pytest.mark.django_db
def test_seeding_again_never_brings_back_a_code_the_lead_deleted():
    from extraction.models import Code

    call_command("seed_demo")
    Code.objects.get(code="T8").delete()
    call_command("seed_demo")
    assert not Code.objects.filter(code="T8").exists()
    assert Code.objects.count() == 16


@pytest.mark.django_db
def test_demo_dictionary_and_theme_pages_show_the_protocol(client):
    call_command("seed_demo")
    client.login(username="reviewer1", password="review-demo")
    dictionary = client.get("/reviews/cse-participation/dictionary/").content.decode()
    assert 'data-key="rq_relevance"' in dictionary and 'data-key="T7"' in dictionary
    assert "shown when rq_relevance includes RQ3" in dictionary
    themes = client.get("/reviews/cse-participation/themes/").content.decode()
    assert themes.count('data-testid="theme-row"') == 17
