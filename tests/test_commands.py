"""Small management commands; load_sources has tests/test_load_sources.py."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ensure_local_admin_creates_one_administrator_and_prints_its_password(db, settings):
    settings.DEBUG = True

    first = _run("ensure_local_admin")
    second = _run("ensure_local_admin")

    user = get_user_model().objects.get()
    password = first.split("with password ")[1].split()[0]
    assert user.is_superuser and user.check_password(password)
    assert password not in second
    assert "changepassword admin" in second


def test_ensure_local_admin_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DJANGO_DEBUG=1"):
        _run("ensure_local_admin")

    assert not get_user_model().objects.exists()
