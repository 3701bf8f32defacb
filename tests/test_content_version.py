"""The content version moves on exactly once per write, whatever the write touches: the page
cache and the figures are kept under it, and each extra move would throw them away for nothing."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from tests import factories
from tests.forms import form_data
from tracker.models import Basis, Commitment, ContentVersion, Status

FIXTURES = ("fixtures/asean-members.json", "fixtures/adgmin-2026.json")


def _number() -> int:
    return ContentVersion.objects.get(pk=ContentVersion.PK).number


@pytest.fixture
def commitment(db) -> Commitment:
    return factories.make_commitment(
        themes=[factories.make_theme(), factories.make_theme()],
        partners=[factories.make_actor()],
    )


def test_a_status_update_moves_the_version_once(commitment):
    before = _number()

    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Begun.",
        basis=Basis.SELF_REPORTED,
    )

    assert _number() == before + 1


def test_an_admin_save_with_a_status_update_moves_the_version_once(admin_client, commitment):
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"
    data = form_data(
        admin_client,
        url,
        "commitment_form",
        title="A new title",
        themes=[str(factories.make_theme().pk)],
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="Begun.",
        basis=Basis.SECRETARIAT_VERIFIED,
    )
    before = _number()

    assert admin_client.post(url, data).status_code == 302

    assert _number() == before + 1


def test_a_new_commitment_with_members_moves_the_version_once(db):
    group = factories.make_group(members=3)
    source, owner = factories.make_source(), factories.make_actor()
    before = _number()

    made = Commitment.objects.create(
        slug="bridge",
        title="Build a bridge",
        quote="The leaders promised to build a bridge.",
        source=source,
        owner=owner,
        proposer=owner,
        status_date=source.event_date,
        member_group=group,
    )

    assert made.member_progress.count() == 3
    assert _number() == before + 1


def test_loading_the_fixtures_moves_the_version_once_per_file(db):
    before = _number()

    call_command("load_sources", *FIXTURES, stdout=StringIO())

    assert _number() == before + len(FIXTURES)


def test_a_dry_run_moves_nothing(db):
    before = _number()

    call_command("load_sources", FIXTURES[0], "--dry-run", stdout=StringIO())

    assert _number() == before


def test_an_admin_save_of_a_group_and_its_members_moves_the_version_once(admin_client, db):
    group = factories.make_group(members=3)
    url = f"/admin/tracker/membergroup/{group.pk}/change/"
    names = {f"members-{i}-name": f"Renamed member {i}" for i in range(group.members.count())}
    data = form_data(admin_client, url, "membergroup_form", name="Renamed group", **names)
    before = _number()

    assert admin_client.post(url, data).status_code == 302

    assert set(group.members.values_list("name", flat=True)) == {
        "Renamed member 0",
        "Renamed member 1",
        "Renamed member 2",
    }
    assert _number() == before + 1


def test_a_bulk_status_change_moves_the_version_once(admin_client, db):
    made = [factories.make_commitment() for _ in range(3)]
    before = _number()

    response = admin_client.post(
        "/admin/tracker/commitment/",
        {
            "action": "change_status",
            "_selected_action": [c.pk for c in made],
            "apply": "Record",
            **{f"version-{c.pk}": c.version for c in made},
            "status": Status.IN_PROGRESS,
            "as_of": "2026-03-01",
            "note": "In bulk.",
            "basis": Basis.SELF_REPORTED,
            "is_public": "on",
        },
    )

    assert response.status_code == 302
    assert _number() == before + 1
