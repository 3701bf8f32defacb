"""Import commitments from the tracker's own export formats (docs/data.md), all or nothing.

The dataset JSON (`/data/dataset.json`) brings sources, actors, themes, commitments and their
public updates, and member states' progress: every status is backed by its history. The
commitments CSV or JSON (`/commitments/export.*`) brings commitments only, all `not_assessed`,
whose sources, actors and themes exist already.

A file is read record by record, never whole, in two stages:

1. The check: every record is checked with the model's own rules (full_clean(): fields,
   lengths, control characters, a quote against its source's text, dates against the event),
   and the format's (dates, types, known columns, no slug twice, each history a chain from
   "not yet assessed" to the status the file gives), without writing anything. The rules that
   look at saved rows when an editor records an update are answered from what the check keeps
   of the file: per commitment its source, status and the end of its history; per member its
   chain; and for a commitment carried out by each member of a group, its members' updates,
   replayed in date order as Commitment.save_edit() would record them. Uniqueness against the
   database is asked for many records at once. A dry run stops here.
2. The write, if nothing is wrong: in one transaction, table by table, in batches
   (bulk_create()), each row as Commitment.save_edit() would have left it: a commitment's
   status and date are those of its history's head (or its members' statuses, worked out by
   derive_status()), each update records the status it replaced, each member has its progress
   row, `version` counts the writes the history took, `last_reviewed` is the file's, and the
   content version moves on once. tests/test_import_bulk.py imports the same files through
   save_edit() and record_update() one record at a time and compares every row.

Every problem is listed with its line or record and field, in the file's order, and then
nothing is written.
"""

from __future__ import annotations

import datetime
import functools
import re
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.utils import timezone

from tracker import search_index
from tracker.exports import (
    DATASET_FORMAT,
    DATASET_TABLES,
    DATASET_VERSION,
    DATE,
    INT,
    MEMBER_TABLES,
    SLUG,
    SLUGS,
    TEXT,
    Column,
    csv_uncell,
)
from tracker.importing import (
    CsvRows,
    InputFile,
    JsonTables,
    ModelRules,
    Problems,
    Progress,
    Record,
    all_or_nothing,
    plain,
    shown,
)
from tracker.models import (
    Actor,
    Commitment,
    ContentVersion,
    MemberGroup,
    MemberProgress,
    MemberState,
    MemberUpdatesInvalid,
    Source,
    Status,
    StatusUpdate,
    Theme,
    members_status,
)

MODELS: dict[str, type[models.Model]] = {
    "sources": Source,
    "actors": Actor,
    "themes": Theme,
    "commitments": Commitment,
}
# Columns read although no model field is set from them: checked against the history.
# The member-state tables (optional: a dataset from before member states has none).
MEMBER_MODELS: dict[str, type[models.Model]] = {
    "member_groups": MemberGroup,
    "member_states": MemberState,
}
ALL_TABLES = {**DATASET_TABLES, **MEMBER_TABLES}
CHECKED = {
    "commitments": {"status", "status_date", "last_reviewed"},
    "updates": {"previous_status"},
    "member_progress": {"status", "status_date"},
    "member_updates": {"previous_status"},
}
# Columns a file may leave out, e.g. a spreadsheet that never had them, or a file written
# before the texts in Vietnamese and Indonesian (issue 12): they are then empty, and a
# source's language English.
OPTIONAL = {
    "last_reviewed",
    "language",
    # Files written before issue 18 have no kind (the default is taken) or retrieval date.
    "kind",
    "retrieved_on",
    *(f"{name}_{language}" for name in ("title", "summary", "name", "role", "description")
      for language in ("vi", "id")),
    *(f"quote_translation_{language}" for language in ("en", "vi", "id")),
    # Files written before issue 22: sources' titles and events untranslated, notes in
    # English, untranslated.
    *(f"{name}_{language}" for name in ("event_name", "event_place")
      for language in ("vi", "id")),
    "note_language",
    *(f"note_translation_{language}" for language in ("en", "vi", "id")),
}  # fmt: skip
# Dates are written one way only: Python 3.11's date.fromisoformat() also takes 20260401 and
# 2026-W14-3, which a spreadsheet would not read back the same.
DATE_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# Columns that name other records, and the table they point into.
REFERENCES = {
    "source": "sources",
    "proposer": "actors",
    "owner": "actors",
    "partners": "actors",
    "themes": "themes",
    "commitment": "commitments",
    "group": "member_groups",
    "member": "member_states",
}


@functools.cache
def _read_columns(table: str) -> list[Column]:
    """The columns the importer reads in a table: model fields and those checked."""
    checked = CHECKED.get(table, set())
    return [c for c in ALL_TABLES[table] if c.field or c.name in checked]


