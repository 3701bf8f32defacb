"""The file layer the three importers share: reading, records, problems, progress.

`import_commitments`, `import_member_progress` and `load_sources` each read a file, check every
record and write all or nothing. What they have in common lives here, so a file is read, a
record named and a refusal worded the same way by each. What a record may say (the chain rules,
the status a commitment's members work out to, what is written) stays in each command and in
the models.

The two importers stream: a file is read record by record, as often as the command needs
(once to check, once more to write), and never held whole; what the rules across records need
is kept in compact form by the command. Memory is bounded by the limits below, whatever the
file's size. `load_sources` reads fixtures, a few records each, whole (read_json()).

django-import-export was weighed for this layer and declined. Its tablib readers pad a short
CSV row with empty cells, skip blank lines and number rows by data row, not by the line an
editor sees (a quoted cell may span lines); they read JSON only as one flat table, while the
dataset is nine tables in one object and load_sources reads Django fixtures. Its widgets take
1.5, True and "7_000" as whole numbers and 01/04/2026 as a date, all of which the formats
refuse. The rules that matter (chains, statuses, save_edit()) would stay in the commands
either way: it would replace only this module's reader, and add an admin import screen,
tablib and diff-match-patch.

An incremental JSON parser (ijson) was weighed for the dataset and not needed: the dataset is
an object of lists, and each record of a list is decoded by the standard library's own C
decoder (JSONDecoder.raw_decode()) straight from a window of the file; only the few brackets,
keys and commas around the records are read here. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import codecs
import csv
import heapq
import io
import json
import re
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.management.base import CommandError, OutputWrapper
from django.db import models

from tracker.versions import ContentVersion

# The most a CSV cell may hold, in characters: the csv module's own default limit, set
# explicitly while a file is read so nothing else in the process can change it. Every column
# the importers read has a lower limit of its own (the models' max_length and validators).
MAX_CELL = 128 * 1024
# The most one CSV row may hold, over however many lines its quoted cells span, and the most
# one line may hold: a file with no line break is refused at this size, not read whole.
MAX_ROW = 4 * 1024 * 1024
# The most one JSON record may hold, in characters: a source's full text is the longest value
# the formats carry (a whole report).
MAX_RECORD = 16 * 1024 * 1024
# Problems listed in a refusal, the first ones in the file's order; every one is counted.
MAX_LISTED = 1000
# Records read, checked or written between two looks at the clock for the progress line.
_PROGRESS_EVERY = 256


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
    # Its place in the file, for listing problems in the file's order: (table, number).
    order: tuple[int, int] = (0, 0)

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
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:200])
    return f"{text[:60]}…" if len(text) > 60 else text


def shown(value: Any) -> str:
    """A file's value as a message quotes it (repr, shortened), even one nested too deep."""
    try:
        return plain(repr(value))
    except RecursionError:
        return "a value nested too deeply"


def numbered(items: list, what: str = "record") -> list[Record]:
    """A record for each item of a JSON list, named by its place: "record 1", "record 2"…"""
    return [Record(f"{what} {n}", item, order=(0, n)) for n, item in enumerate(items, 1)]


