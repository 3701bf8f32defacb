"""The content version: what the page cache and the figures are kept under, and how a request
reads it. Imports no model module, so every write path may use it."""

from __future__ import annotations

import datetime
import logging
import os
import select
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tracker.validators import PlainTextModel

try:
    import psycopg
    import psycopg.errors
except ImportError:  # SQLite only: never listens
    psycopg = None

logger = logging.getLogger(__name__)


class ContentVersion(PlainTextModel):
    """The version of everything the public site shows: one row, moved on once per write.

    The page cache (tracker.caching) and the figures (tracker.figures) are kept under it, so a
    write makes them stale exactly when it commits. `token` is random, not the counter: a
    counter can repeat (a rolled-back write, a restored backup) and name other content.
    Updating this one row serialises writers; editors write rarely and readers never lock it.
    """

    number = models.PositiveBigIntegerField(_("number"), default=0)
    token = models.CharField(_("token"), max_length=32, editable=False)
    changed = models.DateTimeField(_("changed"), editable=False)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self) -> str:
        return f"Content version {self.number} ({self.changed:%Y-%m-%d %H:%M:%S})"

    PK = 1

    @classmethod
    def bump(cls, using: str | None = None) -> None:
        """Something public changed: the version moves on now, or at the end of the write
        (one_write()) this is part of."""
        write = getattr(_writes, "current", None)
        if write is not None:
            write.changed = True
        else:
            cls._move_on(using)

    @classmethod
    @contextmanager
    def one_write(cls, using: str | None = None) -> Iterator[None]:
        """One transaction whose changes move the version on once, at its end. Nested blocks
        join the outer one."""
        if getattr(_writes, "current", None) is not None:
            yield
            return
        write = _writes.current = _Write()
        try:
            with transaction.atomic(using=using):
                yield
                while write.at_end:
                    _name, (callback, items) = write.at_end.popitem()
                    callback(items)
                if write.changed:
                    cls._move_on(using)
        finally:
            _writes.current = None

    @classmethod
    def at_end_of_write(cls, name: str, items: Iterable, callback: Callable[[set], None]) -> None:
        """Collect `items` under `name`, then call `callback` with all of them once, at the end
        of the write in progress, inside its transaction (now, when none is in progress): work
        a write asks for many times, such as rewriting a search document, is done once."""
        write = getattr(_writes, "current", None)
        if write is None:
            callback(set(items))
            return
        write.at_end.setdefault(name, (callback, set()))[1].update(items)

    @classmethod
    def _move_on(cls, using: str | None) -> None:
        # Listening before the write, to be told of it (_Listener.told()).
        listener = _Listener.for_this_process() if connection.vendor == "postgresql" else None
        manager = cls.objects.db_manager(using)
        values = {"token": uuid.uuid4().hex, "changed": timezone.now()}
        if not manager.filter(pk=cls.PK).update(number=F("number") + 1, **values):
            # Only a database emptied behind migrate's back (a test flush) lacks the row.
            manager.get_or_create(pk=cls.PK, defaults={"number": 1, **values})
        if listener is not None:
            transaction.on_commit(lambda: listener.told(values["token"]), using=using)
        elif connection.vendor == "sqlite":
            transaction.on_commit(_forget_sqlite_version, using=using)

    @classmethod
    def token_now(cls) -> str | None:
        """The current token: as the page cache read it for this request, else read_version().
        Whatever is read after it is at least as new, so may be kept under it."""
        token = _seen.get()
        if token is None and (version := read_version()) is not None:
            token = version.token
        return token

    @classmethod
    @contextmanager
    def seen(cls, token: str) -> Iterator[None]:
        """Within the block, token_now() is `token` (the page cache's read of this request)."""
        reset = _seen.set(token)
        try:
            yield
        finally:
            _seen.reset(reset)

    @classmethod
    def current(cls) -> ContentVersion | None:
        """The version now (one query); None when the row is missing, so nothing is cached."""
        return cls.objects.filter(pk=cls.PK).only("token", "changed").first()


class Version(NamedTuple):
    token: str
    changed: datetime.datetime


