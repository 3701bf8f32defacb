"""The content version: what the page cache and the figures are kept under. Imports no model
module, so every write path may use it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.validators import PlainTextModel


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
                if write.changed:
                    cls._move_on(using)
        finally:
            _writes.current = None

    @classmethod
    def _move_on(cls, using: str | None) -> None:
        manager = cls.objects.db_manager(using)
        values = {"token": uuid.uuid4().hex, "changed": timezone.now()}
        if not manager.filter(pk=cls.PK).update(number=F("number") + 1, **values):
            # Only a database emptied behind migrate's back (a test flush) lacks the row.
            manager.get_or_create(pk=cls.PK, defaults={"number": 1, **values})

    @classmethod
    def token_now(cls) -> str | None:
        """The current token: as the page cache read it for this request, else one query.
        Whatever is read after it is at least as new, so may be kept under it."""
        token = _seen.get()
        if token is None and (version := cls.current()) is not None:
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


class _Write:
    changed = False


# The write in progress on this thread, if any (ContentVersion.one_write()).
_writes = threading.local()
# The token the page cache read for the request being answered (ContentVersion.seen()).
_seen: ContextVar[str | None] = ContextVar("content_version_seen", default=None)
