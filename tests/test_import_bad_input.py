"""`import_commitments` refuses bad input whole: a CommandError, every problem named by record
and field, and not one row written in any table."""

from __future__ import annotations

import copy
import datetime
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tracker.models import Actor, Basis, Commitment, Status

# A small valid dataset, written by hand: one commitment with a history, one without.
VALID = {
    "format": "commitments-tracker/dataset",
    "format_version": 1,
    "sources": [
        {"slug": "summit", "title": "Summit report", "publisher": "", "author": "", "url": "",
         "published_on": None, "event_name": "Summit", "event_place": "Hanoi",
         "event_date": "2026-01-15", "full_text": "Leaders will build a bridge and a road."},
    ],
    "actors": [
        {"slug": "pm", "name": "The Prime Minister", "kind": "person", "role": "",
         "affiliation": ""},
        {"slug": "states", "name": "Member states", "kind": "group", "role": "",
         "affiliation": ""},
    ],
    "themes": [{"slug": "roads", "name": "Roads", "description": "", "position": 1}],
    "commitments": [
        {"slug": "bridge", "title": "Build a bridge", "summary": "A bridge.",
         "quote": "build a bridge", "heading": "", "position": 1, "source": "summit",
         "proposer": "pm", "owner": "states", "partners": [], "themes": ["roads"],
         "status": "in_progress", "status_date": "2026-03-01", "target_date": None},
        {"slug": "road", "title": "Build a road", "summary": "A road.", "quote": "a road",
         "heading": "", "position": 2, "source": "summit", "proposer": "pm", "owner": "states",
         "partners": ["pm"], "themes": [], "status": "not_assessed",
         "status_date": "2026-01-15", "target_date": "2030-12-31"},
    ],
    "updates": [
        {"commitment": "bridge", "as_of": "2026-02-01", "status": "in_progress",
         "previous_status": "not_assessed", "note": "Begun.", "evidence_url": "",
         "basis": "self_reported"},
        {"commitment": "bridge", "as_of": "2026-03-01", "status": "in_progress",
         "previous_status": "in_progress", "note": "Still going.", "evidence_url": "",
         "basis": "independent"},
    ],
}  # fmt: skip

HEADER = (
    "slug,title,summary,quote,heading,position,source,proposer,owner,partners,themes,"
    "status,status_date,target_date"
)


