"""Invitations: a lead brings people in without learning which accounts exist (issue #13, 8)."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reviewapp.models import Invitation, Membership
from tests.factories import UserFactory


def team_url(review):
    return reverse("reviewapp:team", kwargs={"slug": review.slug})


def invite(client, review, who, role="reviewer"):
    return client.post(
        team_url(review),
        {"action": "invite", "invite-who": who, "invite-role": role},
        follow=True,
    )


def respond(client, invitation, action):
    return client.post(reverse("invitation-respond", args=[invitation.pk]), {"action": action})


def without_tokens(page: str) -> str:
    """A page without its CSRF tokens (a new mask on every response)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def what_the_lead_sees(response, *typed: str) -> tuple:
    """The response with what differs only because the lead typed it taken out."""
    page = without_tokens(response.content.decode())
    page = re.sub(r"/invitations/\d+/", "/invitations/N/", page)
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    for name in typed:  # (both names: one may be a member's, on the page either way)
        page = page.replace(name, "TYPED")
        notes = [note.replace(name, "TYPED") for note in notes]
    return (
        response.status_code,
        [r[1] for r in response.redirect_chain],
        [t.name for t in response.templates],
        notes,
        page,
    )


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.org")


@pytest.mark.parametrize(
    ("existing", "missing"),
    [
        ("alice", "zelda"),  # a username / none
        ("alice@example.org", "zelda@example.org"),  # an e-mail / none
        ("ALICE", "ZELDA"),  # typed in capitals
        ("rev1", "zelda"),  # someone already in the team
    ],
)
def test_the_answer_is_the_same_whether_or_not_an_account_matches(
    client_for, lead, reviewer, review, alice, existing, missing
):
    client = client_for(lead)
    seen = []
    for typed in (existing, missing):
        response = invite(client, review, typed)
        seen.append(what_the_lead_sees(response, existing, missing))
        assert f"If an account matches &#x27;{typed}&#x27;, it has been invited" in (
            response.content.decode()
        )
        Invitation.objects.all().delete()  # each answer seen on the same team page
    assert seen[0] == seen[1]
    assert seen[0][:2] == (200, [302])
    assert seen[0][2][0] == "reviewapp/team.html"


def test_the_team_page_lists_invitations_as_typed_and_never_the_account(
    client_for, lead, review, alice
):
    invite(client_for(lead), review, "alice@example.org")
    page = client_for(lead).get(team_url(review)).content.decode()
    table = page[page.index('data-testid="invitations"') :]
    assert "alice@example.org" in table
    assert ">alice<" not in table
    assert Invitation.objects.get().user == alice  # matched, but only the invitee sees it


def test_the_invitee_accepts_from_their_home_page_and_joins_with_the_role(
    client_for, lead, review, alice
):
    invite(client_for(lead), review, "alice", role="viewer")
    invitation = Invitation.objects.get()
    home = client_for(alice).get(reverse("home")).content.decode()
    assert "lead invites you to <strong>Participation in services</strong> as viewer" in home
    response = respond(client_for(alice), invitation, "accept")
    assert response["Location"] == reverse("reviewapp:dashboard", kwargs={"slug": review.slug})
    membership = Membership.objects.get(review=review, user=alice)
    assert (membership.role, membership.added_by) == ("viewer", lead)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_an_accepted_invitation_leaves_the_list_and_cannot_be_used_twice(
    client_for, lead, review, alice
):
    invite(client_for(lead), review, "alice")
    invitation = Invitation.objects.get()
    respond(client_for(alice), invitation, "accept")
    assert respond(client_for(alice), invitation, "accept").status_code == 404
    page = client_for(lead).get(team_url(review)).content.decode()
    assert 'data-testid="invitations"' not in page
    assert 'data-testid="member-alice"' in page


def test_declining_looks_to_the_lead_like_no_answer(client_for, lead, review, alice):
    invite(client_for(lead), review, "alice")
    invitation = Invitation.objects.get()
    before = client_for(lead).get(team_url(review)).content.decode()
    response = respond(client_for(alice), invitation, "decline")
    assert response["Location"] == reverse("home")
    assert "invites you" not in client_for(alice).get(reverse("home")).content.decode()
    assert not Membership.objects.filter(user=alice).exists()
    after = client_for(lead).get(team_url(review)).content.decode()
    assert without_tokens(before) == without_tokens(after)
    assert respond(client_for(alice), invitation, "accept").status_code == 404


