"""Logging in: failed attempts are capped per username and address."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "a-long-enough-password-1"


@pytest.fixture(autouse=True)
def empty_counts():
    cache.clear()  # the default per-process cache: counts from other tests must not carry over
    yield
    cache.clear()


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_after_too_many_failures_even_the_right_password_waits(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(username="rita", password=PASSWORD)
    for _ in range(3):
        assert log_in(client, "rita", "wrong").status_code == 200  # the form again, refused
    response = log_in(client, "rita", PASSWORD)
    assert "Too many failed attempts for this account from here" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_count(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(username="rita", password=PASSWORD)
    for _ in range(2):
        log_in(client, "rita", "wrong")
    assert log_in(client, "rita", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        log_in(client, "rita", "wrong")
    assert log_in(client, "rita", PASSWORD).status_code == 302  # 2 + 2 failures, never 3 in a row


def test_the_admin_login_is_capped_too(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 2
    UserFactory(username="admin", password=PASSWORD, is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(2):
        client.post(url, {"username": "admin", "password": "wrong"})
    response = client.post(url, {"username": "admin", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()


def test_behind_a_proxy_each_client_is_counted_on_its_own(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.FORWARDED_FOR_HOPS = 1
    UserFactory(username="lead", password=PASSWORD)
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    for _ in range(3):  # someone else, elsewhere, guessing
        client.post(
            reverse("login"),
            {"username": "lead", "password": "guess"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        )
    response = client.post(
        reverse("login"),
        {"username": "lead", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert response.status_code == 302  # the lead, from their own address, gets in
