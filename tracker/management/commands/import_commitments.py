"""Import commitments from the tracker's own export formats, all or nothing.

Three inputs, all described in docs/data.md:

- the dataset JSON (`/data/dataset.json`): sources, actors, themes, commitments and their
  public updates. Commitments are created "not yet assessed" and their updates are then
  recorded in order with `Commitment.record_update()`, so each imported status is backed by
  the history that led to it.
- the commitments CSV or JSON (`/commitments/export.csv|json`): commitments only. Their
  source, actors and themes must already exist, and as the file carries no history, every
  status must be `not_assessed`.

Every record is checked before anything is written; the command lists every problem with its
line (CSV) or record number (JSON) and field, and writes nothing if there is one.
"""

from __future__ import annotations

import csv
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from tracker.annotate import find_passage
from tracker.exports import (
    DATASET_FORMAT,
    DATASET_TABLES,
    DATE,
    INT,
    SLUG,
    SLUGS,
    TEXT,
    Column,
    csv_uncell,
)
from tracker.models import Actor, Commitment, Source, Status, StatusUpdate, Theme

MODELS: dict[str, type[models.Model]] = {
    "sources": Source,
    "actors": Actor,
    "themes": Theme,
    "commitments": Commitment,
}
# Columns read although no model field is set from them: checked against the history.
CHECKED = {"commitments": {"status", "status_date"}, "updates": {"previous_status"}}
# Columns that name other records, and the table they point into.
REFERENCES = {
    "source": "sources",
    "proposer": "actors",
    "owner": "actors",
    "partners": "actors",
    "themes": "themes",
    "commitment": "commitments",
}


class Problems(Exception):
    pass


@dataclass
class Record:
    table: str
    where: str  # "line 7" or "commitments record 3", for messages
    values: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    # Columns already reported, so validating the rest does not repeat them.
    bad_columns: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        slug = self.values.get("slug") or self.values.get("commitment")
        return f"{self.where} ({slug})" if isinstance(slug, str) and slug else self.where

    def problem(self, column: str, message: str) -> None:
        self.bad_columns.add(column)
        self.problems.append(f"{column}: {message}" if column else message)


def _read_columns(table: str) -> list[Column]:
    """The columns the importer reads in a table: model fields and those checked."""
    checked = CHECKED.get(table, set())
    return [c for c in DATASET_TABLES[table] if c.field or c.name in checked]


def _parse(column: Column, raw: Any, from_csv: bool) -> Any:
    """A cell or JSON value as a Python value; ValueError with a message when it is not one."""
    if from_csv:
        raw = csv_uncell(raw)
        if column.kind == INT:
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"must be a whole number, not {raw!r}") from None
        if column.kind == SLUGS:
            return [slug.strip() for slug in raw.split(";") if slug.strip()]
        if column.kind == DATE and raw == "":
            return None
    if column.kind == DATE:
        if raw is None:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except (TypeError, ValueError):
            raise ValueError(f"must be a date written YYYY-MM-DD, not {raw!r}") from None
    if column.kind == INT and (not isinstance(raw, int) or isinstance(raw, bool)):
        raise ValueError(f"must be a whole number, not {raw!r}")
    if column.kind == SLUGS and not (
        isinstance(raw, list) and all(isinstance(s, str) for s in raw)
    ):
        raise ValueError(f"must be a list of slugs, not {raw!r}")
    if column.kind in (TEXT, SLUG) and not isinstance(raw, str):
        raise ValueError(f"must be text, not {raw!r}")
    return raw


def _record(table: str, where: str, raw: dict, from_csv: bool) -> Record:
    record = Record(table, where, {})
    known = {column.name for column in DATASET_TABLES[table]}
    for name in sorted(set(raw) - known):
        record.problem(name, "is not a column of this format (see docs/data.md)")
    for column in _read_columns(table):
        if column.name not in raw:
            record.problem(column.name, "is missing")
            continue
        try:
            record.values[column.name] = _parse(column, raw[column.name], from_csv)
        except ValueError as error:
            record.problem(column.name, str(error))
    return record


