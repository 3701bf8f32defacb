"""Import commitments from the tracker's own export formats (docs/data.md), all or nothing.

The dataset JSON (`/data/dataset.json`) brings sources, actors, themes, commitments and their
public updates: commitments start "not yet assessed" and their updates are recorded in order,
so every status is backed by its history. The commitments CSV or JSON (`/commitments/export.*`)
brings commitments only, all `not_assessed`, whose sources, actors and themes exist already.

Every record is checked by the model's own rules and written through `save_edit()`; the
importer keeps only the format's rules (dates, types, known columns, no slug twice, each
commitment's updates forming a chain). Every problem is listed with its line or record and
field, and then nothing is written.
"""

from __future__ import annotations

import datetime
import re
from itertools import chain
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, models, transaction
from django.utils import timezone

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
    Problems,
    Record,
    all_or_nothing,
    numbered,
    plain,
    read_csv,
    read_json,
)
from tracker.models import (
    Actor,
    Commitment,
    ContentVersion,
    MemberGroup,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
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
                raise ValueError(f"must be a whole number, not {raw!r}")
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


def _read_record(table: str, record: Record, from_csv: bool) -> None:
    """Read the record's values off its raw cells or JSON object, column by column."""
    raw = record.raw
    known = {column.name for column in ALL_TABLES[table]}
    for name in sorted(set(raw) - known):
        record.problem(name, "is not a column of this format (see docs/data.md)")
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


def read_file(path: Path) -> tuple[str, dict[str, list[Record]]]:
    """The file's kind ("dataset" or "commitments") and its records, table by table."""
    if path.suffix.lower() == ".csv":
        required = [c.name for c in _read_columns("commitments") if c.name not in OPTIONAL]
        records = read_csv(path, required)
        for record in records:
            if not record.problems:  # a row of the wrong length has nothing more to read
                _read_record("commitments", record, from_csv=True)
        return "commitments", {"commitments": records}
    data = read_json(path)
    if not isinstance(data, dict):
        raise CommandError(f"{path}: expected a JSON object with a “commitments” list.")
    if data.get("format") == DATASET_FORMAT:
        if data.get("format_version") != DATASET_VERSION:
            raise CommandError(
                f"{path}: format_version {data.get('format_version')!r} is not one this "
                f"tracker reads ({DATASET_VERSION})."
            )
        tables = [*DATASET_TABLES, *(table for table in MEMBER_TABLES if table in data)]
        kind = "dataset"
        # The licence and publisher say who may reuse the file and how; nothing is imported
        # from them: the importing tracker has settings of its own.
        known = {"format", "format_version", "license", "publisher", *DATASET_TABLES}
        known |= set(MEMBER_TABLES)
    elif "format" in data:
        raise CommandError(f"{path}: unknown format {data['format']!r}.")
    else:
        tables = ["commitments"]
        kind = "commitments"
        known = set(tables)
    # Anything else (internal notes, users, drafts' secrets) is not part of the format: refuse
    # it rather than drop it unseen.
    unknown = sorted(set(data) - known)
    if unknown:
        raise CommandError(
            f"{path}: {', '.join(map(repr, unknown))} is not part of this format "
            "(see docs/data.md)."
        )
    records: dict[str, list[Record]] = {}
    for table in tables:
        rows = data.get(table)
        if not isinstance(rows, list):
            raise CommandError(f"{path}: “{table}” must be a list of objects.")
        records[table] = numbered(rows, f"{table} record")
        for record in records[table]:
            if isinstance(record.raw, dict):
                _read_record(table, record, from_csv=False)
            else:
                record.problem(None, f"must be an object, not {plain(repr(record.raw))}")
    return kind, records


class Importer:
    """Checks each record with the model's rules and writes it, all in the caller's transaction.

    Records are checked in the order they refer to each other (sources, actors and themes,
    then commitments, then each commitment's updates), and each valid one is written before
    the next is checked: the model's rules that look at related rows (a quote against its
    source's text, an update's date against the event's and the latest update's) need those
    rows saved. The caller rolls everything back if any problem was found.
    """

    def __init__(self, kind: str, records: dict[str, list[Record]], publish: bool) -> None:
        self.kind = kind
        self.records = records
        self.publish = publish
        # slug -> saved object, for each table: imported from the file, or existing ones.
        self.objects: dict[str, dict[str, models.Model]] = {
            t: {} for t in (*MODELS, *MEMBER_MODELS)
        }
        self.counts: dict[str, int] = dict.fromkeys((*MODELS, "updates"), 0)
        # Said only when the file has member tables, so older files read as they always did.
        self.member_counts: dict[str, int] = dict.fromkeys(
            ("member groups", "member states", "member updates"), 0
        )
        self.notes: list[str] = []

    def run(self) -> None:
        """Check and write every record; what is wrong goes on the record, naming the field."""
        for table in ("sources", "actors", "themes", *MEMBER_MODELS):
            self._import_plain(table)
        self._load_existing()
        chains = self._check_chains()
        member_chains = self._check_member_chains()
        self._import_commitments(chains, member_chains)
        self._check_member_progress()

    def _write(self, record: Record, write) -> bool:
        """Run `write` in a savepoint; a refusal is reported against the record, never raised."""
        try:
            with transaction.atomic():
                write()
        except ValidationError as error:
            record.report(error)
        except DatabaseError as error:
            # Only a rule the checks above missed, or a concurrent write, gets here.
            record.problem(None, f"could not be written: {error}")
        return not record.problems

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
                    record.problem(f.name, f"{key[1]!r} is already used by {seen[key]}")
                seen.setdefault(key, record.where)

    def _import_plain(self, table: str) -> None:
        model = MODELS.get(table) or MEMBER_MODELS[table]
        rows = self.records.get(table, [])
        slugs = [r.values["slug"] for r in rows if isinstance(r.values.get("slug"), str)]
        existing = model.objects.in_bulk(slugs, field_name="slug")
        seen: dict = {}
        for record in rows:
            self._check_unique_in_file(record, model, seen)
            if record.problems:
                continue
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
                continue
            obj = model(**fields)
            # A member state's group, from the file or the database.
            for name in (c.field for c in _read_columns(table) if c.field in REFERENCES):
                found = self._resolve(record, name)
                if found:
                    setattr(obj, name, found[0])
            if record.problems:
                continue
            if self._write(record, lambda obj=obj: (obj.full_clean(), obj.save())):
                self.objects[table][obj.slug] = obj
                if table in MODELS:
                    self.counts[table] += 1
                else:
                    self.member_counts[table.replace("_", " ")] += 1

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

    def _resolve(self, record: Record, name: str) -> list[models.Model]:
        table = REFERENCES[name]
        value = record.values.get(name)
        slugs = value if isinstance(value, list) else [value] if value else []
        if not slugs and name in ("source", "proposer", "owner") and name in record.values:
            record.problem(name, "is required")
        found = []
        for slug in slugs:
            obj = self.objects[table].get(slug)
            if obj is None and table in MEMBER_MODELS:
                obj = MEMBER_MODELS[table].objects.filter(slug=slug).first()
            if obj is None:
                where = "the file or the database" if self.kind == "dataset" else "the database"
                record.problem(name, f"no {table[:-1]} {slug!r} in {where}")
            else:
                found.append(obj)
        return found

    def _check_chains(self) -> dict[str, list[Record]]:
        """The format's rule for histories: each commitment's updates, in the file's order,
        form a chain from "not yet assessed" to the status the commitment says it has."""
        in_file = {record.values.get("slug") for record in self.records["commitments"]} - {None}
        # Carried out by each member: the status is the members' (checked once written), and
        # the commitment's own updates are notes, whatever the members' status was then.
        tracked = self._tracked_slugs()
        chains: dict[str, list[Record]] = {}
        for record in self.records.get("updates", []):
            if not record.values:
                continue  # Not an object: reported as such, nothing more to say.
            slug = record.values.get("commitment")
            if slug not in in_file:
                record.problem(
                    "commitment",
                    f"{slug!r} is not a commitment in this file; updates are imported "
                    "with their commitment only",
                )
                continue
            chain = chains.setdefault(slug, [])
            before = chain[-1] if chain else None
            expected = before.values.get("status") if before else Status.NOT_ASSESSED.value
            if slug not in tracked and record.values.get("previous_status") != expected:
                record.problem(
                    "previous_status",
                    f"is {record.values.get('previous_status')!r}, but "
                    + (f"the update before it, {before.where}, records {expected!r}"
                       if before else f"a new commitment starts as {expected!r}"),
                )  # fmt: skip
            as_of = record.values.get("as_of")
            if before and as_of and before.values.get("as_of") and as_of < before.values["as_of"]:
                record.problem("as_of", f"is earlier than the update before it, {before.where}")
            chain.append(record)
        for record in self.records["commitments"]:
            status = record.values.get("status")
            last = chains.get(record.values.get("slug"), [None])[-1]
            if status is not None and status not in Status.values:
                record.problem("status", f"{status!r} is not one of {', '.join(Status.values)}")
            elif record.values.get("slug") in tracked:
                continue  # Checked against the members' statuses once they are written.
            elif last is None and status not in (None, Status.NOT_ASSESSED):
                record.problem(
                    "status",
                    f"is {status!r}, but the file has no updates that record it. A new "
                    "commitment starts as not_assessed: import its history too (the dataset "
                    "format) or set the status to not_assessed.",
                )
            if last is None:
                continue
            # The history must arrive where the file says the commitment is now.
            for name, update_name in (("status", "status"), ("status_date", "as_of")):
                if name in record.bad_fields or name in last.bad_fields:
                    continue
                if record.values.get(name) != last.values.get(update_name):
                    record.problem(
                        name,
                        f"is {record.values.get(name)!s}, but its latest update, {last.where}, "
                        f"records {last.values.get(update_name)!s}",
                    )
        return chains

    def _import_commitments(
        self, chains: dict[str, list[Record]], member_chains: dict[str, list[Record]]
    ) -> None:
        groups = self._member_groups_of_commitments()
        seen: dict = {}
        for record in self.records["commitments"]:
            if not record.values:
                continue
            self._check_unique_in_file(record, Commitment, seen)
            refs = {
                name: self._resolve(record, name)
                for name in ("source", "proposer", "owner", "partners", "themes")
            }
            if "status_date" in record.values and record.values["status_date"] is None:
                record.problem("status_date", "is required")
            # Built with what could be read, so one pass reports every problem of the row.
            # It starts "not yet assessed"; its updates then move it to its status.
            commitment = Commitment(
                **self._fields("commitments", record),
                status=Status.NOT_ASSESSED,
                status_date=record.values.get("status_date"),
                is_published=self.publish,
                # Carried out by each member of this group: its members' progress says so.
                member_group=groups.get(record.values.get("slug")),
            )
            unresolved = []
            for name in ("source", "proposer", "owner"):
                if refs[name]:
                    setattr(commitment, name, refs[name][0])
                else:
                    unresolved.append(name)
            exclude = [*unresolved, *self._unread("commitments", record)]

            def write(commitment=commitment, refs=refs, exclude=exclude, record=record):
                # The model's rules, the admin's messages: fields, unique slug, and clean():
                # the quote is a passage of the source, status_date within its range.
                commitment.full_clean(exclude=exclude)
                if record.problems:
                    return
                commitment.save()
                commitment.partners.set(refs["partners"])
                commitment.themes.set(refs["themes"])

            if not self._write(record, write):
                commitment = None  # Its updates are still checked, but never written.
            else:
                self.objects["commitments"][commitment.slug] = commitment
                self.counts["commitments"] += 1
            own = chains.get(record.values.get("slug"), [])
            members = member_chains.get(record.values.get("slug"), [])
            if commitment is not None and commitment.member_group is not None:
                # Replayed in date order, members first on a day: each note on the whole
                # commitment keeps the status the members' updates before it worked out to.
                merged = sorted(
                    [(r.values.get("as_of"), 0, n, r) for n, r in enumerate(members)]
                    + [(r.values.get("as_of"), 1, n, r) for n, r in enumerate(own)],
                    key=lambda item: (item[0] or datetime.date.min, item[1], item[2]),
                )
                for _as_of, is_own, _n, entry in merged:
                    if is_own:
                        self._import_updates(commitment, [entry])
                    else:
                        self._import_member_updates(commitment, [entry])
                self._check_derived_status(commitment, record)
            else:
                self._import_updates(commitment, own)
                self._import_member_updates(commitment, members)
            if commitment is not None:
                self._set_last_reviewed(commitment, record)

    def _tracked_slugs(self) -> set:
        """Slugs of the commitments the file tracks member by member (has progress for)."""
        return {
            record.values.get("commitment") for record in self.records.get("member_progress", [])
        } - {None}

    def _check_derived_status(self, commitment: Commitment, record: Record) -> None:
        """A per-member commitment's status is its members': the file must say the same."""
        if commitment.pk is None or record.problems:
            return
        written = Commitment.objects.values_list("status", "status_date").get(pk=commitment.pk)
        for name, value in zip(("status", "status_date"), written, strict=True):
            if name in record.values and record.values[name] != value:
                record.problem(
                    name,
                    f"is {record.values[name]!s}, but its member states' statuses in the file "
                    f"work out to {value!s} (docs/methodology.md)",
                )

    def _set_last_reviewed(self, commitment: Commitment, record: Record) -> None:
        """When staff last checked it, as the file says: recording its history marked it
        reviewed today, which is not what happened."""
        reviewed = record.values.get("last_reviewed")
        if reviewed is not None and reviewed > timezone.localdate():
            record.problem("last_reviewed", "cannot be in the future")
            return
        Commitment.objects.filter(pk=commitment.pk).update(last_reviewed=reviewed)
        # update() sends no signal: the public pages' version is moved on here.
        ContentVersion.bump()

    def _import_updates(self, commitment: Commitment | None, chain: list[Record]) -> None:
        for record in chain:
            fields = {
                name: value
                for name, value in self._fields("updates", record).items()
                if name not in self._unread("updates", record)
            }
            if commitment is None or record.problems:
                # No history to write it into: check what the model can check on its own.
                update = StatusUpdate(
                    **fields, previous_status=record.values.get("previous_status", ""),
                    is_public=True,
                )  # fmt: skip
                try:
                    update.full_clean(exclude=["commitment", "previous_status",
                                               *self._unread("updates", record)])  # fmt: skip
                except ValidationError as error:
                    record.report(error)
                commitment = None  # The rest of this history cannot follow a broken link.
                continue

            def write(commitment=commitment, fields=fields):
                # save_edit() checks the update with StatusUpdate.full_clean() against the
                # saved history (event date, latest date, note) before it writes anything.
                commitment.record_update(**fields)

            if self._write(record, write):
                self.counts["updates"] += 1
            else:
                commitment = None

    # Member states: groups and members are plain records; a commitment that has member
    # progress in the file is carried out by each member of that group; each member's updates
    # form their own chain, written through the same write path as the commitment's own.

    def _member_groups_of_commitments(self) -> dict[str, MemberGroup]:
        """Commitment slug -> the group whose members the file tracks it for."""
        groups: dict[str, MemberGroup] = {}
        for record in self.records.get("member_progress", []):
            slug = record.values.get("commitment")
            found = self._resolve(record, "member") if "member" in record.values else []
            if not found or not isinstance(slug, str):
                continue
            group = found[0].group
            if groups.setdefault(slug, group) != group:
                record.problem(
                    "member", f"belongs to {group.slug!r}, but {slug!r} is tracked for "
                    f"{groups[slug].slug!r}: a commitment is tracked for one group",
                )  # fmt: skip
        return groups

    def _check_member_chains(self) -> dict[str, list[Record]]:
        """Each member's updates on a commitment form a chain from "not yet assessed"."""
        in_file = {record.values.get("slug") for record in self.records["commitments"]} - {None}
        last: dict[tuple, Record] = {}
        by_commitment: dict[str, list[Record]] = {}
        for record in self.records.get("member_updates", []):
            if not record.values:
                continue
            slug, member = record.values.get("commitment"), record.values.get("member")
            if slug not in in_file:
                record.problem(
                    "commitment", f"{slug!r} is not a commitment in this file; member updates "
                    "are imported with their commitment only",
                )  # fmt: skip
                continue
            before = last.get((slug, member))
            expected = before.values.get("status") if before else Status.NOT_ASSESSED.value
            if record.values.get("previous_status") != expected:
                record.problem(
                    "previous_status", f"is {record.values.get('previous_status')!r}, but "
                    + (f"{member!r}'s update before it, {before.where}, records {expected!r}"
                       if before else f"a member starts as {expected!r}"),
                )  # fmt: skip
            as_of = record.values.get("as_of")
            if before and as_of and before.values.get("as_of") and as_of < before.values["as_of"]:
                record.problem("as_of", f"is earlier than {member!r}'s update before it")
            last[(slug, member)] = record
            by_commitment.setdefault(slug, []).append(record)
        return by_commitment

    def _import_member_updates(self, commitment: Commitment | None, chain: list[Record]) -> None:
        for record in chain:
            if commitment is None or record.problems:
                continue  # Its commitment was not written: reported there.
            found = self._resolve(record, "member")
            if not found:
                continue
            fields = {
                name: value
                for name, value in self._fields("member_updates", record).items()
                if name not in self._unread("member_updates", record)
            }

            def write(commitment=commitment, fields=fields, member=found[0]):
                # Checked by StatusUpdate.full_clean() against that member's own history.
                commitment.record_update(member=member, **fields)

            if self._write(record, write):
                self.member_counts["member updates"] += 1

    def _check_member_progress(self) -> None:
        """Each member's progress as written must be what the file says it is."""
        rows = self.records.get("member_progress", [])
        written = {
            (p.commitment.slug, p.member.slug): p
            for p in MemberProgress.objects.filter(
                commitment__in=list(self.objects["commitments"].values())
            ).select_related("commitment", "member")
        }
        listed = set()
        for record in rows:
            key = (record.values.get("commitment"), record.values.get("member"))
            listed.add(key)
            if key[0] not in self.objects["commitments"] or record.problems:
                continue
            progress = written.get(key)
            if progress is None:
                record.problem(
                    "member", f"{key[1]!r} was not a member of the group on the day "
                    f"{key[0]!r} was made",
                )  # fmt: skip
                continue
            for name in ("status", "status_date"):
                if name in record.values and getattr(progress, name) != record.values[name]:
                    record.problem(
                        name, f"is {record.values[name]!s}, but the member's updates in the "
                        f"file lead to {getattr(progress, name)!s}",
                    )  # fmt: skip
        if "member_progress" in self.records:
            for key in sorted(set(written) - listed):
                self.notes.append(
                    f"{key[0]}: the file lists no progress for member {key[1]!r}, a member "
                    "when it was made; it starts as not yet assessed."
                )

    def summary(self) -> str:
        counts = dict(self.counts)
        if any(self.member_counts.values()):
            counts.update(self.member_counts)
        return ", ".join(f"{n} {table if n != 1 else table[:-1]}" for table, n in counts.items())


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
        problems = Problems(path, chain.from_iterable(records.values()))
        with all_or_nothing(dry_run):
            importer.run()
            for note in importer.notes:
                self.stdout.write(self.style.WARNING(f"{path}: {note}"))
            problems.raise_if_any(self.stderr)
        if dry_run:
            self.stdout.write(f"{path}: would import {importer.summary()}. Nothing was written.")
            return
        state = "published" if publish else "drafts, to review and publish in the admin"
        self.stdout.write(self.style.SUCCESS(f"{path}: imported {importer.summary()} ({state})."))
