"""The shipped ADGMIN 2026 fixture: it loads cleanly, twice, and says only what the report says."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from tracker.models import Actor, ActorKind, Commitment, Source, Status, StatusUpdate, Theme

# Found from this file rather than the working directory, so the tests pass wherever they run.
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "adgmin-2026.json"

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

SPEAKERS = ["nguyen-manh-hung", "kao-kim-hourn", "amandeep-singh-gill", "pham-minh-chinh"]

# Every proposal in the report, in the order it makes them.
COMMITMENTS_IN_ORDER = [
    "adopt-a-unified-digital-master-plan",
    "create-a-unified-asean-ai-network",
    "focus-area-infrastructure",
    "focus-area-digital-government",
    "focus-area-trust-and-safety",
    "focus-area-inclusive-digital-development",
    "focus-area-talent-and-human-capital",
    "focus-area-innovation",
    "focus-area-digital-economy-and-trade",
    "focus-area-green-digital-transition",
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
    "deepen-solidarity-cooperation-and-dialogue",
]

# The Prime Minister's three strategic directions and the proposals made under each.
DIRECTIONS = {
    "Digital institutions and trust": 4,
    "Digital infrastructure": 4,
    "Digital workforce and cybersecurity": 5,
}


@pytest.fixture
def source(db) -> Source:
    call_command("loaddata", FIXTURE, verbosity=0)
    return Source.objects.get(slug="adgmin-2026-hanoi")


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Source, Actor, Theme, Commitment, StatusUpdate)
    }


def _pks() -> dict[str, list[int]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values_list("pk", flat=True))
        for model in (Source, Actor, Theme, Commitment)
    }


def test_every_object_in_it_passes_full_clean(source):
    for model in (Source, Actor, Theme, Commitment):
        for obj in model.objects.all():
            obj.full_clean()


def test_it_holds_one_source_nine_actors_eight_themes_and_29_commitments(source):
    assert _counts() == {
        "Source": 1,
        "Actor": 9,
        "Theme": 8,
        "Commitment": 29,
        "StatusUpdate": 0,
    }


def test_loading_it_twice_changes_no_counts_and_keeps_the_same_primary_keys(source):
    counts, pks = _counts(), _pks()
    call_command("loaddata", FIXTURE, verbosity=0)
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
    assert owners["adopt-a-unified-digital-master-plan"] == "adgmin"
    assert owners["connect-national-data-centres"] == "adgmin"
    assert owners["enhance-joint-cybersecurity-exercises"] == "adgmin"
    assert owners["develop-domestic-data-centres"] == "asean-member-states"
    assert owners["collaborate-on-data-governance-and-ai"] == (
        "viet-nam-ministry-of-science-and-technology"
    )
    closing = Commitment.objects.get(slug="deepen-solidarity-cooperation-and-dialogue")
    assert closing.owner.slug == "asean-member-states"
    assert list(closing.partners.values_list("slug", flat=True)) == ["asean-businesses"]


def test_each_of_the_prime_ministers_directions_has_the_expected_commitments(source):
    for heading, expected in DIRECTIONS.items():
        under_it = Commitment.objects.filter(heading=heading)
        assert under_it.count() == expected, heading
        assert set(under_it.values_list("proposer__slug", flat=True)) == {"pham-minh-chinh"}


def test_the_eight_themes_are_the_ministers_focus_areas_in_his_order(source):
    themes = list(Theme.objects.order_by("position"))
    assert [t.name for t in themes] == THEMES_IN_ORDER
    assert [t.position for t in themes] == list(range(1, 9))


def test_every_theme_has_a_commitment_and_every_commitment_one_to_three_themes(source):
    for theme in Theme.objects.all():
        assert theme.commitments.exists(), theme.slug
    # Each of the Minister's focus areas is its own commitment, tagged with that theme alone.
    for theme in Theme.objects.all():
        focus_area = Commitment.objects.get(slug=f"focus-area-{theme.slug}")
        assert list(focus_area.themes.all()) == [theme]
    for commitment in Commitment.objects.all():
        assert 1 <= commitment.themes.count() <= 3, commitment.slug


def test_the_fixture_file_uses_unique_slugs_and_no_primary_keys():
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert all("pk" not in obj for obj in objects)
    keys = [(obj["model"], obj["fields"]["slug"]) for obj in objects]
    assert len(keys) == len(set(keys))
    slugs = [obj["fields"]["slug"] for obj in objects if obj["model"] == "tracker.commitment"]
    assert slugs == COMMITMENTS_IN_ORDER