class Problems:
    """Every problem found in a file, listed in the file's order however they were found.

    A streaming check finds some problems long after the record (a commitment's status is
    checked against the last of its updates, further on): each is kept with the record's
    place, and the list is sorted when it is given. Only the first MAX_LISTED are kept to be
    listed; all are counted.
    """

    def __init__(self, path: Path, records: Iterable[Record] = ()) -> None:
        self.path = path
        # Records whose problems are taken whenever the problems are asked for (load_sources
        # keeps its few records and notes problems on them as it goes).
        self.records = list(records)
        self.count = 0
        self._kept: list[tuple] = []  # a heap of (-place, message): the latest place on top
        self._n = 0

    def _take(self) -> None:
        for record in self.records:
            if record.problems:
                self.add(record)

    def add(self, record: Record) -> None:
        """Take the record's problems (and leave it none)."""
        for problem in record.problems:
            self.note(record.order, f"{record}: {problem}")
        record.problems = []

    def note(self, order: tuple, message: str) -> None:
        """A problem of the record at `order` (its Record.order)."""
        self.count += 1
        self._n += 1
        # Negated, so the heap's top is the problem furthest down the file: the one to drop.
        entry = (tuple(-n for n in order), -self._n, message)
        if len(self._kept) < MAX_LISTED:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    def __iter__(self) -> Iterator[str]:
        self._take()
        return (message for *_place, message in sorted(self._kept, reverse=True))

    def __bool__(self) -> bool:
        self._take()
        return self.count > 0

    def raise_if_any(self, stderr: OutputWrapper | None = None) -> None:
        """Raise one CommandError if any record has a problem: in the caller's transaction, it
        undoes every write.

        With `stderr`, each problem is written there on its own line, named with the file, and
        the error counts them: an importer's report can run to hundreds of lines. Without, the
        error lists them itself, as load_sources always has.
        """
        if not self:
            return
        problems = list(self)
        if self.count > len(problems):
            problems.append(f"… and {self.count - len(problems):,} more problems, not listed.")
        if stderr is None:
            raise CommandError(f"{self.path}: nothing loaded:\n" + "\n".join(problems))
        for problem in problems:
            stderr.write(f"{self.path}: {problem}")
        raise CommandError(
            f"{self.path}: {self.count:,} problem{'s' if self.count != 1 else ''} found; "
            "nothing was imported."
        )


@contextmanager
def all_or_nothing(dry_run: bool = False) -> Iterator[None]:
    """One transaction for a whole file: an error undoes every write, and so does a dry run.

    load_sources checks its few records by writing them; the importers check a whole file
    first, without writing, and use this only to write.
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


# Reading files.


class InputFile:
    """A UTF-8 file (with or without a byte order mark), opened as text as often as needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.size = path.stat().st_size
            with path.open("rb") as file:
                start = file.read(3)
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
        # UTF-16 has a byte order mark, or a NUL beside the first character if that is ASCII.
        # A NUL further on is a character of a UTF-8 text, which the checks name by line and
        # field.
        if start.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in start[:2]:
            raise CommandError(
                f"{path}: is not UTF-8 text (it looks like UTF-16): save it as UTF-8."
            )
        self.bom = len(codecs.BOM_UTF8) if start == codecs.BOM_UTF8 else 0
        self._binary: IO[bytes] | None = None
        self._stamp = self._stat()

    def _stat(self) -> tuple[int, int]:
        try:
            stat = self.path.stat()
        except OSError as error:
            raise CommandError(f"{self.path}: cannot be read ({error.strerror}).") from None
        return stat.st_size, stat.st_mtime_ns

    def check_unchanged(self) -> None:
        """CommandError if the file changed since it was opened: each pass must read what the
        check read."""
        if self._stat() != self._stamp:
            raise CommandError(
                f"{self.path}: changed while it was being imported; nothing was imported."
            )

    @contextmanager
    def text(self, at: int | None = None) -> Iterator[IO[str]]:
        """The file as text from byte `at` (default: its start, past the byte order mark).

        newline="": only the file's own line ends (CR, LF, CRLF) end a line, and none is
        changed: text mode's default would turn a CR inside a quoted CSV cell into a LF.
        """
        try:
            binary = self.path.open("rb")
        except OSError as error:
            raise CommandError(f"{self.path}: cannot be read ({error.strerror}).") from None
        binary.seek(self.bom if at is None else at)
        self._binary = binary
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="strict", newline="")
        try:
            yield text
        except UnicodeDecodeError:
            raise self.not_utf8() from None
        finally:
            self._binary = None
            text.close()

    def bytes_read(self) -> int:
        """How far the file being read has been read: for the progress line."""
        binary = self._binary
        return binary.tell() if binary is not None and not binary.closed else self.size

    def not_utf8(self) -> CommandError:
        """The refusal naming the file's first byte that is not UTF-8, and where it is."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = self.bom
        with self.path.open("rb") as binary:
            binary.seek(offset)
            while True:
                chunk = binary.read(1 << 20)
                pending = decoder.getstate()[0]
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as error:
                    at = offset - len(pending) + error.start
                    data = pending + chunk
                    return CommandError(
                        f"{self.path}: is not UTF-8 text (byte {data[error.start]:#04x} at "
                        f"position {at}): save it as UTF-8."
                    )
                if not chunk:
                    return CommandError(f"{self.path}: is not UTF-8 text: save it as UTF-8.")
                offset += len(chunk)


def read_text(path: Path) -> str:
    """The whole file's text (a fixture's: load_sources), named as the importers name it."""
    source = InputFile(path)
    with source.text() as text:
        return text.read()


def read_json(path: Path) -> Any:
    """The whole file's JSON value; CommandError naming the file, and where JSON breaks.

    Objects are JsonObject: a key given twice is kept in `duplicates`, for the caller to
    refuse by record.
    """
    text = read_text(path)
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: not valid JSON, line {error.lineno}: {error.msg}.") from None
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, [[[[…]]]] nested deep
        raise CommandError(f"{path}: not valid JSON: {error}.") from None


class JsonObject(dict):
    """A JSON object as read: a dict (the last value of a key given twice), and the keys given
    more than once, which a format refuses: a duplicated key is a copy-and-paste mistake, and
    quietly taking one of the two values hides it."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_object)
