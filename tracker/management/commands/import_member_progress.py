"""Import member states' statuses on commitments from a spreadsheet (CSV), all or nothing.

Columns (docs/data.md): commitment (slug), member (slug), status, as_of (YYYY-MM-DD), note,
evidence_url, basis, and optionally public (true/false; true when absent or empty),
note_language (en, vi or id; en when absent or empty) and note_translation_en, _vi, _id. Each row
becomes one update of that member's history on that commitment, recorded through
Commitment.save_edit(), the admin's own write path.

The file is read twice, a batch of rows at a time, and never held whole. The first pass checks
every row with the rules save_edit() applies (StatusUpdate.full_clean() against that member's
saved history, the commitment tracked member by member) and writes nothing: that is all a dry
run does. If any row has a problem, every problem is reported by line and column and nothing is
written. Otherwise the second pass records the rows, each commitment's rows of a batch in one
save_edit() call, in one transaction; save_edit() is told the rows were checked at the version
each commitment had then (validated=True), and refuses the whole file if anybody saved one of
them since.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.edits import KNOWN_TO_EXIST
from tracker.importing import (
    CsvRows,
    InputFile,
    ModelRules,
    Problems,
    Progress,
    Record,
    all_or_nothing,
)
from tracker.models import (
    Basis,
    Commitment,
    EditConflict,
    MemberProgress,
    MemberState,
    MemberUpdatesInvalid,
    Status,
    StatusUpdate,
)
from tracker.validators import validate_plain_text

COLUMNS = ["commitment", "member", "status", "as_of", "note", "evidence_url", "basis"]
TRANSLATIONS = ["note_translation_en", "note_translation_vi", "note_translation_id"]
OPTIONAL = ["public", "note_language", *TRANSLATIONS]
TRUE, FALSE = {"", "true", "yes", "1"}, {"false", "no", "0"}
# Rows read, looked up and checked together: a few queries per batch, not per row.
BATCH = 500
# What a commitment's rows need: the rules name it by title and date it by its source.
COMMITMENT_FIELDS = ("slug", "title", "member_group", "version", "source__event_date")


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    records = iter(records)
    while batch := list(islice(records, BATCH)):
        yield batch


def _cells(record: Record) -> dict[str, str]:
    return {name: value.strip() for name, value in record.raw.items()}


def _commitments(slugs: Iterable[str]) -> dict[str, Commitment]:
    found = Commitment.objects.select_related("source").only(*COMMITMENT_FIELDS)
    return {c.slug: c for c in found.filter(slug__in=set(slugs))}


def _members(slugs: Iterable[str]) -> dict[str, MemberState]:
    return {m.slug: m for m in MemberState.objects.filter(slug__in=set(slugs))}


class Check:
    """The first pass: every row checked, nothing written. What the second pass needs is
    kept, compactly: each commitment's version when its rows were checked."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.rules = ModelRules()
        self.rows = 0
        # (commitment, member) as the file names them -> the line that gave them first.
        self.seen: dict[tuple[str, str], str] = {}
        self.versions: dict[int, int] = {}

    def batch(self, records: list[Record]) -> None:
        self.rows += len(records)
        # A row of the wrong length has nothing more to check.
        rows = [(record, _cells(record)) for record in records if not record.problems]
        plain_rows = []
        for record, cells in rows:
            for name, value in cells.items():
                try:
                    validate_plain_text(value)
                except ValidationError as error:
                    record.problem(name, error.messages[0])
            if not record.problems:
                # Only text without control characters is looked up (PostgreSQL refuses NUL).
                plain_rows.append((record, cells))
        commitments = _commitments(cells["commitment"] for _record, cells in plain_rows)
        members = _members(cells["member"] for _record, cells in plain_rows)
        progress = self._progress(commitments, members)
        for record, cells in plain_rows:
            self._row(record, cells, commitments, members, progress)
        for record in records:
            self.problems.add(record)

    @staticmethod
    def _progress(commitments: dict, members: dict) -> dict[tuple[int, int], str]:
        """Each member's status now on each commitment of the batch: its next update's
        previous status, as save_edit() records it."""
        rows = MemberProgress.objects.filter(
            commitment__in=list(commitments.values()), member__in=list(members.values())
        ).order_by()
        return {
            (c, m): status for c, m, status in rows.values_list("commitment", "member", "status")
        }

    def _row(self, row: Record, cells: dict, commitments: dict, members: dict, progress) -> None:
        commitment = commitments.get(cells["commitment"])
        if commitment is None:
            row.problem("commitment", f"no commitment “{cells['commitment']}”.")
        member = members.get(cells["member"])
        if member is None:
            row.problem(
                "member", f"no member state “{cells['member']}”: use its slug, e.g. viet-nam."
            )
        if cells["status"] not in Status.values:
            row.problem("status", f"“{cells['status']}” is not one of {', '.join(Status.values)}.")
        try:
            as_of = datetime.date.fromisoformat(cells["as_of"])
        except ValueError:
            row.problem("as_of", f"“{cells['as_of']}” is not a date like 2026-03-31.")
            as_of = None
        if cells["basis"] not in Basis.values:
            row.problem("basis", f"“{cells['basis']}” is not one of {', '.join(Basis.values)}.")
        public = cells.get("public", "").lower()
        if public not in TRUE | FALSE:
            row.problem("public", f"“{cells['public']}” is not true or false.")
        # Interned: a commitment's slug is kept once, however many rows name it.
        key = (sys.intern(cells["commitment"]), sys.intern(cells["member"]))
        if key in self.seen:
            row.problem(
                "member",
                f"“{cells['member']}” on “{cells['commitment']}” is also on {self.seen[key]}: "
                "give each member state one row per commitment.",
            )
        self.seen.setdefault(key, row.where)
        if row.problems:
            return
        self.versions.setdefault(commitment.pk, commitment.version)
        update = _update(cells, as_of)
        if commitment.member_group_id is None:
            # save_edit() refuses member updates on such a commitment before anything else;
            # that rule is its own (it raises before it reads or writes anything).
            try:
                commitment._record_member_updates([{**update, "member": member}], user=None)
            except MemberUpdatesInvalid as invalid:
                for error in invalid.by_member.values():
                    row.report(error, field="commitment")
            return
        entry = StatusUpdate(
            commitment=commitment,
            member=member,
            previous_status=progress.get((commitment.pk, member.pk), Status.NOT_ASSESSED),
            **update,
        )
        try:
            # As save_edit() checks each member update: against that member's saved history.
            self.rules.full_clean(entry, exclude=KNOWN_TO_EXIST)
        except ValidationError as error:
            row.report(error, field="member", columns={"is_public": "public"})


