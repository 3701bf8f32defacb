"""Migration 0013 moves existing data over to the one-truth rule: a per-member commitment's
status is worked out again from its members, and no member record or history entry changes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tracker import figures
from tracker.models import Commitment, MemberProgress

BEFORE = [("tracker", "0012_tally_verbose_names")]
AFTER = [("tracker", "0013_derived_status_kind_publisher")]
MADE = datetime.date(2026, 1, 15)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _world(apps) -> dict[str, int]:
    """As issue 18 found it: "Completed" recorded for a whole per-member commitment whose
    members are not assessed, and one member completed on a commitment still "not assessed"."""
    get = apps.get_model
    source = get("tracker", "Source").objects.create(
        slug="hanoi", title="Report", event_name="ADGMIN", event_place="Hanoi",
        event_date=MADE, full_text="Each nation will build.",
    )  # fmt: skip
    actor = get("tracker", "Actor").objects.create(slug="pm", name="PM", kind="person")
    group = get("tracker", "MemberGroup").objects.create(slug="asean", name="ASEAN")
    members = [
        get("tracker", "MemberState").objects.create(
            group=group, slug=slug, name=slug, joined_on=datetime.date(1967, 8, 8), position=n
        )
        for n, slug in enumerate(["cambodia", "viet-nam", "lao-pdr"])
    ]
    made = {}
    for slug, whole, vietnam in [
        ("citizens", "completed", "not_assessed"),
        ("data-centres", "not_assessed", "completed"),
    ]:
        commitment = get("tracker", "Commitment").objects.create(
            source=source, slug=slug, title=slug, summary="S.", quote="Each nation will build.",
            proposer=actor, owner=actor, member_group=group, status=whole,
            status_date=datetime.date(2026, 3, 1), is_published=True,
        )  # fmt: skip
        made[slug] = commitment.pk
        for member in members:
            status = vietnam if member.slug == "viet-nam" else "not_assessed"
            get("tracker", "MemberProgress").objects.create(
                commitment=commitment, member=member, status=status,
                status_date=MADE if status == "not_assessed" else datetime.date(2026, 4, 1),
            )  # fmt: skip
        if whole != "not_assessed":
            get("tracker", "StatusUpdate").objects.create(
                commitment=commitment, status=whole, previous_status="not_assessed",
                as_of=datetime.date(2026, 3, 1), note="Done, we hear.", basis="self_reported",
            )  # fmt: skip
    return made


@pytest.mark.django_db(transaction=True)
def test_the_migration_works_each_status_out_from_the_members_and_changes_no_member_record():
    try:
        before = _migrate(BEFORE)
        made = _world(before)
        progress_before = list(MemberProgress.objects.order_by("pk").values())
        # The history's columns as they were then (later migrations add more).
        history = before.get_model("tracker", "StatusUpdate").objects.order_by("pk")
        history_before = list(history.values())

        after = _migrate(AFTER)

        citizens = Commitment.objects.get(pk=made["citizens"])
        centres = Commitment.objects.get(pk=made["data-centres"])
        # "Completed" by hand, members not assessed: now what the members say.
        assert (citizens.status, citizens.status_date) == ("not_assessed", MADE)
        # One member completed: in progress, as of that member's date.
        assert (centres.status, centres.status_date) == ("in_progress", datetime.date(2026, 4, 1))
        assert list(MemberProgress.objects.order_by("pk").values()) == progress_before
        history = after.get_model("tracker", "StatusUpdate").objects.order_by("pk")
        assert list(history.values(*history_before[0])) == history_before
        assert figures.read(*figures.SCOPES) == figures.count_afresh()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