_SPACE = re.compile(r"[ \t\n\r]*")


class JsonTables:
    """A JSON file holding one object whose values are tables (lists of records), read one
    record at a time: `header()` reads the object's other values, `records(table)` one table.

    Each record is decoded with the standard library's C decoder from a window of the file
    that holds it; only the brackets, keys and commas between records are read here. Memory is
    bounded by MAX_RECORD, whatever the file's size.
    """

    CHUNK = 1 << 20

    def __init__(self, source: InputFile) -> None:
        self.source = source
        self.path = source.path
        # Per table: its place among the tables, and the byte its "[" is at; other values.
        self.tables: dict[str, tuple[int, int]] = {}
        self.values: dict[str, Any] = {}
        self.not_an_object: Any = None

    def read_layout(self, progress: Progress | None = None) -> None:
        """One pass over the file: where each table starts, and every other value.

        CommandError if the file is not JSON, not an object, or gives a key twice; every
        record is decoded, so a later pass finds no JSON broken.
        """
        with self.source.text() as text:
            reader = _JsonReader(text, self.path)
            if reader.peek() != "{":
                # Not an object: read whole (it is refused), to say whether it is JSON at all.
                self.not_an_object = reader.value("the file's value")
                reader.end()
                return
            reader.take("{")
            for key in reader.object_keys():
                if key in self.tables or key in self.values:
                    raise CommandError(
                        f"{self.path}: line {reader.line()}: the key {key!r} is given twice in "
                        "the file's object: give each table once."
                    )
                if reader.peek() == "[":
                    self.tables[key] = (len(self.tables), reader.byte_offset(self.source))
                    for _record in reader.items(key):
                        if progress is not None:
                            progress.step()
                else:
                    self.values[key] = reader.value(f"the value of {key!r}")
            reader.end()

    def records(self, table: str, progress: Progress | None = None) -> Iterator[Record]:
        """The records of `table`, each named "<table> record <n>", read from the file."""
        place, offset = self.tables[table]
        with self.source.text(at=offset) as text:
            reader = _JsonReader(text, self.path, line=None)
            for n, raw in enumerate(reader.items(table), 1):
                yield Record(f"{table} record {n}", raw, order=(place, n))
                if progress is not None:
                    progress.step()


