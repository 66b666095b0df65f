"""The lead builds the team; a review always keeps a lead.

Adding an existing user by name and creating accounts say whether an account exists, so they
are staff's (invitations, for every lead, are tests/reviewapp/test_invitations.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reviewapp.models import Membership
from tests.factories import UserFactory


def team_url(review):
    return reverse("reviewapp:team", kwargs={"slug": review.slug})


@pytest.fixture
def staff_lead(lead):
    lead.is_staff = True
    lead.save(update_fields=["is_staff"])
    return lead


def member_url(review, membership):
    return reverse(
        "reviewapp:team-member", kwargs={"slug": review.slug, "member_id": membership.pk}
    )


def test_staff_lead_adds_an_existing_user(client_for, staff_lead, review):
    UserFactory(username="newcomer")
    response = client_for(staff_lead).post(
        team_url(review), {"action": "add", "add-username": "NewComer", "add-role": "viewer"}
    )
    assert response.status_code == 302
    assert review.memberships.get(user__username="newcomer").role == "viewer"


def test_adding_an_unknown_user_says_so(client_for, staff_lead, review):
    response = client_for(staff_lead).post(
        team_url(review), {"action": "add", "add-username": "ghost", "add-role": "reviewer"}
    )
    assert response.status_code == 400
    assert "No user is called &#x27;ghost&#x27;" in response.content.decode()


def test_adding_a_member_twice_is_refused(client_for, staff_lead, reviewer, review):
    response = client_for(staff_lead).post(
        team_url(review), {"action": "add", "add-username": "rev1", "add-role": "viewer"}
    )
    assert response.status_code == 400
    assert "already in this review" in response.content.decode()
    assert review.memberships.get(user=reviewer).role == "reviewer"


def test_staff_lead_creates_an_account_for_a_collaborator(client_for, staff_lead, review):
    response = client_for(staff_lead).post(
        team_url(review),
        {
            "action": "create",
            "new-username": "collab",
            "new-first_name": "Cara",
            "new-password": "a-long-unusual-passphrase",
            "new-role": "reviewer",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="collab")
    assert user.check_password("a-long-unusual-passphrase")
    assert review.memberships.get(user=user).role == "reviewer"


def test_weak_password_for_a_new_account_is_refused(client_for, staff_lead, review):
    response = client_for(staff_lead).post(
        team_url(review),
        {"action": "create", "new-username": "collab", "new-password": "123", "new-role": "viewer"},
    )
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="collab").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add", "add-username": "ghost", "add-role": "reviewer"},
        {"action": "create", "new-username": "rev1", "new-password": "x", "new-role": "viewer"},
    ],
)
def test_a_lead_who_is_not_staff_cannot_probe_accounts_by_adding_or_creating(
    client_for, lead, reviewer, review, data
):
    response = client_for(lead).post(team_url(review), data)
    assert response.status_code == 403
    page = client_for(lead).get(team_url(review)).content.decode()
    assert "Add an existing user" not in page
    assert "Create an account" not in page
    assert "Invite someone" in page


def test_lead_changes_a_role(client_for, lead, reviewer, review):
    membership = Membership.objects.get(user=reviewer)
    client_for(lead).post(member_url(review, membership), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == "viewer"


def test_the_last_lead_cannot_step_down(client_for, lead, review):
    membership = Membership.objects.get(user=lead, review=review)
    response = client_for(lead).post(
        member_url(review, membership), {"role": "reviewer"}, follow=True
    )
    assert "must keep at least one lead" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "lead"


def test_the_last_lead_cannot_be_removed(client_for, lead, review):
    membership = Membership.objects.get(user=lead, review=review)
    client_for(lead).post(member_url(review, membership), {"action": "remove"})
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_lead_steps_down_once_another_lead_exists(client_for, lead, reviewer, review):
    Membership.objects.filter(user=reviewer).update(role="lead")
    mine = Membership.objects.get(user=lead, review=review)
    response = client_for(lead).post(member_url(review, mine), {"role": "reviewer"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reviewapp:dashboard", kwargs={"slug": review.slug})
    mine.refresh_from_db()
    assert mine.role == "reviewer"


def test_lead_removes_a_member(client_for, lead, viewer, review):
    membership = Membership.objects.get(user=viewer)
    client_for(lead).post(member_url(review, membership), {"action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_of_another_review_cannot_be_touched(client_for, lead, review, outsider):
    foreign = Membership.objects.get(user=outsider)
    response = client_for(lead).post(member_url(review, foreign), {"action": "remove"})
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("persona", ["reviewer", "viewer"])
def test_team_page_is_read_only_below_lead(client_for, team, review, persona):
    response = client_for(team[persona]).get(team_url(review))
    assert response.status_code == 200
    assert "Add an existing user" not in response.content.decode()


def test_a_lead_who_leaves_the_team_lands_on_their_reviews(client_for, lead, review):
    from tests.factories import MembershipFactory, UserFactory

    MembershipFactory(review=review, user=UserFactory(username="lead2"), role="lead")
    mine = Membership.objects.get(user=lead, review=review)
    response = client_for(lead).post(member_url(review, mine), {"action": "remove"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200
