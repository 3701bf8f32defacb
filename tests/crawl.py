"""Crawl the public site the way a visitor or a search engine would, for site-wide checks.

It starts at / and follows every same-site link it finds: <a href>, every <link href> (feeds
announced with rel="alternate" included), <img src> (badges), redirects, and absolute URLs in
feeds, sitemaps and exports. So pages, feeds and exports added later are checked without
changing the tests that use it.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.contrib.auth import get_user_model
from django.test import Client

from tests import factories
from tracker.models import Basis, Commitment, Status

HOST = "testserver"
# Not the public site: static files, and the admin (which an anonymous visitor cannot use).
# Nor the language switcher's links, which set the visitor's language cookie: the crawl
# reaches every page in each language through the pages' hreflang alternates, as a search
# engine does, with no cookie to send it from English addresses to /vi/ or /id/.
SKIP_PREFIXES = ("/static/", "/admin/", "/language/")
# Not every page is linked from /: sitemaps and robots.txt are found by robots, not links.
# A seed that does not exist (yet) is skipped.
OPTIONAL_SEEDS = ("/sitemap.xml", "/robots.txt")
# Filter and sort links combine endlessly; a few values of each combination of parameters
# are enough to see what such a page shows.
VARIANTS_PER_SHAPE = 8
# More pages than a small site can have in three languages means the crawl is generating
# addresses endlessly.
PAGE_LIMIT = 1500
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/rss+xml")
# Our addresses never contain a comma, so a CSV cell's address ends at one.
ABSOLUTE_URL = re.compile(rf"https?://{re.escape(HOST)}(/[^\s\"'<>\\,]*)")


@dataclass
class Page:
    url: str
    status_code: int
    content_type: str
    headers: dict[str, str]
    text: str  # "" for binary responses

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "area", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("img", "iframe", "embed", "source") and attrs.get("src"):
            self.links.append(attrs["src"])
        if tag == "object" and attrs.get("data"):
            self.links.append(attrs["data"])


def _links(page: Page) -> list[str]:
    if page.is_html:
        parser = _LinkParser()
        parser.feed(page.text)
        return parser.links
    return ABSOLUTE_URL.findall(page.text)


def _fetch(client: Client, url: str) -> Page:
    response = client.get(url)
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    is_text = content_type.startswith(TEXT_TYPES) or "+xml" in content_type
    return Page(
        url=url,
        status_code=response.status_code,
        content_type=content_type,
        headers=dict(response.headers),
        text=body.decode("utf-8") if is_text else "",
    )


def fetch_all(client: Client, urls) -> dict[str, bytes]:
    """Each address's status code and whole body as served now, to compare two fetches."""
    fetched = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        fetched[url] = f"{response.status_code}\n".encode() + body
    return fetched


def _shape(url: str) -> tuple[str, frozenset[str]]:
    """Pages that differ only in query values (?page=2, ?status=x) have the same shape."""
    parts = urlsplit(url)
    return parts.path, frozenset(key for key, _ in parse_qsl(parts.query))


def crawl(client: Client, start: str = "/") -> dict[str, Page]:
    """Every public URL reachable from `start`, fetched once, by address."""
    pages: dict[str, Page] = {}
    seen: set[str] = set()
    shapes: Counter[tuple[str, frozenset[str]]] = Counter()
    queue = [start, *OPTIONAL_SEEDS]
    while queue:
        url = queue.pop(0)
        if url in seen or shapes[_shape(url)] >= VARIANTS_PER_SHAPE:
            continue
        seen.add(url)
        shapes[_shape(url)] += 1
        page = _fetch(client, url)
        if url in OPTIONAL_SEEDS and page.status_code == 404:
            continue
        pages[url] = page
        assert len(pages) < PAGE_LIMIT, "the crawl does not end: is some link generated?"
        found = _links(page)
        if page.status_code in (301, 302, 303, 307, 308):
            found.append(page.headers["Location"])
        for link in found:
            parts = urlsplit(urljoin(f"http://{HOST}{url}", link))
            if parts.scheme not in ("http", "https") or parts.netloc != HOST:
                continue
            if parts.path.startswith(SKIP_PREFIXES):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def make_public_site() -> dict:
    """One of everything the public site shows, plus a draft and an internal note to hide."""
    source = factories.make_source(url="https://example.org/report")
    owner = factories.make_actor(role="Secretariat", affiliation="ASEAN")
    partner = factories.make_actor()
    theme = factories.make_theme(description="Connecting the region.")
    commitment = factories.make_commitment(
        source=source,
        owner=owner,
        partners=[partner],
        themes=[theme],
        heading="Digital infrastructure",
        target_date=datetime.date(2030, 12, 31),
    )
    commitment.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Ministers adopted the framework.",
        evidence_url="https://example.org/communique",
        # No password: hashing one would make every crawl test slower.
        author=get_user_model().objects.create(
            username="reporter", first_name="Rita", last_name="Reporter", is_staff=True
        ),
    )
    commitment.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        # An internal note keeps the status: a change of status is always public.
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Internal: the ministry has not replied to our last three emails.",
        is_public=False,
    )
    draft = factories.make_commitment(
        slug="secret-draft-commitment",
        title="A draft commitment nobody may see",
        summary="Draft summary text.",
        source=source,
        owner=owner,
        partners=[partner],
        themes=[theme],
        is_published=False,
    )
    draft.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 3, 1),
        note="Progress note on the draft.",
    )
    # A commitment carried out by each member state, one of which has a status of its own.
    group = factories.make_group(slug="asean", name="ASEAN")
    members = [
        factories.make_member(group=group, slug="viet-nam", name="Viet Nam"),
        factories.make_member(group=group, slug="cambodia", name="Cambodia"),
    ]
    national = factories.make_commitment(
        slug="develop-domestic-data-centres",
        title="Develop domestic data centres in each nation",
        source=source,
        owner=owner,
        themes=[theme],
        member_group=group,
    )
    national.record_update(
        member=members[0],
        basis=Basis.SELF_REPORTED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="The first national data centre opened.",
        evidence_url="https://example.org/data-centre",
    )
    national.record_update(
        member=members[0],
        basis=Basis.SELF_REPORTED,
        # A member's internal note keeps its status too.
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Internal: the national ministry has not replied about the second site.",
        is_public=False,
    )
    return {
        "source": source,
        "owner": owner,
        "partner": partner,
        "theme": theme,
        "commitment": Commitment.objects.get(pk=commitment.pk),
        "draft": draft,
        "national": national,
        "member": members[0],
    }
