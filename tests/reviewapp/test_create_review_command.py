"""create_review works from the shell."""

import pytest
from django.core.management import CommandError, call_command

from reviewapp.models import Review


@pytest.mark.django_db
def test_create_review_command(django_user_model, capsys):
    django_user_model.objects.create_user("owner")
    call_command("create_review", "my-review", "--title", "My review", "--owner", "owner")
    review = Review.objects.get(slug="my-review")
    assert review.memberships.get().user.username == "owner"
    assert "Created review 'my-review'" in capsys.readouterr().out


@pytest.mark.django_db
def test_create_review_command_refuses_a_taken_slug(django_user_model):
    call_command("create_review", "taken", "--title", "One")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_review", "taken", "--title", "Two")


@pytest.mark.django_db
def test_create_review_command_names_a_missing_owner():
    with pytest.raises(CommandError, match="No user is called 'ghost'"):
        call_command("create_review", "x", "--title", "X", "--owner", "ghost")
