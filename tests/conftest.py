"""Personas: a review wired to a lead, two reviewers, a viewer, and an outsider."""

import os
from pathlib import Path

import pytest

from tests.factories import MembershipFactory, ReviewFactory, UserFactory

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file from ../shared/data; required in CI, a clear skip elsewhere."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"shared data set not found: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(request, settings, tmp_path):
    # The real worker (marked tests) reads the configured MEDIA_ROOT, so those keep it.
    if not request.node.get_closest_marker("worker"):
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def tasks_run_in_process(request, settings):
    """Tasks run eagerly unless a test is marked to use the real worker (and eager ranking runs
    in the test's thread, not a background one, so the test sees it finish)."""
    from reviewapp.celery import app

    settings.RANKING_EAGER_IN_THREAD = False
    if request.node.get_closest_marker("worker"):
        yield
        return
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def review(db):
    return ReviewFactory(title="Participation in services", slug="participation")


@pytest.fixture
def lead(review):
    return MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead").user


@pytest.fixture
def reviewer(review):
    return MembershipFactory(review=review, user=UserFactory(username="rev1"), role="reviewer").user


@pytest.fixture
def second_reviewer(review):
    return MembershipFactory(review=review, user=UserFactory(username="rev2"), role="reviewer").user


@pytest.fixture
def viewer(review):
    return MembershipFactory(review=review, user=UserFactory(username="viewer"), role="viewer").user


@pytest.fixture
def outsider(db):
    other = ReviewFactory(slug="someone-elses")
    user = UserFactory(username="outsider")
    MembershipFactory(review=other, user=user, role="lead")
    return user


@pytest.fixture
def team(lead, reviewer, second_reviewer, viewer, outsider):
    """Every persona at once, by name."""
    return {
        "lead": lead,
        "reviewer": reviewer,
        "second_reviewer": second_reviewer,
        "viewer": viewer,
        "outsider": outsider,
    }


@pytest.fixture
def client_for(client):
    """Log a persona in on the test client: client_for(user)."""

    def login(user):
        client.force_login(user)
        return client

    return login
