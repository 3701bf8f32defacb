"""The status vocabulary: the statuses, their buckets and scores, and the rule that derives
one status from a group's members. Imports nothing of the app, so every module may use it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Bucket(models.TextChoices):
    """Coarse groups of statuses, used for summaries and progress bars."""

    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")


class Status(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not yet assessed")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    STALLED = "stalled", _("Stalled")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    PARTIALLY_COMPLETED = "partially_completed", _("Partially completed")
    DISCONTINUED = "discontinued", _("Discontinued")
    SUPERSEDED = "superseded", _("Superseded")


@dataclass(frozen=True)
class StatusInfo:
    bucket: Bucket
    # Translated when shown: a lazy string.
    definition: str
    # A text symbol shown beside the label, so status never relies on colour alone.
    symbol: str


STATUS_INFO: dict[Status, StatusInfo] = {
    Status.NOT_ASSESSED: StatusInfo(
        Bucket.PENDING,
        _("No evidence has been reviewed yet. This is not a finding that nothing has been done."),
        "?",
    ),
    Status.NOT_STARTED: StatusInfo(
        Bucket.PENDING, _("Evidence has been reviewed and shows no action taken yet."), "○"
    ),
    Status.IN_PROGRESS: StatusInfo(
        Bucket.ACTIVE, _("Work has begun and is moving towards delivery."), "◔"
    ),
    Status.DELAYED: StatusInfo(
        Bucket.ACTIVE, _("Work is under way but behind the timetable that was announced."), "◷"
    ),
    Status.STALLED: StatusInfo(
        Bucket.ACTIVE, _("Work began but has not advanced for a sustained period."), "‖"
    ),
    Status.ONGOING: StatusInfo(
        Bucket.ACTIVE,
        _("A continuing commitment with no end date, on which action has been taken."),
        "↻",
    ),
    Status.COMPLETED: StatusInfo(Bucket.DONE, _("Delivered as announced."), "✓"),
    Status.PARTIALLY_COMPLETED: StatusInfo(
        Bucket.DONE, _("Delivered, but in a reduced or modified form."), "◑"
    ),
    Status.DISCONTINUED: StatusInfo(
        Bucket.CLOSED, _("Abandoned or formally dropped before delivery."), "✕"
    ),
    Status.SUPERSEDED: StatusInfo(
        Bucket.CLOSED, _("Replaced by a later commitment or decision."), "→"
    ),
}

BUCKET_DEFINITIONS: dict[Bucket, str] = {
    Bucket.PENDING: _("Not yet assessed, or assessed and not started."),
    Bucket.ACTIVE: _("Under way: in progress, delayed, stalled or ongoing."),
    Bucket.DONE: _("Delivered in full or in part."),
    Bucket.CLOSED: _("Discontinued or superseded."),
}


# A commitment in these buckets has nothing left to deliver, so it cannot be overdue.
FINISHED_BUCKETS = (Bucket.DONE, Bucket.CLOSED)


# The G20 Research Group's compliance scale, applied to each member's status on a commitment:
# +1 full compliance, 0 partial compliance or work in progress, -1 no compliance. None means
# not scored: "not yet assessed" is missing data, never a failure, and "superseded" leaves
# nothing to comply with. Averages are taken over scored statuses only (docs/data.md,
# "Compliance scores").
STATUS_SCORE: dict[Status, int | None] = {
    Status.COMPLETED: 1,
    Status.PARTIALLY_COMPLETED: 0,
    Status.IN_PROGRESS: 0,
    Status.ONGOING: 0,
    Status.DELAYED: 0,
    Status.STALLED: 0,
    Status.NOT_STARTED: -1,
    Status.DISCONTINUED: -1,
    Status.NOT_ASSESSED: None,
    Status.SUPERSEDED: None,
}

# The statuses that count towards a score.
SCORED_STATUSES = [status.value for status, score in STATUS_SCORE.items() if score is not None]


def score_of(status: str) -> int | None:
    """A status on the compliance scale: +1, 0 or -1; None when it is not scored."""
    return STATUS_SCORE[Status(status)]


class Basis(models.TextChoices):
    """What a status assessment rests on: who says so."""

    SELF_REPORTED = "self_reported", _("Self-reported by the owner")
    SECRETARIAT_VERIFIED = "secretariat_verified", _("Verified by the secretariat")
    INDEPENDENT = "independent", _("Independent assessment")


def bucket_of(status: str) -> Bucket:
    return STATUS_INFO[Status(status)].bucket


def statuses_in(*buckets: Bucket) -> list[str]:
    """The status values that fall in the given buckets."""
    return [status.value for status, info in STATUS_INFO.items() if info.bucket in buckets]


def derive_status(statuses: Iterable[str]) -> str:
    """The one status word of a commitment carried out by each member of a group.

    The rule (docs/methodology.md, and the public page /scorecard/methodology/):
    1. every member has the same status: that status;
    2. every member has delivered, some only in part: partially completed;
    3. every member is discontinued or superseded, not all the same: discontinued;
    4. some member has begun or delivered, and not every member has delivered: in progress;
    5. otherwise, some member has been assessed (not started, discontinued…): not started;
    6. no member has been assessed, or there are no members: not yet assessed.
    A single word always hides the spread, so every page that shows it shows the members'
    counts beside it.
    """
    present = set(statuses)
    if len(present) == 1:
        return present.pop()
    buckets = {bucket_of(status) for status in present}
    if buckets == {Bucket.DONE}:
        return Status.PARTIALLY_COMPLETED.value
    if buckets == {Bucket.CLOSED}:
        return Status.DISCONTINUED.value
    if buckets & {Bucket.ACTIVE, Bucket.DONE}:
        return Status.IN_PROGRESS.value
    if present - {Status.NOT_ASSESSED.value}:
        return Status.NOT_STARTED.value
    return Status.NOT_ASSESSED.value


def members_status(rows: Iterable[tuple[str, datetime.date]]) -> tuple[str, datetime.date]:
    """The status and date of a commitment from its members' (status, status date) rows, of
    which there is at least one: derive_status(), as of the latest member's date."""
    rows = list(rows)
    return derive_status(status for status, _date in rows), max(date for _status, date in rows)


@dataclass(frozen=True)
class Record:
    """A compliance record from {status: n} of member progress rows: how many are tracked,
    assessed (scored) and done, and the average score (None when none is assessed)."""

    tracked: int
    assessed: int
    done: int
    score: float | None

    @classmethod
    def of(cls, counts: dict[str, int]) -> Record:
        scored = {status: n for status, n in counts.items() if score_of(status) is not None}
        assessed = sum(scored.values())
        total = sum(score_of(status) * n for status, n in scored.items())
        return cls(
            tracked=sum(counts.values()),
            assessed=assessed,
            done=sum(counts.get(status, 0) for status in statuses_in(Bucket.DONE)),
            score=total / assessed if assessed else None,
        )
