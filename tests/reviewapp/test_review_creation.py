"""REVIEW_CREATION: anyone signed in starts a review, or only those the site admin permits."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reviewapp.models import Review
from tests.factories import UserFactory

NEW = {"title": "Scoping review", "slug": "scoping"}


@pytest.fixture
def someone(db):
    return UserFactory(username="someone")


def test_by_default_anyone_signed_in_starts_a_review(client_for, someone, settings):
    assert settings.REVIEW_CREATION == "anyone"
    client = client_for(someone)
    assert 'href="/reviews/new/"' in client.get(reverse("home")).content.decode()
    assert client.post(reverse("review-create"), NEW).status_code == 302
    assert Review.objects.get(slug="scoping").memberships.get().user == someone


def test_with_permission_only_a_user_without_it_is_refused(client_for, someone, settings):
    settings.REVIEW_CREATION = "permission"
    client = client_for(someone)
    assert client.get(reverse("review-create")).status_code == 403
    assert client.post(reverse("review-create"), NEW).status_code == 403
    assert not Review.objects.filter(slug="scoping").exists()
    home = client.get(reverse("home")).content.decode()
    assert 'href="/reviews/new/"' not in home
    assert "Ask a review's lead to invite you" in home


def test_with_permission_the_admin_grants_add_review(client_for, someone, settings):
    settings.REVIEW_CREATION = "permission"
    someone.user_permissions.add(Permission.objects.get(codename="add_review"))
    client = client_for(someone)
    assert 'href="/reviews/new/"' in client.get(reverse("home")).content.decode()
    assert client.post(reverse("review-create"), NEW).status_code == 302
    assert Review.objects.filter(slug="scoping").exists()
