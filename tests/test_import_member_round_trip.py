"""Member states' progress and history go out in /data/dataset.json and come back in through
import_commitments, all or nothing, as the commitments' own do."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.test_import_round_trip import body, import_file, wipe
from tracker.models import Basis, Commitment, MemberProgress, Status, StatusUpdate


@pytest.fixture
def tracked(make_group, make_member, make_commitment, make_source):
    group = make_group(slug="asean", name="ASEAN")
    cambodia = make_member(group=group, slug="cambodia", name="Cambodia", position=1)
    make_member(group=group, slug="viet-nam", name="Viet Nam", position=2)
    # Joined after the meeting: no progress row, and none comes back.
    make_member(
        group=group, slug="late", name="Late", position=3, joined_on=datetime.date(2026, 6, 1)
    )
    commitment = make_commitment(slug="data-centres", member_group=group)
    for as_of, status in [
        (datetime.date(2026, 2, 1), Status.IN_PROGRESS),
        (datetime.date(2026, 4, 1), Status.COMPLETED),
    ]:
        commitment.record_update(
            member=cambodia, status=status, as_of=as_of, note=f"Note of {as_of}.",
            basis=Basis.SELF_REPORTED,
        )  # fmt: skip
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 3, 1), note="Regional work.",
        basis=Basis.SECRETARIAT_VERIFIED,
    )  # fmt: skip
    return commitment


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_member_progress_and_history_round_trip_through_an_empty_database(
    client, tracked, tmp_path
):
    exported = body(client.get("/data/dataset.json"))
    wipe()

    out = import_file(tmp_path, "dataset.json", exported)

    # Members without progress (the one who joined later) are not part of the dataset.
    assert "1 member group, 2 member states, 2 member updates" in out
    commitment = Commitment.objects.get(slug="data-centres")
    assert commitment.member_group.slug == "asean"
    progress = {p.member.slug: p.status for p in MemberProgress.objects.select_related("member")}
    assert progress == {"cambodia": Status.COMPLETED, "viet-nam": Status.NOT_ASSESSED}
    assert body(client.get("/data/dataset.json")) == exported


def _bad(client, tracked, tmp_path, change) -> str:
    data = json.loads(body(client.get("/data/dataset.json")))
    change(data)
    wipe()
    before = _counts()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_commitments", str(path), stdout=StringIO(), stderr=err)
    assert _counts() == before
    return err.getvalue()


def test_a_broken_member_chain_is_refused_naming_the_record(client, tracked, tmp_path):
    def change(data):
        data["member_updates"][1]["previous_status"] = "not_started"

    err = _bad(client, tracked, tmp_path, change)

    assert "member_updates record 2 (data-centres): previous_status: is 'not_started', but " in err


def test_progress_the_history_does_not_lead_to_is_refused(client, tracked, tmp_path):
    def change(data):
        row = next(r for r in data["member_progress"] if r["member"] == "viet-nam")
        row["status"] = "completed"

    err = _bad(client, tracked, tmp_path, change)

    assert "status: is completed, but the member's updates in the file lead to not_assessed" in err


def test_a_member_who_joined_after_the_commitment_was_made_is_refused(client, tracked, tmp_path):
    def change(data):
        data["member_states"].append(
            {"slug": "late", "group": "asean", "name": "Late", "joined_on": "2026-06-01",
             "position": 3}
        )  # fmt: skip
        for row in data["member_updates"]:
            row["member"] = "late"

    err = _bad(client, tracked, tmp_path, change)

    assert "member_updates record 1 (data-centres): Late: member: Late joined on 1 June 2026" in err


def test_an_unknown_member_is_refused(client, tracked, tmp_path):
    def change(data):
        data["member_updates"][0]["member"] = "atlantis"

    err = _bad(client, tracked, tmp_path, change)

    assert "member: no member_state 'atlantis' in the file or the database" in err
    assert not StatusUpdate.objects.exists()


def test_a_whole_commitment_status_on_a_per_member_commitment_is_refused(client, tracked, tmp_path):
    def change(data):
        # Its own update turned from a note into "completed", and the commitment with it.
        data["updates"][0]["status"] = "completed"
        data["commitments"][0]["status"] = "completed"

    err = _bad(client, tracked, tmp_path, change)

    assert "updates record 1 (data-centres): status: “Build bridge number" in err
    assert "is carried out by each member of ASEAN" in err


def test_a_per_member_commitments_status_must_be_what_its_members_work_out_to(
    client, tracked, tmp_path
):
    def change(data):
        data["commitments"][0]["status"] = "completed"

    err = _bad(client, tracked, tmp_path, change)

    assert (
        "commitments record 1 (data-centres): status: is completed, but its member states' "
        "statuses in the file work out to in_progress"
    ) in err
