"""Atom feeds of public status updates, read with a real feed parser."""

import datetime

import feedparser
import pytest

from tests.html import check_page
from tracker.models import Basis, Status


@pytest.fixture
def tracked(make_commitment, make_theme, make_actor):
    """A published commitment with two public updates, a draft, and an internal note."""
    theme = make_theme(slug="infrastructure", name="Infrastructure")
    owner = make_actor(slug="adgmin", name="ADGMIN")
    centres = make_commitment(
        slug="connect-data-centres",
        title="Connect data centres",
        themes=[theme],
        owner=owner,
    )
    centres.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Work began.",
    )
    centres.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Ministers met <again>.",
        evidence_url="https://example.org/communique",
    )
    centres.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,  # internal notes keep the status
        as_of=datetime.date(2026, 5, 1),
        note="Internal: the ministry has not replied.",
        is_public=False,
    )
    draft = make_commitment(
        slug="secret-draft",
        title="A draft nobody should see",
        is_published=False,
        themes=[theme],
        owner=owner,
    )
    draft.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 2, 1),
        note="Draft progress note.",
    )
    return centres


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed, response.content.decode()


FEEDS = [
    "/feeds/updates/",
    "/commitments/connect-data-centres/feed/",
    "/themes/infrastructure/feed/",
    "/actors/adgmin/feed/",
]


@pytest.mark.parametrize("url", FEEDS)
def test_each_feed_lists_the_public_updates_newest_first(client, tracked, url):
    feed, _ = parse(client, url)

    assert [entry.title for entry in feed.entries] == [
        "Connect data centres: In progress (status unchanged)",
        "Connect data centres: Not yet assessed → In progress",
    ]
    latest = feed.entries[0]
    assert latest.content[0].type == "text/plain"
    assert latest.content[0].value == (
        "In progress as of 1 April 2026.\n\nMinisters met <again>.\n\n"
        "Evidence: https://example.org/communique"
    )


@pytest.mark.parametrize("url", FEEDS)
def test_feed_links_are_absolute_and_point_at_the_update(client, tracked, url):
    feed, _ = parse(client, url)
    newest = tracked.updates.filter(is_public=True).order_by("-created", "-pk").first()

    assert feed.entries[0].link == (
        f"http://testserver/commitments/connect-data-centres/#update-{newest.pk}"
    )
    assert feed.entries[0].id == feed.entries[0].link
    assert feed.feed.link.startswith("http://testserver/")
    assert any(link.rel == "self" and link.href == f"http://testserver{url}" for link in
               feed.feed.links)  # fmt: skip


def test_feed_entries_carry_the_dates_they_were_recorded(client, tracked):
    feed, _ = parse(client, "/feeds/updates/")
    newest = tracked.updates.filter(is_public=True).order_by("-created", "-pk").first()

    published = datetime.datetime(*feed.entries[0].published_parsed[:6], tzinfo=datetime.UTC)
    updated = datetime.datetime(*feed.entries[0].updated_parsed[:6], tzinfo=datetime.UTC)
    assert published == newest.created.replace(microsecond=0)
    assert updated == published
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed
    assert feed.feed.author == "Commitments Tracker"


@pytest.mark.parametrize("url", FEEDS)
def test_drafts_and_internal_notes_are_in_no_feed(client, tracked, url):
    _, xml = parse(client, url)

    assert "A draft nobody should see" not in xml
    assert "Draft progress note." not in xml
    assert "the ministry has not replied" not in xml


def test_a_note_is_sent_as_text_so_readers_never_run_it_as_html(client, make_commitment):
    commitment = make_commitment(slug="c")
    commitment.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.STALLED,
        as_of=datetime.date(2026, 3, 1),
        note="<script>alert(1)</script>",
    )

    xml = client.get("/commitments/c/feed/").content.decode()

    assert '<content type="text">Stalled as of 1 March 2026.\n\n&lt;script&gt;' in xml


