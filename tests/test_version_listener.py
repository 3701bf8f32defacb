"""On PostgreSQL each process keeps the content version and listens for its changes, so a
cached page needs no database round trip (tracker.versions._Listener). What must hold: a
change committed anywhere (another instance, a psql session, a restore) is read by the next
request; this process's own write too; inside a transaction its own writes are seen; and a
lost connection costs speed, never freshness.

Needs PostgreSQL: .ci/run runs it in its PostgreSQL pass (make test-postgres).
"""

from __future__ import annotations

import logging
import time

import psycopg
import pytest
from django.db import connection, transaction

from tracker.versions import ContentVersion, _Listener, read_version


@pytest.fixture
def listening(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: .ci/run runs it in its PostgreSQL pass")
    ContentVersion.bump()
    _Listener.stop()
    read_version()  # opens this process's listener
    listener = _Listener._current
    assert listener is not None
    yield listener
    _Listener.stop()


def _elsewhere(sql: str) -> None:
    """Run sql and commit on a connection of its own, as another instance or psql would."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(sql)


def _in_the_database() -> str:
    return ContentVersion.objects.get(pk=ContentVersion.PK).token


def test_reading_the_version_costs_no_query_while_nothing_changes(
    listening, django_assert_num_queries
):
    with django_assert_num_queries(0):
        versions = {read_version() for _ in range(20)}

    assert versions == {read_version()}
    assert read_version().token == _in_the_database()


def _written_as_another_instance_writes(other, token: str) -> None:
    """The app on any instance waits until PostgreSQL has told its own process of its write."""
    other.execute("UPDATE tracker_contentversion SET token = %s", [token])
    assert any(n.payload == token for n in other.notifies(timeout=1, stop_after=1))


def _read_once_told(token: str) -> str:
    """The version a request reads once PostgreSQL has delivered the notification to this
    process: within microseconds on an idle machine, milliseconds on a loaded one."""
    deadline = time.monotonic() + 1
    while read_version().token != token and time.monotonic() < deadline:
        time.sleep(0.0001)
    return read_version().token


def test_writes_on_another_instance_are_read_as_soon_as_postgresql_tells(listening):
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute(f"LISTEN {_Listener.CHANNEL}")
        for round in range(100):
            token = f"elsewhere-{round}"
            _written_as_another_instance_writes(other, token)

            assert _read_once_told(token) == token


def test_a_change_made_behind_the_apps_back_is_read_as_soon_as_postgresql_tells(listening):
    _elsewhere("UPDATE tracker_contentversion SET token = 'by-psql'")

    assert _read_once_told("by-psql") == "by-psql"


def test_without_a_notification_the_copy_is_read_again_within_a_second(listening, monkeypatch):
    monkeypatch.setattr(_Listener, "REREAD_SECONDS", 0.05)
    _elsewhere("ALTER TABLE tracker_contentversion DISABLE TRIGGER USER")
    try:
        _elsewhere("UPDATE tracker_contentversion SET token = 'not-notified'")
        read_version()
        assert read_version().token != "not-notified"  # not told, and read just now

        time.sleep(0.06)
        assert read_version().token == "not-notified"
    finally:
        _elsewhere("ALTER TABLE tracker_contentversion ENABLE TRIGGER USER")


def test_a_write_that_is_never_notified_stops_the_listening(listening, caplog, monkeypatch):
    monkeypatch.setattr(_Listener, "DELIVERY_SECONDS", 0.05)
    _elsewhere("ALTER TABLE tracker_contentversion DISABLE TRIGGER USER")
    try:
        with caplog.at_level(logging.WARNING, logger="tracker.versions"):
            ContentVersion.bump()
    finally:
        _elsewhere("ALTER TABLE tracker_contentversion ENABLE TRIGGER USER")

    assert "PostgreSQL did not notify" in caplog.text
    assert _Listener._current is None
    assert read_version().token == _in_the_database()


def test_a_write_of_this_process_is_read_by_its_next_request(listening):
    for _ in range(20):
        ContentVersion.bump()

        assert read_version().token == _in_the_database()


def test_inside_a_transaction_its_own_uncommitted_write_is_read(listening):
    before = read_version().token
    with transaction.atomic():
        ContentVersion.bump()

        assert read_version().token == _in_the_database() != before

        transaction.set_rollback(True)
    assert read_version().token == before


def test_a_lost_connection_makes_requests_read_the_version_themselves(
    listening, caplog, monkeypatch, django_assert_num_queries
):
    _elsewhere(f"SELECT pg_terminate_backend({listening.connection.info.backend_pid})")
    _elsewhere("UPDATE tracker_contentversion SET token = 'after-the-loss'")

    with caplog.at_level(logging.WARNING, logger="tracker.versions"):
        assert read_version().token == "after-the-loss"
    assert "Not listening for content changes" in caplog.text
    # Until it is opened again, each read asks the database.
    with django_assert_num_queries(1):
        assert read_version().token == "after-the-loss"

    # Once the pause is over, a new listener is opened and serves reads again.
    monkeypatch.setattr(_Listener, "_retry_at", 0.0)
    assert read_version().token == "after-the-loss"
    assert _Listener._current not in (None, listening)
    _elsewhere("UPDATE tracker_contentversion SET token = 'seen-again'")
    assert _read_once_told("seen-again") == "seen-again"


def test_emptying_the_table_is_noticed_too(listening):
    _elsewhere("TRUNCATE tracker_contentversion")

    # Delivered asynchronously, like any other notification (_read_once_told).
    deadline = time.monotonic() + 1
    while read_version() is not None and time.monotonic() < deadline:
        time.sleep(0.0001)
    assert read_version() is None


def test_turned_off_every_request_reads_the_version(listening, settings, django_assert_num_queries):
    settings.TRACKER_LISTEN_FOR_WRITES = False

    with django_assert_num_queries(1):
        read_version()
