"""import_commitments writes a checked file in batches (bulk_create()), each row as
Commitment.save_edit() would have left it. The proof: the same file recorded one record at a
time through the write path (save(), record_update(), as an editor would) leaves exactly the
same rows, histories in the same order, the same statuses, progress, versions and dates."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.bench import write_import_dataset
from tests.test_import_round_trip import body
from tracker.models import (
    TIMELINE_ORDER,
    Actor,
    Basis,
    Commitment,
    ContentVersion,
    MemberGroup,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
)

PLAIN = [
    ("member_groups", MemberGroup),
    ("member_states", MemberState),
    ("sources", Source),
    ("actors", Actor),
    ("themes", Theme),
]


def record_one_by_one(data: dict, publish: bool = True) -> None:
    """The file recorded through the write path, one record at a time: what import_commitments
    did before it wrote in batches."""
    made: dict[str, dict] = {table: {} for table, _model in PLAIN}
    for table, model in PLAIN:
        for record in data.get(table, []):
            fields = {k: v for k, v in record.items() if k not in ("page_url", "group")}
            fields = {k: v for k, v in fields.items() if k in {f.name for f in model._meta.fields}}
            if table == "member_states":
                fields["group"] = made["member_groups"][record["group"]]
            obj = made[table][record["slug"]] = model.objects.create(**fields)
            obj.refresh_from_db()  # dates as dates, not the file's text
    groups = {}
    for row in data.get("member_progress", []):
        groups[row["commitment"]] = made["member_states"][row["member"]].group
    skipped = {"page_url", "source_title", "proposer_name", "owner_name", "partner_names",
               "theme_names", "member_group", "status", "status_derived_from", "members_tracked",
               "members_assessed", "members_done", "status_label", "bucket", "overdue",
               "last_reviewed", "latest_note", "latest_evidence_url", "score", "partners",
               "themes", "source", "proposer", "owner", "latest_note_language",
               "latest_note_translation_en", "latest_note_translation_vi",
               "latest_note_translation_id"}  # fmt: skip
    for record in data["commitments"]:
        commitment = Commitment(
            **{k: v for k, v in record.items() if k not in skipped},
            source=made["sources"][record["source"]],
            proposer=made["actors"][record["proposer"]],
            owner=made["actors"][record["owner"]],
            member_group=groups.get(record["slug"]),
            is_published=publish,
        )
        commitment.save()
        commitment.refresh_from_db()
        commitment.partners.set([made["actors"][slug] for slug in record["partners"]])
        commitment.themes.set([made["themes"][slug] for slug in record["themes"]])
        own = [u for u in data["updates"] if u["commitment"] == record["slug"]]
        members = [u for u in data.get("member_updates", []) if u["commitment"] == record["slug"]]
        # In date order, a day's member updates before the commitment's own note.
        merged = sorted(
            [(u["as_of"], 0, n, u) for n, u in enumerate(members)]
            + [(u["as_of"], 1, n, u) for n, u in enumerate(own)],
            key=lambda item: item[:3],
        )
        for _as_of, _is_own, _n, update in merged:
            commitment.record_update(
                status=update["status"],
                as_of=datetime.date.fromisoformat(update["as_of"]),
                note=update["note"],
                basis=update["basis"],
                evidence_url=update["evidence_url"],
                member=made["member_states"][update["member"]] if "member" in update else None,
            )
        Commitment.objects.filter(pk=commitment.pk).update(
            last_reviewed=record.get("last_reviewed")
        )


def database_state() -> dict:
    """Every row the import writes, by natural keys; each history in its timeline's order."""
    commitment_fields = [
        f.name for f in Commitment._meta.fields if f.name not in ("id", "created", "updated")
    ]
    related = {"source": "source__slug", "proposer": "proposer__slug", "owner": "owner__slug",
               "member_group": "member_group__slug", "updated_by": "updated_by"}  # fmt: skip
    state = {
        "commitments": sorted(
            Commitment.objects.values_list(*[related.get(f, f) for f in commitment_fields])
        ),
        "partners": sorted(Commitment.partners.through.objects.values_list(
            "commitment__slug", "actor__slug")),
        "themes": sorted(Commitment.themes.through.objects.values_list(
            "commitment__slug", "theme__slug")),
        "progress": sorted(MemberProgress.objects.values_list(
            "commitment__slug", "member__slug", "status", "status_date")),
        "timelines": list(
            StatusUpdate.objects.order_by("commitment__slug", "member__slug", *TIMELINE_ORDER)
            .values_list("commitment__slug", "member__slug", "status", "previous_status",
                         "as_of", "note", "evidence_url", "basis", "is_public", "author",
                         "corrects")
        ),
    }  # fmt: skip
    for table, model in PLAIN:
        fields = [
            f"{f.name}__slug" if f.is_relation else f.name
            for f in model._meta.fields
            if f.name != "id"
        ]
        state[table] = sorted(model.objects.values_list(*fields), key=repr)
    return state


