"""The settings contract: everything comes from the environment, and production is strict.

Most cases execute config/settings.py afresh with a given environment (fast, in-process); the
ones about starting up run manage.py in a separate process, as a deployment would.
"""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tests.production import OWN_VARIABLES, SECRET_KEY, manage, production_env

SETTINGS_FILE = Path(settings.BASE_DIR) / "config" / "settings.py"


@pytest.fixture
def load_settings(monkeypatch):
    """Execute the settings file with the production environment changed by `overrides`."""

    def load(**overrides: str | None) -> dict:
        for name in list(os.environ):
            if name.startswith(OWN_VARIABLES):
                monkeypatch.delenv(name)
        for name, value in production_env(**overrides).items():
            if name.startswith(OWN_VARIABLES):
                monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS_FILE))

    return load


# Starting up


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=None))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", env=production_env(DJANGO_ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list the site's host names" in result.stderr


def test_the_documented_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deployment_checklist_fails_when_https_is_switched_off():
    """Guards the test above: the checklist does fail on a weakened setting."""
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_HSTS_SECONDS="0")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W004" in result.stderr


# Fixed ids: the key is random in each process, and pytest-xdist's workers must collect the
# same test names.
@pytest.mark.parametrize(
    "key",
    [
        "too-short-but-random-Zq8x",
        "django-insecure-" + SECRET_KEY,
        "ab" * 30,  # long, but only two different characters
    ],
    ids=["too short", "the django-insecure prefix", "two characters repeated"],
)
def test_production_refuses_a_weak_secret_key(load_settings, key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is too weak"):
        load_settings(DJANGO_SECRET_KEY=key)


def test_debug_mode_runs_without_a_secret_key_or_hosts(load_settings):
    config = load_settings(
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY=None,
        DJANGO_ALLOWED_HOSTS=None,
        DJANGO_BEHIND_PROXY=None,
    )

    assert config["DEBUG"] is True
    assert config["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    # Local runs and tests use plain http.
    assert config["SECURE_SSL_REDIRECT"] is False
    assert config["SECURE_HSTS_SECONDS"] == 0
    assert config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be one of 1/0"),
        ("DJANGO_HSTS_SECONDS", "a year", "DJANGO_HSTS_SECONDS must be a whole number"),
        ("DJANGO_LOGIN_FAILURE_LIMIT", "0", "DJANGO_LOGIN_FAILURE_LIMIT must be at least 1"),
        ("DJANGO_LOGIN_COOLOFF_MINUTES", "0", "DJANGO_LOGIN_COOLOFF_MINUTES must be at least 1"),
        ("DJANGO_SQLITE_TIMEOUT", "-1", "DJANGO_SQLITE_TIMEOUT must be at least 1"),
        ("TRACKER_CONTACT_EMAIL", "the press office", "TRACKER_CONTACT_EMAIL must be an email"),
        ("TRACKER_CONTACT_EMAIL", "mailto:a@example.org", "TRACKER_CONTACT_EMAIL must be an email"),
        ("TRACKER_PUBLISHER_URL", "example.org", "TRACKER_PUBLISHER_URL must be an http"),
        (
            "TRACKER_DATA_LICENSE_URL",
            "ftp://example.org/licence.txt",
            "TRACKER_DATA_LICENSE_URL must be an http",
        ),
        (
            "TRACKER_DATA_LICENSE_URL",
            "javascript:alert(1)",
            "TRACKER_DATA_LICENSE_URL must be an http",
        ),
    ],
)
def test_nonsense_in_a_variable_is_a_configuration_error_naming_it(
    load_settings, name, value, message
):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(**{name: value})


def test_publisher_contact_and_licence_default_to_no_real_organisation(load_settings):
    config = load_settings(TRACKER_CONTACT_EMAIL=None)

    assert config["TRACKER_PUBLISHER"] == "Policy Commitments Tracker"
    assert config["TRACKER_PUBLISHER_URL"] == ""
    assert config["TRACKER_CONTACT_EMAIL"] == ""
    assert config["TRACKER_DATA_LICENSE_NAME"] == "CC BY 4.0"
    assert config["TRACKER_DATA_LICENSE_URL"] == "https://creativecommons.org/licenses/by/4.0/"


def test_publisher_contact_and_licence_come_from_the_environment(load_settings):
    config = load_settings(
        TRACKER_PUBLISHER="Example Research Group",
        TRACKER_PUBLISHER_URL="https://research.example.org/",
        TRACKER_CONTACT_EMAIL=" corrections@tracker.example.org ",
        TRACKER_DATA_LICENSE_NAME="ODC-By 1.0",
        TRACKER_DATA_LICENSE_URL="https://opendatacommons.org/licenses/by/1-0/",
    )

    assert config["TRACKER_PUBLISHER"] == "Example Research Group"
    assert config["TRACKER_PUBLISHER_URL"] == "https://research.example.org/"
    assert config["TRACKER_CONTACT_EMAIL"] == "corrections@tracker.example.org"
    assert config["TRACKER_DATA_LICENSE_NAME"] == "ODC-By 1.0"
    assert config["TRACKER_DATA_LICENSE_URL"] == "https://opendatacommons.org/licenses/by/1-0/"


def test_an_empty_licence_address_is_the_default_not_no_licence(load_settings):
    config = load_settings(TRACKER_DATA_LICENSE_URL="")

    assert config["TRACKER_DATA_LICENSE_URL"] == "https://creativecommons.org/licenses/by/4.0/"