def _update(cells: dict[str, str], as_of: datetime.date) -> dict:
    """A row as the member update save_edit() takes (without its member)."""
    return {
        "status": cells["status"],
        "as_of": as_of,
        "note": cells["note"],
        # Spreadsheets written before notes had a language are English and untranslated.
        "note_language": cells.get("note_language") or "en",
        **{name: cells.get(name, "") for name in TRANSLATIONS},
        "evidence_url": cells["evidence_url"],
        "basis": cells["basis"],
        "is_public": cells.get("public", "").lower() in TRUE,
    }


def _write(records: list[Record], versions: dict[int, int]) -> list[str]:
    """Record a batch of checked rows, each commitment's in one save_edit() call."""
    rows = [(record, _cells(record)) for record in records]
    commitments = _commitments(cells["commitment"] for _record, cells in rows)
    members = _members(cells["member"] for _record, cells in rows)
    by_commitment: dict[str, list[dict]] = {}
    for _record, cells in rows:
        update = _update(cells, datetime.date.fromisoformat(cells["as_of"]))
        by_commitment.setdefault(cells["commitment"], []).append(
            {**update, "member": members[cells["member"]]}
        )
    problems = []
    for slug, updates in by_commitment.items():
        commitment = commitments[slug]
        try:
            commitment.save_edit(
                member_updates=updates, expected_version=versions[commitment.pk], validated=True
            )
        except EditConflict as conflict:  # somebody saved it after the check: nothing is kept
            problems.append(str(conflict))
            break
        versions[commitment.pk] += 1
    return problems


class Command(BaseCommand):
    help = (
        "Record member states' statuses from a CSV (columns: commitment, member, status, as_of, "
        "note, evidence_url, basis, public, note_language, note_translation_en, _vi, _id), "
        "through the admin's write path. Every row is "
        "checked first; a file with any problem is reported line by line and nothing is "
        "written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        source = InputFile(path)
        rows = CsvRows(source, COLUMNS, allowed=COLUMNS + OPTIONAL)
        progress = Progress(self.stderr, source, "rows")
        problems = Problems(path)
        check = Check(problems)
        try:
            for batch in _batches(rows.records(progress)):
                for record in batch:
                    # This command has always named a column in each message, an empty one
                    # for the row as a whole; tests/test_import_member_progress.py expects it.
                    record.problems = [f": {problem}" for problem in record.problems]
                check.batch(batch)
        finally:
            progress.done()
        if not check.rows:
            raise CommandError(f"{path}: contains no rows.")
        problems.raise_if_any(self.stderr)
        commitments = len(check.versions)
        summary = (
            f"{check.rows} member status{'es' if check.rows != 1 else ''} on "
            f"{commitments} commitment{'s' if commitments != 1 else ''}"
        )
        if dry_run:
            self.stdout.write(f"{path}: would record {summary}. Nothing was written.")
            return
        progress.begin_pass(writing=True)
        try:
            with all_or_nothing():
                for batch in _batches(rows.records(progress)):
                    if refused := _write(batch, check.versions):
                        raise CommandError(f"{path}: {refused[0]} Nothing was imported.")
        finally:
            progress.done()
        self.stdout.write(self.style.SUCCESS(f"{path}: recorded {summary}."))
