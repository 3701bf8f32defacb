"""The suite runs on the database DATABASE_URL names: PostgreSQL through psycopg 3 in CI."""

import os
import shutil
import subprocess

import psycopg
import pytest
from django.db import connection

from tests.factories import make_commitment

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def test_the_suite_runs_on_the_database_that_database_url_names(db):
    assert connection.vendor == ("postgresql" if ON_POSTGRES else "sqlite")


@pytest.mark.skipif(not ON_POSTGRES, reason="DATABASE_URL is not a PostgreSQL URL")
def test_postgresql_is_reached_through_psycopg_3(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()

    assert connection.Database.__name__ == "psycopg"
    assert connection.Database.__version__.startswith("3.")
    assert version.startswith("PostgreSQL")


def _url(database: str) -> str:
    """A libpq URL for `database` on the server the suite uses."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{database}"


@pytest.mark.skipif(
    not (ON_POSTGRES and shutil.which("pg_dump")), reason="needs PostgreSQL and its client tools"
)
def test_the_documented_backup_restores_into_an_empty_database(transactional_db, tmp_path):
    """The commands docs/deploy.md gives for backups and restores, run for real."""
    make_commitment(slug="kept-safe")
    live = _url(connection.settings_dict["NAME"])
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    restored_url = _url(restored_name)
    dump = tmp_path / "tracker.dump"

    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", live], check=True)
    subprocess.run(["createdb", f"--maintenance-db={live}", restored_name], check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_url}", dump],
            check=True,
        )
        with psycopg.connect(restored_url) as restored:
            slugs = restored.execute("SELECT slug FROM tracker_commitment").fetchall()
            migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()
    finally:
        subprocess.run(["dropdb", f"--maintenance-db={live}", restored_name], check=True)

    assert slugs == [("kept-safe",)]
    assert migrations[0] > 0
