"""The suite runs on the database DATABASE_URL names: PostgreSQL through psycopg 3 in CI."""

import os

import pytest
from django.db import connection

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
