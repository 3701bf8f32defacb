"""Every output checks the addresses it did not make: only a web address becomes a link.

An evidence link or a source's address written behind the forms' back (the shell, SQL, an
older row) may be javascript:, data:, vbscript: or //another.site. Pages and the admin show it
as text, never as a link; feeds, exports and the dataset leave it out (docs/data.md,
"Addresses"). Each value is stored with queryset.update(), past every validator.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils.html import escape

from tests.crawl import crawl, make_public_site
from tracker.models import Basis, Commitment, Source, Status, StatusUpdate
from tracker.templatetags.tracker_tags import web_link
from tracker.validators import web_address

HOSTILE = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "vbscript:msgbox(1)",
]
# Attributes a browser follows, loads or runs.
LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "data", "poster", "xlink:href"}
LANGUAGES = ["", "/vi", "/id"]
CONTROLS_AND_SPACE = "".join(map(chr, range(33)))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.values += [value or "" for name, value in attrs if name in LINK_ATTRIBUTES]


def _live_links_to_hostile_places(text: str) -> list[str]:
    """Links in `text` a browser would follow somewhere other than this site or the web."""
    parser = _Links()
    parser.feed(text)
    # As a browser reads an address: leading spaces and controls ignored, any case.
    return [
        value
        for value in parser.values
        if value.lstrip(CONTROLS_AND_SPACE)
        .lower()
        .startswith(("javascript:", "vbscript:", "data:", "//"))
    ]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("value", HOSTILE)
def test_only_a_web_address_is_one(value):
    assert web_address(value) == ""
    assert web_link(value) == escape(value)
    assert "<a" not in web_link(value, "Evidence")


@pytest.mark.parametrize(
    "value", ["https://example.org/a", "http://example.org", "HTTPS://EXAMPLE.ORG/b"]
)
def test_a_web_address_becomes_a_link(value):
    assert web_address(value) == value
    assert web_link(value, "Evidence") == f'<a href="{value}" rel="nofollow noopener">Evidence</a>'


def _plant_everywhere(value: str) -> None:
    StatusUpdate.objects.exclude(evidence_url="").update(evidence_url=value)
    Source.objects.update(url=value)


def _addresses(site: dict) -> tuple[list[str], list[str]]:
    """(pages in each language, feeds and downloads) showing the site's stored addresses."""
    commitment, national, member = site["commitment"], site["national"], site["member"]
    pages = [
        "/",
        commitment.get_absolute_url(),
        national.get_absolute_url(),
        "/commitments/print/",
        member.get_absolute_url(),
        site["source"].get_absolute_url(),
        site["theme"].get_absolute_url(),
        site["owner"].get_absolute_url(),
    ]
    data = [
        "/feeds/updates/",
        f"{commitment.get_absolute_url()}feed/",
        f"{site['theme'].get_absolute_url()}feed/",
        f"{site['owner'].get_absolute_url()}feed/",
        f"{member.get_absolute_url()}feed/",
        "/commitments/export.csv",
        "/commitments/export.json",
        "/scorecard/export.csv",
        "/scorecard/export.json",
        "/data/dataset.json",
    ]
    return [language + page for language in LANGUAGES for page in pages], data


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_address_is_text_on_pages_and_left_out_of_data(client, db, value):
    site = make_public_site()
    _plant_everywhere(value)
    pages, data = _addresses(site)

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _live_links_to_hostile_places(_body(response)) == [], url
    for url in data:
        response = client.get(url)
        assert response.status_code == 200, url
        assert value.strip() not in _body(response), url
    # Shown, as text, where it would have been a link: so an editor sees what to correct.
    for url in ["/commitments/print/", site["source"].get_absolute_url()]:
        assert escape(value) in _body(client.get(url)), url


@pytest.mark.parametrize("value", HOSTILE)
def test_the_admin_shows_a_hostile_address_as_text(admin_client, value):
    site = make_public_site()
    _plant_everywhere(value)
    update = StatusUpdate.objects.filter(commitment=site["commitment"]).exclude(evidence_url="")
    urls = [
        reverse("admin:tracker_statusupdate_changelist"),
        reverse("admin:tracker_statusupdate_change", args=[update.get().pk]),
        reverse("admin:tracker_commitment_change", args=[site["commitment"].pk]),
        reverse("admin:tracker_source_change", args=[site["source"].pk]),
    ]

    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert _live_links_to_hostile_places(response.content.decode()) == [], url
    history = admin_client.get(urls[1]).content.decode()
    assert escape(value) in history


@pytest.fixture(scope="module")
def hostile_crawl(django_db_setup, django_db_blocker):
    """The public site crawled in every language, with every hostile value stored somewhere:
    the latest evidence of a commitment and of a member, older updates, a source's address.
    Once per module (a crawl takes seconds), in a transaction rolled back afterwards."""
    with (
        override_settings(TRACKER_PAGE_CACHE=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        site = make_public_site()
        commitment = Commitment.objects.get(pk=site["commitment"].pk)
        for day in range(2, 5):
            commitment.record_update(
                basis=Basis.INDEPENDENT,
                status=Status.IN_PROGRESS,
                as_of=datetime.date(2026, 4, day),
                note=f"Progress on day {day}.",
                evidence_url=f"https://example.org/day-{day}",
            )
        updates = StatusUpdate.objects.exclude(evidence_url="").order_by("-as_of", "-pk")
        for update, value in zip(updates, HOSTILE[1:], strict=True):
            StatusUpdate.objects.filter(pk=update.pk).update(evidence_url=value)
        Source.objects.update(url=HOSTILE[0])
        pages = crawl(Client())
        transaction.set_rollback(True)
    cache.clear()
    return pages


def test_no_page_feed_or_download_links_a_hostile_address_in_any_language(hostile_crawl):
    kinds = {url.split("?")[0] for url in hostile_crawl}
    assert {"/vi/commitments/print/", "/id/", "/feeds/updates/", "/data/dataset.json"} <= kinds

    for url, page in hostile_crawl.items():
        assert page.status_code in (200, 301, 302), url
        if page.content_type.startswith("text/html") or "xml" in page.content_type:
            assert _live_links_to_hostile_places(page.text) == [], url
        if not page.content_type.startswith("text/html"):
            # Feeds, sitemaps, exports, the dataset: never given at all.
            assert not [value for value in HOSTILE if value.strip() in page.text], url


def test_the_crawl_did_meet_every_hostile_address_as_text(hostile_crawl):
    """Guards the test above: each value is on some page, shown as text."""
    everything = "\n".join(page.text for page in hostile_crawl.values())

    for value in HOSTILE:
        assert escape(value) in everything, value
