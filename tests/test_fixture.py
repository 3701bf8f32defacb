"""The shipped ADGMIN 2026 fixture: it loads cleanly, twice, and says only what the report says."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from tracker.models import (
    Actor,
    ActorKind,
    Commitment,
    MemberGroup,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
)

# Found from this file rather than the working directory, so the tests pass wherever they run.
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "adgmin-2026.json"
MEMBERS_FIXTURE = FIXTURE.parent / "asean-members.json"

EVENT_DATE = datetime.date(2026, 1, 15)

THEMES_IN_ORDER = [
    "Infrastructure",
    "Digital government",
    "Trust and safety",
    "Inclusive digital development",
    "Talent and human capital",
    "Innovation",
    "Digital economy and trade",
    "Green digital transition",
]

# ASEAN's member states in its own (alphabetical) order, with the day each joined.
ASEAN_MEMBERS = {
    "brunei-darussalam": ("Brunei Darussalam", datetime.date(1984, 1, 7)),
    "cambodia": ("Cambodia", datetime.date(1999, 4, 30)),
    "indonesia": ("Indonesia", datetime.date(1967, 8, 8)),
    "lao-pdr": ("Lao PDR", datetime.date(1997, 7, 23)),
    "malaysia": ("Malaysia", datetime.date(1967, 8, 8)),
    "myanmar": ("Myanmar", datetime.date(1997, 7, 23)),
    "philippines": ("Philippines", datetime.date(1967, 8, 8)),
    "singapore": ("Singapore", datetime.date(1967, 8, 8)),
    "thailand": ("Thailand", datetime.date(1967, 8, 8)),
    "timor-leste": ("Timor-Leste", datetime.date(2025, 10, 26)),
    "viet-nam": ("Viet Nam", datetime.date(1995, 7, 28)),
}

# Carried out by each member state: national work (law, cables, data centres, training) or
# each member's own part in a joint exercise (docs/adgmin-2026.md says why, one by one).
PER_MEMBER = {
    "upgrade-the-regional-digital-backbone",
    "develop-domestic-data-centres",
    "connect-national-data-centres",
    "harmonise-legal-frameworks",
    "enhance-cybersecurity-information-sharing",
    "enhance-joint-cybersecurity-exercises",
    "combat-online-fraud-and-cybercrime",
    "develop-human-capital-in-key-digital-fields",
    "build-digital-citizens-through-digital-literacy",
}

SPEAKERS = ["nguyen-manh-hung", "kao-kim-hourn", "amandeep-singh-gill", "pham-minh-chinh"]

# Every proposal in the report, in the order it makes them.
COMMITMENTS_IN_ORDER = [
    "adopt-a-unified-digital-master-plan",
    "create-a-unified-asean-ai-network",
    "propose-eight-focus-areas-for-digital-transformation",
    "collaborate-on-data-governance-and-ai",
    "advance-inclusive-digital-cooperation",
    "narrow-the-digital-divide",
    "foster-a-trustworthy-and-secure-digital-space",
    "pursue-a-balanced-human-centric-digital-strategy",
    "pursue-a-human-centred-ethical-digital-ecosystem",
    "harmonise-legal-frameworks",
    "establish-data-sharing-mechanisms",
    "guide-ai-development-with-transparency-and-flexibility",
    "upgrade-the-regional-digital-backbone",
    "develop-domestic-data-centres",
    "connect-national-data-centres",
    "cooperate-on-satellite-technologies",
    "enhance-cybersecurity-information-sharing",
    "enhance-joint-cybersecurity-exercises",
    "combat-online-fraud-and-cybercrime",
    "develop-human-capital-in-key-digital-fields",
    "build-digital-citizens-through-digital-literacy",
]

# The Prime Minister's three strategic directions and the proposals made under each.
DIRECTIONS = {
    "Digital institutions and trust": 4,
    "Digital infrastructure": 4,
    "Digital workforce and cybersecurity": 5,
}


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """Loaded as `make run` loads it, the member states first, with load_sources: once for
    the module, whose database tests all read it (the two that load it again write in their
    own savepoint)."""
    with factories.rolled_back_afterwards(django_db_blocker):
        call_command("load_sources", MEMBERS_FIXTURE, FIXTURE, verbosity=0)
        yield


@pytest.fixture
def source(_loaded, db) -> Source:
    return Source.objects.get(slug="adgmin-2026-hanoi")


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Source,
            Actor,
            Theme,
            Commitment,
            StatusUpdate,
            MemberGroup,
            MemberState,
            MemberProgress,
        )
    }


def _pks() -> dict[str, list[int]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values_list("pk", flat=True))
        for model in (Source, Actor, Theme, Commitment, MemberGroup, MemberState, MemberProgress)
    }


def test_every_object_in_it_passes_full_clean(source):
    for model in (Source, Actor, Theme, Commitment, MemberGroup, MemberState, MemberProgress):
        for obj in model.objects.all():
            obj.full_clean()


def test_it_holds_one_source_nine_actors_eight_themes_and_21_commitments(source):
    assert _counts() == {
        "Source": 1,
        "Actor": 9,
        "Theme": 8,
        "Commitment": 21,
        "StatusUpdate": 0,
        "MemberGroup": 1,
        "MemberState": 11,
        # Eleven members on each of the nine commitments carried out member by member.
        "MemberProgress": 99,
    }


def test_loading_it_twice_changes_no_counts_and_keeps_the_same_primary_keys(source):
    counts, pks = _counts(), _pks()
    call_command("loaddata", MEMBERS_FIXTURE, FIXTURE, verbosity=0)
    assert _counts() == counts
    assert _pks() == pks


def test_the_source_text_is_the_whole_report(source):
    text = source.full_text
    assert text.startswith(
        "The sixth ASEAN Digital Ministers’ Meeting (ADGMIN) officially opened on January 15 "
        "in Hanoi,"
    )
    assert text.endswith("sustainable digital era for ASEAN.\n\nDu Lam")
    for sentence in [
        "Three strategic directions for ASEAN’s digital community:",
        "The Minister proposed eight key focus areas for transformation:",
        "UN Under-Secretary-General and Tech Envoy Amandeep Singh Gill also addressed the "
        "conference,",
        "He proposed each nation develop domestic data centers and connect them regionally,",
        "Concluding his speech, the Prime Minister called on all ASEAN nations and businesses",
    ]:
        assert sentence in text
    # SHA-256 of /shared/sources/adgmin-2026-hanoi.txt without its trailing newline: catches a
    # changed character anywhere, without the tests depending on where that file lives.
    assert len(text) == 5537
    assert (
        hashlib.sha256(text.encode()).hexdigest()
        == "ae68206762b60651945286bcce938c1230170af15fdb15ecff978f636b1042a2"
    )


def test_the_source_names_no_publisher_url_or_date_the_report_does_not_give(source):
    assert (source.publisher, source.url, source.published_on) == ("", "", None)
    # Nor is when its text was taken: left empty, shown as "not recorded", never guessed.
    assert source.retrieved_on is None
    assert source.author == "Du Lam"
    assert source.event_date == EVENT_DATE


def test_every_quote_is_verbatim_from_the_source(source):
    for commitment in Commitment.objects.all():
        assert commitment.quote in source.full_text, commitment.slug


def test_every_heading_is_a_heading_of_the_report_and_comes_before_its_quote(source):
    lines = source.full_text.splitlines()
    for commitment in Commitment.objects.all():
        assert commitment.heading in lines, commitment.slug
        heading_at = source.full_text.index(f"\n{commitment.heading}\n")
        assert heading_at < source.full_text.index(commitment.quote), commitment.slug


def test_commitments_are_numbered_1_to_n_in_the_order_the_report_makes_them(source):
    commitments = list(Commitment.objects.order_by("position"))
    assert [c.position for c in commitments] == list(range(1, len(commitments) + 1))
    assert [c.slug for c in commitments] == COMMITMENTS_IN_ORDER
    quote_offsets = [source.full_text.index(c.quote) for c in commitments]
    assert quote_offsets == sorted(quote_offsets)


def test_every_commitment_is_not_assessed_as_of_the_event_and_published(source):
    for commitment in Commitment.objects.all():
        assert commitment.source == source
        assert commitment.status == Status.NOT_ASSESSED, commitment.slug
        assert commitment.status_date == EVENT_DATE, commitment.slug
        assert commitment.target_date is None, commitment.slug
        assert commitment.is_published, commitment.slug
    assert not StatusUpdate.objects.exists()


def test_each_of_the_four_speakers_proposes_at_least_one_commitment(source):
    proposers = Counter(Commitment.objects.values_list("proposer__slug", flat=True))
    assert set(proposers) == set(SPEAKERS)
    assert all(proposers[slug] >= 1 for slug in SPEAKERS)
    assert set(Actor.objects.filter(slug__in=SPEAKERS).values_list("kind", flat=True)) == {
        ActorKind.PERSON
    }


def test_people_propose_commitments_but_never_own_or_share_them(source):
    people = Actor.objects.filter(kind=ActorKind.PERSON)
    assert not Commitment.objects.filter(owner__in=people).exists()
    assert not Commitment.objects.filter(partners__in=people).exists()


def test_regional_national_and_viet_nam_actions_have_the_right_owners(source):
    owners = dict(Commitment.objects.values_list("slug", "owner__slug"))
    # "ASEAN needs…", "advising ASEAN", "the bloc's commitment": ASEAN, not the meeting.
    assert owners["adopt-a-unified-digital-master-plan"] == "asean"
    assert owners["pursue-a-balanced-human-centric-digital-strategy"] == "asean"
    assert owners["narrow-the-digital-divide"] == "asean"
    assert owners["propose-eight-focus-areas-for-digital-transformation"] == "adgmin"
    assert owners["collaborate-on-data-governance-and-ai"] == (
        "viet-nam-ministry-of-science-and-technology"
    )
    # What each member state carries out is owned by the member states, and by nobody else.
    for commitment in Commitment.objects.filter(member_group__isnull=False):
        assert commitment.owner.slug == "asean-member-states", commitment.slug
        assert not commitment.partners.filter(slug="asean-member-states").exists()
    assert sum(1 for owner in owners.values() if owner == "adgmin") == 1


def test_every_statement_is_a_commitment_proposal_or_advice_as_the_text_says(source):
    kinds = dict(Commitment.objects.values_list("slug", "kind"))
    assert kinds["pursue-a-balanced-human-centric-digital-strategy"] == "advice"
    assert kinds["collaborate-on-data-governance-and-ai"] == "commitment"
    assert kinds["advance-inclusive-digital-cooperation"] == "commitment"
    assert kinds["develop-domestic-data-centres"] == "proposal"
    assert Counter(kinds.values()) == {"proposal": 16, "commitment": 4, "advice": 1}


def test_viet_nams_own_bodies_belong_to_viet_nam(source):
    ministry = Actor.objects.get(slug="viet-nam-ministry-of-science-and-technology")
    assert ministry.member_state.slug == "viet-nam"


def test_each_of_the_prime_ministers_directions_has_the_expected_commitments(source):
    for heading, expected in DIRECTIONS.items():
        under_it = Commitment.objects.filter(heading=heading)
        assert under_it.count() == expected, heading
        assert set(under_it.values_list("proposer__slug", flat=True)) == {"pham-minh-chinh"}


def test_the_eight_themes_are_the_ministers_focus_areas_in_his_order(source):
    themes = list(Theme.objects.order_by("position"))
    assert [t.name for t in themes] == THEMES_IN_ORDER
    assert [t.position for t in themes] == list(range(1, 9))


def test_every_theme_has_a_commitment_and_every_other_commitment_one_to_three_themes(source):
    for theme in Theme.objects.all():
        assert theme.commitments.exists(), theme.slug
    # The Minister's eight focus areas are one proposal, tagged with the eight themes it names.
    focus_areas = Commitment.objects.get(
        slug="propose-eight-focus-areas-for-digital-transformation"
    )
    assert [t.name for t in focus_areas.themes.order_by("position")] == THEMES_IN_ORDER
    for commitment in Commitment.objects.exclude(pk=focus_areas.pk):
        assert 1 <= commitment.themes.count() <= 3, commitment.slug


def test_the_eleven_asean_member_states_and_their_join_dates(source):
    asean = MemberGroup.objects.get(slug="asean")
    assert asean.name == "ASEAN"
    members = list(asean.members.order_by("position"))
    assert {m.slug: (m.name, m.joined_on) for m in members} == ASEAN_MEMBERS
    assert [m.slug for m in members] == list(ASEAN_MEMBERS)


def test_the_commitments_carried_out_nationally_are_tracked_member_by_member(source):
    tracked = set(
        Commitment.objects.filter(member_group__slug="asean").values_list("slug", flat=True)
    )
    assert tracked == PER_MEMBER
    assert not Commitment.objects.exclude(slug__in=PER_MEMBER).filter(member_group__isnull=False)


def test_every_member_starts_not_assessed_on_every_national_commitment_with_no_history(source):
    for commitment in Commitment.objects.filter(slug__in=PER_MEMBER):
        rows = commitment.member_progress.select_related("member")
        # Timor-Leste joined on 26 October 2025, before the meeting: it is tracked too.
        assert sorted(row.member.slug for row in rows) == sorted(ASEAN_MEMBERS), commitment.slug
        assert {(row.status, row.status_date) for row in rows} == {
            (Status.NOT_ASSESSED, EVENT_DATE)
        }
    assert not StatusUpdate.objects.filter(member__isnull=False).exists()


def test_the_un_envoys_formal_title_is_used_outside_the_quote(source):
    gill = Actor.objects.get(slug="amandeep-singh-gill")
    assert gill.role == (
        "UN Under-Secretary-General and Special Envoy for Digital and Emerging Technologies"
    )
    for commitment in Commitment.objects.all():
        assert "Tech Envoy" not in commitment.summary + commitment.title, commitment.slug


def test_the_members_file_loads_twice_without_duplicates(source):
    counts = _counts()
    call_command("load_sources", MEMBERS_FIXTURE, verbosity=0)
    call_command("loaddata", MEMBERS_FIXTURE, verbosity=0)
    assert _counts() == counts


def test_the_fixture_file_uses_unique_slugs_and_no_primary_keys():
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    objects += json.loads(MEMBERS_FIXTURE.read_text(encoding="utf-8"))
    assert all("pk" not in obj for obj in objects)
    keys = [(obj["model"], obj["fields"]["slug"]) for obj in objects]
    assert len(keys) == len(set(keys))
    slugs = [obj["fields"]["slug"] for obj in objects if obj["model"] == "tracker.commitment"]
    assert slugs == COMMITMENTS_IN_ORDER
