"""The three importers read files one way (tracker/importing.py): a file none of them can read
is refused with the same message, naming the file, never with a traceback."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Commitment

# Each importer with a file name it reads as its format.
IMPORTERS = [
    ("import_commitments", "new.csv"),
    ("import_commitments", "new.json"),
    ("import_member_progress", "progress.csv"),
    ("load_sources", "new-source.json"),
]
JSON_IMPORTERS = [(command, name) for command, name in IMPORTERS if name.endswith(".json")]
CSV_IMPORTERS = [(command, name) for command, name in IMPORTERS if name.endswith(".csv")]
# Each CSV importer's header.
HEADERS = {
    "import_commitments": "slug,title,summary,quote,heading,position,source,proposer,owner,"
    "partners,themes,status,status_date,target_date\n",
    "import_member_progress": "commitment,member,status,as_of,note,evidence_url,basis\n",
}


def refused(tmp_path, command: str, name: str, content: bytes) -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(command, str(path), stdout=StringIO(), stderr=err)
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: "), err.getvalue().replace(f"{path}: ", "")


NOT_UTF8 = {
    "UTF-16": (
        "slug,tïtle\n".encode("utf-16"),
        "is not UTF-8 text (it looks like UTF-16): save it as UTF-8.",
    ),
    "Latin-1": (
        "slug,tïtle\n".encode("latin-1"),
        "is not UTF-8 text (byte 0xef at position 6): save it as UTF-8.",
    ),
}


@pytest.mark.parametrize("command, name", IMPORTERS)
@pytest.mark.parametrize("content, expected", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_a_file_that_is_not_utf8_is_refused_the_same_way_by_each(
    db, tmp_path, command, name, content, expected
):
    message, _ = refused(tmp_path, command, name, content)

    assert message == expected


@pytest.mark.parametrize("command, name", JSON_IMPORTERS)
@pytest.mark.parametrize(
    "content, expected",
    [
        (b"[" + b"9" * 5000 + b"]", "not valid JSON: Exceeds the limit"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    ],
    ids=["a 5,000-digit number", "deeply nested"],
)
def test_json_that_python_cannot_hold_is_refused_as_not_valid(
    db, tmp_path, command, name, content, expected
):
    message, _ = refused(tmp_path, command, name, content)

    assert message.startswith(expected)


@pytest.mark.parametrize("command, name", CSV_IMPORTERS)
def test_a_cell_too_large_for_the_csv_reader_is_refused_with_its_line(db, tmp_path, command, name):
    content = f'{HEADERS[command]}"{"x" * 200_000}",b\n'.encode()

    message, _ = refused(tmp_path, command, name, content)

    assert message.startswith("line 2: not valid CSV (field larger than field limit")


@pytest.mark.parametrize("command, name", CSV_IMPORTERS)
def test_a_nul_in_a_cell_is_named_by_line_and_column_not_taken_for_utf16(
    db, tmp_path, command, name
):
    """UTF-16 is recognised by its first bytes: a NUL further on is a character of the text."""
    if command == "import_member_progress":
        row = "a,b,completed,2026-03-01,Bad\x00note.,,self_reported"
        expected = "line 2: note: Contains an invisible control character (U+0000)"
    else:
        row = "a,A\x00B,S,q,,1,s,p,o,,,not_assessed,2026-01-15,"
        expected = "line 2 (a): title: Contains an invisible control character (U+0000)"
    content = f"{HEADERS[command]}{row}\n"

    message, report = refused(tmp_path, command, name, content.encode())

    assert message.endswith("found; nothing was imported.")
    assert expected in report, report
    assert not Commitment.objects.filter(slug="a").exists()
