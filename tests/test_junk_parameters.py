"""A burst of requests with junk parameters leaves the cache as it was (issue 21).

Before, every anonymous address was kept with its whole query string: after an editor stored a
2 MB note, 300 requests to /?fbclid=N grew each gunicorn worker by 280 MB. Now a page is kept
under the parameters its view reads (tracker.caching.canonical_query()), so the tracking
parameters social networks add, blank and repeated parameters and page numbers written
otherwise make no new copy. The worker's memory over such a burst is measured by `make bench`
(tests/bench.py); this counts the cache's entries and bytes, in process.
"""

from __future__ import annotations

from django.core.cache import cache

from tests.crawl import make_public_site

BURST = 1000


def _kept() -> tuple[int, int]:
    """The cache's entries and the bytes of their keys and values."""
    return len(cache._cache), sum(len(key) + len(value) for key, value in cache._cache.items())


def test_a_burst_of_junk_parameters_keeps_nothing_new(client, page_cache, db):
    site = make_public_site()
    commitment, theme = site["commitment"].get_absolute_url(), site["theme"].get_absolute_url()
    junk = [
        lambda n: f"/?fbclid=IwAR{n}",
        lambda n: f"/commitments/?utm_source=s{n}&utm_medium=social",
        lambda n: f"{theme}?page=0{n}",
        lambda n: f"{commitment}?page=+{n}",
        lambda n: f"/commitments/?page={n}&page=1",
        lambda n: f"/commitments/?q=&status=&ref={n}",
        lambda n: f"/commitments/?view=v{n}",
        lambda n: f"{theme}?gclid={n}&page=",
        lambda n: f"/sitemap.xml?p={n}",
        lambda n: f"/?page={n}",
    ]
    # The pages themselves, kept once.
    for url in ("/", "/commitments/", theme, commitment, "/sitemap.xml"):
        assert client.get(url).status_code == 200
    before = _kept()

    answers = {client.get(junk[n % len(junk)](n)).status_code for n in range(BURST)}

    assert _kept() == before
    # Served from the copies kept, redirected to them, or not found ("00" is no page).
    assert answers <= {200, 301, 404}
