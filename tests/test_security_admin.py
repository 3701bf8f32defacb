"""The admin refuses forged requests and never sends a user off-site after logging in."""

import pytest
from django.test import Client

from tests.factories import make_user
from tracker.models import Theme

PASSWORD = "a-long-test-password"  # what tests.factories.make_user sets


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    return make_user("editor", is_superuser=True)


def test_an_admin_post_without_a_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(
        "/admin/tracker/theme/add/", {"name": "Forged", "slug": "forged", "position": 1}
    )

    assert response.status_code == 403
    assert not Theme.objects.filter(slug="forged").exists()


def test_an_admin_post_with_the_csrf_token_is_accepted(editor):
    """Guards the test above: the same form goes through with its token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    form = client.get("/admin/tracker/theme/add/")

    response = client.post(
        "/admin/tracker/theme/add/",
        {
            "name": "Genuine",
            "slug": "genuine",
            "position": 1,
            "csrfmiddlewaretoken": form.context["csrf_token"],
        },
    )

    assert response.status_code == 302
    assert Theme.objects.filter(slug="genuine").exists()


def test_a_login_without_a_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})

    assert response.status_code == 403
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/admin/",
        "https:/evil.example/",
        "/\\evil.example/",
    ],
)
def test_logging_in_never_redirects_to_another_site(client, editor, next_url):
    response = client.post(
        "/admin/login/", {"username": "editor", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_logging_in_follows_a_next_address_on_this_site(client, editor):
    response = client.post(
        "/admin/login/?next=/admin/tracker/theme/",
        {"username": "editor", "password": PASSWORD, "next": "/admin/tracker/theme/"},
    )

    assert response["Location"] == "/admin/tracker/theme/"