def wipe() -> None:
    for model in (StatusUpdate, MemberProgress, Commitment, Theme, Actor, Source, MemberState,
                  MemberGroup):  # fmt: skip
        model.objects.all().delete()


def assert_same_as_one_by_one(path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    wipe()
    record_one_by_one(data)
    one_by_one = database_state()
    wipe()
    version = ContentVersion.objects.get().number

    out = StringIO()
    call_command("import_commitments", str(path), "--publish", stdout=out, stderr=StringIO())

    assert "imported" in out.getvalue()
    bulk = database_state()
    for table in one_by_one:
        assert bulk[table] == one_by_one[table], table
    # Moved on once, at the end of the import's transaction.
    assert ContentVersion.objects.get().number == version + 1
    return bulk


def test_a_synthetic_dataset_with_member_histories_writes_what_one_by_one_writes(db, tmp_path):
    path = tmp_path / "synthetic.json"
    write_import_dataset(path, 40, sources=3, tracked_every=5, members=3)

    state = assert_same_as_one_by_one(path)

    # The file exercised what it is meant to: histories, members, notes on tracked ones.
    assert len(state["commitments"]) == 40
    assert {status for _c, _m, status, *_rest in state["timelines"]} >= {
        "completed",
        "in_progress",
        "delayed",
    }
    assert any(member for _c, member, *_rest in state["timelines"])
    assert any(
        member is None and slug in {"import-commitment-5", "import-commitment-10"}
        for slug, member, *_rest in state["timelines"]
    )
    assert len(state["progress"]) == 8 * 3  # not the member who joined after the meeting


@pytest.fixture
def adgmin(client, make_member, make_group):
    """The ADGMIN fixture as `make run` loads it, with a history recorded in the admin's way:
    commitments of its own and member states' statuses."""
    call_command("load_sources", "fixtures/asean-members.json", "fixtures/adgmin-2026.json",
                 verbosity=0)  # fmt: skip
    commitments = list(Commitment.objects.order_by("pk"))
    joint = [c for c in commitments if c.member_group_id is None][:5]
    for n, commitment in enumerate(joint):
        commitment.record_update(
            status=[Status.IN_PROGRESS, Status.DELAYED][n % 2], as_of=datetime.date(2026, 2, 1),
            note="Work began.", basis=Basis.SECRETARIAT_VERIFIED,
        )  # fmt: skip
        commitment.record_update(
            status=Status.COMPLETED, as_of=datetime.date(2026, 3, 1), note="Done.",
            basis=Basis.INDEPENDENT, evidence_url="https://example.org/done",
        )  # fmt: skip
    Commitment.objects.update(is_published=True)
    tracked = [c for c in Commitment.objects.order_by("pk") if c.member_group_id][:2]
    for commitment in tracked:
        for member in commitment.member_group.members.order_by("position")[:3]:
            commitment.record_update(
                member=member, status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 2),
                note="Tendered.", basis=Basis.SELF_REPORTED,
            )  # fmt: skip
        commitment.record_update(
            status=commitment.current_status()[0], as_of=datetime.date(2026, 2, 3),
            note="Regional review.", basis=Basis.SECRETARIAT_VERIFIED,
        )  # fmt: skip
    return body(client.get("/data/dataset.json"))


def test_the_adgmin_dataset_export_writes_what_one_by_one_writes(db, adgmin, tmp_path):
    path = tmp_path / "adgmin.json"
    path.write_text(adgmin, encoding="utf-8")

    state = assert_same_as_one_by_one(path)

    assert len(state["commitments"]) == len(json.loads(adgmin)["commitments"])
    assert any(member for _c, member, *_rest in state["timelines"])
