"""X-Forwarded-For and -Proto count only when they come from a trusted proxy's address.

The guide's two-machine example binds gunicorn to a private address. Anyone who reaches it
there, past nginx, must be treated as the address they connect from, whatever headers they send.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from tests.factories import make_user

PASSWORD = "a-long-test-password"  # what tests.factories.make_user sets
PROXY = "10.0.0.10"  # nginx, as DJANGO_TRUSTED_PROXIES names it
STRANGER = "10.0.0.99"  # another machine on the private network, reaching gunicorn directly

behind_nginx = override_settings(
    BEHIND_PROXY=True,
    PROXY_COUNT=1,
    TRUSTED_PROXIES=[PROXY],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)


@pytest.fixture
def editor(db):
    return make_user("editor")


def log_in(client, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": password}, **extra
    )


@behind_nginx
def test_failed_logins_sent_past_the_proxy_are_locked_out_under_the_real_address(client, editor):
    for n in range(5):
        response = log_in(
            client, "wrong-password", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [STRANGER]
    # Even the right password, with yet another made-up address, stays locked out.
    assert (
        log_in(client, PASSWORD, REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="198.51.100.1")
    ).status_code == 429


@behind_nginx
def test_failed_logins_through_the_proxy_count_for_the_client_it_names(client, editor):
    for _ in range(5):
        log_in(client, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert AccessAttempt.objects.get().ip_address == "203.0.113.1"
    # Another visitor through the same proxy is not locked out.
    assert (
        log_in(client, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    ).status_code == 302


@behind_nginx
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_trusted_proxies_may_be_a_network(client, editor):
    log_in(client, "wrong-password", REMOTE_ADDR="10.0.0.77", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


@override_settings(BEHIND_PROXY=False, TRUSTED_PROXIES=[PROXY])
def test_without_behind_proxy_not_even_the_proxy_is_believed(client, editor):
    log_in(client, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert AccessAttempt.objects.get().ip_address == PROXY


@behind_nginx
@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_forged_forwarded_proto_from_elsewhere_does_not_pass_for_https(client, db):
    response = client.get("/statuses/", REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@behind_nginx
@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_proxys_forwarded_proto_is_believed(client, db):
    response = client.get("/statuses/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