def read_version() -> Version | None:
    """The content version now, for a request: None when the row is missing (nothing cached).

    On PostgreSQL this process keeps it, and PostgreSQL tells it when the row changes
    (_Listener), so reading it needs no round trip. A SQLite file tells each connection
    whether another one has committed since it last asked (_sqlite_version()). Otherwise, and
    inside a transaction (whose own writes must be seen), it is one primary-key read.
    """
    if not connection.in_atomic_block:
        if connection.vendor == "postgresql":
            listener = _Listener.for_this_process()
            if listener is not None:
                return listener.version()
        elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
            return _sqlite_version()
    return _read_now()


def _read_now() -> Version | None:
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        return _fetch(cursor, table)


def _sqlite_version() -> Version | None:
    """The version this connection read last, while `PRAGMA data_version` says no other
    connection has committed anything since (SQLite's own promise, across processes); this
    connection's own writes drop it as they commit (ContentVersion._move_on()). The pragma is
    asked of the driver's connection directly: a few microseconds, against about forty for a
    query through Django's cursor. In-memory test databases share one cache between
    connections, where the pragma does not apply: they read the row every time."""
    connection.ensure_connection()
    raw = connection.connection
    (data_version,) = raw.execute("PRAGMA data_version").fetchone()
    kept = getattr(_sqlite_kept, "value", None)
    if kept is not None and kept[0] is raw and kept[1] == data_version:
        return kept[2]
    version = _read_now()
    _sqlite_kept.value = (raw, data_version, version)
    return version


def _forget_sqlite_version() -> None:
    _sqlite_kept.value = None


# Per thread, as Django's connections are: (driver connection, data_version, Version).
_sqlite_kept = threading.local()


def _fetch(cursor, table: str) -> Version | None:
    # Plain SQL: through the ORM, building the query cost a quarter of a cache hit.
    cursor.execute(f"SELECT token, changed FROM {table} WHERE id = %s", [ContentVersion.PK])
    row = cursor.fetchone()
    if row is None:
        return None
    token, changed = row
    if not isinstance(changed, datetime.datetime):  # SQLite gives text
        changed = parse_datetime(changed)
    if settings.USE_TZ and timezone.is_naive(changed):
        changed = timezone.make_aware(changed, datetime.UTC)
    return Version(token, changed)


