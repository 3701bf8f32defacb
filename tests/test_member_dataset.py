"""Member states in /data/dataset.json: groups, members, progress and histories, stable ids."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from tracker.exports import MEMBER_TABLES
from tracker.models import Basis, Status


def _dataset(client) -> dict:
    response = client.get("/data/dataset.json")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def tracked(make_group, make_member, make_commitment):
    group = make_group(slug="asean", name="ASEAN")
    cambodia = make_member(group=group, slug="cambodia", name="Cambodia", position=1)
    make_member(group=group, slug="viet-nam", name="Viet Nam", position=2)
    commitment = make_commitment(slug="data-centres", member_group=group)
    for as_of, status, public in [
        (datetime.date(2026, 2, 1), Status.IN_PROGRESS, True),
        (datetime.date(2026, 3, 1), Status.IN_PROGRESS, False),
        (datetime.date(2026, 4, 1), Status.COMPLETED, True),
    ]:
        commitment.record_update(
            member=cambodia,
            status=status,
            as_of=as_of,
            note=f"Note of {as_of}.",
            basis=Basis.SELF_REPORTED,
            is_public=public,
        )
    draft = make_commitment(slug="draft", member_group=group, is_published=False)
    draft.record_update(
        member=cambodia,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 2, 1),
        note="Draft only.",
        basis=Basis.SELF_REPORTED,
    )
    return commitment


def test_the_dataset_holds_the_member_tables(client, tracked):
    data = _dataset(client)

    assert data["member_groups"] == [
        {"slug": "asean", "name": "ASEAN", "name_vi": "", "name_id": ""}
    ]
    assert [(m["slug"], m["group"], m["joined_on"]) for m in data["member_states"]] == [
        ("cambodia", "asean", "1967-08-08"),
        ("viet-nam", "asean", "1967-08-08"),
    ]
    assert data["member_progress"] == [
        {
            "commitment": "data-centres",
            "member": "cambodia",
            "status": "completed",
            "status_date": "2026-04-01",
            "score": 1,
        },
        {
            "commitment": "data-centres",
            "member": "viet-nam",
            "status": "not_assessed",
            "status_date": "2026-01-15",
            "score": None,
        },
    ]


def test_member_updates_are_public_only_with_stable_ids_and_not_among_the_commitments_own(
    client, tracked
):
    data = _dataset(client)

    assert [(u["id"], u["status"], u["previous_status"]) for u in data["member_updates"]] == [
        ("data-centres/cambodia/1", "in_progress", "not_assessed"),
        ("data-centres/cambodia/2", "completed", "in_progress"),
    ]
    assert data["updates"] == []
    # Drafts and internal notes are nowhere.
    text = json.dumps(data)
    assert "Draft only." not in text and "Note of 2026-03-01." not in text


def test_an_id_does_not_change_when_the_history_grows(client, tracked):
    before = {u["id"]: u["as_of"] for u in _dataset(client)["member_updates"]}
    tracked.record_update(
        member=tracked.member_group.members.get(slug="cambodia"),
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 4, 1),
        note="Confirmed the same day.",
        basis=Basis.INDEPENDENT,
    )

    after = {u["id"]: u["as_of"] for u in _dataset(client)["member_updates"]}

    assert after == {**before, "data-centres/cambodia/3": "2026-04-01"}


def test_docs_describe_every_column_of_every_member_table():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "data.md").read_text("utf-8")

    for table, columns in MEMBER_TABLES.items():
        section = docs.split(f"### `{table}`", 1)
        assert len(section) == 2, f"docs/data.md has no section for {table}"
        documented = set(re.findall(r"^\| `([a-z_]+)` \|", section[1].split("###")[0], re.M))
        assert documented == {column.name for column in columns}, table


@pytest.mark.parametrize("commitments", [1, 30])
def test_the_member_tables_cost_one_query_each_however_many_rows(
    commitments, client, make_group, make_commitment, django_assert_num_queries
):
    group = make_group(members=11)
    member = group.members.first()
    for _ in range(commitments):
        make_commitment(member_group=group).record_update(
            member=member,
            status=Status.ONGOING,
            as_of=datetime.date(2026, 2, 1),
            note="x",
            basis=Basis.INDEPENDENT,
        )

    # 6 for the tables above (tests/test_dataset.py), then member groups, member states,
    # member progress with commitments and members, member updates with their place.
    with django_assert_num_queries(10):
        data = _dataset(client)

    assert len(data["member_progress"]) == 11 * commitments
    assert len(data["member_updates"]) == commitments
