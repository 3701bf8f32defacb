"""Migration 0014 brings a database that loaded the ADGMIN fixture before issue 18 to the
corrected data of docs/adgmin-2026.md, keeping what an editor changed since."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tracker import figures
from tracker.models import Actor, Commitment, ContentVersion

BEFORE = [("tracker", "0013_derived_status_kind_publisher")]
AFTER = [("tracker", "0014_adgmin_2026_accountability")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_adgmin(apps, source_slug="adgmin-2026-hanoi") -> None:
    """A few rows as the fixture had them before issue 18, and one an editor changed since."""
    get = apps.get_model
    # A test database may have been emptied since migration 0007 made the row.
    get("tracker", "ContentVersion").objects.get_or_create(
        pk=ContentVersion.PK,
        defaults={"number": 1, "token": "before", "changed": timezone.now()},
    )
    source = get("tracker", "Source").objects.create(
        slug=source_slug, title="Report", event_name="ADGMIN", event_place="Hanoi",
        event_date=datetime.date(2026, 1, 15), full_text="They spoke.",
    )  # fmt: skip
    group = get("tracker", "MemberGroup").objects.create(slug="asean", name="ASEAN")
    get("tracker", "MemberState").objects.create(
        group=group, slug="viet-nam", name="Viet Nam", joined_on=datetime.date(1995, 7, 28)
    )
    actors = {
        slug: get("tracker", "Actor").objects.create(slug=slug, name=slug, kind=kind)
        for slug, kind in [
            ("pham-minh-chinh", "person"),
            ("adgmin", "group"),
            ("asean-member-states", "group"),
            ("asean-secretariat", "organisation"),
        ]
    }
    for slug, owner, partners in [
        ("narrow-the-digital-divide", "adgmin", ["asean-secretariat"]),
        ("harmonise-legal-frameworks", "adgmin", ["asean-member-states"]),
        # An editor gave it to the Secretariat after loading: kept.
        ("establish-data-sharing-mechanisms", "asean-secretariat", []),
    ]:
        commitment = get("tracker", "Commitment").objects.create(
            source=source, slug=slug, title=slug, summary="S.", quote="They spoke.",
            proposer=actors["pham-minh-chinh"], owner=actors[owner],
            status_date=datetime.date(2026, 1, 15), is_published=True,
        )  # fmt: skip
        commitment.partners.set([actors[p] for p in partners])


@pytest.mark.django_db(transaction=True)
def test_an_old_adgmin_database_gets_the_corrected_owners_kinds_and_member_state():
    try:
        _old_adgmin(_migrate(BEFORE))
        version = ContentVersion.objects.get().number

        _migrate(AFTER)

        owners = dict(Commitment.objects.values_list("slug", "owner__slug"))
        kinds = dict(Commitment.objects.values_list("slug", "kind"))
        assert owners == {
            "narrow-the-digital-divide": "asean",
            "harmonise-legal-frameworks": "asean-member-states",
            "establish-data-sharing-mechanisms": "asean-secretariat",
        }
        assert kinds == {
            "narrow-the-digital-divide": "commitment",
            "harmonise-legal-frameworks": "proposal",
            "establish-data-sharing-mechanisms": "proposal",
        }
        harmonise = Commitment.objects.get(slug="harmonise-legal-frameworks")
        assert not harmonise.partners.exists()
        divide = Commitment.objects.get(slug="narrow-the-digital-divide")
        assert list(divide.partners.values_list("slug", flat=True)) == ["asean-secretariat"]
        assert Actor.objects.get(slug="pham-minh-chinh").member_state.slug == "viet-nam"
        assert Actor.objects.get(slug="asean").name == "ASEAN"
        assert figures.read(*figures.SCOPES) == figures.count_afresh()
        assert ContentVersion.objects.get().number == version + 1
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_database_without_the_adgmin_source_is_left_alone():
    try:
        _old_adgmin(_migrate(BEFORE), source_slug="another-meeting")

        _migrate(AFTER)

        assert Commitment.objects.get(slug="narrow-the-digital-divide").owner.slug == "adgmin"
        assert not Actor.objects.filter(slug="asean").exists()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