def test_feed_titles_name_what_they_follow(client, tracked):
    assert parse(client, "/feeds/updates/")[0].feed.title == (
        "Status updates · Commitments Tracker"
    )
    assert parse(client, "/commitments/connect-data-centres/feed/")[0].feed.title == (
        "Connect data centres · status updates · Commitments Tracker"
    )
    assert parse(client, "/themes/infrastructure/feed/")[0].feed.title.startswith(
        "Infrastructure ·"
    )
    assert parse(client, "/actors/adgmin/feed/")[0].feed.title.startswith("ADGMIN ·")


def test_the_theme_feed_leaves_out_other_themes(client, tracked, make_commitment, make_theme):
    other = make_commitment(title="Other theme", themes=[make_theme(slug="other")])
    other.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.ONGOING,
        as_of=datetime.date(2026, 3, 1),
        note="Other.",
    )

    feed, _ = parse(client, "/themes/infrastructure/feed/")

    assert "Other theme" not in {entry.title.split(":")[0] for entry in feed.entries}
    assert len(parse(client, "/themes/other/feed/")[0].entries) == 1


def test_the_actor_feed_follows_what_it_proposed_owns_or_shares(
    client, make_commitment, make_actor
):
    states = make_actor(slug="states")
    for title, role in [("Owned", "owner"), ("Proposed", "proposer"), ("Unrelated", None)]:
        kwargs = {role: states} if role else {}
        c = make_commitment(title=title, **kwargs)
        c.record_update(
            basis=Basis.SECRETARIAT_VERIFIED,
            status=Status.ONGOING,
            as_of=datetime.date(2026, 3, 1),
            note=title,
        )
    shared = make_commitment(title="Shared", partners=[states])
    shared.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.ONGOING,
        as_of=datetime.date(2026, 3, 1),
        note="Shared",
    )

    feed, _ = parse(client, "/actors/states/feed/")

    assert sorted(entry.title.split(":")[0] for entry in feed.entries) == [
        "Owned",
        "Proposed",
        "Shared",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/commitments/nothing/feed/",
        "/commitments/secret-draft/feed/",
        "/themes/nothing/feed/",
        "/actors/nobody/feed/",
    ],
)
def test_an_unknown_or_draft_feed_is_a_404(client, tracked, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "page, feed",
    [
        ("/", None),
        ("/commitments/", None),
        ("/commitments/connect-data-centres/", "/commitments/connect-data-centres/feed/"),
        ("/themes/infrastructure/", "/themes/infrastructure/feed/"),
        ("/actors/adgmin/", "/actors/adgmin/feed/"),
    ],
)
def test_pages_announce_their_feeds_in_the_head(client, tracked, page, feed):
    parser = check_page(client.get(page).content.decode())

    alternates = [
        attrs["href"]
        for tag, attrs in parser.tags
        if tag == "link"
        and attrs.get("rel") == "alternate"
        and attrs.get("type") == "application/atom+xml"
    ]
    assert "/feeds/updates/" in alternates
    if feed:
        assert feed in alternates
        # The feed is also linked in the page, for people without a feed-aware browser.
        assert f'<a href="{feed}" type="application/atom+xml">' in client.get(page).content.decode()


@pytest.mark.parametrize(
    "url, queries",
    [
        # the latest public updates with their commitments
        ("/feeds/updates/", 1),
        # the commitment, then its public updates
        ("/commitments/c/feed/", 2),
        # the theme, the content version and the figures (its size chooses the plan), the
        # public updates on its commitments
        ("/themes/t/feed/", 4),
        # the actor, the content version and the figures, the public updates on commitments
        # it is involved in
        ("/actors/a/feed/", 4),
    ],
)
def test_each_feed_runs_the_same_queries_for_one_or_fifty_updates(
    client, make_commitment, make_theme, make_actor, django_assert_num_queries, url, queries
):
    theme, actor = make_theme(slug="t"), make_actor(slug="a")
    commitment = make_commitment(slug="c", themes=[theme], owner=actor)

    def add(n):
        for day in range(1, n + 1):
            commitment.record_update(
                basis=Basis.SECRETARIAT_VERIFIED,
                status=Status.ONGOING,
                # Never before the latest update: a timeline only moves forward.
                as_of=datetime.date(2026, 3, min(day, 28)),
                note="x",
            )

    add(1)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    add(49)
    with django_assert_num_queries(queries):
        feed = feedparser.parse(client.get(url).content)
    assert len(feed.entries) == 50