class _JsonReader:
    """The structure around the records: whitespace, brackets, keys, commas; each value
    decoded whole by the C decoder from the buffer, which is refilled as needed."""

    def __init__(self, text: IO[str], path: Path, line: int | None = 1) -> None:
        self.text, self.path = text, path
        self.buffer, self.pos, self.eof = "", 0, False
        # The line the buffer starts on; None when reading from the middle of the file (a
        # table, after the layout found every problem of its structure).
        self.first_line = line
        self.bytes_before = 0  # bytes of the file before the buffer (from where reading began)

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.text.read(JsonTables.CHUNK)
        if not chunk:
            self.eof = True
            return False
        done = self.buffer[: self.pos]
        if self.first_line is not None:
            self.first_line += done.count("\n")
            self.bytes_before += len(done.encode("utf-8", "surrogatepass"))
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def line(self, pos: int | None = None) -> int | str:
        if self.first_line is None:
            return "?"
        return self.first_line + self.buffer.count("\n", 0, self.pos if pos is None else pos)

    def byte_offset(self, source: InputFile) -> int:
        """The byte of the file at the reading position."""
        return (
            source.bom
            + self.bytes_before
            + len(self.buffer[: self.pos].encode("utf-8", "surrogatepass"))
        )

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer) or not self._more():
                return self.buffer[self.pos : self.pos + 1]

    def _broken(self, expected: str) -> CommandError:
        found = self.buffer[self.pos : self.pos + 1]
        what = f"found {found!r}" if found else "the file ends"
        return CommandError(
            f"{self.path}: not valid JSON, line {self.line()}: expected {expected}, {what}."
        )

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise self._broken(repr(char))
        self.pos += 1

    def object_keys(self) -> Iterator[str]:
        """The keys of the object just opened, each followed by its value (read by the caller)."""
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self._broken("a key in double quotes")
            key = self.value("a key")
            self.take(":")
            yield key
            if self.peek() == ",":
                self.pos += 1
                continue
            self.take("}")
            return

    def items(self, table: str) -> Iterator[Any]:
        """The items of the list whose "[" is next."""
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        n = 0
        while True:
            n += 1
            self.peek()
            yield self.value(f"{table} record {n}")
            if self.peek() == ",":
                self.pos += 1
                continue
            self.take("]")
            return

    def value(self, what: str) -> Any:
        """The JSON value at the reading position, decoded whole."""
        while True:
            self.peek()
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                # Cut short by the end of the buffer (a string starting before it), or broken?
                cut = error.pos >= len(self.buffer) - 16 or error.msg.startswith("Unterminated")
                if cut and self._fits(what) and self._more():
                    continue
                raise CommandError(
                    f"{self.path}: not valid JSON, line {self.line(error.pos)}: {error.msg}."
                ) from None
            except RecursionError:
                raise CommandError(
                    f"{self.path}: not valid JSON: {what} is nested too deeply."
                ) from None
            except ValueError as error:  # a 5,000-digit number
                raise CommandError(f"{self.path}: not valid JSON: {error} ({what}).") from None
            # A number at the very end of the buffer may go on in the next chunk.
            if end == len(self.buffer) and self._fits(what) and self._more():
                continue
            self.pos = end
            return value

    def _fits(self, what: str) -> bool:
        if len(self.buffer) - self.pos <= MAX_RECORD:
            return True
        raise CommandError(
            f"{self.path}: line {self.line()}: {what} is longer than {MAX_RECORD:,} characters, "
            "the most one record may hold."
        )

    def end(self) -> None:
        if self.peek():
            raise self._broken("the end of the file after the object")


