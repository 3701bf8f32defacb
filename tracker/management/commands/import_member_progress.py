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

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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


@dataclass
class Row:
    line: int
    cells: dict[str, str]
    problems: list[str] = field(default_factory=list)
    commitment: Commitment | None = None
    member: MemberState | None = None
    update: dict = field(default_factory=dict)

    def problem(self, column: str, message: str) -> None:
        self.problems.append(f"line {self.line}: {column}: {message}")


def _read(path: Path) -> list[Row]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: is not UTF-8 text: save it as UTF-8 CSV.") from None
    # Not splitlines(): it also breaks at \v, \f and other characters a cell may hold, which
    # the checks below must see to name them.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise CommandError(f"{path}: the file is empty.")
    missing = [name for name in COLUMNS if name not in reader.fieldnames]
    if missing:
        raise CommandError(f"{path}: line 1: missing column(s): {', '.join(missing)}.")
    unknown = [n for n in reader.fieldnames if n not in COLUMNS + OPTIONAL]
    if unknown:
        raise CommandError(f"{path}: line 1: unknown column(s): {', '.join(unknown)}.")
    rows, line = [], reader.line_num + 1
    for cells in reader:
        row = Row(line, {})
        if None in cells or None in cells.values():
            row.problem(
                "", f"has a different number of cells from the header's {len(reader.fieldnames)}."
            )
        else:
            row.cells = {name: value.strip() for name, value in cells.items()}
        rows.append(row)
        # A quoted cell may span lines: the next row starts after this one's last line.
        line = reader.line_num + 1
    return rows


def _check(rows: list[Row]) -> None:
    """What can be checked cell by cell, and the lookups; the rules are save_edit()'s."""
    commitments = {
        c.slug: c
        for c in Commitment.objects.select_related("source").filter(
            slug__in=[r.cells.get("commitment", "") for r in rows]
        )
    }
    members = {
        m.slug: m
        for m in MemberState.objects.filter(slug__in=[r.cells.get("member", "") for r in rows])
    }
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.cells:
            continue
        plain = True
        for name, value in row.cells.items():
            try:
                validate_plain_text(value)
            except ValidationError as error:
                row.problem(name, error.messages[0])
                plain = False
        if not plain:
            continue  # never look up text with control characters (PostgreSQL refuses NUL)
        cells = row.cells
        row.commitment = commitments.get(cells["commitment"])
        if row.commitment is None:
            row.problem("commitment", f"no commitment “{cells['commitment']}”.")
        row.member = members.get(cells["member"])
        if row.member is None:
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
                f"“{cells['member']}” on “{cells['commitment']}” is also on line {seen[key]}: "
                "give each member state one row per commitment.",
            )
        seen.setdefault(key, row.line)
        row.update = {
            "member": row.member,
            "status": cells["status"],
            "as_of": as_of,
            "note": cells["note"],
            "evidence_url": cells["evidence_url"],
            "basis": cells["basis"],
            "is_public": public in TRUE,
        }


def _write(rows: list[Row]) -> list[str]:
    """Record every commitment's rows through save_edit(); the problems it found, by line."""
    problems: list[tuple[int, str]] = []
    by_commitment: dict[int, list[Row]] = {}
    for row in rows:
        by_commitment.setdefault(row.commitment.pk, []).append(row)
    for commitment_rows in by_commitment.values():
        commitment = commitment_rows[0].commitment
        try:
            # Its own savepoint: a refused commitment leaves the others to be checked too.
            commitment.save_edit(member_updates=[row.update for row in commitment_rows])
        except MemberUpdatesInvalid as invalid:
            lines = {row.member.pk: row.line for row in commitment_rows}
            for member, error in invalid.by_member.items():
                if hasattr(error, "error_dict"):
                    items = error.message_dict.items()
                else:
                    items = [("member" if member else "commitment", error.messages)]
                for line in [lines[member.pk]] if member else sorted(lines.values()):
                    for column, messages in items:
                        column = "public" if column == "is_public" else column
                        problems.extend((line, f"line {line}: {column}: {m}") for m in messages)
        except EditConflict as conflict:  # somebody saved while this ran: nothing is kept
            problems.append((commitment_rows[0].line, str(conflict)))
    return [message for _line, message in sorted(problems, key=lambda p: p[0])]


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
        rows = _read(path)
        if not rows:
            raise CommandError(f"{path}: contains no rows.")
        _check(rows)
        problems = [p for row in rows for p in row.problems]
        with transaction.atomic():
            if not problems:
                problems = _write(rows)
            if problems:
                transaction.set_rollback(True)
                for problem in problems:
                    self.stderr.write(f"{path}: {problem}")
                raise CommandError(
                    f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                    "found; nothing was imported."
                )
            commitments = len({row.commitment.pk for row in rows})
            summary = (
                f"{len(rows)} member status{'es' if len(rows) != 1 else ''} on "
                f"{commitments} commitment{'s' if commitments != 1 else ''}"
            )
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write(f"{path}: would record {summary}. Nothing was written.")
                return
        self.stdout.write(self.style.SUCCESS(f"{path}: recorded {summary}."))
