"""Hostile query strings never make a public URL fail (500) or hang.

Every public URL is asked with every known query parameter, and some unknown ones, set to
values a crawler, a fuzzer or a copy-paste accident sends: huge, thousands of words, NUL and
other control characters, broken UTF-8, out-of-range and non-numeric pages, repeated
parameters, PHP-style arrays, SQL and HTML. Each answer must come within HANG_LIMIT seconds:
a guard against hangs (before the search was bounded, 2,000 words held a worker for 12 s and
more words for longer), not a benchmark: it is generous so that a busy CI machine never fails
it. Speed is measured by `make bench`.
"""

from __future__ import annotations

import time
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.crawl import make_public_site

HANG_LIMIT = 10.0

FILTERS = ["q", "status", "bucket", "theme", "owner", "partner", "proposer", "source", "order"]
PARAMS = [*FILTERS, "page", "format", "utm_source", "callback", "q[]"]

HOSTILE = [
    "",
    " ",
    "x" * 20_000,
    " ".join(["a"] * 1000),
    "\x00",
    "bridge\x00",
    "\x0b\x0c\x1b\x7f",
    "\u2028\u2029\x85",
    "\ufeff\ufffe",
    "Ça va ✓ 😀 \u202eevil",
    "-1",
    "0",
    "99999999999999999999999999",
    "9" * 5000,
    "1.5",
    "last",
    "NaN",
    "title," * 200,
    "-position,-title,-status_date,position",
    "'; DROP TABLE tracker_commitment; --",
    "<script>alert(1)</script>",
    "../../../etc/passwd",
    "%00%ff",
]
# Already percent-encoded, as raw bytes a browser never sends: broken UTF-8, NUL, a lone
# surrogate encoded as UTF-8.
RAW = ["%ff%fe", "%00", "%ED%A0%80", "%C0%AF", "%", "%%%", "a=b=c", "&&&"]


def _public_urls(site) -> list[str]:
    commitment, theme, owner = site["commitment"], site["theme"], site["owner"]
    return [
        "/",
        "/commitments/",
        "/commitments/print/",
        "/commitments/export.csv",
        "/commitments/export.json",
        f"/commitments/{commitment.slug}/",
        f"/commitments/{commitment.slug}/feed/",
        f"/commitments/{commitment.slug}/badge.svg",
        "/statuses/",
        "/themes/",
        f"/themes/{theme.slug}/",
        f"/themes/{theme.slug}/feed/",
        "/actors/",
        f"/actors/{owner.slug}/",
        f"/actors/{owner.slug}/feed/",
        f"/sources/{site['source'].slug}/",
        "/charts/",
        "/scorecard/",
        "/scorecard/methodology/",
        "/about/",
        "/scorecard/export.csv",
        "/scorecard/export.json",
        "/members/",
        f"/members/{site['member'].slug}/",
        f"/members/{site['member'].slug}/feed/",
        "/feeds/updates/",
        "/data/",
        "/data/dataset.json",
        "/sitemap.xml",
        "/robots.txt",
    ]


# The list's filters reach the database on these pages (the printout and the JSON export
# share the list's filterset): each parameter is sent alone there, so that one invalid value
# does not stop another from being used. Choice filters are checked in Python against their
# choices; of the filters on a table, one of each kind is enough.
ALONE_AT = ["/commitments/", "/commitments/export.csv", "/scorecard/", "/scorecard/export.csv"]
ALONE = ["q", "theme", "owner", "source", "order", "page", "utm_source"]
# Elsewhere, only `page` means anything; everything is sent at once, with the worst values.
WORST = ["x" * 20_000, " ".join(["a"] * 1000), "\x00", "\x0b\x1b\u2028", "9" * 5000, "-1",
         "title," * 200, "<script>alert(1)</script>"]  # fmt: skip


class TestHostileQueryStrings(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = make_public_site()
        cls.urls = _public_urls(cls.site)

    def _get(self, url: str, query: str):
        address = f"{url}?{query}"
        started = time.perf_counter()
        response = self.client.get(address)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - started
        self.assertLess(response.status_code, 500, address[:300])
        self.assertLess(elapsed, HANG_LIMIT, address[:300])
        return response

    def test_every_parameter_with_every_hostile_value(self):
        for value in HOSTILE:
            for url in ALONE_AT:
                for param in ALONE:
                    self._get(url, urlencode({param: value}))
        for url in self.urls:
            for value in WORST:
                self._get(url, urlencode(dict.fromkeys(PARAMS, value)))

    def test_broken_encodings_repeated_parameters_and_arrays(self):
        queries = [
            *(f"{param}={raw}" for param in ALONE for raw in RAW),
            "status=in_progress&status=delayed&status=no-such",
            "page=1&page=2&page=-5",
            "order=title&order=-title&order=bogus",
            "&".join(["q=a"] * 500),
            "&".join(f"q{i}=x" for i in range(900)),
            "status[]=in_progress&status[]=delayed&theme[0]=x&owner[a][b]=c",
            f"q={quote('bridge ' * 10)}",
        ]
        for url in ALONE_AT:
            for query in queries:
                self._get(url, query)
        everything_at_once = "&".join(queries)
        for url in self.urls:
            self._get(url, everything_at_once)

    def test_a_nul_byte_in_a_filter_is_refused_not_a_server_error(self):
        for url in ["/commitments/", "/commitments/print/", "/commitments/export.csv",
                    "/commitments/export.json"]:  # fmt: skip
            for param in FILTERS:
                response = self._get(url, urlencode({param: "a\x00b"}))
                self.assertEqual(response.status_code, 400, (url, param))

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(
        url=st.integers(min_value=0),
        params=st.lists(
            st.tuples(
                st.sampled_from(PARAMS) | st.text(min_size=1, max_size=5),
                st.sampled_from(HOSTILE) | st.text(max_size=50),
            ),
            max_size=6,
        ),
    )
    def test_random_combinations_of_parameters(self, url, params):
        # Text is sent as UTF-8; a lone surrogate cannot be, so it is replaced.
        query = urlencode(params, encoding="utf-8", errors="replace")
        self._get(self.urls[url % len(self.urls)], query)
