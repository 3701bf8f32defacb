"""Import member states' statuses on commitments from a spreadsheet (CSV), all or nothing.

Columns (docs/data.md): commitment (slug), member (slug), status, as_of (YYYY-MM-DD), note,
evidence_url, basis, and optionally public (true/false; true when absent or empty). Each row
becomes one update of that member's history on that commitment, recorded through
Commitment.save_edit(), the admin's own write path, so every rule of the admin applies.

Every row is checked before anything is kept: the rows are written in one transaction, each
commitment's rows in one save_edit() call, and if any row is refused (here or by the model)
every problem is reported by line and column and the transaction is rolled back.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.importing import Problems, Record, all_or_nothing, read_csv
from tracker.models import (
    Basis,
    Commitment,
    EditConflict,
    MemberState,
    MemberUpdatesInvalid,
    Status,
)
from tracker.validators import validate_plain_text

COLUMNS = ["commitment", "member", "status", "as_of", "note", "evidence_url", "basis"]
OPTIONAL = ["public"]
TRUE, FALSE = {"", "true", "yes", "1"}, {"false", "no", "0"}


def _check(records: list[Record]) -> None:
    """What can be checked cell by cell, and the lookups; the rules are save_edit()'s.

    A good row's values are its commitment and the member update save_edit() takes.
    """
    # A row of the wrong length has nothing more to check.
    rows = [
        (record, {name: value.strip() for name, value in record.raw.items()})
        for record in records
        if not record.problems
    ]
    commitments = {
        c.slug: c
        for c in Commitment.objects.select_related("source").filter(
            slug__in=[cells["commitment"] for _record, cells in rows]
        )
    }
    members = {
        m.slug: m
        for m in MemberState.objects.filter(slug__in=[cells["member"] for _record, cells in rows])
    }
    seen: dict[tuple[str, str], Record] = {}
    for row, cells in rows:
        plain = True
        for name, value in cells.items():
            try:
                validate_plain_text(value)
            except ValidationError as error:
                row.problem(name, error.messages[0])
                plain = False
        if not plain:
            continue  # never look up text with control characters (PostgreSQL refuses NUL)
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
        key = (cells["commitment"], cells["member"])
        if key in seen:
            row.problem(
                "member",
                f"“{cells['member']}” on “{cells['commitment']}” is also on {seen[key].where}: "
                "give each member state one row per commitment.",
            )
        seen.setdefault(key, row)
        row.values = {
            "commitment": commitment,
            "member": member,
            "status": cells["status"],
            "as_of": as_of,
            "note": cells["note"],
            "evidence_url": cells["evidence_url"],
            "basis": cells["basis"],
            "is_public": public in TRUE,
        }


def _write(records: list[Record]) -> None:
    """Record every commitment's rows through save_edit(); what it refuses goes on the rows."""
    by_commitment: dict[int, list[Record]] = {}
    for record in records:
        by_commitment.setdefault(record.values["commitment"].pk, []).append(record)
    for rows in by_commitment.values():
        commitment = rows[0].values["commitment"]
        updates = [
            {name: value for name, value in row.values.items() if name != "commitment"}
            for row in rows
        ]
        try:
            # Its own savepoint: a refused commitment leaves the others to be checked too.
            commitment.save_edit(member_updates=updates)
        except MemberUpdatesInvalid as invalid:
            by_member = {row.values["member"].pk: row for row in rows}
            for member, error in invalid.by_member.items():
                # An error about the commitment as a whole is on each of its rows.
                for row in [by_member[member.pk]] if member else rows:
                    row.report(
                        error,
                        field="member" if member else "commitment",
                        columns={"is_public": "public"},
                    )
        except EditConflict as conflict:  # somebody saved while this ran: nothing is kept
            rows[0].problem(None, str(conflict))


class Command(BaseCommand):
    help = (
        "Record member states' statuses from a CSV (columns: commitment, member, status, as_of, "
        "note, evidence_url, basis, public), through the admin's write path. Every row is "
        "checked; a file with any problem is reported line by line and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        records = read_csv(path, COLUMNS, allowed=COLUMNS + OPTIONAL)
        if not records:
            raise CommandError(f"{path}: contains no rows.")
        for record in records:
            # This command has always named a column in each message, an empty one for the
            # row as a whole; tests/test_import_member_progress.py expects that text.
            record.problems = [f": {problem}" for problem in record.problems]
        _check(records)
        problems = Problems(path, records)
        with all_or_nothing(dry_run):
            if not problems:
                _write(records)
            problems.raise_if_any(self.stderr)
        commitments = len({record.values["commitment"].pk for record in records})
        summary = (
            f"{len(records)} member status{'es' if len(records) != 1 else ''} on "
            f"{commitments} commitment{'s' if commitments != 1 else ''}"
        )
        if dry_run:
            self.stdout.write(f"{path}: would record {summary}. Nothing was written.")
            return
        self.stdout.write(self.style.SUCCESS(f"{path}: recorded {summary}."))