def test_the_deployment_checklist_warns_without_a_contact_address():
    env = production_env(TRACKER_CONTACT_EMAIL=None)

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "tracker.W001" in result.stderr
    assert "TRACKER_CONTACT_EMAIL is not set" in result.stderr


# Production values


def test_production_redirects_to_https_and_sends_hsts_for_a_year(load_settings):
    config = load_settings()

    assert config["SECURE_SSL_REDIRECT"] is True
    assert config["SECURE_HSTS_SECONDS"] == 31536000
    assert config["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert config["SECURE_HSTS_PRELOAD"] is True
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["CSRF_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SECURE_REFERRER_POLICY"] == "same-origin"
    assert config["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert config["X_FRAME_OPTIONS"] == "DENY"
    assert not config.get("SILENCED_SYSTEM_CHECKS")


def test_hsts_can_be_tuned(load_settings):
    config = load_settings(
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="no",
    )

    assert config["SECURE_HSTS_SECONDS"] == 3600
    assert config["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert config["SECURE_HSTS_PRELOAD"] is False


def test_proxy_headers_are_trusted_only_behind_a_proxy(load_settings):
    assert load_settings()["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert "SECURE_PROXY_SSL_HEADER" not in load_settings(DJANGO_BEHIND_PROXY=None)


def test_only_loopback_is_a_trusted_proxy_by_default(load_settings):
    assert load_settings()["TRUSTED_PROXIES"] == ["127.0.0.1", "::1"]


def test_trusted_proxies_are_addresses_or_networks(load_settings):
    config = load_settings(DJANGO_TRUSTED_PROXIES="10.0.0.10, 10.0.1.0/24,fd00::1")

    assert config["TRUSTED_PROXIES"] == ["10.0.0.10", "10.0.1.0/24", "fd00::1"]


def test_a_trusted_proxy_that_is_not_an_address_is_a_configuration_error(load_settings):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_TRUSTED_PROXIES must list IP"):
        load_settings(DJANGO_TRUSTED_PROXIES="nginx.example.internal")


def test_hosts_and_trusted_origins_are_comma_separated_lists(load_settings):
    config = load_settings(
        DJANGO_ALLOWED_HOSTS="tracker.example.org, www.tracker.example.org,",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://tracker.example.org,https://www.tracker.example.org",
    )

    assert config["ALLOWED_HOSTS"] == ["tracker.example.org", "www.tracker.example.org"]
    assert config["CSRF_TRUSTED_ORIGINS"] == [
        "https://tracker.example.org",
        "https://www.tracker.example.org",
    ]


def test_login_throttling_comes_from_the_environment(load_settings):
    config = load_settings(DJANGO_LOGIN_FAILURE_LIMIT="10", DJANGO_LOGIN_COOLOFF_MINUTES="60")

    assert config["AXES_FAILURE_LIMIT"] == 10
    assert config["AXES_COOLOFF_TIME"].total_seconds() == 3600
    assert config["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert config["AXES_RESET_ON_SUCCESS"] is True


# Databases and caches


def test_a_postgres_url_selects_postgresql(load_settings):
    config = load_settings(DATABASE_URL="postgres://tracker:secret@db.example:5432/tracker")
    database = config["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example", 5432, "tracker")
    assert (database["USER"], database["PASSWORD"]) == ("tracker", "secret")
    # SQLite's tuning is for SQLite only.
    assert "init_command" not in database.get("OPTIONS", {})


def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout(load_settings):
    config = load_settings(DATABASE_URL="sqlite:////srv/tracker/db.sqlite3")
    options = config["DATABASES"]["default"]["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA synchronous=NORMAL" in options["init_command"]


def test_the_cache_is_per_process_without_redis(load_settings):
    cache = load_settings()["CACHES"]["default"]

    # Django's local-memory cache, bounded in bytes too (tracker.caching).
    assert cache["BACKEND"] == "tracker.caching.BoundedLocMemCache"
    assert cache["OPTIONS"]["MAX_BYTES"] == 64 * 1024 * 1024


def test_redis_url_selects_djangos_redis_cache_forgiving_its_outages(load_settings):
    cache = load_settings(REDIS_URL="redis://cache.example:6379/0")["CACHES"]["default"]

    # Django's RedisCache, with a Redis it cannot reach treated as a miss (tracker.caching).
    assert cache["BACKEND"] == "tracker.caching.ForgivingRedisCache"
    assert cache["LOCATION"] == "redis://cache.example:6379/0"


# Documentation


READS_VARIABLE = re.compile(r"""(?:env_\w+|environ\.get|_whole_number)\(\s*["']([A-Z_]+)["']""")


def _variables_read_by(path: Path) -> set[str]:
    return set(READS_VARIABLE.findall(path.read_text()))


def test_every_environment_variable_is_documented():
    base = Path(settings.BASE_DIR)
    variables = _variables_read_by(SETTINGS_FILE) | _variables_read_by(
        base / "config" / "gunicorn.conf.py"
    )
    readme = (base / "README.md").read_text()
    deploy = (base / "docs" / "deploy.md").read_text()

    assert "DJANGO_SECRET_KEY" in variables  # the pattern does find them
    for name in sorted(variables):
        assert f"| `{name}` |" in readme, f"{name} is missing from README.md's settings table"
        assert f"`{name}`" in deploy, f"{name} is missing from docs/deploy.md"
