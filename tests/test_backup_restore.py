"""Backups restore: backup_database writes a private file, restore_database brings it all back.

The PostgreSQL case runs as docs/deploy.md sets it up: the app's role owns its database but is
no superuser and may not create databases; the superuser creates the databases beforehand.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import stat
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.production import manage, production_env, run
from tracker.backups import libpq_command

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
FIXTURE = "fixtures/adgmin-2026.json"

# Fills a fresh database the way a deployment does, plus an account with a password hash.
POPULATE = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_sources", "fixtures/asean-members.json", "{FIXTURE}", verbosity=0)
get_user_model().objects.create_superuser("admin", "", "a-long-test-password")
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _app(database_url: str, *args: str):
    """manage.py ARGS in a separate process, on `database_url`."""
    result = manage(*args, env=production_env(DJANGO_DEBUG="1", DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr + result.stdout
    return result


def _populate(database_url: str) -> None:
    result = run("-c", POPULATE, env=production_env(DJANGO_DEBUG="1", DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr


# The password never reaches a command line


def test_the_database_password_goes_in_the_environment_not_on_the_command_line():
    db = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "tracker",
        "USER": "tracker",
        "PASSWORD": "s3cret-Pa55word",
        "HOST": "db.example.internal",
        "PORT": 5432,
        "OPTIONS": {"sslmode": "require"},
    }

    command, env = libpq_command("pg_dump", db, "--format=custom")

    assert not any("s3cret" in argument for argument in command)
    assert command == [
        "pg_dump",
        "--host=db.example.internal",
        "--port=5432",
        "--username=tracker",
        "--format=custom",
        "--dbname=tracker",
    ]
    assert env["PGPASSWORD"] == "s3cret-Pa55word"
    assert env["PGSSLMODE"] == "require"


def test_without_a_password_in_database_url_the_tools_look_in_pgpassfile(monkeypatch):
    monkeypatch.setenv("PGPASSFILE", "/etc/tracker/pgpass")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    db = {"ENGINE": "django.db.backends.postgresql", "NAME": "tracker", "PASSWORD": ""}

    command, env = libpq_command("pg_dump", db)

    assert "PGPASSWORD" not in env
    assert env["PGPASSFILE"] == "/etc/tracker/pgpass"


def test_restoring_a_file_that_does_not_exist_changes_nothing(db, tmp_path):
    with pytest.raises(CommandError, match="There is no backup file"):
        call_command("restore_database", str(tmp_path / "nothing.dump"), "--no-input")


# SQLite


def _sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        rows = {
            table: db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables
        }
    db.close()
    return rows


@pytest.fixture(scope="module")
def _populated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database filled as a deployment fills it, made once for the module."""
    path = tmp_path_factory.mktemp("sqlite") / "tracker.sqlite3"
    _populate(f"sqlite:///{path}")
    return path


@pytest.fixture
def live_sqlite(_populated_sqlite, tmp_path) -> Path:
    """A copy of it for each test, which backs it up, damages it and restores it."""
    path = tmp_path / _populated_sqlite.name
    for suffix in ("", "-wal"):  # the write-ahead log, if populating left one
        if Path(f"{_populated_sqlite}{suffix}").exists():
            shutil.copy(f"{_populated_sqlite}{suffix}", f"{path}{suffix}")
    return path


def test_a_sqlite_backup_is_private_and_restores_every_table(live_sqlite, tmp_path):
    live = live_sqlite
    url = f"sqlite:///{live}"
    folder = tmp_path / "backups" / "tracker"  # does not exist yet
    before = _sqlite_rows(live)

    _app(url, "backup_database", f"--dir={folder}")
    (backup,) = folder.iterdir()
    with sqlite3.connect(live) as db:  # a failed upgrade, say
        db.execute("DELETE FROM tracker_statusupdate")
        db.execute("CREATE TABLE from_a_failed_upgrade (id integer)")
    db.close()
    _app(url, "restore_database", str(backup), "--no-input")

    assert _mode(folder) == 0o700
    assert _mode(backup) == 0o600
    assert backup.name.startswith("tracker-tracker-") and backup.suffix == ".sqlite3"
    assert len(before["tracker_commitment"]) == 21
    assert _sqlite_rows(live) == before


