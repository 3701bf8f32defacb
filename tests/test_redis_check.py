"""REDIS_URL without the redis client library is refused at start-up, not on first cache use."""

from __future__ import annotations

import sys

from django.core.checks import run_checks
from django.test import override_settings

from tests.production import manage, production_env

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}}


def _errors() -> list[str]:
    return [message.id for message in run_checks()]


@override_settings(CACHES=REDIS)
def test_redis_without_its_client_library_is_an_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # as if not installed

    errors = [message for message in run_checks() if message.id == "tracker.E001"]

    assert len(errors) == 1
    assert "'redis' is not installed" in errors[0].msg
    assert "redis extra" in errors[0].hint


@override_settings(CACHES=REDIS)
def test_redis_with_its_client_library_passes(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", type(sys)("redis"))  # as if installed

    assert "tracker.E001" not in _errors()


def test_the_per_process_cache_needs_no_redis(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)

    assert "tracker.E001" not in _errors()


def test_the_deployment_check_fails_on_redis_url_without_the_client():
    # A separate process in production mode, with the redis client hidden from it.
    env = production_env(REDIS_URL="redis://127.0.0.1:6379/0")
    result = manage(
        "shell",
        "-c",
        "import sys; sys.modules['redis'] = None; "
        "from django.core.management import call_command; "
        "call_command('check', '--deploy')",
        env=env,
    )

    assert result.returncode != 0
    assert "tracker.E001" in result.stderr
