"""Every public URL runs the same number of queries, at most ten, for a small site and a bigger
one: the same page costs the same queries whatever the data (issue 10).

Each page's own test file states its exact queries; this one sweeps every kind of public URL
(tests.test_freshness.public_urls, the sitemap's sections included) at two sizes, uncached, and
once more served from the page cache, where a hit costs one query (the content version).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from tests import factories
from tests.test_freshness import public_urls
from tracker.models import Basis, Commitment, Status

SITEMAPS = [
    "/sitemap-pages.xml",
    "/sitemap-commitments.xml",
    "/sitemap-themes.xml",
    "/sitemap-actors.xml",
    "/sitemap-sources.xml",
    "/sitemap-members.xml",
]
BUDGET = 10
# Pages allowed more than BUDGET queries: none. (The whole open dataset took 11, and two more
# per 500 commitments for their themes and partners; it now reads those links in one query.)
OVER_BUDGET: dict[str, int] = {}


PREFIXES = ["", "/vi", "/id"]
# The downloads stream, so they are never kept in the page cache (they answer 304s, though).
STREAMED = ("export", "dataset.json")


def _queries(client, urls) -> dict[str, int]:
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code in (200, 404), (url, response.status_code)
        counts[url] = len(queries)
    return counts


def _grow(site, n: int = 30) -> None:
    """n more published commitments on the same theme, owner and source, with updates."""
    for i in range(n):
        commitment = factories.make_commitment(
            source=site["source"],
            owner=site["owner"],
            partners=[site["partner"], factories.make_actor()],
            themes=[site["theme"], factories.make_theme()],
        )
        for k, status in enumerate((Status.IN_PROGRESS, Status.DELAYED)):
            commitment.record_update(
                status=status,
                as_of=datetime.date(2026, 3, 1 + k),
                note=f"Update {k} of {i}.",
                basis=Basis.INDEPENDENT,
            )


def _in_language(urls: list[str], prefix: str) -> list[str]:
    """The same public addresses under a language prefix ("/vi"); the sitemaps have none."""
    return [prefix + url for url in urls if not (prefix and url.startswith("/sitemap"))]


@pytest.fixture(scope="module")
def _counted(django_db_setup, django_db_blocker) -> dict:
    """Queries by address in each language: on a small site and on the same site grown by 30
    commitments, uncached; and on the grown site served from the page cache.

    Counted once for the module, since growing the site is the slow part, in a transaction
    rolled back before any test runs; each language is read by its own visitor.
    """
    from tests.crawl import make_public_site

    with factories.rolled_back_afterwards(django_db_blocker):
        site = make_public_site()
        # Translated texts are columns of the rows already read: a language costs no query.
        Commitment.objects.filter(pk=site["commitment"].pk).update(title_vi="Kết nối", title_id="X")
        with translation.override("en"):
            # A filter that matches rows at both sizes: an empty page skips its prefetches.
            urls = [u.replace("status=delayed", "status=in_progress") for u in public_urls(site)]
            uncached = {prefix: _in_language(urls, prefix) + SITEMAPS for prefix in PREFIXES}
            cached = {
                prefix: [
                    url
                    for url in _in_language(public_urls(site), prefix) + SITEMAPS
                    if not any(s in url for s in STREAMED)
                ]
                for prefix in PREFIXES
            }
        visitors = {prefix: Client() for prefix in PREFIXES}
        with override_settings(TRACKER_PAGE_CACHE=False):
            small = {p: _queries(visitors[p], uncached[p]) for p in PREFIXES}
            _grow(site)
            big = {p: _queries(visitors[p], uncached[p]) for p in PREFIXES}
        hits = {}
        with override_settings(TRACKER_PAGE_CACHE=True):
            cache.clear()
            for prefix in PREFIXES:
                visitor = Client()
                _queries(visitor, cached[prefix])  # fills the cache
                hits[prefix] = _queries(visitor, cached[prefix])
            cache.clear()
    return {"small": small, "big": big, "hits": hits}


@pytest.fixture
def counted(_counted, db) -> dict:
    return _counted


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_public_url_runs_the_same_few_queries_at_two_sizes(counted, prefix):
    small, big = counted["small"][prefix], counted["big"][prefix]

    over = {
        url: n for url, n in big.items() if n > OVER_BUDGET.get(url.removeprefix(prefix), BUDGET)
    }
    assert not over, f"more than {BUDGET} queries: {over}"
    grew = {url: (small[url], big[url]) for url in big if small[url] != big[url]}
    assert not grew, f"queries grew with the data (small, big): {grew}"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_cached_page_costs_one_query_at_any_size(counted, prefix):
    counts = counted["hits"][prefix]

    # Pages not found are not kept; the others cost only the content version.
    assert {url: n for url, n in counts.items() if n != 1 and "secret-draft" not in url} == {}