def test_someone_else_cannot_answer_an_invitation(client_for, lead, review, alice, outsider):
    invite(client_for(lead), review, "alice")
    invitation = Invitation.objects.get()
    assert respond(client_for(outsider), invitation, "accept").status_code == 404
    assert respond(client_for(lead), invitation, "decline").status_code == 404
    assert not Membership.objects.filter(review=review, user=outsider).exists()
    assert Invitation.objects.get().status == "pending"


def test_an_invitation_to_nobody_waits_for_nobody(client_for, lead, review, alice):
    invite(client_for(lead), review, "zelda")
    assert Invitation.objects.get().user is None
    assert "invites you" not in client_for(alice).get(reverse("home")).content.decode()


def test_an_expired_invitation_is_gone_from_the_home_page_and_cannot_be_accepted(
    client_for, lead, review, alice
):
    invite(client_for(lead), review, "alice")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation = Invitation.objects.get()
    assert "invites you" not in client_for(alice).get(reverse("home")).content.decode()
    assert respond(client_for(alice), invitation, "accept").status_code == 404
    assert not Membership.objects.filter(user=alice).exists()
    assert "Expired" in client_for(lead).get(team_url(review)).content.decode()


def test_invitations_expire_after_the_configured_days(client_for, lead, review, alice, settings):
    settings.INVITATION_DAYS = 3
    invite(client_for(lead), review, "alice")
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=3), abs=timedelta(seconds=5)
    )


def test_a_withdrawn_invitation_cannot_be_accepted(client_for, lead, review, alice):
    invite(client_for(lead), review, "alice")
    invitation = Invitation.objects.get()
    url = reverse(
        "reviewapp:invitation-revoke",
        kwargs={"slug": review.slug, "invitation_id": invitation.pk},
    )
    response = client_for(lead).post(url)
    assert response.status_code == 302
    assert "invites you" not in client_for(alice).get(reverse("home")).content.decode()
    assert respond(client_for(alice), invitation, "accept").status_code == 404
    assert (
        'data-testid="invitations"' not in client_for(lead).get(team_url(review)).content.decode()
    )
    assert client_for(lead).post(url).status_code == 404  # withdrawn once


def test_a_lead_cannot_withdraw_another_reviews_invitation(client_for, lead, review, outsider):
    other = outsider.memberships.get().review
    foreign = Invitation.objects.create(
        review=other, invited_as="x", invited_by=outsider, expires_at=timezone.now()
    )
    url = reverse(
        "reviewapp:invitation-revoke", kwargs={"slug": review.slug, "invitation_id": foreign.pk}
    )
    assert client_for(lead).post(url).status_code == 404
    assert Invitation.objects.get(pk=foreign.pk).status == "pending"


def test_inviting_the_same_name_again_adds_nothing(client_for, lead, review, alice):
    invite(client_for(lead), review, "alice")
    invite(client_for(lead), review, "Alice")
    assert Invitation.objects.count() == 1


def test_a_lead_may_send_only_so_many_invitations_an_hour(client_for, lead, review, settings):
    settings.INVITATIONS_PER_HOUR = 3
    client = client_for(lead)
    for name in ("a1", "a2", "a3"):
        assert invite(client, review, name).status_code == 200
    response = invite(client, review, "a4")
    assert response.status_code == 429
    assert "You have sent 3 invitations in the last hour" in response.content.decode()
    assert not Invitation.objects.filter(invited_as="a4").exists()
    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert invite(client, review, "a4").status_code == 200
    assert Invitation.objects.filter(invited_as="a4").exists()


@pytest.mark.parametrize("persona", ["reviewer", "viewer"])
def test_only_a_lead_invites(client_for, team, review, persona):
    response = invite(client_for(team[persona]), review, "alice")
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_answering_needs_a_post_from_someone_signed_in(client, client_for, lead, review, alice):
    invite(client_for(lead), review, "alice")
    invitation = Invitation.objects.get()
    client.logout()
    response = respond(client, invitation, "accept")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    url = reverse("invitation-respond", args=[invitation.pk])
    assert client_for(alice).get(url).status_code == 405
    assert respond(client_for(alice), invitation, "maybe").status_code == 400
    assert Invitation.objects.get().status == "pending"
