"""The file layer the three importers share: reading, records, problems, dry runs.

`import_commitments`, `import_member_progress` and `load_sources` each read a file, check every
record and write all or nothing. What they have in common lives here, so a file is read, a
record named and a refusal worded the same way by each. What a record may say (the chain rules,
the status a commitment's members work out to, writing through `Commitment.save_edit()`) stays
in each command and in the models.

django-import-export was weighed for this layer and declined. Its tablib readers pad a short
CSV row with empty cells, skip blank lines and number rows by data row, not by the line an
editor sees (a quoted cell may span lines); they read JSON only as one flat table, while the
dataset is nine tables in one object and load_sources reads Django fixtures. Its widgets take
1.5, True and "7_000" as whole numbers and 01/04/2026 as a date, all of which the formats
refuse. The rules that matter (chains, statuses, save_edit()) would stay in the commands
either way: it would replace only this module's reader, and add an admin import screen,
tablib and diff-match-patch.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import CommandError, OutputWrapper

from tracker.versions import ContentVersion


@dataclass(eq=False)
class Record:
    """One record of a file: where it is, what it says, and what is wrong with it."""

    where: str  # "line 7", "commitments record 3": how an editor finds it in the file
    raw: Any  # as the file has it: a row's cells, or any JSON value
    name: str = ""  # what it is, beside where: its slug, say
    values: dict[str, Any] = field(default_factory=dict)  # what the command read from `raw`
    problems: list[str] = field(default_factory=list)
    # Fields already reported, so checking the rest does not report them again.
    bad_fields: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"{self.where} ({self.name})" if self.name else self.where

    def problem(self, field: str | None, message: str) -> None:
        """Note what is wrong with a field, or with the whole record when `field` is None."""
        if field is None:
            self.problems.append(message)
        else:
            self.bad_fields.add(field)
            self.problems.append(f"{field}: {message}")

    def report(
        self,
        error: ValidationError,
        field: str | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> None:
        """Note a model's refusal, each message against the field it names.

        A message naming no field (a rule about the whole record) goes against `field`.
        `columns` gives the file's name for a model field where the two differ.
        """
        if hasattr(error, "error_dict"):
            errors = error.message_dict
        else:
            errors = {NON_FIELD_ERRORS: error.messages}
        for name, messages in errors.items():
            name = field if name == NON_FIELD_ERRORS else (columns or {}).get(name, name)
            for message in messages:
                self.problem(name, message)


def plain(text: str) -> str:
    """Text fit for a message: on one line, invisible characters spelled out, not too long."""
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return f"{text[:60]}…" if len(text) > 60 else text


def numbered(items: list, what: str = "record") -> list[Record]:
    """A record for each item of a JSON list, named by its place: "record 1", "record 2"…"""
    return [Record(f"{what} {n}", item) for n, item in enumerate(items, 1)]


class Problems:
    """Every problem found in a file, listed record by record in the file's order.

    The checks run in whatever order the rules need (a commitment's history after the
    commitment), so problems are kept on their records: the report reads top to bottom like
    the file, and one error ends the run.
    """

    def __init__(self, path: Path, records: Iterable[Record]) -> None:
        self.path = path
        self.records = list(records)

    def __iter__(self) -> Iterator[str]:
        return (f"{record}: {problem}" for record in self.records for problem in record.problems)

    def __bool__(self) -> bool:
        return any(record.problems for record in self.records)

    def raise_if_any(self, stderr: OutputWrapper | None = None) -> None:
        """Raise one CommandError if any record has a problem: in the caller's transaction, it
        undoes every write.

        With `stderr`, each problem is written there on its own line, named with the file, and
        the error counts them: an importer's report can run to hundreds of lines. Without, the
        error lists them itself, as load_sources always has.
        """
        problems = list(self)
        if not problems:
            return
        if stderr is None:
            raise CommandError(f"{self.path}: nothing loaded:\n" + "\n".join(problems))
        for problem in problems:
            stderr.write(f"{self.path}: {problem}")
        raise CommandError(
            f"{self.path}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found; "
            "nothing was imported."
        )


@contextmanager
def all_or_nothing(dry_run: bool = False) -> Iterator[None]:
    """One transaction for a whole file: an error undoes every write, and so does a dry run.

    A dry run writes everything too, then rolls it back: the rules that look at saved rows (a
    quote against its source, an update against the history before it) check it as they would
    a real import.
    """
    try:
        # One write: the content version moves on once, at the end, and not for a dry run.
        with ContentVersion.one_write():
            yield
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


class _DryRun(Exception):
    """Undoes a dry run's writes, the content version's included."""


def read_text(path: Path) -> str:
    """The file's text, UTF-8 with or without a byte order mark; CommandError naming the file."""
    try:
        # Bytes decoded as they are: reading in text mode would turn a carriage return inside
        # a quoted CSV cell into a line feed.
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
    # UTF-16 has a byte order mark, or a NUL beside the first character if that is ASCII. A NUL
    # further on is a character of a UTF-8 text, which the checks name by line and field.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:2]:
        raise CommandError(f"{path}: is not UTF-8 text (it looks like UTF-16): save it as UTF-8.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path}: is not UTF-8 text (byte {data[error.start]:#04x} at position "
            f"{error.start}): save it as UTF-8."
        ) from None


def read_json(path: Path) -> Any:
    """The file's JSON value; CommandError naming the file, and the line where JSON breaks."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: not valid JSON, line {error.lineno}: {error.msg}.") from None
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, [[[[…]]]] nested deep
        raise CommandError(f"{path}: not valid JSON: {error}.") from None


def read_csv(
    path: Path, required: Iterable[str], allowed: Collection[str] | None = None
) -> list[Record]:
    """A record for each row of a CSV file with a header, named by the line it starts on.

    The file is refused, naming it and the line, if it is empty, lacks a `required` column, has
    one not `allowed` (when given), or is not CSV. A row with more or fewer cells than the
    header has a problem; its cells are left unread.
    """
    text = read_text(path)
    # newline="": only the CSV's own line ends (CR, LF, CRLF) end a line, and only outside
    # quotes do they end a record. str.splitlines() would also split on U+2028, \x0b, \x0c
    # and others that a cell may hold unquoted.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    line = 1  # where the record being read starts
    records = []
    try:
        if not reader.fieldnames:
            raise CommandError(f"{path}: the file is empty.")
        missing = [name for name in required if name not in reader.fieldnames]
        if missing:
            raise CommandError(f"{path}: line 1: missing column(s): {', '.join(missing)}.")
        if allowed is not None:
            unknown = [name for name in reader.fieldnames if name not in allowed]
            if unknown:
                raise CommandError(f"{path}: line 1: unknown column(s): {', '.join(unknown)}.")
        ragged = f"has a different number of cells from the header's {len(reader.fieldnames)}."
        line = reader.line_num + 1
        for cells in reader:
            record = Record(f"line {line}", cells)
            if None in cells or None in cells.values():
                record.problem(None, ragged)
            records.append(record)
            # A quoted cell may span lines: the next record starts after this one's last line.
            line = reader.line_num + 1
    except csv.Error as error:
        raise CommandError(f"{path}: line {line}: not valid CSV ({error}).") from None
    return records
