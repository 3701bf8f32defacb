"""A source, actor or theme known only from drafts is not public yet: no page, feed, chart,
count, filter choice, sitemap entry or dataset record gives it away."""

import datetime

import pytest

from tests import factories
from tests.crawl import make_public_site
from tracker.models import Basis, Status

SECRETS = ("Secret Source Title", "the secret full text", "Secret Actor", "Secret Theme")


@pytest.fixture(scope="module")
def _drafts_only(django_db_setup, django_db_blocker):
    with factories.rolled_back_afterwards(django_db_blocker):
        site = make_public_site()
        draft = factories.make_commitment(
            is_published=False,
            source=factories.make_source(
                slug="secret-source", title="Secret Source Title", full_text="the secret full text"
            ),
            owner=factories.make_actor(slug="secret-actor", name="Secret Actor"),
            themes=[factories.make_theme(slug="secret-theme", name="Secret Theme")],
        )
        draft.record_update(
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 2, 1),
            note="A note on the draft.",
            basis=Basis.SELF_REPORTED,
        )
        # Also a theme nothing uses at all, and an unused actor.
        factories.make_theme(slug="unused-theme", name="Secret Theme Unused")
        factories.make_actor(slug="unused-actor", name="Secret Actor Unused")
        yield site


@pytest.fixture
def drafts_only(_drafts_only, db):
    """A public site, plus a source, an actor and a theme that only a draft uses: built once
    for the module, whose tests all read it."""
    return _drafts_only


@pytest.mark.parametrize(
    "url",
    [
        "/sources/secret-source/",
        "/actors/secret-actor/",
        "/actors/secret-actor/feed/",
        "/themes/secret-theme/",
        "/themes/secret-theme/feed/",
        "/themes/unused-theme/",
        "/themes/unused-theme/feed/",
        "/actors/unused-actor/",
        "/actors/unused-actor/feed/",
    ],
)
def test_its_own_pages_and_feeds_are_not_found(client, drafts_only, url):
    response = client.get(url)

    assert response.status_code == 404
    assert not any(secret in response.content.decode() for secret in SECRETS)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/commitments/",
        "/commitments/print/",
        "/themes/",
        "/actors/",
        "/charts/",
        "/data/",
        "/feeds/updates/",
        "/sitemap.xml",
        "/commitments/export.csv",
        "/commitments/export.json",
        "/data/dataset.json",
        "/scorecard/",
        "/scorecard/export.csv",
        "/members/",
        "/members/viet-nam/",
    ],
)
def test_it_appears_on_no_public_page_count_filter_or_download(client, drafts_only, url):
    response = client.get(url)

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    for secret in (*SECRETS, "secret-source", "secret-actor", "secret-theme", "unused-theme"):
        assert secret not in text, f"{secret!r} is public at {url}"


@pytest.mark.parametrize(
    "param", ["theme=secret-theme", "owner=secret-actor", "source=secret-source"]
)
def test_filtering_the_list_by_it_is_refused_like_an_unknown_value(client, drafts_only, param):
    response = client.get(f"/commitments/?{param}")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_public_theme_still_has_its_page_and_feed(client, drafts_only):
    theme = drafts_only["theme"]

    assert client.get(f"/themes/{theme.slug}/").status_code == 200
    assert client.get(f"/themes/{theme.slug}/feed/").status_code == 200
    assert client.get(f"/actors/{drafts_only['owner'].slug}/feed/").status_code == 200
    assert client.get(f"/sources/{drafts_only['source'].slug}/").status_code == 200
