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