class CsvRows:
    """A CSV file with a header: checked when made, then its rows read as often as needed.

    The file is refused, naming it and line 1, if it is empty, gives a column twice, lacks a
    `required` column, or has one not `allowed` (when given).
    """

    def __init__(
        self, source: InputFile, required: Iterable[str], allowed: Collection[str] | None = None
    ) -> None:
        self.source = source
        self.path = source.path
        with self.source.text() as text, _cell_limit():
            lines = _Lines(text, self.path)
            try:
                header = next(csv.reader(lines), None)
            except csv.Error as error:
                raise CommandError(f"{self.path}: line 1: not valid CSV ({error}).") from None
            except _TooLong:
                raise CommandError(
                    f"{self.path}: line 1: longer than {MAX_ROW:,} characters, the most one row "
                    "may hold."
                ) from None
        if not header:
            raise CommandError(f"{self.path}: the file is empty.")
        twice = list(dict.fromkeys(name for n, name in enumerate(header) if name in header[:n]))
        if twice:
            raise CommandError(
                f"{self.path}: line 1: column(s) given more than once: {', '.join(twice)}. "
                "Give each column once."
            )
        missing = [name for name in required if name not in header]
        if missing:
            raise CommandError(f"{self.path}: line 1: missing column(s): {', '.join(missing)}.")
        if allowed is not None:
            unknown = [name for name in header if name not in allowed]
            if unknown:
                raise CommandError(f"{self.path}: line 1: unknown column(s): {', '.join(unknown)}.")
        self.header = header

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def records(self, progress: Progress | None = None) -> Iterator[Record]:
        """A record for each row, named by the line it starts on. A row with more or fewer
        cells than the header has a problem; its cells are left unread."""
        width = len(self.header)
        ragged = f"has a different number of cells from the header's {width}."
        with self.source.text() as text, _cell_limit():
            lines = _Lines(text, self.path)
            reader = csv.reader(lines)
            line = 1  # where the record being read starts
            try:
                next(reader)
                line = reader.line_num + 1
                for cells in reader:
                    if not cells:  # a blank line, as csv.DictReader skips it
                        line = reader.line_num + 1
                        lines.row_starts()
                        continue
                    record = Record(f"line {line}", None, order=(0, line))
                    if len(cells) != width:
                        record.problem(None, ragged)
                        record.raw = {}
                    else:
                        record.raw = dict(zip(self.header, cells, strict=True))
                    yield record
                    if progress is not None:
                        progress.step()
                    # A quoted cell may span lines: the next record starts after this one's.
                    line = reader.line_num + 1
                    lines.row_starts()
            except csv.Error as error:
                raise CommandError(f"{self.path}: line {line}: not valid CSV ({error}).") from None
            except _TooLong:
                raise CommandError(
                    f"{self.path}: line {line}: a row longer than {MAX_ROW:,} characters, the "
                    "most one row may hold."
                ) from None


class _TooLong(Exception):
    pass


class _Lines:
    """The file's lines for the csv module, each with its line end, none longer than MAX_ROW,
    and no row (over the lines it spans) longer either: a file with no line break is not read
    whole."""

    def __init__(self, text: IO[str], path: Path) -> None:
        self.text, self.path, self.in_row = text, path, 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_ROW + 1)
        if not line:
            raise StopIteration
        self.in_row += len(line)
        if self.in_row > MAX_ROW:
            raise _TooLong
        return line

    def row_starts(self) -> None:
        self.in_row = 0


@contextmanager
def _cell_limit() -> Iterator[None]:
    previous = csv.field_size_limit(MAX_CELL)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


# Checking records with the models' rules.


class ModelRules:
    """full_clean() for many records of one model, costing few queries.

    A model's CheckConstraints are checked by the database, one query each, each time. The
    simple ones (a value among choices, a text's length) are decided here instead, as the
    database decides them; any other is asked of the database once for each set of values of
    the fields it names. Uniqueness is checked by the caller, many records at a time.
    """

    def __init__(self) -> None:
        self._outcomes: dict[tuple, ValidationError | None] = {}

    def full_clean(self, obj: models.Model, exclude: Iterable[str] = ()) -> None:
        """obj.full_clean(exclude), uniqueness aside; ValidationError as it raises it."""
        exclude = set(exclude)
        errors: dict[str, list] = {}
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # As full_clean() does: constraints only on the fields that passed.
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        for constraint in obj._meta.constraints:
            condition = getattr(constraint, "condition", None)
            if not isinstance(constraint, models.CheckConstraint) or condition is None:
                continue
            if constraint.name in getattr(obj, "CHECKED_BY_CLEAN", ()):  # by full_clean()
                continue
            names = sorted(condition.referenced_base_fields)
            if exclude & set(names):
                continue
            if (error := self._check(constraint, condition, names, obj, exclude)) is not None:
                errors.setdefault(NON_FIELD_ERRORS, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)

    def _check(self, constraint, condition, names, obj, exclude) -> ValidationError | None:
        decided = _decide(condition, obj)
        if decided is not None:
            if decided:
                return None
            return ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
        key = (type(obj), constraint.name, *(getattr(obj, name, None) for name in names))
        if key not in self._outcomes:
            if len(self._outcomes) > 10_000:  # values that hardly repeat: keep memory flat
                self._outcomes.clear()
            try:
                constraint.validate(type(obj), obj, exclude=exclude)
                self._outcomes[key] = None
            except ValidationError as error:
                self._outcomes[key] = error
        return self._outcomes[key]


