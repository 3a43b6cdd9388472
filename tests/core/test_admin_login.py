"""Sign-in throttling (django-axes): per username and client address, behind declared proxies."""

import pytest
from django.contrib.auth.models import User
from pytest_django.asserts import assertContains

from core.http import client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "right-password-1"


@pytest.fixture
def editor(db):
    return User.objects.create_user("ed", password=PASSWORD, is_staff=True)


def sign_in(client, password, **extra):
    return client.post(LOGIN, {"username": "ed", "password": password}, **extra)


def fail_until_locked(client, settings, **extra):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong", **extra)


def test_too_many_wrong_passwords_lock_out_even_the_right_one(client, settings, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200
    assert sign_in(client, "wrong").status_code == 429
    response = sign_in(client, PASSWORD)
    assertContains(response, "Too many failed sign-ins", status_code=429)
    assertContains(response, "Try again in 15 minutes", status_code=429)
    assertContains(response, "Ask an administrator to unlock you", status_code=429)
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_starts_the_count_again(client, settings, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302


def test_another_address_is_not_locked_out(client, settings, editor):
    fail_until_locked(client, settings, REMOTE_ADDR="192.0.2.1")
    assert sign_in(client, PASSWORD, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert sign_in(client, PASSWORD, REMOTE_ADDR="192.0.2.2").status_code == 302


def test_behind_a_proxy_clients_are_told_apart_by_the_address_the_proxy_saw(
    client, settings, editor
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    fail_until_locked(client, settings, headers={"X-Forwarded-For": "203.0.113.5"}, **proxy)
    locked = sign_in(client, PASSWORD, headers={"X-Forwarded-For": "203.0.113.5"}, **proxy)
    assert locked.status_code == 429
    # What the client itself put in front of the header changes nothing.
    spoofed = sign_in(
        client, PASSWORD, headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.5"}, **proxy
    )
    assert spoofed.status_code == 429
    other = sign_in(client, PASSWORD, headers={"X-Forwarded-For": "198.51.100.7"}, **proxy)
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.1"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (1, " 6.6.6.6 ,, 198.51.100.7 ", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, None, "10.0.0.1"),
    ],
)
def test_client_ip_reads_the_entry_the_outermost_trusted_proxy_added(
    rf, settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = hops
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", headers=headers)
    assert client_ip(request) == expected
