"""import_member_progress: member states' statuses from a spreadsheet, all or nothing."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tracker.models import (
    Basis,
    Commitment,
    MemberGroup,
    MemberProgress,
    MemberState,
    Status,
    StatusUpdate,
)

HEADER = "commitment,member,status,as_of,note,evidence_url,basis,public\n"


@pytest.fixture
def world(make_group, make_member, make_commitment):
    group = make_group(slug="asean", name="ASEAN")
    for position, (slug, name) in enumerate(
        [("cambodia", "Cambodia"), ("lao-pdr", "Lao PDR"), ("viet-nam", "Viet Nam")], 1
    ):
        make_member(group=group, slug=slug, name=name, position=position)
    make_member(
        group=group, slug="timor-leste", name="Timor-Leste", joined_on=datetime.date(2026, 3, 1)
    )
    make_commitment(slug="data-centres", member_group=group)
    make_commitment(slug="train-engineers", member_group=group)
    make_commitment(slug="master-plan")
    return group


def _file(tmp_path, *lines: str, header: str = HEADER):
    path = tmp_path / "progress.csv"
    path.write_text(header + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _run(path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_member_progress", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(path) -> list[str]:
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_member_progress", str(path), stdout=StringIO(), stderr=err)
    return [line.split(": ", 1)[1] for line in err.getvalue().splitlines()]


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Commitment, StatusUpdate, MemberProgress, MemberState, MemberGroup)
    }


def _state() -> tuple:
    return (
        _counts(),
        sorted(MemberProgress.objects.values_list("commitment__slug", "member__slug", "status")),
        sorted(Commitment.objects.values_list("slug", "version")),
    )


GOOD = "data-centres,cambodia,completed,2026-03-01,Opened two sites.,https://example.org/a,self_reported,"


def test_it_records_every_row_through_the_write_path(world, tmp_path):
    path = _file(
        tmp_path,
        GOOD,
        "data-centres,viet-nam,in_progress,2026-03-01,Tendered.,,secretariat_verified,true",
        "train-engineers,lao-pdr,not_started,2026-03-02,No programme yet.,,independent,",
    )

    out, _ = _run(path)

    assert "recorded 3 member statuses on 2 commitments" in out
    assert sorted(
        MemberProgress.objects.exclude(status=Status.NOT_ASSESSED).values_list(
            "commitment__slug", "member__slug", "status", "status_date"
        )
    ) == [
        ("data-centres", "cambodia", "completed", datetime.date(2026, 3, 1)),
        ("data-centres", "viet-nam", "in_progress", datetime.date(2026, 3, 1)),
        ("train-engineers", "lao-pdr", "not_started", datetime.date(2026, 3, 2)),
    ]
    update = StatusUpdate.objects.get(member__slug="cambodia")
    assert (update.note, update.evidence_url, update.basis) == (
        "Opened two sites.",
        "https://example.org/a",
        Basis.SELF_REPORTED,
    )
    # One version bump per commitment: each commitment's rows are one save_edit() call.
    assert dict(Commitment.objects.values_list("slug", "version")) == {
        "data-centres": 2,
        "train-engineers": 2,
        "master-plan": 1,
    }


def test_an_internal_note_keeps_the_status(world, tmp_path):
    _run(_file(tmp_path, "data-centres,cambodia,not_assessed,2026-03-01,Asked.,,independent,no"))

    update = StatusUpdate.objects.get()
    assert not update.is_public
    progress = MemberProgress.objects.get(commitment__slug="data-centres", member__slug="cambodia")
    assert progress.status == Status.NOT_ASSESSED


def test_a_dry_run_checks_everything_and_writes_nothing(world, tmp_path):
    before = _state()

    out, _ = _run(_file(tmp_path, GOOD), "--dry-run")

    assert "would record 1 member status on 1 commitment. Nothing was written." in out
    assert _state() == before


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "data-centres,atlantis,completed,2026-03-01,Opened.,,self_reported,",
            "line 3: member: no member state “atlantis”: use its slug, e.g. viet-nam.",
        ),
        (
            "data-centres,timor-leste,completed,2026-03-01,Opened.,,self_reported,",
            "line 3: member: Timor-Leste joined on 1 March 2026, after “",
        ),
        (
            "data-centres,cambodia,in_progress,2026-03-02,Again.,,self_reported,",
            "line 3: member: “cambodia” on “data-centres” is also on line 2: give each member "
            "state one row per commitment.",
        ),
        (
            "data-centres,viet-nam,completed,2026-01-10,Backdated.,,self_reported,",
            "line 3: as_of: The as-of date cannot be before the commitment was made, on 15 "
            "January 2026.",
        ),
        (
            "data-centres,viet-nam,completed,2099-01-01,Future.,,self_reported,",
            "line 3: as_of: The as-of date cannot be in the future",
        ),
        (
            "data-centres,viet-nam,completed,2026-02-30,Bad date.,,self_reported,",
            "line 3: as_of: “2026-02-30” is not a date like 2026-03-31.",
        ),
        (
            "data-centres,viet-nam,completed,01/03/2026,Bad date.,,self_reported,",
            "line 3: as_of: “01/03/2026” is not a date like 2026-03-31.",
        ),
        (
            "data-centres,viet-nam,completed,2026-03-01,Bad\x0bnote.,,self_reported,",
            "line 3: note: Contains an invisible control character (U+000B) at character 4",
        ),
        (
            "nowhere,viet-nam,completed,2026-03-01,Opened.,,self_reported,",
            "line 3: commitment: no commitment “nowhere”.",
        ),
        (
            "master-plan,viet-nam,completed,2026-03-01,Opened.,,self_reported,",
            "line 3: commitment: “",  # … is not carried out member state by member state
        ),
        (
            "data-centres,viet-nam,excellent,2026-03-01,Opened.,,self_reported,",
            "line 3: status: “excellent” is not one of not_assessed,",
        ),
        (
            "data-centres,viet-nam,completed,2026-03-01,Opened.,,hearsay,",
            "line 3: basis: “hearsay” is not one of self_reported,",
        ),
        (
            "data-centres,viet-nam,completed,2026-03-01,,,self_reported,",
            "line 3: note: Write a note saying why",
        ),
        (
            "data-centres,viet-nam,completed,2026-03-01,Opened.,ftp://example.org,self_reported,",
            "line 3: evidence_url: Enter a web address starting with http:// or https://",
        ),
        (
            "data-centres,viet-nam,completed,2026-03-01,Opened.,,self_reported,maybe",
            "line 3: public: “maybe” is not true or false.",
        ),
        (
            "data-centres,viet-nam,completed,2026-03-01,Opened.,,self_reported,false",
            "line 3: public: A change of status is always public.",
        ),
        (
            "data-centres,viet-nam,completed",
            "line 3: : has a different number of cells from the header's 8.",
        ),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_written(world, tmp_path, line, expected):
    before = _state()

    problems = _refused(_file(tmp_path, GOOD, line))

    assert any(p.startswith(expected) for p in problems), problems
    # The good row on line 2 was not kept either.
    assert _state() == before


def test_a_row_after_the_members_latest_update_is_the_timeline_rule(world, tmp_path):
    commitment = Commitment.objects.get(slug="data-centres")
    commitment.record_update(
        member=MemberState.objects.get(slug="viet-nam"),
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Tendered.",
        basis=Basis.SELF_REPORTED,
    )
    before = _state()

    problems = _refused(
        _file(tmp_path, GOOD, "data-centres,viet-nam,completed,2026-03-01,Done.,,self_reported,")
    )

    assert problems == [
        "line 3: as_of: The as-of date cannot be before that of the latest update, 1 April 2026: "
        "the timeline must end with the current status. To put an earlier update right, record "
        "a correction dated 1 April 2026 or later that says what was wrong."
    ]
    assert _state() == before


def test_every_problem_in_the_file_is_reported_at_once(world, tmp_path):
    problems = _refused(
        _file(
            tmp_path,
            "data-centres,atlantis,completed,2026-03-01,Opened.,,self_reported,",
            "train-engineers,cambodia,completed,2026-13-01,Opened.,,hearsay,",
        )
    )

    assert [p.split(":")[0:2] for p in problems] == [
        ["line 2", " member"],
        ["line 3", " as_of"],
        ["line 3", " basis"],
    ]


def test_a_file_missing_a_column_is_refused_before_any_row(world, tmp_path):
    path = _file(tmp_path, "data-centres,cambodia", header="commitment,member\n")

    with pytest.raises(CommandError, match="line 1: missing column\\(s\\): status, as_of"):
        _run(path)


def test_an_unreadable_or_empty_file_is_refused(world, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="the file is empty"):
        _run(empty)
    with pytest.raises(CommandError, match="cannot be read"):
        _run(tmp_path / "missing.csv")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(HEADER.encode("utf-16"))
    with pytest.raises(CommandError, match="not UTF-8"):
        _run(utf16)


def test_a_commitment_saved_between_the_check_and_the_write_writes_nothing(
    world, tmp_path, monkeypatch
):
    """The rows are written as checked, at the version each commitment had then: an editor's
    save in between refuses the whole file."""
    from tracker.management.commands import import_member_progress as command

    check = command.Check.batch

    def check_then_an_editor_saves(self, records):
        check(self, records)
        Commitment.objects.get(slug="data-centres").save()

    monkeypatch.setattr(command.Check, "batch", check_then_an_editor_saves)

    with pytest.raises(CommandError, match="was changed by somebody else.*Nothing was imported"):
        _run(_file(tmp_path, GOOD))

    assert not StatusUpdate.objects.exists()
    assert not MemberProgress.objects.exclude(status=Status.NOT_ASSESSED).exists()