def row_counts() -> dict[str, int]:
    """How many rows every table of every installed app holds."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.fixture
def existing(make_source, make_actor, make_commitment):
    """Data already in the database, which a refused import must leave exactly as it was."""
    source = make_source(slug="elsewhere", full_text="They will dig a tunnel.")
    taken = make_commitment(
        slug="taken", source=source, quote="dig a tunnel", owner=make_actor(slug="someone")
    )
    taken.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="Digging.",
        basis=Basis.INDEPENDENT,
    )
    return taken


def refused(tmp_path, content: str, suffix: str = "json") -> tuple[str, str]:
    """Run the import of `content`, expecting a refusal that writes nothing anywhere."""
    path = tmp_path / f"import.{suffix}"
    path.write_text(content, encoding="utf-8")
    before = row_counts()
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_commitments", str(path), "--publish", stdout=StringIO(), stderr=err)
    assert row_counts() == before
    return str(raised.value), err.getvalue().replace(f"{path}: ", "")


def test_the_valid_dataset_imports(existing, tmp_path):
    """The base every case below breaks in one way: on its own it imports."""
    path = tmp_path / "import.json"
    path.write_text(json.dumps(VALID), encoding="utf-8")

    call_command("import_commitments", str(path), "--publish", stdout=StringIO())

    bridge = Commitment.objects.get(slug="bridge")
    assert (bridge.status, bridge.status_date) == ("in_progress", datetime.date(2026, 3, 1))
    assert bridge.updates.count() == 2


def _set(table: str, n: int, **values):
    def change(data):
        data[table][n].update(values)

    return change


def _delete(table: str, n: int, key: str):
    def change(data):
        del data[table][n][key]

    return change


def _append(table: str, record: dict):
    def change(data):
        data[table].append(record)

    return change


def _copy(table: str, n: int, **values):
    def change(data):
        data[table].append(dict(data[table][n], **values))

    return change


CASES = {
    # Finding 6: rules the admin applies, which the importer let through or met only at write.
    "update before the event": (
        _set("updates", 0, as_of="2026-01-01"),
        ["updates record 1 (bridge): as_of: The as-of date cannot be before the commitment was "
         "made, on 15 January 2026."],
    ),
    "update in the future": (
        [_set("updates", 1, as_of="2099-01-01"), _set("commitments", 0, status_date="2099-01-01")],
        ["updates record 2 (bridge): as_of: The as-of date cannot be in the future",
         "commitments record 1 (bridge): status_date: Cannot be in the future."],
    ),
    "status date in 2099 without history": (
        _set("commitments", 1, status_date="2099-01-01"),
        ["commitments record 2 (road): status_date: Cannot be in the future."],
    ),
    "status date in 1999 without history": (
        _set("commitments", 1, status_date="1999-01-01"),
        ["commitments record 2 (road): status_date: Cannot be before the commitment was made, "
         "on 15 January 2026."],
    ),
    "progress note with an empty note": (
        _set("updates", 1, note=""),
        ["updates record 2 (bridge): note: Write a note saying why"],
    ),
    "note of spaces only": (
        _set("updates", 0, note="  \n "),
        ["updates record 1 (bridge): note: Write a note saying why"],
    ),
    "basic-format date": (
        _set("updates", 1, as_of="20260301"),
        ["updates record 2 (bridge): as_of: must be a date written YYYY-MM-DD, not '20260301'"],
    ),
    "week date": (
        _set("commitments", 1, status_date="2026-W03-4"),
        ["commitments record 2 (road): status_date: must be a date written YYYY-MM-DD, not "
         "'2026-W03-4'"],
    ),
    "impossible date": (
        _set("sources", 0, event_date="2026-02-30"),
        ["sources record 1 (summit): event_date: must be a date written YYYY-MM-DD, not "
         "'2026-02-30'"],
    ),
    "history not starting at not assessed": (
        _set("updates", 0, previous_status="delayed"),
        ["updates record 1 (bridge): previous_status: is 'delayed', but a new commitment starts "
         "as 'not_assessed'"],
    ),
    "history out of date order": (
        _set("updates", 0, as_of="2026-04-01"),
        ["updates record 2 (bridge): as_of: is earlier than the update before it, updates "
         "record 1"],
    ),
    # Wrong types.
    "number as text": (
        _set("commitments", 0, title=5),
        ["commitments record 1 (bridge): title: must be text, not 5"],
    ),
    "null as text": (
        _set("updates", 0, note=None),
        ["updates record 1 (bridge): note: must be text, not None"],
    ),
    "text as a number": (
        _set("commitments", 1, position="2"),
        ["commitments record 2 (road): position: must be a whole number, not '2'"],
    ),
    "boolean as a number": (
        _set("themes", 0, position=True),
        ["themes record 1 (roads): position: must be a whole number, not True"],
    ),
    "fraction as a number": (
        _set("commitments", 1, position=1.5),
        ["commitments record 2 (road): position: must be a whole number, not 1.5"],
    ),
    "text as a list": (
        _set("commitments", 1, partners="pm"),
        ["commitments record 2 (road): partners: must be a list of slugs, not 'pm'"],
    ),
    "number as a date": (
        _set("updates", 0, as_of=20260201),
        ["updates record 1 (bridge): as_of: must be a date written YYYY-MM-DD, not 20260201"],
    ),
    "record that is not an object": (
        [lambda data: data["actors"].append("pm"), lambda data: data["updates"].append([1])],
        ["actors record 3: must be an object, not 'pm'",
         "updates record 3: must be an object, not [1]"],
    ),
    "missing column": (
        _delete("commitments", 1, "quote"),
        ["commitments record 2 (road): quote: is missing"],
    ),
    # Duplicates within the file.
    "commitment slug twice": (
        _copy("commitments", 1),
        ["commitments record 3 (road): slug: 'road' is already used by commitments record 2"],
    ),
    "actor slug twice": (
        _copy("actors", 0, name="Someone else"),
        ["actors record 3 (pm): slug: 'pm' is already used by actors record 1"],
    ),
    "theme name twice": (
        _copy("themes", 0, slug="more-roads"),
        ["themes record 2 (more-roads): name: 'Roads' is already used by themes record 1"],
    ),
    # Slugs the database already has: a commitment is refused (sources, actors and themes are
    # reused, see test_existing_records_are_reused_and_never_overwritten).
    "commitment slug already in the database": (
        _set("commitments", 1, slug="taken"),
        ["commitments record 2 (taken): slug: Commitment with this Slug already exists."],
    ),
    "slug of another page": (
        _set("commitments", 1, slug="print"),
        ["commitments record 2 (print): slug: “print” is the address of another page"],
    ),
    # Control characters, whichever table and field they are in.
    "vertical tab in a title": (
        _set("commitments", 0, title="Build\x0ba bridge"),
        ["commitments record 1 (bridge): title: Contains an invisible control character "
         "(U+000B) at character 6"],
    ),
    "form feed in a full text": (
        _set("sources", 0, full_text="Leaders will build a bridge and a road.\x0c"),
        ["sources record 1 (summit): full_text: Contains an invisible control character "
         "(U+000C)"],
    ),
    "NUL in a note": (
        _set("updates", 0, note="Begun\x00."),
        ["updates record 1 (bridge): note: Contains an invisible control character (U+0000)"],
    ),
    "next line in a name": (
        _set("actors", 0, name="The Prime\x85Minister"),
        ["actors record 1 (pm): name: Contains an invisible control character (U+0085)"],
    ),
    # Huge values.
    "title of 10,000 characters": (
        _set("commitments", 0, title="x" * 10_000),
        ["commitments record 1 (bridge): title: Title: at most 200 characters; this one has "
         "10,000."],
    ),
    "position beyond any integer column": (
        _set("commitments", 1, position=10**30),
        ["commitments record 2 (road): position: Ensure this value is less than or equal to"],
    ),
    "negative position": (
        _set("themes", 0, position=-1),
        ["themes record 1 (roads): position: Ensure this value is greater than or equal to 0."],
    ),
    # Unknown values.
    "unknown commitment status": (
        _set("commitments", 1, status="maybe"),
        ["commitments record 2 (road): status: 'maybe' is not one of not_assessed, "],
    ),
    "unknown update status": (
        [_set("updates", 1, status="maybe"), _set("commitments", 0, status="maybe")],
        ["updates record 2 (bridge): status: Value 'maybe' is not a valid choice.",
         "commitments record 1 (bridge): status: 'maybe' is not one of"],
    ),
    "unknown basis": (
        _set("updates", 0, basis="rumour"),
        ["updates record 1 (bridge): basis: Value 'rumour' is not a valid choice."],
    ),
    "empty basis, as on updates recorded before the tracker asked": (
        _set("updates", 0, basis=""),
        ["updates record 1 (bridge): basis: Choose what this assessment rests on"],
    ),
    "unknown actor": (
        _set("commitments", 1, owner="nobody"),
        ["commitments record 2 (road): owner: no actor 'nobody' in the file or the database"],
    ),
    # Data that only staff should see, or a status its public history does not back.
    "an internal flag on an update": (
        _set("updates", 1, is_public=False),
        ["updates record 2 (bridge): is_public: is not a column of this format"],
    ),
    "an author on an update": (
        _set("updates", 0, author="editor"),
        ["updates record 1 (bridge): author: is not a column of this format"],
    ),
    "a draft flag on a commitment": (
        _set("commitments", 1, is_published=False),
        ["commitments record 2 (road): is_published: is not a column of this format"],
    ),
    "a status no public update records": (
        _set("commitments", 0, status="completed"),
        ["commitments record 1 (bridge): status: is completed, but its latest update, updates "
         "record 2, records in_progress"],
    ),
    "a status without any update": (
        _set("commitments", 1, status="delayed"),
        ["commitments record 2 (road): status: is 'delayed', but the file has no updates that "
         "record it."],
    ),
    "an update of a commitment not in the file": (
        _copy("updates", 0, commitment="taken"),
        ["updates record 3 (taken): commitment: 'taken' is not a commitment in this file"],
    ),
    "a status date its history does not reach": (
        _set("commitments", 0, status_date="2026-02-15"),
        ["commitments record 1 (bridge): status_date: is 2026-02-15, but its latest update, "
         "updates record 2, records 2026-03-01"],
    ),
    "an invalid evidence address": (
        _set("updates", 0, evidence_url="javascript:alert(1)"),
        ["updates record 1 (bridge): evidence_url: Enter a web address starting with http://"],
    ),
    "a quote that is not in the source": (
        _set("commitments", 1, quote="a tunnel"),
        ["commitments record 2 (road): quote: Is not a passage of the full text of"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("change, expected", CASES.values(), ids=CASES.keys())
def test_bad_input_is_refused_by_record_and_field_and_writes_nothing(
    existing, tmp_path, change, expected
):
    data = copy.deepcopy(VALID)
    for one in change if isinstance(change, list) else [change]:
        one(data)
    taken_before = Commitment.objects.filter(slug="taken").values().get()

    message, report = refused(tmp_path, json.dumps(data))

    assert message.endswith("found; nothing was imported.")
    for line in expected:
        assert line in report, report
    # Messages name status values as they are written in the file.
    assert "Status." not in report
    assert Commitment.objects.filter(slug="taken").values().get() == taken_before


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda data: data.update(internal_notes=[]),
            "'internal_notes' is not part of this format",
        ),
        (lambda data: data.update(format_version=2), "format_version 2 is not one this tracker"),
        (lambda data: data.update(updates={}), "“updates” must be a list of objects"),
        (lambda data: data.pop("themes"), "“themes” must be a list of objects"),
    ],
)
def test_a_dataset_with_tables_not_in_the_format_is_refused(existing, tmp_path, change, message):
    data = copy.deepcopy(VALID)
    change(data)

    error, _ = refused(tmp_path, json.dumps(data))

    assert message in error


def test_existing_records_are_reused_and_never_overwritten(existing, tmp_path):
    """A source, actor or theme whose slug is taken is the database's one, kept as it is."""
    data = copy.deepcopy(VALID)
    data["actors"][0]["slug"] = "someone"
    for commitment in data["commitments"]:
        commitment["proposer"] = "someone"
    data["commitments"][1]["partners"] = ["someone"]
    someone_before = Actor.objects.filter(slug="someone").values().get()
    path = tmp_path / "import.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = StringIO()

    call_command("import_commitments", str(path), stdout=out)

    assert "actors record 1 (someone): already in the database with a different name" in (
        out.getvalue()
    )
    assert Actor.objects.filter(slug="someone").values().get() == someone_before
    assert Commitment.objects.get(slug="road").proposer == existing.owner