def test_keep_deletes_all_but_the_newest_backups_and_nothing_else(live_sqlite, tmp_path):
    url = f"sqlite:///{live_sqlite}"
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"tracker-tracker-2026010{day}T031500Z.sqlite3" for day in range(1, 4)]
    unrelated = folder / "notes.txt"
    for path in [*old, unrelated]:
        path.write_text("")

    result = _app(url, "backup_database", f"--dir={folder}", "--keep=2")

    remaining = sorted(path.name for path in folder.iterdir())
    assert remaining[0] == "notes.txt"
    assert remaining[1] == old[-1].name
    assert len(remaining) == 3  # notes, the newest old one, today's
    assert "Backed up to" in result.stdout


# PostgreSQL, as the unprivileged role of docs/deploy.md


def _server_url(user: str, database: str, password: str = "") -> str:
    db = settings.DATABASES["default"]
    secret = f":{password}" if password else ""
    return f"postgresql://{user}{secret}@{db['HOST']}:{db['PORT']}/{database}"


def _superuser(database: str = "postgres") -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        _server_url(db["USER"], database, db.get("PASSWORD") or ""), autocommit=True
    )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """A deployment as the guide makes it, populated, with one backup taken.

    The role is like the guide's `tracker`: it may log in and owns its databases, nothing more.
    Set up once for the module (migrating takes a while); every test leaves the live database
    as the backup has it.
    """
    if not (ON_POSTGRES and shutil.which("pg_dump") and shutil.which("psql")):
        pytest.skip("needs PostgreSQL and its client tools")
    suffix = secrets.token_hex(4)
    role, password = f"tracker_{suffix}", secrets.token_urlsafe(16)
    live, restored = f"tracker_live_{suffix}", f"tracker_restored_{suffix}"
    with _superuser() as admin:
        admin.execute(
            f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'"
        )
        # What `sudo -u postgres createdb --owner=tracker …` does, before and at a restore.
        admin.execute(f"CREATE DATABASE {live} OWNER {role}")
        admin.execute(f"CREATE DATABASE {restored} OWNER {role}")
    try:
        live_url = _server_url(role, live, password)
        folder = tmp_path_factory.mktemp("backups") / "tracker"
        _populate(live_url)
        before = _postgres_rows(live)
        _app(live_url, "backup_database", f"--dir={folder}")
        (backup,) = folder.iterdir()
        yield {
            "live": live_url,
            "restored": _server_url(role, restored, password),
            "names": (live, restored),
            "backup": backup,
            "before": before,
        }
    finally:
        with _superuser() as admin:
            for database in (live, restored):
                admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {role}")


def _postgres_rows(database: str) -> dict[str, list]:
    """Every row of every table, and every sequence's position, read as the superuser."""
    with _superuser(database) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        rows = {
            table: db.execute(f'SELECT t::text FROM "{table}" AS t ORDER BY 1').fetchall()
            for table in tables
        }
        rows["sequences"] = db.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return rows


def test_the_apps_own_role_backs_up_and_restores_every_table_into_a_fresh_database(deployed):
    _, restored = deployed["names"]
    before = deployed["before"]

    _app(deployed["restored"], "restore_database", str(deployed["backup"]), "--no-input")

    assert _mode(deployed["backup"]) == 0o600
    assert _mode(deployed["backup"].parent) == 0o700
    assert len(before["tracker_commitment"]) == 21
    assert len(before) > 10
    assert _postgres_rows(restored) == before


def test_restoring_over_a_failed_upgrade_brings_back_exactly_the_backup(deployed):
    live, _ = deployed["names"]
    # The upgrade's migration added a table and changed data, then things went wrong.
    with psycopg.connect(deployed["live"], autocommit=True) as db:
        db.execute("CREATE TABLE from_a_failed_upgrade (id integer)")
        db.execute("DELETE FROM tracker_statusupdate")
        db.execute("DELETE FROM auth_user")

    _app(deployed["live"], "restore_database", str(deployed["backup"]), "--no-input")

    assert _postgres_rows(live) == deployed["before"]


def test_a_damaged_backup_is_refused_and_the_database_is_left_alone(deployed, tmp_path):
    live, _ = deployed["names"]
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(b"PGDMP not really")

    result = manage(
        "restore_database",
        str(damaged),
        "--no-input",
        env=production_env(DJANGO_DEBUG="1", DATABASE_URL=deployed["live"]),
    )

    assert result.returncode != 0
    assert "pg_restore failed" in result.stderr
    assert _postgres_rows(live) == deployed["before"]
