"""Member states' updates in feeds: labelled with the member in the site's and the
commitment's feeds, and in the member's own feed, /members/<slug>/feed/."""

import datetime

import feedparser
import pytest

from tests import factories
from tracker.models import Status


@pytest.fixture
def national(db):
    group, (viet_nam, cambodia), (centres,) = factories.make_scorecard(members=2, commitments=1)
    viet_nam.name, viet_nam.slug = "Viet Nam", "viet-nam"
    viet_nam.save()
    centres.title = "Develop data centres"
    centres.save()
    factories.record_member_status(
        centres, viet_nam, Status.IN_PROGRESS, note="Site chosen.",
        evidence_url="https://example.org/site",
    )  # fmt: skip
    factories.record_member_status(
        centres, viet_nam, Status.IN_PROGRESS, as_of=datetime.date(2026, 4, 1),
        note="Internal: contractor unpaid.", is_public=False,
    )  # fmt: skip
    factories.record_member_status(centres, cambodia, Status.NOT_STARTED, note="Nothing yet.")
    draft = factories.make_commitment(title="Secret draft", member_group=group, is_published=False)
    factories.record_member_status(draft, viet_nam, Status.COMPLETED, note="Draft note.")
    return centres


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed, response.content.decode()


@pytest.mark.parametrize("url", ["/feeds/updates/", "/commitments/{slug}/feed/"])
def test_a_member_update_is_labelled_with_the_member(client, national, url):
    feed, _ = _feed(client, url.format(slug=national.slug))

    titles = [entry.title for entry in feed.entries]
    title = "Develop data centres · Viet Nam: Not yet assessed → In progress"
    assert title in titles
    entry = feed.entries[titles.index(title)]
    assert entry.content[0].value.startswith("Viet Nam: In progress as of 1 March 2026.")
    update = national.updates.get(member__slug="viet-nam", is_public=True)
    assert entry.link == f"http://testserver{national.get_absolute_url()}#update-{update.pk}"


def test_the_member_feed_holds_its_own_public_updates_only(client, national):
    feed, text = _feed(client, "/members/viet-nam/feed/")

    assert feed.feed.title.startswith("Viet Nam · status updates")
    assert [entry.title for entry in feed.entries] == [
        "Develop data centres · Viet Nam: Not yet assessed → In progress"
    ]
    assert "Evidence: https://example.org/site" in feed.entries[0].content[0].value
    for secret in ("Nothing yet.", "contractor unpaid", "Secret draft", "Draft note."):
        assert secret not in text


@pytest.mark.parametrize("url", ["/feeds/updates/", "/commitments/{slug}/feed/"])
def test_drafts_and_internal_member_notes_are_in_no_feed(client, national, url):
    _, text = _feed(client, url.format(slug=national.slug))

    for secret in ("contractor unpaid", "Secret draft", "Draft note."):
        assert secret not in text


def test_an_unknown_members_feed_is_not_found(client, national):
    assert client.get("/members/atlantis/feed/").status_code == 404


def test_the_member_feed_answers_get_and_head_only(client, national):
    assert client.head("/members/viet-nam/feed/").status_code == 200
    assert client.post("/members/viet-nam/feed/").status_code == 405


@pytest.mark.parametrize("updates", [1, 50])
def test_the_member_feed_runs_the_same_queries_for_one_or_fifty_updates(
    client, db, django_assert_num_queries, updates
):
    _, states, made = factories.make_scorecard(members=11, commitments=updates)
    for commitment in made:
        factories.record_member_status(commitment, states[0], Status.IN_PROGRESS)

    # 1 the member, 2 its public updates with their commitments and the member
    with django_assert_num_queries(2):
        feed = feedparser.parse(client.get(states[0].get_absolute_url() + "feed/").content)

    assert len(feed.entries) == updates
