"""/members/<slug>/: one member state's progress on every commitment it carries out."""

import datetime

import pytest

from tests import factories
from tests.html import check_page, h1_of
from tracker.models import Status


@pytest.fixture
def viet_nam(db):
    group, (viet_nam, cambodia), (centres, training) = factories.make_scorecard(
        members=2, commitments=2, slug="asean", name="ASEAN"
    )
    viet_nam.name, viet_nam.slug = "Viet Nam", "viet-nam"
    viet_nam.save()
    centres.title = "Develop data centres"
    centres.save()
    factories.record_member_status(
        centres, viet_nam, Status.COMPLETED, note="The national data centre opened.",
        evidence_url="https://example.org/opening",
    )  # fmt: skip
    factories.record_member_status(
        centres, viet_nam, Status.COMPLETED, as_of=datetime.date(2026, 4, 1),
        note="Internal: waiting for the inspection report.", is_public=False,
    )  # fmt: skip
    factories.record_member_status(
        training, cambodia, Status.NOT_STARTED, note="Cambodia reported no start."
    )
    draft = factories.make_commitment(
        title="A secret per-member draft", member_group=group, is_published=False
    )
    factories.record_member_status(draft, viet_nam, Status.IN_PROGRESS, note="Draft note.")
    return viet_nam


def test_the_page_shows_its_status_on_every_commitment_it_shares(client, viet_nam):
    response = client.get("/members/viet-nam/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Viet Nam"
    assert "Develop data centres" in html
    assert len(response.context["rows"]) == 2
    assert "✓</span> Completed" in html and "?</span> Not yet assessed" in html
    assert '<time datetime="2026-03-01">1 March 2026</time>' in html


def test_each_commitment_shows_the_latest_public_note_and_evidence(client, viet_nam):
    html = client.get("/members/viet-nam/").content.decode()

    assert "The national data centre opened." in html
    assert 'href="https://example.org/opening"' in html


def test_drafts_internal_notes_and_other_members_notes_never_appear(client, viet_nam):
    html = client.get("/members/viet-nam/").content.decode()

    for secret in ("A secret per-member draft", "Draft note.", "waiting for the inspection"):
        assert secret not in html
    assert "Cambodia reported no start." not in html


def test_the_page_shows_its_score(client, viet_nam):
    html = client.get("/members/viet-nam/").content.decode()

    # As bold as the score, and in the same element: one assessed commitment is no record.
    assert "Compliance score <strong>+1.00 · assessed on 1 of 2 commitments</strong>" in html
    assert "1 of 2 done" in html


def test_the_page_lists_its_latest_updates_and_announces_its_feed(client, viet_nam):
    html = client.get("/members/viet-nam/").content.decode()

    assert '<h2 id="updates-heading">Latest updates</h2>' in html
    assert 'href="/members/viet-nam/feed/"' in html
    assert 'rel="alternate" type="application/atom+xml" title="Updates on Viet Nam"' in html


def test_an_unknown_member_is_not_found(client, viet_nam):
    assert client.get("/members/atlantis/").status_code == 404


def test_a_member_known_only_from_drafts_is_not_found(client, db):
    group = factories.make_group()
    factories.make_member(group=group, slug="draft-only")
    factories.make_commitment(member_group=group, is_published=False)

    assert client.get("/members/draft-only/").status_code == 404
    assert client.get("/members/draft-only/feed/").status_code == 404


def test_it_answers_get_and_head_only(client, viet_nam):
    assert client.head("/members/viet-nam/").status_code == 200
    assert client.post("/members/viet-nam/").status_code == 405


def test_a_long_list_is_paged_at_50(client, db):
    _, (member,), _ = factories.make_scorecard(members=1, commitments=51)

    response = client.get(member.get_absolute_url())

    assert len(response.context["rows"]) == 50
    assert "Commitments 1 to 50 of 51." in response.content.decode()


@pytest.mark.parametrize("commitments", [1, 40])
def test_the_page_runs_the_same_queries_for_one_or_many_commitments(
    client, db, django_assert_num_queries, commitments
):
    _, states, made = factories.make_scorecard(members=11, commitments=commitments)
    for commitment in made[:5]:
        factories.record_member_status(commitment, states[0], Status.IN_PROGRESS)

    # 1 the member with its group, 2 the content version, its figures (counted once per version)
    # (the scores), 3 the number of its commitments, 4 a page of them with their latest public
    # notes, 5 what its own bodies own, 6 its latest updates
    with django_assert_num_queries(7):
        response = client.get(states[0].get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["rows"]) == commitments


def test_a_member_page_lists_what_its_own_government_owns(client, make_commitment, make_actor):
    _, states, _ = factories.make_scorecard(members=2, commitments=1)
    ministry = make_actor(name="Ministry of Science", member_state=states[0])
    make_commitment(title="Offer to collaborate on data governance", owner=ministry)

    own = client.get(states[0].get_absolute_url()).content.decode()
    other = client.get(states[1].get_absolute_url()).content.decode()

    assert "own government must deliver" in own
    assert "Offer to collaborate on data governance" in own
    assert "Offer to collaborate on data governance" not in other