def read_file(path: Path) -> tuple[str, dict[str, list[Record]]]:
    """The file's kind ("dataset" or "commitments") and its records, table by table."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: is not UTF-8 text.") from None
    if path.suffix.lower() == ".csv":
        return "commitments", {"commitments": _read_csv(path, text)}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: not valid JSON, line {error.lineno}: {error.msg}.") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a JSON object with a “commitments” list.")
    if data.get("format") == DATASET_FORMAT:
        tables = list(DATASET_TABLES)
        kind = "dataset"
    elif "format" in data:
        raise CommandError(f"{path}: unknown format {data['format']!r}.")
    else:
        tables = ["commitments"]
        kind = "commitments"
    records: dict[str, list[Record]] = {}
    for table in tables:
        rows = data.get(table)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise CommandError(f"{path}: “{table}” must be a list of objects.")
        records[table] = [
            _record(table, f"{table} record {n}", row, from_csv=False)
            for n, row in enumerate(rows, start=1)
        ]
    return kind, records


def _read_csv(path: Path, text: str) -> list[Record]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    if not reader.fieldnames:
        raise CommandError(f"{path}: the file is empty.")
    missing = [c.name for c in _read_columns("commitments") if c.name not in reader.fieldnames]
    if missing:
        raise CommandError(f"{path}: line 1: missing column(s): {', '.join(missing)}.")
    records = []
    columns = len(reader.fieldnames)
    line = reader.line_num + 1
    for row in reader:
        if None in row or None in row.values():
            record = Record("commitments", f"line {line}", {})
            record.problem("", f"has a different number of cells from the header's {columns}")
        else:
            record = _record("commitments", f"line {line}", row, from_csv=True)
        records.append(record)
        # A quoted cell may span lines: the next record starts after this one's last line.
        line = reader.line_num + 1
    return records


class Importer:
    """Checks every record, then writes them all in one transaction."""

    def __init__(self, kind: str, records: dict[str, list[Record]], publish: bool) -> None:
        self.kind = kind
        self.records = records
        self.publish = publish
        # slug -> object, for each table: new (unsaved) objects from the file, or existing ones.
        self.objects: dict[str, dict[str, models.Model]] = {t: {} for t in MODELS}
        self.new: dict[str, list[tuple[Record, models.Model]]] = {t: [] for t in MODELS}
        self.updates: dict[str, list[tuple[Record, StatusUpdate]]] = {}
        # slug -> (partners, themes) of each new commitment, set once it is saved.
        self.relations: dict[str, tuple[list[Actor], list[Theme]]] = {}
        self.notes: list[str] = []

    # Checking

    def check(self) -> list[str]:
        for table in ("sources", "actors", "themes"):
            self._check_plain(table)
        self._load_existing()
        self._check_commitments()
        self._check_updates()
        return [
            f"{record.label}: {problem}"
            for table in self.records.values()
            for record in table
            for problem in record.problems
        ]

    def _report(self, record: Record, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                record.problem(name, message)

    def _fields(self, record: Record) -> dict[str, Any]:
        return {
            column.field: record.values[column.name]
            for column in _read_columns(record.table)
            if column.field and column.name in record.values and column.name not in REFERENCES
        }

    def _check_unique_in_file(self, record: Record, model, seen: dict) -> None:
        for f in model._meta.fields:
            if f.unique and not f.primary_key and f.name in record.values:
                key = (f.name, record.values[f.name])
                if key in seen:
                    record.problem(f.name, f"{key[1]!r} is already used by {seen[key]}")
                seen.setdefault(key, record.where)

    def _check_plain(self, table: str) -> None:
        model = MODELS[table]
        rows = self.records.get(table, [])
        existing = model.objects.in_bulk(
            [r.values["slug"] for r in rows if "slug" in r.values], field_name="slug"
        )
        seen: dict = {}
        for record in rows:
            self._check_unique_in_file(record, model, seen)
            if record.problems:
                continue
            fields = self._fields(record)
            current = existing.get(fields["slug"])
            if current is not None:
                # Shared records (an actor in two sources) are reused, never overwritten.
                differs = [k for k, v in fields.items() if getattr(current, k) != v]
                if differs:
                    self.notes.append(
                        f"{record.label}: already in the database with a different "
                        f"{', '.join(differs)}; the database's version is kept."
                    )
                self.objects[table][current.slug] = current
                continue
            obj = model(**fields)
            try:
                obj.full_clean()
            except ValidationError as error:
                self._report(record, error)
                continue
            self.objects[table][obj.slug] = obj
            self.new[table].append((record, obj))

    def _load_existing(self) -> None:
        """Objects the commitments name that the file does not define: from the database."""
        wanted: dict[str, set[str]] = {t: set() for t in ("sources", "actors", "themes")}
        for record in self.records["commitments"]:
            for name, table in REFERENCES.items():
                value = record.values.get(name)
                if table in wanted and value:
                    wanted[table].update(value if isinstance(value, list) else [value])
        for table, slugs in wanted.items():
            missing = slugs - set(self.objects[table])
            for slug, obj in MODELS[table].objects.in_bulk(missing, field_name="slug").items():
                self.objects[table][slug] = obj

    def _resolve(self, record: Record, name: str):
        table = REFERENCES[name]
        value = record.values.get(name)
        slugs = value if isinstance(value, list) else [value] if value else []
        if not slugs and name in ("source", "proposer", "owner"):
            record.problem(name, "is required")
        found = []
        for slug in slugs:
            obj = self.objects[table].get(slug)
            if obj is None:
                where = "the file or the database" if self.kind == "dataset" else "the database"
                record.problem(name, f"no {table[:-1]} {slug!r} in {where}")
            else:
                found.append(obj)
        return found

    def _check_commitments(self) -> None:
        has_updates = {r.values.get("commitment") for r in self.records.get("updates", [])}
        seen: dict = {}
        for record in self.records["commitments"]:
            self._check_unique_in_file(record, Commitment, seen)
            refs = {
                name: self._resolve(record, name)
                for name in ("source", "proposer", "owner", "partners", "themes")
            }
            status = record.values.get("status")
            if status is not None and status not in Status.values:
                record.problem("status", f"{status!r} is not one of {', '.join(Status.values)}")
            elif (
                status
                and status != Status.NOT_ASSESSED
                and record.values.get("slug") not in (has_updates)
            ):
                record.problem(
                    "status",
                    f"is {status!r}, but the file has no updates that record it. A new "
                    "commitment starts as not_assessed: import its history too (the dataset "
                    "format) or set the status to not_assessed.",
                )
            if "status_date" in record.values and record.values["status_date"] is None:
                record.problem("status_date", "is required")
            # Validate what could be read, so one pass reports every problem of the row.
            commitment = Commitment(
                **self._fields(record),
                status=Status.NOT_ASSESSED,
                status_date=record.values.get("status_date"),
                is_published=self.publish,
            )
            unread = [c.field or c.name for c in _read_columns("commitments")
                      if c.name in record.bad_columns or c.name not in record.values]  # fmt: skip
            try:
                commitment.full_clean(exclude=["source", "proposer", "owner", *unread])
            except ValidationError as error:
                self._report(record, error)
            source = refs["source"][0] if refs["source"] else None
            if (
                source
                and "quote" in record.values
                and not find_passage(source.full_text, record.values["quote"])
            ):
                record.problem(
                    "quote", f"is not a passage of the full text of source {source.slug!r}"
                )
            if record.problems:
                continue
            commitment.source, commitment.proposer = source, refs["proposer"][0]
            commitment.owner = refs["owner"][0]
            self.relations[commitment.slug] = (refs["partners"], refs["themes"])
            self.objects["commitments"][commitment.slug] = commitment
            self.new["commitments"].append((record, commitment))

    def _check_updates(self) -> None:
        in_file = {record.values.get("slug") for record in self.records["commitments"]}
        commitments = {record.values.get("slug"): record for record, _ in self.new["commitments"]}
        previous: dict[str, Record] = {}
        for record in self.records.get("updates", []):
            slug = record.values.get("commitment")
            if slug not in in_file:
                record.problem(
                    "commitment",
                    f"{slug!r} is not a commitment in this file; updates are imported "
                    "with their commitment only",
                )
            before = previous.get(slug)
            expected = before.values.get("status") if before else Status.NOT_ASSESSED
            if slug in in_file and record.values.get("previous_status") != expected:
                record.problem(
                    "previous_status",
                    f"is {record.values.get('previous_status')!r}, but "
                    + (f"the update before it, {before.where}, records {expected!r}"
                       if before else f"a new commitment starts as {expected!r}"),
                )  # fmt: skip
            as_of = record.values.get("as_of")
            if before and as_of and before.values.get("as_of") and as_of < before.values["as_of"]:
                record.problem("as_of", f"is earlier than the update before it, {before.where}")
            update = StatusUpdate(**self._fields(record), previous_status=expected, is_public=True)
            if not record.problems:
                try:
                    update.full_clean(exclude=["commitment"])
                except ValidationError as error:
                    self._report(record, error)
            previous[slug] = record
            # Updates of a commitment with problems are checked, but never written.
            if slug in commitments:
                self.updates.setdefault(slug, []).append((record, update))
        # The history must arrive where the file says the commitment is now.
        for slug, record in commitments.items():
            last = previous.get(slug)
            if last is None:
                continue
            for name, update_name in (("status", "status"), ("status_date", "as_of")):
                if record.values.get(name) != last.values.get(update_name):
                    record.problem(
                        name,
                        f"is {record.values.get(name)!s}, but its latest update, {last.where}, "
                        f"records {last.values.get(update_name)!s}",
                    )

    # Writing

    def write(self) -> dict[str, int]:
        for table in ("sources", "actors", "themes"):
            for _, obj in self.new[table]:
                obj.save()
        for _, commitment in self.new["commitments"]:
            # Its source and actors were saved just above (Django picks up their new keys)
            # or came from the database.
            commitment.save()
            partners, themes = self.relations[commitment.slug]
            commitment.partners.set(partners)
            commitment.themes.set(themes)
            for _, update in self.updates.get(commitment.slug, []):
                commitment.record_update(
                    is_public=True,
                    **{
                        column.field: getattr(update, column.field)
                        for column in _read_columns("updates")
                        if column.field and column.field != "commitment"
                    },
                )
        counts = {table: len(self.new[table]) for table in MODELS}
        counts["updates"] = sum(len(updates) for updates in self.updates.values())
        return counts


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
        kind, records = read_file(path)
        if not records["commitments"]:
            raise CommandError(f"{path}: contains no commitments.")
        importer = Importer(kind, records, publish)
        with transaction.atomic():
            problems = importer.check()
            for note in importer.notes:
                self.stdout.write(self.style.WARNING(f"{path}: {note}"))
            if problems:
                for problem in problems:
                    self.stderr.write(f"{path}: {problem}")
                raise CommandError(
                    f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                    "found; nothing was imported."
                )
            counts = importer.write()
            summary = ", ".join(
                f"{n} {table if n != 1 else table[:-1]}" for table, n in counts.items()
            )
            if dry_run:
                # Everything was written and checked by the database; now undo it.
                transaction.set_rollback(True)
                self.stdout.write(f"{path}: would import {summary}. Nothing was written.")
                return
        state = "published" if publish else "drafts, to review and publish in the admin"
        self.stdout.write(self.style.SUCCESS(f"{path}: imported {summary} ({state})."))