# Lookups a CheckConstraint's condition may use that are decided here as SQL decides them.
_LOOKUPS = {
    "exact": lambda value, arg: value == arg,
    "in": lambda value, arg: value in arg,
    "length__lte": lambda value, arg: len(value) <= arg,
    "length__lt": lambda value, arg: len(value) < arg,
    "length__gte": lambda value, arg: len(value) >= arg,
    "length__gt": lambda value, arg: len(value) > arg,
}


def _decide(condition, obj: models.Model) -> bool | None:
    """Whether `obj` meets a constraint's condition, or None when only the database can say
    (another lookup, a relation, an expression, a NULL)."""
    if condition.negated or condition.connector != "AND":
        return None
    for child in condition.children:
        if not isinstance(child, tuple):
            decided = _decide(child, obj) if hasattr(child, "children") else None
            if decided is not True:
                return decided
            continue
        lookup, arg = child
        name, _, rest = lookup.partition("__")
        test = _LOOKUPS.get(rest or "exact")
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if test is None or field.is_relation or not isinstance(arg, int | str | list | tuple):
            return None
        value = getattr(obj, field.attname)
        if value is None or (rest.startswith("length") and not isinstance(value, str)):
            return None
        if not test(value, arg):
            return False
    return True


# Progress on a terminal.


def progress_line(
    checked: int, written: int, elapsed: float, fraction: float | None, what: str = "rows"
) -> str:
    """One line of progress: rows checked and written, the rate, and the time left, estimated
    from how much of the file has been read (`fraction`, 0 to 1, of the current pass)."""
    done = checked + written
    rate = done / elapsed if elapsed > 0 else 0.0
    parts = [f"{checked:,} {what} checked"]
    if written:
        parts.append(f"{written:,} written")
    parts.append(f"{rate:,.0f} {what}/s")
    if fraction is not None and 0 < fraction < 1 and elapsed > 0:
        left = elapsed * (1 - fraction) / fraction
        minutes, seconds = divmod(round(left), 60)
        parts.append(f"{fraction:.0%} of this pass, about {minutes}:{seconds:02d} left")
    elif fraction is not None and fraction >= 1:
        parts.append("100% of this pass")
    return ", ".join(parts)


class Progress:
    """Rows checked and written, shown on one line of a terminal and rewritten at most twice
    a second; nothing at all when the output is not a terminal (a pipe, a log, the tests)."""

    def __init__(self, stream: OutputWrapper | IO[str] | None, source: InputFile, what: str):
        isatty = getattr(stream, "isatty", None)
        self.shown = bool(isatty and isatty())
        self.stream, self.source, self.what = stream, source, what
        self.checked = self.written = 0
        self.writing = False
        self.start = time.monotonic()
        self._last = 0.0
        self._pass_start = 0

    def begin_pass(self, writing: bool = False) -> None:
        """A new pass over the file: rows now count as written (writing) or checked."""
        self.writing = writing

    def step(self, n: int = 1) -> None:
        if self.writing:
            self.written += n
        else:
            self.checked += n
        if self.shown and (self.checked + self.written) % _PROGRESS_EVERY == 0:
            now = time.monotonic()
            if now - self._last >= 0.5:
                self._last = now
                self._show(now)

    def _show(self, now: float) -> None:
        size = self.source.size or 1
        line = progress_line(
            self.checked,
            self.written,
            now - self.start,
            min(1.0, self.source.bytes_read() / size),
            self.what,
        )
        self._write(f"\r{line}\x1b[K")

    def done(self) -> None:
        """Clear the line, for the command's own last words."""
        if self.shown:
            self._write("\r\x1b[K")

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()