def _parse(column: Column, raw: Any, from_csv: bool) -> Any:
    """A cell or JSON value as a Python value; ValueError with a message when it is not one."""
    if from_csv:
        raw = csv_uncell(raw)
        if column.kind == INT:
            # int() would also take " 7", "7_000" and other scripts' digits.
            if not WHOLE_NUMBER.fullmatch(raw):
                raise ValueError(f"must be a whole number, not {shown(raw)}")
            return int(raw)
        if column.kind == SLUGS:
            return [slug.strip() for slug in raw.split(";") if slug.strip()]
        if column.kind == DATE and raw == "":
            return None
    if column.kind == DATE:
        if raw is None:
            return None
        try:
            if not (isinstance(raw, str) and DATE_FORMAT.fullmatch(raw)):
                raise ValueError
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"must be a date written YYYY-MM-DD, not {shown(raw)}") from None
    if column.kind == INT and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise ValueError(f"must be a whole number, not {shown(raw)}")
    if column.kind == SLUGS and not (
        isinstance(raw, list) and all(isinstance(s, str) for s in raw)
    ):
        raise ValueError(f"must be a list of slugs, not {shown(raw)}")
    if column.kind in (TEXT, SLUG) and not isinstance(raw, str):
        raise ValueError(f"must be text, not {shown(raw)}")
    return raw


def _read_record(table: str, record: Record, from_csv: bool) -> None:
    """Read the record's values off its raw cells or JSON object, column by column."""
    raw = record.raw
    for name in getattr(raw, "duplicates", ()):
        record.problem(plain(name), "is given more than once in this record: give each key once")
    known = {column.name for column in ALL_TABLES[table]}
    for name in sorted(set(raw) - known):
        record.problem(plain(name), "is not a column of this format (see docs/data.md)")
    for column in _read_columns(table):
        if column.name not in raw:
            if column.name not in OPTIONAL:
                record.problem(column.name, "is missing")
            continue
        try:
            record.values[column.name] = _parse(column, raw[column.name], from_csv)
        except ValueError as error:
            record.problem(column.name, str(error))
    # An update is named by the commitment it is on.
    slug = record.values.get("slug") or record.values.get("commitment")
    record.name = slug if isinstance(slug, str) else ""


# Records looked up, checked or written together: a query per batch, not per record.
BATCH = 500
# The tables made of plain records (reused when their slug exists), in the order they refer to
# each other: a member state names its group.
PLAIN_TABLES = ("member_groups", "member_states", "sources", "actors", "themes")
PLAIN_MODELS: dict[str, type[models.Model]] = {**MEMBER_MODELS, **MODELS}
# A column a member_progress record leaves out: nothing to compare.
_ABSENT = object()
# A commitment's references, which the importer resolves (from the file or the database).
RESOLVED = ("source", "proposer", "owner", "member_group")


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    records = iter(records)
    while batch := list(islice(records, BATCH)):
        yield batch


class ImportFile:
    """The file: its kind ("dataset" or "commitments"), its tables, and their records, read
    afresh from the file on each pass."""

    def __init__(self, path: Path, progress_stream=None) -> None:
        self.path = path
        self.source = InputFile(path)
        self.progress = Progress(progress_stream, self.source, "records")
        self.csv: CsvRows | None = None
        if path.suffix.lower() == ".csv":
            required = [c.name for c in _read_columns("commitments") if c.name not in OPTIONAL]
            self.csv = CsvRows(self.source, required)
            self.kind, self.tables = "commitments", ["commitments"]
            return
        self.json = JsonTables(self.source)
        self.json.read_layout()
        self._check_layout()

    def _check_layout(self) -> None:
        path = self.path
        if self.json.not_an_object is not None:
            raise CommandError(f"{path}: expected a JSON object with a “commitments” list.")
        data = {**self.json.values, **dict.fromkeys(self.json.tables, [])}
        if data.get("format") == DATASET_FORMAT:
            if data.get("format_version") != DATASET_VERSION:
                raise CommandError(
                    f"{path}: format_version {shown(data.get('format_version'))} is not one "
                    f"this tracker reads ({DATASET_VERSION})."
                )
            tables = [*DATASET_TABLES, *(table for table in MEMBER_TABLES if table in data)]
            self.kind = "dataset"
            # The licence and publisher say who may reuse the file and how; nothing is
            # imported from them: the importing tracker has settings of its own.
            known = {"format", "format_version", "license", "publisher", *DATASET_TABLES}
            known |= set(MEMBER_TABLES)
        elif "format" in data:
            raise CommandError(f"{path}: unknown format {shown(data['format'])}.")
        else:
            tables = ["commitments"]
            self.kind = "commitments"
            known = set(tables)
        # Anything else (internal notes, users, drafts' secrets) is not part of the format:
        # refuse it rather than drop it unseen.
        unknown = sorted(set(data) - known)
        if unknown:
            raise CommandError(
                f"{path}: {', '.join(plain(repr(key)) for key in unknown)} is not part of this "
                "format (see docs/data.md)."
            )
        for table in tables:
            if table not in self.json.tables:
                raise CommandError(f"{path}: “{table}” must be a list of objects.")
        self.tables = tables

    def place(self, table: str) -> int:
        """Where the table is among the file's tables: problems are listed in that order."""
        return 0 if self.csv is not None else self.json.tables[table][0]

    def where(self, table: str, n: int, name: str = "") -> str:
        """How an editor finds a record, as Record gives it: "line 7 (slug)"."""
        where = f"line {n}" if self.csv is not None else f"{table} record {n}"
        return f"{where} ({name})" if name else where

    def records(self, table: str) -> Iterator[Record]:
        """The table's records, each read (values, problems of its own) but not yet checked."""
        if table not in self.tables:
            return
        if self.csv is not None:
            for record in self.csv.records(self.progress):
                if not record.problems:  # a row of the wrong length has nothing more to read
                    _read_record(table, record, from_csv=True)
                yield record
            return
        for record in self.json.records(table, self.progress):
            if isinstance(record.raw, dict):
                _read_record(table, record, from_csv=False)
            else:
                record.problem(None, f"must be an object, not {shown(record.raw)}")
            yield record


