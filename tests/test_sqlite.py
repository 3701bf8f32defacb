"""SQLite as the embedded default: several processes write at once, nothing fails or is lost.

Each process is a separate Python running Django on one SQLite file, like several gunicorn
workers on one machine. Runs whatever DATABASE_URL the suite itself uses.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tracker.models import Status

WORKERS = 4
WRITES_PER_WORKER = 25

SETUP = """
import django
django.setup()
from django.core.management import call_command
from tests.factories import make_commitment
call_command("migrate", verbosity=0)
make_commitment(slug="shared")
"""

# Each worker waits for a common start time, then records its updates as fast as it can,
# through the one method that writes statuses.
WORKER = """
import datetime, json, sys, time
import django
django.setup()
from django.db import connection
from tracker.models import Commitment, Status
start_at, name, writes = float(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with connection.cursor() as cursor:
    pragmas = {
        pragma: cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
        for pragma in ("journal_mode", "synchronous", "busy_timeout")
    }
print(json.dumps(pragmas))
commitment = Commitment.objects.get(slug="shared")
statuses = [Status.IN_PROGRESS, Status.DELAYED, Status.STALLED, Status.ONGOING]
while time.time() < start_at:
    time.sleep(0.005)
for i in range(writes):
    commitment.record_update(
        basis="secretariat_verified",
        status=statuses[i % len(statuses)],
        as_of=datetime.date(2026, 2, 1),
        note=f"{name} update {i}",
    )
"""


def _env(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update({"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{db_path}"})
    return env


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory) -> Path:
    """A migrated database file with one commitment, made once for the module."""
    db_path = tmp_path_factory.mktemp("sqlite") / "tracker.sqlite3"
    subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=settings.BASE_DIR,
        env=_env(db_path),
        check=True,
        timeout=60,
    )
    return db_path


@pytest.fixture
def sqlite_file(_migrated, tmp_path) -> Path:
    """A copy of it for each test, which writes to it."""
    db_path = tmp_path / _migrated.name
    for suffix in ("", "-wal"):  # the write-ahead log, if the setup left one
        if Path(f"{_migrated}{suffix}").exists():
            shutil.copy(f"{_migrated}{suffix}", f"{db_path}{suffix}")
    return db_path


def test_concurrent_writers_neither_fail_nor_lose_a_write(sqlite_file):
    start_at = time.time() + 2  # time for every worker to start Django
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start_at), f"worker-{n}", str(WRITES_PER_WORKER)],
            cwd=settings.BASE_DIR,
            env=_env(sqlite_file),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    results = [(worker.wait(timeout=120), *worker.communicate()) for worker in workers]

    for returncode, _, stderr in results:
        assert "database is locked" not in stderr
        assert returncode == 0, stderr
    with sqlite3.connect(sqlite_file) as db:
        rows = db.execute(
            "SELECT previous_status, status, note FROM tracker_statusupdate ORDER BY id"
        ).fetchall()
        (current,) = db.execute("SELECT status FROM tracker_commitment").fetchone()
    # No lost write: every update of every worker is there, once.
    assert sorted(note for _, _, note in rows) == sorted(
        f"worker-{n} update {i}" for n in range(WORKERS) for i in range(WRITES_PER_WORKER)
    )
    # And they were serialised: each update replaced the status the one before it set.
    previous = Status.NOT_ASSESSED
    for previous_status, status, note in rows:
        assert previous_status == previous, note
        previous = status
    assert current == previous


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_file):
    start_at = time.time()
    output = subprocess.run(
        [sys.executable, "-c", WORKER, str(start_at), "solo", "1"],
        cwd=settings.BASE_DIR,
        env=_env(sqlite_file),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    pragmas = json.loads(output.splitlines()[0])
    # synchronous=1 is NORMAL; the busy timeout is DJANGO_SQLITE_TIMEOUT's 20 s default.
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 20000}


READER = """
import sys

import django

django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.versions import ContentVersion, read_version

for line in sys.stdin:
    if line.strip() == "read":
        print(read_version().token, flush=True)
    elif line.strip() == "bump":
        ContentVersion.bump()
        print(ContentVersion.objects.get().token, flush=True)
    elif line.strip() == "queries":
        with CaptureQueriesContext(connection) as queries:
            for _ in range(50):
                read_version()
        print(len(queries), flush=True)
"""


def test_a_process_reads_the_version_again_only_after_a_commit_and_always_then(sqlite_file):
    reader = subprocess.Popen(
        [sys.executable, "-c", READER],
        cwd=settings.BASE_DIR,
        env=_env(sqlite_file),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def ask(command: str) -> str:
        reader.stdin.write(command + "\n")
        reader.stdin.flush()
        return reader.stdout.readline().strip()

    try:
        with sqlite3.connect(sqlite_file) as other:
            assert (
                ask("read")
                == other.execute("SELECT token FROM tracker_contentversion").fetchone()[0]
            )
            # Nothing committed since: no query at all.
            assert ask("queries") == "0"
            for round in range(30):
                # Another process (a worker, a shell) commits: the very next read sees it.
                other.execute("UPDATE tracker_contentversion SET token = ?", [f"other-{round}"])
                other.commit()
                assert ask("read") == f"other-{round}"
                # This process's own write, which SQLite does not count as another's.
                bumped = ask("bump")
                assert ask("read") == bumped != f"other-{round}"
            # A commit to any table makes it ask again, and find the same version.
            other.execute("UPDATE tracker_commitment SET title = title || '.'")
            other.commit()
            assert ask("queries") == "1"
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
