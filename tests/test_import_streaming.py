"""The importers read a file record by record (tracker/importing.py): input no editor meant to
send (a column or key given twice, a cell or a line too long, JSON nested too deep) is refused
with one clear line naming the file, the place and the column or key, and nothing is written;
a terminal is shown progress, anything else nothing."""

from __future__ import annotations

import copy
import io
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.test_import_bad_input import VALID
from tracker import importing
from tracker.importing import MAX_CELL, MAX_ROW, InputFile, JsonTables, Progress, progress_line

COMMITMENTS_HEADER = (
    "slug,title,summary,quote,heading,position,source,proposer,owner,partners,themes,"
    "status,status_date,target_date"
)
PROGRESS_HEADER = "commitment,member,status,as_of,note,evidence_url,basis"


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def refused(tmp_path, command: str, name: str, content: str | bytes) -> tuple[str, str]:
    """Run `command` on a file holding `content`: it must refuse it, in one line (load_sources
    lists its problems in the error), and write nothing."""
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    before = row_counts()
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(command, str(path), stdout=StringIO(), stderr=err)
    assert row_counts() == before
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message or command == "load_sources"
    return message.removeprefix(f"{path}: "), err.getvalue().replace(f"{path}: ", "")


# Columns and keys given twice.


@pytest.mark.parametrize(
    "command, header",
    [
        ("import_member_progress", PROGRESS_HEADER + ",status"),
        ("import_commitments", COMMITMENTS_HEADER + ",status"),
    ],
)
def test_a_csv_giving_a_column_twice_is_refused_naming_the_column_and_line_1(
    db, tmp_path, command, header
):
    message, _ = refused(tmp_path, command, "file.csv", f"{header}\na,b\n")

    assert message == ("line 1: column(s) given more than once: status. Give each column once.")


def test_a_json_record_giving_a_key_twice_is_refused_naming_the_key_and_the_record(db, tmp_path):
    text = json.dumps(VALID).replace(
        '"title": "Build a road"', '"title": "Build a road", "status": "completed"'
    )

    message, report = refused(tmp_path, "import_commitments", "file.json", text)

    assert message == "1 problem found; nothing was imported."
    assert report == (
        "commitments record 2 (road): status: is given more than once in this record: give "
        "each key once\n"
    )


def test_a_dataset_giving_a_table_twice_is_refused_naming_the_key_and_line(db, tmp_path):
    text = json.dumps(VALID, indent=0)[:-1] + ',\n"themes": []}'

    message, _ = refused(tmp_path, "import_commitments", "file.json", text)

    assert message.startswith("line ")
    assert message.endswith(
        "the key 'themes' is given twice in the file's object: give each table once."
    )


def test_a_fixture_record_giving_a_key_twice_is_refused_naming_the_key_and_the_record(db, tmp_path):
    fixture = (
        '[{"model": "tracker.source", "fields": {"slug": "summit", "slug": "other", '
        '"title": "T", "event_name": "E", "event_place": "P", "event_date": "2026-01-15", '
        '"full_text": "Text."}}]'
    )

    message, _ = refused(tmp_path, "load_sources", "fixture.json", fixture)

    assert "record 1 (tracker.source “other”): fields: slug: is given more than once" in message


# Cells, lines and records too large to hold.


@pytest.mark.parametrize(
    "command, header",
    [("import_member_progress", PROGRESS_HEADER), ("import_commitments", COMMITMENTS_HEADER)],
)
def test_a_cell_over_the_limit_names_the_line_and_the_limit(db, tmp_path, command, header):
    good = ",".join(["x"] * len(header.split(",")))
    big = f'"{"x" * (MAX_CELL + 1)}"' + ",x" * (len(header.split(",")) - 1)

    message, _ = refused(tmp_path, command, "file.csv", f"{header}\n{good}\n{big}\n")

    assert message == f"line 3: not valid CSV (field larger than field limit ({MAX_CELL}))."


def test_a_cell_at_the_limit_is_read(db, tmp_path):
    """The limit is the importers' own, whatever another part of the process set."""
    path = tmp_path / "file.csv"
    path.write_text(f'{PROGRESS_HEADER}\n"{"x" * MAX_CELL}",b,c,d,e,f,g\n')
    rows = importing.CsvRows(InputFile(path), PROGRESS_HEADER.split(","))

    (record,) = list(rows)

    assert len(record.raw["commitment"]) == MAX_CELL


@pytest.mark.parametrize(
    "command, header",
    [("import_member_progress", PROGRESS_HEADER), ("import_commitments", COMMITMENTS_HEADER)],
)
def test_a_file_without_line_breaks_is_refused_at_the_row_limit_not_read_whole(
    db, tmp_path, command, header, monkeypatch
):
    monkeypatch.setattr(importing, "MAX_ROW", 10_000)
    row = ",".join(["x" * 500] * len(header.split(",")))

    message, _ = refused(tmp_path, command, "file.csv", f"{header}\n{row * 100}")

    assert message == ("line 2: a row longer than 10,000 characters, the most one row may hold.")
    assert MAX_ROW == 4 * 1024 * 1024


