"""Logging in: failed attempts are capped per username and address."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewapp.login import failure_key, failures
from reviewapp.models import LoginFailure
from tests.factories import UserFactory

PASSWORD = "a-long-enough-password-1"
FULL_WIDTH = "\uff52\uff49\uff54\uff41"  # "rita" in full-width letters, as an IME types it


@pytest.fixture(autouse=True)
def empty_counts():
    cache.clear()  # nothing may count in the per-process cache: the table alone holds counts
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


@pytest.mark.parametrize(
    "padded",
    [" rita", "rita ", "\trita", "rita\t", FULL_WIDTH, "rita\u3000", "\u3000" + FULL_WIDTH + "\n"],
    ids=[
        "space-before",
        "space-after",
        "tab-before",
        "tab-after",
        "full-width",
        "ideographic-space",
        "mixed",
    ],
)
def test_padding_the_username_counts_on_the_same_counter_and_cannot_log_in(
    client, db, settings, padded
):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(username="rita", password=PASSWORD)
    log_in(client, "rita", "wrong")
    log_in(client, padded, "wrong")
    log_in(client, padded, "wrong")
    assert LoginFailure.objects.get().count == 3  # one counter for every spelling
    response = log_in(client, padded, PASSWORD)  # the right password, padded: still locked
    assert "Too many failed attempts for this account from here" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_each_variant_alone_is_counted_with_the_plain_username(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 100
    UserFactory(username="rita", password=PASSWORD)
    variants = [" rita", "rita ", "\trita", FULL_WIDTH, "rita\u3000", "rita"]
    for variant in variants:
        log_in(client, variant, "wrong")
    assert LoginFailure.objects.count() == 1
    assert failures(failure_key("rita", "127.0.0.1")) == len(variants)


@pytest.mark.django_db(transaction=True)  # committed rows, as another process would read them
def test_another_server_process_sees_the_same_count(client, settings):
    # Each web worker has its own memory and its own cache; the count lives in the database,
    # so a second process (a fresh connection reading the table) sees every failure.
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(username="rita", password=PASSWORD)
    for _ in range(2):
        log_in(client, "rita", "wrong")
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT count FROM reviewapp_loginfailure")
            assert cursor.fetchall() == [(2,)]
    finally:
        other.close()
    cache.clear()  # what a restart or another process's empty cache would see
    log_in(Client(), "rita", "wrong")  # a third failure from a different client object
    assert "Too many failed attempts" in log_in(client, "rita", PASSWORD).content.decode()


def test_a_passed_window_starts_counting_again(client, db, settings):
    settings.LOGIN_MAX_FAILURES = 2
    UserFactory(username="rita", password=PASSWORD)
    for _ in range(2):
        log_in(client, "rita", "wrong")
    LoginFailure.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert log_in(client, "rita", "wrong").status_code == 200
    assert LoginFailure.objects.get().count == 1