def csv_text(*rows: str) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


@pytest.fixture
def summit(existing, make_source, make_actor):
    make_actor(slug="pm")
    make_actor(slug="states")
    return make_source(slug="summit", full_text="Leaders will build a bridge and a road.")


@pytest.mark.parametrize(
    "rows, expected",
    [
        (["a,A,S,a road,,1,summit,pm,states,,,not_assessed,20260115,"],
         ["line 2 (a): status_date: must be a date written YYYY-MM-DD, not '20260115'"]),
        (["a,A,S,a road,,1,summit,pm,states,,,not_assessed,2099-01-01,"],
         ["line 2 (a): status_date: Cannot be in the future."]),
        (["a,A,S,a road,,1,summit,pm,states,,,not_assessed,1999-01-01,"],
         ["line 2 (a): status_date: Cannot be before the commitment was made"]),
        (["a,A,S,a road,,1,summit,pm,states,,,not_assessed,2026-01-15,", *[
          "a,B,S,a road,,2,summit,pm,states,,,not_assessed,2026-01-15,"]],
         ["line 3 (a): slug: 'a' is already used by line 2"]),
        (["taken,A,S,a road,,1,summit,pm,states,,,not_assessed,2026-01-15,"],
         ["line 2 (taken): slug: Commitment with this Slug already exists."]),
        (["a,A,S,a road,, 1,summit,pm,states,,,not_assessed,2026-01-15,"],
         ["line 2 (a): position: must be a whole number, not ' 1'"]),
        (["a,A,S,a road,,1,summit,pm,states,,,Status.NOT_ASSESSED,2026-01-15,"],
         ["line 2 (a): status: 'Status.NOT_ASSESSED' is not one of not_assessed"]),
        # Control characters other than tab and line ends: refused as the model refuses them,
        # and, unquoted, they no longer split the line (the next record is still line 3).
        (["a,A\x0bB,S,a road,,1,summit,pm,states,,,not_assessed,2026-01-15,",
          "b,A\x0cB,S,a road,,2,summit,pm,states,,,not_assessed,2026-01-15,",
          "c,A\x1cB,S,a road,,3,summit,pm,states,,,not_assessed,2026-01-15,"],
         ["line 2 (a): title: Contains an invisible control character (U+000B) at character 2",
          "line 3 (b): title: Contains an invisible control character (U+000C) at character 2",
          "line 4 (c): title: Contains an invisible control character (U+001C) at character 2"]),
        ([f"a,{'x' * 10_000},S,a road,,1,summit,pm,states,,,not_assessed,2026-01-15,"],
         ["line 2 (a): title: Title: at most 200 characters; this one has 10,000."]),
        (["a,A,S,a road,,1,summit,pm,states,,,not_assessed,2026-01-15,,extra"],
         ["line 2: has a different number of cells from the header's 14"]),
    ],
)  # fmt: skip
def test_bad_csv_rows_are_refused_by_line_and_field_and_write_nothing(
    summit, tmp_path, rows, expected
):
    message, report = refused(tmp_path, csv_text(*rows), suffix="csv")

    assert message.endswith("found; nothing was imported.")
    for line in expected:
        assert line in report, report


def test_a_csv_cell_too_large_for_the_csv_reader_is_refused_with_its_line(summit, tmp_path):
    big = "x" * 200_000
    message, _ = refused(
        tmp_path,
        csv_text(f'a,A,"{big}",a road,,1,summit,pm,states,,,not_assessed,2026-01-15,'),
        suffix="csv",
    )

    assert "line 2: not valid CSV (field larger than field limit" in message