class Kept:
    """What the check keeps of a commitment of the file, for the rules across records and for
    the write: a few values, not the record (a file may hold 200,000)."""

    __slots__ = (
        "n", "ok", "status", "status_date", "bad", "last_reviewed", "source", "group", "title",
        "last", "own", "members", "rows", "updates", "final", "pk",
    )  # fmt: skip

    def __init__(self, n: int, record: Record, commitment: Commitment, same) -> None:
        self.n = n  # its record number, or line
        self.ok = not record.problems
        self.status = same(record.values.get("status"))
        self.status_date = same(record.values.get("status_date"))
        # Fields already reported: "status", "status_date".
        self.bad = tuple(name for name in ("status", "status_date") if name in record.bad_fields)
        self.last_reviewed = same(record.values.get("last_reviewed"))
        # Its source, if the file names one that exists: what its updates are checked against.
        self.source = commitment.source if _has_source(commitment) else None
        self.group = commitment.member_group
        # For the rules' messages about its members (the others' are never needed).
        self.title = commitment.title if commitment.member_group is not None else ""
        # Its latest own update: (n, status, as_of, fields already reported).
        self.last: tuple | None = None
        # Carried out by each member: its own updates ([as_of, k, status, n, ok, previous
        # status once replayed]; after the replay, that previous status alone) and its
        # members' ((as_of, k, member, status)) for the replay, and each member's (status,
        # date) at the end.
        self.own: list[list] | None = None
        self.members: list[tuple] | None = None
        self.rows: dict[str, list] = {}
        self.updates = 0  # updates the write records on it, its own and its members'
        self.final: tuple[str, datetime.date | None] | None = None  # its status at the end
        self.pk: int | None = None


def _has_source(commitment: Commitment) -> bool:
    try:
        return commitment.source is not None
    except ObjectDoesNotExist:
        return False


