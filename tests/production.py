"""Run Django in a separate process with production settings, as a deployment would."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

# Random, like a real key; generated per test run and never stored.
SECRET_KEY = secrets.token_urlsafe(50)
OWN_VARIABLES = ("DJANGO_", "TRACKER_", "DATABASE_URL", "REDIS_URL")


def production_env(**overrides: str | None) -> dict[str, str]:
    """The documented production environment; pass NAME=None to leave a variable out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "tracker.example.org,testserver",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://tracker.example.org",
            "DJANGO_BEHIND_PROXY": "1",
            "DATABASE_URL": "sqlite://:memory:",
            # Without one, `check --deploy` warns (tracker.W001): nobody could ask for a fix.
            "TRACKER_CONTACT_EMAIL": "corrections@tracker.example.org",
        }
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python ARGS` in the project directory, output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run("manage.py", *args, env=env)