class _Listener:
    """This process's copy of the content version, kept current by PostgreSQL's notifications.

    A connection of its own LISTENs on the channel that a trigger on the version's row
    notifies (migration 0016) whenever the row changes, whoever changes it, naming the new
    token. When the change commits, PostgreSQL signals every listening server process, and
    each sends the notification as soon as it gets the CPU. Before each use the listener polls
    its socket (a system call, no round trip) and reads the row again if anything arrived, or
    if its copy is older than REREAD_SECONDS. A write of this process waits until it has been
    told (told()), so the other processes have been signalled before the writer answers.
    Should the connection fail, requests read the row themselves until it is opened again.
    """

    CHANNEL = "tracker_content_version"
    RETRY_SECONDS = 5.0
    DELIVERY_SECONDS = 1.0
    # The copy is read again at least this often, notified or not: a notification that never
    # comes (a restore that recreated the trigger after loading the row) costs at most this.
    REREAD_SECONDS = 1.0
    _current: _Listener | None = None
    _retry_at = 0.0
    _lock = threading.Lock()

    def __init__(self):
        params = connection.get_connection_params()
        self.pid = os.getpid()
        self.connection = psycopg.connect(**params, autocommit=True)
        self.table = connection.ops.quote_name(ContentVersion._meta.db_table)
        # The tokens of the latest notifications (told() may find its own taken in already).
        self._tokens: deque[str] = deque(maxlen=32)
        self._arrived = False
        self.connection.add_notify_handler(self._notified)
        self.connection.execute(f"LISTEN {self.CHANNEL}")
        # Read after LISTEN: a change committed in between is seen by one or the other.
        self._version = self._read()
        self.stale = False

    @classmethod
    def for_this_process(cls) -> _Listener | None:
        if not settings.TRACKER_LISTEN_FOR_WRITES:
            return None
        listener = cls._current
        if listener is not None and listener.pid == os.getpid():
            return listener
        with cls._lock:
            if cls._current is not None and cls._current.pid != os.getpid():
                # Inherited from the parent through fork: its socket is the parent's. Keep
                # a reference (closing it would end the parent's session) and open our own.
                _inherited.append(cls._current)
                cls._current = None
            if cls._current is None and time.monotonic() >= cls._retry_at:
                try:
                    cls._current = cls()
                except psycopg.errors.UndefinedTable:
                    # Not migrated yet (a write in the migration that creates the table).
                    cls._retry_at = time.monotonic() + cls.RETRY_SECONDS
                except psycopg.Error as error:
                    cls._failed(error)
            return cls._current

    @classmethod
    def stop(cls) -> None:
        """Close this process's listener (before the database goes away: tests)."""
        with cls._lock:
            if cls._current is not None and cls._current.pid == os.getpid():
                cls._current.close()
            cls._current = None
            cls._retry_at = 0.0

    def told(self, token: str) -> None:
        """This process's write of `token` committed: wait until PostgreSQL has told this
        process of it. It tells every listening process at once, so when the writer's response
        leaves, the others have been told too. Not told within DELIVERY_SECONDS, the trigger
        is missing (migration 0016 not applied?): stop trusting the copy."""
        deadline = time.monotonic() + self.DELIVERY_SECONDS
        with self._lock:
            self.stale = True
            try:
                while token not in self._tokens:
                    if (remaining := deadline - time.monotonic()) <= 0:
                        break
                    if select.select([self.connection.fileno()], [], [], remaining)[0]:
                        self._drain()
                else:
                    return
                error = "the content version changed and PostgreSQL did not notify"
            except (psycopg.Error, OSError, ValueError) as exception:
                error = exception
            if type(self)._current is self:
                self.close()
                type(self)._failed(error)

    @classmethod
    def _failed(cls, error: Exception) -> None:
        logger.warning(
            "Not listening for content changes (%s); each request reads the version for "
            "%.0f s, then the listener is opened again.",
            error,
            cls.RETRY_SECONDS,
        )
        cls._current = None
        cls._retry_at = time.monotonic() + cls.RETRY_SECONDS

    def version(self) -> Version | None:
        with self._lock:
            try:
                if (
                    self.stale
                    or time.monotonic() >= self._read_at + self.REREAD_SECONDS
                    or select.select([self.connection.fileno()], [], [], 0)[0]
                ):
                    self.stale = False
                    self._drain()
                    self._version = self._read()
                    while self._drain():  # a change committed while reading
                        self._version = self._read()
                return self._version
            except (psycopg.Error, OSError, ValueError) as error:
                self.close()
                type(self)._failed(error)
        return read_version()

    def _notified(self, notification) -> None:
        # psycopg calls this for each notification it reads, during a query too.
        self._tokens.append(notification.payload)
        self._arrived = True

    def _drain(self) -> bool:
        """Take in what the server sent, without waiting; whether any notification came."""
        pgconn = self.connection.pgconn
        pgconn.consume_input()  # raises when the server closed the connection
        while (notification := pgconn.notifies()) is not None:
            pgconn.notify_handler(notification)
        arrived, self._arrived = self._arrived, False
        return arrived

    def _read(self) -> Version | None:
        self._read_at = time.monotonic()
        with self.connection.cursor() as cursor:
            return _fetch(cursor, self.table)

    def close(self) -> None:
        with suppress(psycopg.Error):
            self.connection.close()


# Listeners a forked process inherited (see _Listener.for_this_process()).
_inherited: list[_Listener] = []


class _Write:
    def __init__(self) -> None:
        self.changed = False
        # Work for the end of the write: name -> (callback, the items collected for it).
        self.at_end: dict[str, tuple[Callable[[set], None], set]] = {}


# The write in progress on this thread, if any (ContentVersion.one_write()).
_writes = threading.local()
# The token the page cache read for the request being answered (ContentVersion.seen()).
_seen: ContextVar[str | None] = ContextVar("content_version_seen", default=None)