def test_a_json_record_over_the_limit_is_refused_naming_it(db, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_RECORD", 100_000)
    monkeypatch.setattr(JsonTables, "CHUNK", 4096)
    data = copy.deepcopy(VALID)
    data["sources"][0]["full_text"] = "Leaders will build a bridge and a road. " * 5000

    message, _ = refused(tmp_path, "import_commitments", "file.json", json.dumps(data))

    assert message == (
        "line 1: sources record 1 is longer than 100,000 characters, the most one record may hold."
    )


def test_a_record_nested_too_deeply_is_refused_naming_it(db, tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    text = json.dumps(VALID).replace('"partners": ["pm"]', f'"partners": {deep}')

    message, _ = refused(tmp_path, "import_commitments", "file.json", text)

    assert message == "not valid JSON: commitments record 2 is nested too deeply."


def test_a_value_nested_as_deep_as_python_reads_is_named_not_a_traceback(db, tmp_path):
    """Nested just under what the decoder can hold, a value is read; quoting it in the
    message (repr) would then go deeper than Python allows."""
    data = copy.deepcopy(VALID)
    for depth in range(900, 1000, 20):
        data["commitments"][1]["partners"] = "DEEP"
        text = json.dumps(data).replace('"DEEP"', "[" * depth + "]" * depth)

        message, report = refused(tmp_path, "import_commitments", "file.json", text)

        assert "nested too deeply" in message or "commitments record 2 (road): partners:" in (
            report
        )


# A file changed while it is imported.


def test_a_file_changed_between_the_check_and_the_write_writes_nothing(db, tmp_path, monkeypatch):
    from tracker.management.commands import import_commitments

    path = tmp_path / "file.json"
    path.write_text(json.dumps(VALID))
    check = import_commitments.Importer.check

    def check_then_change(self):
        check(self)
        path.write_text(json.dumps(VALID) + " ")

    monkeypatch.setattr(import_commitments.Importer, "check", check_then_change)
    before = row_counts()

    with pytest.raises(CommandError, match="changed while it was being imported"):
        call_command("import_commitments", str(path), stdout=StringIO(), stderr=StringIO())

    assert row_counts() == before


# Progress.


def test_the_progress_line_says_rows_checked_and_written_the_rate_and_the_time_left():
    line = progress_line(checked=12_000, written=3_000, elapsed=10.0, fraction=0.25)

    assert line == (
        "12,000 rows checked, 3,000 written, 1,500 rows/s, 25% of this pass, about 0:30 left"
    )


def test_the_progress_line_leaves_out_what_it_cannot_know_yet():
    assert progress_line(checked=0, written=0, elapsed=0.0, fraction=None) == (
        "0 rows checked, 0 rows/s"
    )
    assert progress_line(checked=5, written=0, elapsed=1.0, fraction=1.0, what="records") == (
        "5 records checked, 5 records/s, 100% of this pass"
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "_PROGRESS_EVERY", 1)
    path = tmp_path / "file.csv"
    path.write_text("a\n1\n")
    terminal = Terminal()
    progress = Progress(terminal, InputFile(path), "rows")

    progress.step()
    progress.done()

    assert terminal.getvalue().startswith("\r1 rows checked, ")
    assert terminal.getvalue().endswith("\r\x1b[K")


def test_nothing_is_shown_when_the_output_is_not_a_terminal(db, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "_PROGRESS_EVERY", 1)
    path = tmp_path / "progress.csv"
    path.write_text(PROGRESS_HEADER + "\n" + "nowhere,atlantis,completed,2026-03-01,N.,,x\n" * 3)
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_member_progress", str(path), stdout=StringIO(), stderr=err)

    assert "\r" not in err.getvalue()
    assert "checked" not in err.getvalue()


# Reading as it goes.


def test_a_table_is_read_record_by_record_not_whole(db, tmp_path, monkeypatch):
    """The first record comes before the reader has gone much past it."""
    monkeypatch.setattr(JsonTables, "CHUNK", 4096)
    data = copy.deepcopy(VALID)
    data["updates"] = [data["updates"][0]] * 20_000
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    source = InputFile(path)
    tables = JsonTables(source)
    tables.read_layout()

    records = tables.records("updates")
    first = next(records)

    assert first.where == "updates record 1"
    assert first.raw["note"] == "Begun."
    assert source.bytes_read() < tables.tables["updates"][1] + 3 * 4096 < source.size / 10
    records.close()


# The models' CheckConstraints, decided without a query per record.


def _examples(model, condition):
    """Instances at and around each limit of the condition's lookups (of a flat condition:
    _decide() leaves the others to the database)."""
    for child in condition.children:
        if not isinstance(child, tuple):
            continue
        lookup, arg = child
        name, _, rest = lookup.partition("__")
        if rest.startswith("length"):
            values = ["é" * (arg - 1), "é" * arg, "é" * (arg + 1)]
        elif rest == "in":
            values = [next(iter(arg)), "bogus"]
        else:
            values = [arg, "other"]
        for value in values:
            yield model(**{name: value})


@pytest.mark.parametrize(
    "model", [m for m in apps.get_app_config("tracker").get_models() if m._meta.constraints]
)
def test_the_constraints_decided_without_the_database_are_decided_as_it_decides_them(db, model):
    from django.core.exceptions import ValidationError
    from django.db.models import CheckConstraint

    decided_here = 0
    for constraint in model._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        for obj in _examples(model, constraint.condition):
            decided = importing._decide(constraint.condition, obj)
            if decided is None:
                continue
            decided_here += 1
            try:
                constraint.validate(model, obj)
                database = True
            except ValidationError:
                database = False
            assert decided == database, (constraint.name, obj)
    assert decided_here or not any(isinstance(c, CheckConstraint) for c in model._meta.constraints)
