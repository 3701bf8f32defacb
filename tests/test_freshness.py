"""No stale page, ever: after each kind of write, every public URL shows it at once.

Each test fills the page cache by visiting every kind of public URL, writes, then fetches them
all again and compares each with the same URL rendered with the cache turned off. A page
served from a cache that missed the write differs, and the test names it. Taking the version
bump away makes these tests fail (tests/test_caching.py shows the stale page).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from tests import factories
from tests.crawl import fetch_all, make_public_site
from tracker.models import Basis, Commitment, ContentVersion, MemberState, Status

AS_OF = datetime.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _cache_on(page_cache):
    """The page cache as in production."""


@pytest.fixture
def site(db):
    site = make_public_site()
    site["national"] = Commitment.objects.get(slug="develop-domestic-data-centres")
    site["viet_nam"] = MemberState.objects.get(slug="viet-nam")
    return site


def public_urls(site) -> list[str]:
    """One address of every kind of public page, feed, export, badge, sitemap and dataset."""
    commitment, national = site["commitment"], site["national"]
    theme, owner, partner, source = site["theme"], site["owner"], site["partner"], site["source"]
    # ?page=1 is redirected to the page without it (issue 21): the table and a tracking
    # parameter instead, which the page is kept without.
    urls = ["/", "/commitments/", "/commitments/?status=delayed", "/commitments/?view=table"]
    urls += ["/commitments/print/", "/commitments/export.csv", "/commitments/export.json"]
    for c in (commitment, national):
        base = c.get_absolute_url()
        urls += [base, f"{base}?utm_source=x", f"{base}feed/", f"{base}badge.svg"]
    urls += [f"/commitments/{site['draft'].slug}/", f"/commitments/{site['draft'].slug}/feed/"]
    urls += ["/statuses/", "/themes/", theme.get_absolute_url(), f"{theme.get_absolute_url()}feed/"]
    urls += ["/actors/", owner.get_absolute_url(), f"{owner.get_absolute_url()}feed/"]
    urls += [partner.get_absolute_url(), site["commitment"].proposer.get_absolute_url()]
    urls += [source.get_absolute_url(), "/charts/", "/feeds/updates/"]
    urls += ["/data/", "/data/dataset.json", "/sitemap.xml", "/robots.txt"]
    return urls


def _assert_fresh(client, settings, urls, before: dict[str, bytes]) -> dict[str, bytes]:
    """Every URL as served now equals the same URL rendered afresh; some URL changed."""
    served = fetch_all(client, urls)
    settings.TRACKER_PAGE_CACHE = False
    rendered = fetch_all(client, urls)
    settings.TRACKER_PAGE_CACHE = True
    stale = [url for url in urls if served[url] != rendered[url]]
    assert not stale, f"stale after the write: {stale}"
    assert any(served[url] != before[url] for url in urls), "the write showed nowhere"
    return served


def _status_update(site):
    site["commitment"].record_update(
        status=Status.DELAYED, as_of=AS_OF, note="Freshly delayed.", basis=Basis.INDEPENDENT
    )


def _internal_note(site):
    # Public pages must not change, but the version does: nothing stale, nothing leaked.
    site["commitment"].record_update(
        status=Status.IN_PROGRESS,
        as_of=AS_OF,
        note="Internal and fresh.",
        basis=Basis.INDEPENDENT,
        is_public=False,
    )
    site["commitment"].record_update(
        status=Status.COMPLETED, as_of=AS_OF, note="Delivered.", basis=Basis.INDEPENDENT
    )


def _member_update(site):
    site["national"].record_update(
        member=site["viet_nam"],
        status=Status.COMPLETED,
        as_of=AS_OF,
        note="Viet Nam finished its data centre.",
        basis=Basis.SELF_REPORTED,
    )


def _edit_fields(site):
    commitment = site["commitment"]
    commitment.title = "A renamed commitment"
    commitment.save_edit(["title"])


def _unpublish(site):
    Commitment.objects.filter(pk=site["commitment"].pk).set_published(False)


def _publish(site):
    Commitment.objects.filter(pk=site["draft"].pk).set_published(True)


def _mark_reviewed(site):
    # Changes `updated`, which the sitemap shows as lastmod.
    Commitment.objects.filter(pk=site["commitment"].pk).mark_reviewed()


def _rename_actor(site):
    owner = site["owner"]
    owner.name = "The Renamed Secretariat"
    owner.save()


def _rename_theme(site):
    theme = site["theme"]
    theme.name = "Renamed theme"
    theme.save()


def _rename_source(site):
    source = site["source"]
    source.title = "A renamed report"
    source.save()


def _add_theme(site):
    site["commitment"].themes.add(factories.make_theme(name="A second theme"))


def _remove_partner(site):
    site["commitment"].partners.remove(site["partner"])


def _rename_member(site):
    member = site["viet_nam"]
    member.name = "Vietnam (renamed)"
    member.save()


def _new_commitment(site):
    factories.make_commitment(
        title="A brand-new commitment", source=site["source"], owner=site["owner"]
    )


# Each kind of write the public sees, fetched through every kind of URL (a few seconds each).
WRITES = {
    "a status update": _status_update,
    "an internal note then an update": _internal_note,
    "a member state's update": _member_update,
    "an edit of a commitment's title": _edit_fields,
    "unpublishing": _unpublish,
    "publishing a draft": _publish,
    "marking reviewed": _mark_reviewed,
    "renaming an actor": _rename_actor,
    "adding a theme to a commitment": _add_theme,
}
# Writes through the same mechanisms (a plain save, a relation changed, a new row): that they
# move the content version on is enough, and quick to check.
OTHER_WRITES = {
    "renaming a theme": _rename_theme,
    "renaming a source": _rename_source,
    "removing a partner": _remove_partner,
    "renaming a member state": _rename_member,
    "a new commitment": _new_commitment,
    **WRITES,
}


@pytest.mark.parametrize("write", WRITES)
def test_after_the_write_every_public_url_is_fresh_at_once(client, site, settings, write):
    urls = public_urls(site)
    before = fetch_all(client, urls)  # fills the cache
    assert cache._cache, "the pages should be cached"

    WRITES[write](site)

    _assert_fresh(client, settings, urls, before)


def test_a_status_update_is_shown_on_every_page_that_shows_updates(client, site):
    commitment = site["commitment"]
    shows_it = [
        "/",
        commitment.get_absolute_url(),
        f"{commitment.get_absolute_url()}feed/",
        "/feeds/updates/",
        site["theme"].get_absolute_url(),
        f"{site['theme'].get_absolute_url()}feed/",
        site["owner"].get_absolute_url(),
        f"{site['owner'].get_absolute_url()}feed/",
        "/data/dataset.json",
    ]
    shows_status = ["/commitments/", f"{commitment.get_absolute_url()}badge.svg", "/charts/"]
    shows_status += ["/commitments/export.csv", "/commitments/export.json"]
    fetch_all(client, shows_it + shows_status)

    _status_update(site)

    pages = {url: body.decode() for url, body in fetch_all(client, shows_it + shows_status).items()}
    for url in shows_it:
        assert "Freshly delayed." in pages[url], url
    for url in shows_status:
        assert "Delayed" in pages[url] or "delayed" in pages[url], url


def test_after_a_status_update_every_address_the_crawl_finds_is_fresh(
    crawled_site_after_a_status_update,
):
    """Pages added later are covered too: whatever the crawl reaches is checked. The shared
    crawl (site_crawl in tests/conftest.py) filled the page cache before the update."""
    served, rendered = crawled_site_after_a_status_update

    stale = [url for url in served if served[url] != rendered[url]]
    assert not stale, f"stale after the write: {stale}"


@pytest.mark.parametrize("write", OTHER_WRITES)
def test_the_write_moves_the_content_version_on(site, write):
    before = ContentVersion.current().token

    OTHER_WRITES[write](site)

    assert ContentVersion.current().token != before
