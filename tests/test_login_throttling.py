"""Repeated failed logins pause logging in for that username from that address, for a while."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_user
from tests.html import check_page

PASSWORD = "a-long-test-password"  # what tests.factories.make_user sets


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Each login checks a password; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    return make_user("editor")


def log_in(client, username="editor", password=PASSWORD, **extra):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **extra
    )


def fail(client, times, username="editor", **extra):
    for _ in range(times):
        response = log_in(client, username, "wrong-password", **extra)
    return response


def is_logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_four_wrong_passwords_only_show_the_usual_error(client, editor):
    response = fail(client, 4)

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()
    assert log_in(client).status_code == 302
    assert is_logged_in(client)


def test_the_fifth_wrong_password_locks_the_login(client, editor):
    response = fail(client, 5)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_while_locked_even_the_right_password_is_refused(client, editor):
    fail(client, 5)

    response = log_in(client)

    assert response.status_code == 429
    html = response.content.decode()
    check_page(html)
    assert "Too many failed logins" in html
    assert "After 5 wrong passwords for this username from your address" in html
    assert "paused for 15 minutes" in html
    assert not is_logged_in(client)


def test_the_lockout_page_says_when_to_try_again(client, editor):
    fail(client, 5)

    before = timezone.now()
    response = log_in(client)

    html = response.content.decode()
    retry_at = datetime.datetime.fromisoformat(html.split('<time datetime="')[1].split('"')[0])
    expected = before + datetime.timedelta(minutes=15)
    assert (
        expected - datetime.timedelta(seconds=5)
        <= retry_at
        <= expected + datetime.timedelta(seconds=5)
    )
    assert f"{retry_at:%H:%M} UTC</time>" in html
    assert response.headers["Retry-After"] == "900"


def test_the_lockout_ends_after_the_cool_off(client, editor):
    fail(client, 5)
    # Sixteen minutes pass.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))

    response = log_in(client)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_lockout_lasts_the_whole_cool_off(client, editor):
    fail(client, 5)
    # Fourteen minutes pass: not enough.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=14))

    assert log_in(client).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=datetime.timedelta(minutes=1))
def test_the_limit_and_the_cool_off_are_settings(client, editor):
    response = fail(client, 2)

    assert response.status_code == 429
    assert "After 2 wrong passwords" in response.content.decode()
    assert "paused for 1 minute." in response.content.decode()


def test_a_lockout_holds_only_that_username_from_that_address(client, editor):
    make_user("colleague")
    fail(client, 5)

    # A colleague at the same address is not locked out...
    assert log_in(client, "colleague").status_code == 302
    client.logout()
    # ...nor is the editor from another address, so a stranger cannot lock them out.
    assert log_in(client, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, editor):
    fail(client, 4)
    log_in(client)
    client.logout()

    assert fail(client, 4).status_code == 200


def test_axes_reset_username_lifts_a_lockout(client, editor):
    fail(client, 5)

    call_command("axes_reset_username", "editor", stdout=None)

    assert log_in(client).status_code == 302


def test_axes_reset_lifts_every_lockout(client, editor):
    fail(client, 5)

    call_command("axes_reset")

    assert log_in(client).status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_header_does_not_escape_a_lockout(client, editor):
    fail(client, 5, HTTP_X_FORWARDED_FOR="203.0.113.1")

    response = log_in(client, HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert response.status_code == 429


@override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)
def test_behind_a_proxy_each_client_address_is_throttled_separately(client, editor):
    # Every request comes from the proxy (REMOTE_ADDR 127.0.0.1); it names the client.
    fail(client, 5, HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert log_in(client, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert log_in(client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.1"


@override_settings(BEHIND_PROXY=True, PROXY_COUNT=1)
def test_behind_a_proxy_addresses_the_client_made_up_are_ignored(client, editor):
    # The client sends its own X-Forwarded-For; the proxy appends the real address.
    fail(client, 5, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.1")

    response = log_in(client, HTTP_X_FORWARDED_FOR="10.0.0.2, 203.0.113.1")

    assert response.status_code == 429


def test_the_record_of_a_failed_login_never_contains_the_password(client, editor):
    log_in(client, "editor", "my-secret-guess-123")

    attempt = AccessAttempt.objects.get()
    assert attempt.username == "editor"
    assert attempt.ip_address == "127.0.0.1"
    assert "my-secret-guess-123" not in attempt.post_data