class Importer:
    """Checks a file without writing (check()), then writes it (write()), all or nothing."""

    def __init__(self, file: ImportFile, publish: bool, problems: Problems) -> None:
        self.file, self.kind, self.publish = file, file.kind, publish
        self.problems = problems
        self.rules = ModelRules()
        # slug -> object, for each plain table: new ones (unsaved until the write) or existing.
        self.objects: dict[str, dict[str, models.Model]] = {t: {} for t in PLAIN_TABLES}
        self.new: dict[str, list[models.Model]] = {t: [] for t in PLAIN_TABLES}
        self.missing: dict[str, set[str]] = {t: set() for t in PLAIN_TABLES}
        self.commitments: dict[str, Kept] = {}
        # From member_progress: the group each commitment is tracked for, and each row.
        self.tracked: dict[str, MemberGroup] = {}
        self.progress_rows: dict[tuple[str, str], tuple] = {}
        self.groups: dict[str, list[MemberState]] = {}
        self.counts: dict[str, int] = dict.fromkeys((*MODELS, "updates"), 0)
        # Said only when the file has member tables, so older files read as they always did.
        self.member_counts: dict[str, int] = dict.fromkeys(
            ("member groups", "member states", "member updates"), 0
        )
        self.notes: list[str] = []
        # One object for each distinct status or date the file gives: a date is 32 bytes, and
        # a file of 200,000 commitments repeats a few hundred.
        self._same: dict = {}
        self._stand_ins: dict[str, Commitment] = {}

    def same(self, value):
        return self._same.setdefault(value, value) if value is not None else None

    def _where(self, table: str, n: int, name: str = "") -> tuple[tuple[int, int], str]:
        return (self.file.place(table), n), self.file.where(table, n, name)

    def summary(self) -> str:
        counts = dict(self.counts)
        if any(self.member_counts.values()):
            counts.update(self.member_counts)
        return ", ".join(f"{n} {table if n != 1 else table[:-1]}" for table, n in counts.items())

    # The check: every record, in the order the rules need (the problems are listed in the
    # file's order whatever the order they are found in), nothing written.

    def check(self) -> None:
        """Check every record; what is wrong goes to `problems`, naming the field."""
        for table in PLAIN_TABLES:
            self._check_plain(table)
        self._scan_member_progress()
        self._check_commitments()
        for record in self.file.records("updates"):
            if record.values:
                self._check_update(record)
            self.problems.add(record)
        last: dict[tuple, tuple] = {}
        for record in self.file.records("member_updates"):
            if record.values:
                self._check_member_update(record, last)
            self.problems.add(record)
        for slug, kept in self.commitments.items():
            if kept.group is not None:
                self._replay(slug, kept)
            else:
                self._check_chain_end(slug, kept)
        self._check_member_progress()

    def _note(self, table: str, n: int, name: str, field: str | None, message: str) -> None:
        """A problem of a record already read, found by a rule across records."""
        order, where = self._where(table, n, name)
        self.problems.note(
            order, f"{where}: {field}: {message}" if field else f"{where}: {message}"
        )

    def _fields(self, table: str, record: Record) -> dict[str, Any]:
        return {
            column.field: record.values[column.name]
            for column in _read_columns(table)
            if column.field and column.name in record.values and column.name not in REFERENCES
        }

    def _unread(self, table: str, record: Record) -> list[str]:
        """Fields the file gave no usable value for, already reported: not validated again."""
        return [
            column.field or column.name
            for column in _read_columns(table)
            if column.name in record.bad_fields or column.name not in record.values
        ]

    def _check_unique_in_file(self, record: Record, model, seen: dict) -> None:
        for f in model._meta.fields:
            if f.unique and not f.primary_key and f.name in record.values:
                key = (f.name, record.values[f.name])
                if key in seen:
                    record.problem(f.name, f"{shown(key[1])} is already used by {seen[key]}")
                seen.setdefault(key, record.where)

    def _resolve(self, record: Record, name: str) -> list[models.Model]:
        table = REFERENCES[name]
        value = record.values.get(name)
        slugs = value if isinstance(value, list) else [value] if value else []
        if not slugs and name in ("source", "proposer", "owner") and name in record.values:
            record.problem(name, "is required")
        found = []
        for slug in slugs:
            obj = self._lookup(table, slug)
            if obj is None:
                where = "the file or the database" if self.kind == "dataset" else "the database"
                record.problem(name, f"no {table[:-1]} {shown(slug)} in {where}")
            else:
                found.append(obj)
        return found

    def _lookup(self, table: str, slug: str) -> models.Model | None:
        obj = self.objects[table].get(slug)
        if obj is None and slug not in self.missing[table]:
            obj = PLAIN_MODELS[table].objects.filter(slug=slug).first()
            if obj is None:
                self.missing[table].add(slug)
            else:
                self.objects[table][slug] = obj
        return obj

    def _prefetch(self, records: list[Record], names: Iterable[str]) -> None:
        """Look up, one query per table, the existing records a batch names."""
        wanted: dict[str, set[str]] = {}
        for record in records:
            for name in names:
                value = record.values.get(name)
                table = REFERENCES[name]
                for slug in value if isinstance(value, list) else [value] if value else []:
                    if slug not in self.objects[table] and slug not in self.missing[table]:
                        wanted.setdefault(table, set()).add(slug)
        for table, slugs in wanted.items():
            found = PLAIN_MODELS[table].objects.in_bulk(slugs, field_name="slug")
            self.objects[table].update(found)
            self.missing[table].update(slugs - set(found))

    def _check_plain(self, table: str) -> None:
        model = PLAIN_MODELS[table]
        seen: dict = {}
        for batch in _batches(self.file.records(table)):
            slugs = [r.values["slug"] for r in batch if isinstance(r.values.get("slug"), str)]
            existing = model.objects.in_bulk(slugs, field_name="slug")
            for record in batch:
                self._check_unique_in_file(record, model, seen)
                if not record.problems:
                    self._check_plain_record(table, model, record, existing)
                self.problems.add(record)

    def _check_plain_record(self, table: str, model, record: Record, existing: dict) -> None:
        fields = self._fields(table, record)
        current = existing.get(fields["slug"])
        if current is not None:
            # Shared records (an actor in two sources) are reused, never overwritten.
            differs = [k for k, v in fields.items() if getattr(current, k) != v]
            if differs:
                self.notes.append(
                    f"{record}: already in the database with a different "
                    f"{', '.join(differs)}; the database's version is kept."
                )
            self.objects[table][current.slug] = current
            return
        obj = model(**fields)
        # A member state's group, from the file or the database (resolved here: a new one is
        # not saved yet, so full_clean() would find it empty).
        references = [c.field for c in _read_columns(table) if c.field in REFERENCES]
        for name in references:
            found = self._resolve(record, name)
            if found:
                setattr(obj, name, found[0])
        if record.problems:
            return
        try:
            # A file has few of these: the model's whole full_clean(), uniqueness included.
            obj.full_clean(exclude=references)
        except ValidationError as error:
            record.report(error)
            return
        # An id it cannot have in the database, until the write saves it: the models' rules
        # compare records by id (a member state's group with the commitment's).
        obj.pk = -1 - sum(len(objects) for objects in self.new.values())
        self.objects[table][obj.slug] = obj
        self.new[table].append(obj)
        if table in MODELS:
            self.counts[table] += 1
        else:
            self.member_counts[table.replace("_", " ")] += 1

    def _scan_member_progress(self) -> None:
        """Which commitments the file tracks member by member, for which group (a commitment
        is tracked for one group), and what it says each member's progress is."""
        for record in self.file.records("member_progress"):
            slug, member = record.values.get("commitment"), record.values.get("member")
            found = self._resolve(record, "member") if "member" in record.values else []
            if found and isinstance(slug, str):
                group = found[0].group
                if self.tracked.setdefault(slug, group) != group:
                    record.problem(
                        "member", f"belongs to {group.slug!r}, but {slug!r} is tracked for "
                        f"{self.tracked[slug].slug!r}: a commitment is tracked for one group",
                    )  # fmt: skip
            if isinstance(slug, str) and isinstance(member, str):
                self.progress_rows.setdefault(
                    (sys.intern(slug), sys.intern(member)),
                    (
                        record.order[1],
                        self.same(record.values.get("status", _ABSENT)),
                        self.same(record.values.get("status_date", _ABSENT)),
                        not record.problems,
                    ),
                )
            self.problems.add(record)

    def _check_commitments(self) -> None:
        for batch in _batches(self.file.records("commitments")):
            self._prefetch(batch, ("source", "proposer", "owner", "partners", "themes"))
            built = []
            for record in batch:
                if record.values:
                    built.append((record, self._check_commitment(record)))
            # Slugs the database has already, one query for the batch (full_clean() would ask
            # once per commitment), refused with the model's own message.
            slugs = {c.slug for r, c in built if "slug" not in r.bad_fields}
            taken = set(Commitment.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            for record, commitment in built:
                if commitment.slug in taken and "slug" not in record.bad_fields:
                    error = commitment.unique_error_message(Commitment, ("slug",))
                    record.problem("slug", error.messages[0])
                slug = record.values.get("slug")
                if isinstance(slug, str) and slug in self.commitments:
                    first = self.file.where("commitments", self.commitments[slug].n)
                    record.problem("slug", f"{shown(slug)} is already used by {first}")
                elif isinstance(slug, str):
                    kept = Kept(record.order[1], record, commitment, self.same)
                    self.commitments[sys.intern(slug)] = kept
                if not record.problems:
                    self.counts["commitments"] += 1
            for record in batch:
                self.problems.add(record)

    def _check_commitment(self, record: Record) -> Commitment:
        """The commitment as it would be created, checked by the model's rules."""
        refs = {
            name: self._resolve(record, name)
            for name in ("source", "proposer", "owner", "partners", "themes")
        }
        if "status_date" in record.values and record.values["status_date"] is None:
            record.problem("status_date", "is required")
        status = record.values.get("status")
        if status is not None and status not in Status.values:
            record.problem("status", f"{shown(status)} is not one of {', '.join(Status.values)}")
        reviewed = record.values.get("last_reviewed")
        if reviewed is not None and reviewed > timezone.localdate():
            record.problem("last_reviewed", "cannot be in the future")
        # Built with what could be read, so one pass reports every problem of the row.
        # It starts "not yet assessed"; its updates then move it to its status.
        commitment = Commitment(
            **self._fields("commitments", record),
            status=Status.NOT_ASSESSED,
            status_date=record.values.get("status_date"),
            is_published=self.publish,
            member_group=self.tracked.get(record.values.get("slug")),
        )
        for name in ("source", "proposer", "owner"):
            if refs[name]:
                setattr(commitment, name, refs[name][0])
        try:
            # The model's rules, the admin's messages: fields, and clean(): the quote is a
            # passage of the source, status_date within its range. The references are
            # resolved above (a new one is not saved yet), uniqueness by the caller.
            self.rules.full_clean(
                commitment, exclude=[*RESOLVED, *self._unread("commitments", record)]
            )
        except ValidationError as error:
            record.report(error)
        return commitment

    def _clean_update(
        self, record: Record, table: str, kept: Kept, previous: str, member=None
    ) -> ValidationError | None:
        """The model's rules for an update on its own and against its commitment's event day.

        The rules against the saved history (not before the latest update) are the chain's,
        checked from the file: a new commitment has no other history.
        """
        unread = self._unread(table, record)
        fields = {k: v for k, v in self._fields(table, record).items() if k not in unread}
        update = StatusUpdate(**fields, previous_status=previous, is_public=True, member=member)
        if kept.source is not None:
            # Only its source's event day is asked: one stand-in per source.
            if kept.source.slug not in self._stand_ins:
                self._stand_ins[kept.source.slug] = Commitment(source=kept.source)
            update.commitment = self._stand_ins[kept.source.slug]
        try:
            self.rules.full_clean(update, exclude=["commitment", "member", *unread])
        except ValidationError as error:
            return error
        return None

    def _check_update(self, record: Record) -> None:
        """The format's rule for histories: each commitment's updates, in the file's order,
        form a chain from "not yet assessed" to the status the commitment says it has."""
        slug = record.values.get("commitment")
        kept = self.commitments.get(slug) if isinstance(slug, str) else None
        if kept is None:
            record.problem(
                "commitment",
                f"{shown(slug)} is not a commitment in this file; updates are imported "
                "with their commitment only",
            )
            return
        before = kept.last
        expected = before[1] if before else Status.NOT_ASSESSED.value
        # Carried out by each member: its own updates are notes, which keep whatever status
        # its members' updates before them worked out to (the replay checks it).
        if kept.group is None and record.values.get("previous_status") != expected:
            record.problem(
                "previous_status",
                f"is {shown(record.values.get('previous_status'))}, but "
                + (f"the update before it, {self.file.where('updates', before[0])}, records "
                   f"{expected!r}" if before else f"a new commitment starts as {expected!r}"),
            )  # fmt: skip
        as_of = self.same(record.values.get("as_of"))
        if before and as_of and before[2] and as_of < before[2]:
            record.problem(
                "as_of",
                f"is earlier than the update before it, {self.file.where('updates', before[0])}",
            )
        if expected not in Status.values:
            expected = Status.NOT_ASSESSED.value
        if (error := self._clean_update(record, "updates", kept, expected)) is not None:
            record.report(error)
        status = self.same(record.values.get("status"))
        bad = tuple(name for name in ("status", "as_of") if name in record.bad_fields)
        kept.last = (record.order[1], status, as_of, bad)
        if kept.group is not None:
            kept.own = kept.own or []
            kept.own.append(
                [as_of, len(kept.own), status, record.order[1], not record.problems, None]
            )
        kept.updates += 1
        if not record.problems:
            self.counts["updates"] += 1

    def _check_member_update(self, record: Record, last: dict) -> None:
        """Each member's updates on a commitment form a chain from "not yet assessed", each
        checked as save_edit() checks a member's update."""
        slug, member = record.values.get("commitment"), record.values.get("member")
        kept = self.commitments.get(slug) if isinstance(slug, str) else None
        if kept is None:
            record.problem(
                "commitment", f"{shown(slug)} is not a commitment in this file; member updates "
                "are imported with their commitment only",
            )  # fmt: skip
            return
        before = last.get((slug, member))
        expected = before[1] if before else Status.NOT_ASSESSED.value
        if record.values.get("previous_status") != expected:
            record.problem(
                "previous_status", f"is {shown(record.values.get('previous_status'))}, but "
                + (f"{member!r}'s update before it, "
                   f"{self.file.where('member_updates', before[0])}, records {expected!r}"
                   if before else f"a member starts as {expected!r}"),
            )  # fmt: skip
        as_of = self.same(record.values.get("as_of"))
        if before and as_of and before[2] and as_of < before[2]:
            record.problem("as_of", f"is earlier than {member!r}'s update before it")
        if isinstance(member, str):
            status = self.same(record.values.get("status"))
            last[(sys.intern(slug), sys.intern(member))] = (record.order[1], status, as_of)
        if not kept.ok or record.problems:
            return  # Its commitment is not written: reported there.
        found = self._resolve(record, "member")
        if not found:
            return
        member_obj = found[0]
        # Named by its slug if it is not tracked member by member (its title is not kept).
        commitment = Commitment(
            title=kept.title or slug, source=kept.source, member_group=kept.group
        )
        if kept.group is None:
            # save_edit() refuses member updates on a commitment not carried out member by
            # member, with this message, before it reads or writes anything.
            try:
                commitment._record_member_updates([{"member": member_obj}], user=None)
            except MemberUpdatesInvalid as invalid:
                record.report(invalid)
            return
        errors = {}
        if (error := self._clean_update(record, "member_updates", kept, expected)) is not None:
            errors = error.update_error_dict(errors)
        entry = StatusUpdate(member=member_obj, commitment=commitment)
        if problem := entry._member_problem():  # the model's rule: a member when it was made
            errors.setdefault("member", []).insert(0, ValidationError(problem))
        if errors:
            # As save_edit() reports a member's refusal: the member named before each message.
            record.report(MemberUpdatesInvalid({member_obj: ValidationError(errors)}))
            return
        kept.members = kept.members or []
        status = self.same(record.values["status"])
        kept.members.append((as_of, len(kept.members), member_obj, status))
        kept.updates += 1
        self.member_counts["member updates"] += 1

    def _check_chain_end(self, slug: str, kept: Kept) -> None:
        """The history must arrive where the file says the commitment is now."""
        if kept.last is None:
            if kept.status not in (None, Status.NOT_ASSESSED) and "status" not in kept.bad:
                self._note(
                    "commitments", kept.n, slug, "status", f"is {kept.status!r}, but the file "
                    "has no updates that record it. A new commitment starts as not_assessed: "
                    "import its history too (the dataset format) or set the status to "
                    "not_assessed.",
                )  # fmt: skip
            kept.final = (Status.NOT_ASSESSED.value, kept.status_date)
            return
        n, status, as_of, bad = kept.last
        for name, update_name, theirs in (
            ("status", "status", status), ("status_date", "as_of", as_of)
        ):  # fmt: skip
            if name in kept.bad or update_name in bad:
                continue
            mine = kept.status if name == "status" else kept.status_date
            if mine != theirs:
                self._note(
                    "commitments", kept.n, slug, name, f"is {mine!s}, but its latest update, "
                    f"{self.file.where('updates', n)}, records {theirs!s}",
                )  # fmt: skip
        kept.final = (status, as_of)

    def _members_of(self, group: MemberGroup, made: datetime.date) -> list[MemberState]:
        """The members a commitment of `group` made on `made` is tracked for, in the group's
        order (as sync_member_progress() gives each a progress row)."""
        if group.slug not in self.groups:
            members = {}
            if not group._state.adding:
                members = {m.slug: m for m in MemberState.objects.filter(group=group)}
            for member in self.new["member_states"]:
                if member.group.slug == group.slug:
                    members[member.slug] = member
            self.groups[group.slug] = sorted(members.values(), key=lambda m: (m.position, m.name))
        return [m for m in self.groups[group.slug] if m.joined_on <= made]

    def _replay(self, slug: str, kept: Kept) -> None:
        """A commitment carried out by each member: its members' updates and its own notes
        in date order, members first on a day, as save_edit() records them one by one: each
        note keeps the status its members' updates before it worked out to."""
        if not kept.ok or kept.source is None:
            return
        made = kept.source.event_date
        rows = {
            m.slug: (Status.NOT_ASSESSED.value, made) for m in self._members_of(kept.group, made)
        }
        kept.rows = rows
        merged = sorted(
            [(as_of, 0, k, (member, status)) for as_of, k, member, status in kept.members or ()]
            + [(entry[0], 1, entry[1], entry) for entry in kept.own or ()],
            key=lambda item: (item[0] or datetime.date.min, item[1], item[2]),
        )
        status = members_status(rows.values()) if rows else (Status.NOT_ASSESSED.value, made)
        for as_of, is_own, _n, entry in merged:
            if not is_own:
                member, new_status = entry
                if member.slug in rows:
                    rows[member.slug] = (new_status, as_of)
                    status = members_status(rows.values())
                continue
            entry[5] = status[0]  # the status this note keeps, recorded as the one it replaced
            if entry[4] and entry[2] != status[0]:
                self._refuse_status_change(slug, kept, entry, status[0])
        kept.final = status
        # What the write needs of the replay: the status each note recorded as replaced.
        kept.own = [entry[5] for entry in kept.own or ()]
        kept.members = None
        # The status the file gives must be what its members' statuses work out to.
        for name, value in zip(("status", "status_date"), status, strict=True):
            mine = kept.status if name == "status" else kept.status_date
            if name not in kept.bad and name in ("status", "status_date") and mine != value:
                if mine is None:
                    continue
                self._note(
                    "commitments", kept.n, slug, name, f"is {mine!s}, but its member states' "
                    f"statuses in the file work out to {value!s} (docs/methodology.md)",
                )  # fmt: skip

    def _refuse_status_change(self, slug: str, kept: Kept, entry: list, current: str) -> None:
        """The model's refusal of a status set on a commitment carried out by each member,
        asked of StatusUpdate.clean() itself. It asks only of a saved commitment: the id given
        here cannot exist, so its look at the saved history finds nothing."""
        commitment = Commitment(pk=0, title=kept.title, source=kept.source, member_group=kept.group)
        update = StatusUpdate(
            commitment=commitment, status=entry[2], previous_status=current, note="-"
        )
        try:
            update.clean()
        except ValidationError as error:
            for message in error.message_dict.get("status", []):
                self._note("updates", entry[3], slug, "status", message)

    def _check_member_progress(self) -> None:
        """Each member's progress as written must be what the file says it is."""
        for (slug, member), (n, *values, ok) in self.progress_rows.items():
            kept = self.commitments.get(slug)
            if kept is None or not kept.ok or not ok or kept.final is None:
                continue
            row = kept.rows.get(member)
            if row is None:
                self._note(
                    "member_progress", n, slug, "member", f"{member!r} was not a member of "
                    f"the group on the day {slug!r} was made",
                )  # fmt: skip
                continue
            for name, theirs, value in zip(("status", "status_date"), values, row, strict=True):
                if theirs is not _ABSENT and theirs != value:
                    self._note(
                        "member_progress", n, slug, name, f"is {theirs!s}, but the member's "
                        f"updates in the file lead to {value!s}",
                    )  # fmt: skip
        if "member_progress" in self.file.tables:
            for slug, kept in self.commitments.items():
                for member in sorted(kept.rows):
                    if (slug, member) not in self.progress_rows:
                        self.notes.append(
                            f"{slug}: the file lists no progress for member {member!r}, a "
                            "member when it was made; it starts as not yet assessed."
                        )

    # The write: the checked file, table by table, in batches, each row as save_edit() would
    # have left it. Only called when the check found nothing wrong.

    def write(self) -> None:
        for table in PLAIN_TABLES:
            for obj in self.new[table]:
                obj.pk = None  # the check's provisional id
                for name in [c.field for c in _read_columns(table) if c.field in REFERENCES]:
                    setattr(obj, name, getattr(obj, name))  # its group, saved by now
            PLAIN_MODELS[table].objects.bulk_create(self.new[table], batch_size=BATCH)
        self._write_commitments()
        # Members' updates before the commitments' own: on the same day, save_edit() records
        # a commitment's members' updates before its note (the replay's order), and the
        # timeline lists the later one first.
        self._write_updates("member_updates")
        self._write_updates("updates")
        self._write_member_progress()
        # bulk_create() sends no signal: the search documents are written here, and the public
        # pages' version moves on, once.
        search_index.reindex(kept.pk for kept in self.commitments.values())
        ContentVersion.bump()

    def _write_commitments(self) -> None:
        Partners, Themes = Commitment.partners.through, Commitment.themes.through
        for batch in _batches(self.file.records("commitments")):
            made = []
            for record in batch:
                kept = self.commitments[record.values["slug"]]
                status, status_date = kept.final
                commitment = Commitment(
                    **self._fields("commitments", record),
                    source=self.objects["sources"][record.values["source"]],
                    proposer=self.objects["actors"][record.values["proposer"]],
                    owner=self.objects["actors"][record.values["owner"]],
                    member_group=kept.group,
                    status=status,
                    status_date=status_date,
                    last_reviewed=kept.last_reviewed,
                    is_published=self.publish,
                    # A write per update recorded, as save_edit() counts them.
                    version=1 + kept.updates,
                )
                made.append((commitment, kept, record))
            Commitment.objects.bulk_create([c for c, _kept, _record in made])
            partners, themes = [], []
            for commitment, kept, record in made:
                kept.pk = commitment.pk
                for slug in dict.fromkeys(record.values.get("partners", [])):
                    partners.append(
                        Partners(commitment_id=commitment.pk, actor=self.objects["actors"][slug])
                    )
                for slug in dict.fromkeys(record.values.get("themes", [])):
                    themes.append(
                        Themes(commitment_id=commitment.pk, theme=self.objects["themes"][slug])
                    )
            Partners.objects.bulk_create(partners)
            Themes.objects.bulk_create(themes)

    def _write_updates(self, table: str) -> None:
        own: dict[str, int] = {}  # a member-tracked commitment's own updates written so far
        for batch in _batches(self.file.records(table)):
            updates = []
            for record in batch:
                kept = self.commitments[record.values["commitment"]]
                previous = record.values["previous_status"]
                member = None
                if table == "member_updates":
                    member = self.objects["member_states"][record.values["member"]]
                elif kept.group is not None:
                    n = own[record.values["commitment"]] = (
                        own.get(record.values["commitment"], -1) + 1
                    )
                    previous = kept.own[n]
                updates.append(
                    StatusUpdate(
                        **self._fields(table, record),
                        commitment_id=kept.pk,
                        member=member,
                        previous_status=previous,
                        is_public=True,
                    )
                )
            StatusUpdate.objects.bulk_create(updates)

    def _write_member_progress(self) -> None:
        rows = []
        for kept in self.commitments.values():
            if kept.group is None:
                continue
            made = kept.source.event_date
            for member in self._members_of(kept.group, made):
                status, status_date = kept.rows[member.slug]
                rows.append(
                    MemberProgress(
                        commitment_id=kept.pk, member=member, status=status, status_date=status_date
                    )
                )
            if len(rows) >= BATCH:
                MemberProgress.objects.bulk_create(rows)
                rows = []
        MemberProgress.objects.bulk_create(rows)


class Command(BaseCommand):
    help = (
        "Add commitments from a dataset JSON (/data/dataset.json) or a commitments CSV/JSON "
        "(/commitments/export.csv|json); see docs/data.md. Every record is checked first: a "
        "file with any problem is reported record by record and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to import (.json or .csv).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported commitments. By default they are drafts, for review.",
        )

    def handle(self, *args, path: Path, dry_run: bool, publish: bool, **options) -> None:
        file = ImportFile(path, self.stderr)
        problems = Problems(path)
        importer = Importer(file, publish, problems)
        try:
            importer.check()
        finally:
            file.progress.done()
        if not importer.commitments and not problems:
            raise CommandError(f"{path}: contains no commitments.")
        for note in importer.notes:
            self.stdout.write(self.style.WARNING(f"{path}: {note}"))
        problems.raise_if_any(self.stderr)
        if dry_run:
            self.stdout.write(f"{path}: would import {importer.summary()}. Nothing was written.")
            return
        file.source.check_unchanged()
        file.progress.begin_pass(writing=True)
        try:
            with all_or_nothing():
                importer.write()
                file.source.check_unchanged()
        finally:
            file.progress.done()
        state = "published" if publish else "drafts, to review and publish in the admin"
        self.stdout.write(self.style.SUCCESS(f"{path}: imported {importer.summary()} ({state})."))
