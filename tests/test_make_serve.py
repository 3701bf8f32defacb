"""make serve says which database it uses, warns about an empty one, and names its real address."""

from __future__ import annotations

import sqlite3
import subprocess

from django.conf import settings

from tests.production import manage, production_env


def test_it_names_a_postgresql_database_without_its_password():
    env = production_env(DATABASE_URL="postgres://tracker:s3cret@db.example.internal:5432/tracker")

    result = manage("describe_database", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Database: PostgreSQL database tracker on db.example.internal:5432 as tracker"
    )
    assert "s3cret" not in result.stdout + result.stderr


def test_it_warns_that_a_new_sqlite_file_starts_the_site_empty(tmp_path):
    path = tmp_path / "db.sqlite3"

    result = manage("describe_database", env=production_env(DATABASE_URL=f"sqlite:///{path}"))

    assert result.returncode == 0, result.stderr
    assert f"Database: SQLite file {path}" in result.stdout
    assert "the site will start with no data" in result.stderr
    assert not path.exists()  # describing it created nothing


def test_it_does_not_warn_about_a_sqlite_database_with_tables(tmp_path):
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE django_migrations (id integer)")
    db.close()

    result = manage("describe_database", env=production_env(DATABASE_URL=f"sqlite:///{path}"))

    assert "no data" not in result.stderr


def test_make_serve_announces_the_address_it_really_binds():
    env = production_env(BIND_ADDRESS="10.0.0.11", PORT="9000")
    result = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "--always-make", "serve"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "gunicorn on 10.0.0.11:9000" in result.stdout
    assert "BIND_ADDRESS=10.0.0.11" in result.stdout
    assert "manage.py describe_database" in result.stdout
