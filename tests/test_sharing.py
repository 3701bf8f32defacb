"""Canonical and OpenGraph tags on every public page, and the embeddable status badge."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from django.utils.http import http_date

from tests.html import check_page
from tracker.models import Basis, Commitment, Status

HOUR = datetime.timedelta(hours=1)

PAGES = {
    "/": "Commitments Tracker: what was promised, and what has happened since",
    "/commitments/": "Commitments",
    "/commitments/bridge/": "Build a bridge",
    "/commitments/print/": "Commitments, to print",
    "/statuses/": "What the statuses mean",
    "/themes/": "Themes",
    "/themes/roads/": "Roads",
    "/actors/": "Who’s involved",
    "/actors/owner/": "The owner",
    "/sources/summit/": "Report on the summit",
    "/charts/": "Progress in charts",
    "/data/": "Open data",
}


@pytest.fixture
def bridge(make_commitment, make_theme, make_actor, make_source):
    return make_commitment(
        slug="bridge",
        title="Build a bridge",
        summary="A bridge across the river.",
        themes=[make_theme(slug="roads", name="Roads")],
        owner=make_actor(slug="owner", name="The owner"),
        source=make_source(slug="summit", title="Report on the summit"),
    )


def meta(parser, prop: str) -> str | None:
    for tag, attrs in parser.tags:
        if tag == "meta" and attrs.get("property") == prop:
            return attrs["content"]
    return None


@pytest.mark.parametrize("path, title", PAGES.items())
def test_every_public_page_has_canonical_and_opengraph_tags(client, bridge, path, title):
    response = client.get(f"{path}?view=table&utm_source=x" if path == "/commitments/" else path)

    assert response.status_code == 200
    parser = check_page(response.content.decode())
    canonical = [a["href"] for t, a in parser.tags if t == "link" and a.get("rel") == "canonical"]
    assert canonical == [f"http://testserver{path}"]
    assert meta(parser, "og:url") == f"http://testserver{path}"
    assert meta(parser, "og:title") == title
    assert meta(parser, "og:site_name") == "Commitments Tracker"
    assert meta(parser, "og:description")
    assert meta(parser, "og:type") == ("article" if path == "/commitments/bridge/" else "website")


def test_a_commitment_is_shared_with_its_status_and_summary(client, bridge):
    parser = check_page(client.get("/commitments/bridge/").content.decode())

    assert meta(parser, "og:description") == "Not yet assessed. A bridge across the river."


def test_a_missing_page_has_no_canonical_address(client, db):
    html = client.get("/commitments/nothing/").content.decode()

    assert 'rel="canonical"' not in html


def test_the_badge_shows_the_status_as_symbol_and_text(client, bridge):
    bridge.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.DELAYED,
        as_of=datetime.date(2026, 4, 2),
        note="Late.",
    )

    response = client.get("/commitments/bridge/badge.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = ET.fromstring(response.content)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert svg.get("role") == "img"
    title = "Build a bridge: Delayed as of 2 April 2026"
    assert svg.findtext("svg:title", namespaces=ns) == title
    assert svg.get("aria-label") == title
    assert [t.text for t in svg.iterfind(".//svg:text", ns)] == ["status", "◷ Delayed"]
    # The bucket's colour is a third cue, after the symbol and the word.
    assert svg.find("svg:rect[2]", ns).get("fill") == "#1f6fb2"


def test_the_badge_can_be_cached_and_embedded_anywhere(client, bridge):
    response = client.get("/commitments/bridge/badge.svg")

    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    # The one documented exception to "never framed": other sites may frame the badge.
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    last_modified = response["Last-Modified"]
    assert last_modified == http_date(int(bridge.updated.timestamp()))
    # As a browser revalidates: with both validators; the ETag decides (docs/deploy.md).
    again = client.get(
        "/commitments/bridge/badge.svg",
        HTTP_IF_MODIFIED_SINCE=last_modified,
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304


@pytest.mark.parametrize("page_cache_on", [False, True])
def test_a_badge_changed_within_the_same_second_is_never_called_current_by_date_alone(
    client, bridge, settings, page_cache_on
):
    settings.TRACKER_PAGE_CACHE = page_cache_on
    first = client.get("/commitments/bridge/badge.svg")
    # The change lands in the same second as the copy the client has: the dates are equal.
    changed = bridge.updated.replace(microsecond=(bridge.updated.microsecond + 1) % 1_000_000)
    bridge.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 4, 2),
        note="Done.",
    )
    Commitment.objects.filter(pk=bridge.pk).update(updated=changed)

    by_date = client.get(
        "/commitments/bridge/badge.svg", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    by_both = client.get(
        "/commitments/bridge/badge.svg",
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
        HTTP_IF_NONE_MATCH=first["ETag"],
    )

    assert by_date["Last-Modified"] == first["Last-Modified"]
    assert by_date.status_code == by_both.status_code == 200
    assert "✓ Completed" in by_date.content.decode()


def test_a_status_change_gives_a_new_badge(client, bridge):
    Commitment.objects.filter(pk=bridge.pk).update(updated=timezone.now() - HOUR)
    first = client.get("/commitments/bridge/badge.svg")
    bridge.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 4, 2),
        note="Done.",
    )

    by_date = client.get(
        "/commitments/bridge/badge.svg", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    by_etag = client.get("/commitments/bridge/badge.svg", HTTP_IF_NONE_MATCH=first["ETag"])

    assert by_date.status_code == by_etag.status_code == 200
    assert "✓ Completed" in by_date.content.decode()


def test_an_unchanged_badge_is_not_sent_again(client, bridge):
    first = client.get("/commitments/bridge/badge.svg")

    again = client.get("/commitments/bridge/badge.svg", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_the_badge_escapes_the_title(client, make_commitment):
    make_commitment(slug="odd", title='Fix <b>"this"</b> & that')

    svg = client.get("/commitments/odd/badge.svg").content.decode()

    ET.fromstring(svg)  # still well-formed XML
    assert "&lt;b&gt;&quot;this&quot;&lt;/b&gt; &amp; that" in svg


@pytest.mark.parametrize("slug", ["nothing", "secret-draft"])
def test_an_unknown_or_draft_commitment_has_no_badge(client, make_commitment, slug):
    make_commitment(slug="secret-draft", is_published=False)

    assert client.get(f"/commitments/{slug}/badge.svg").status_code == 404


def test_the_commitment_page_shows_the_badge_and_how_to_embed_it(client, bridge):
    html = client.get("/commitments/bridge/").content.decode()

    # The page's own copy names the version, so a browser that cached the badge for an hour
    # still shows the current status right after an update.
    assert (
        f'<img src="/commitments/bridge/badge.svg?v={bridge.version}" alt="The badge as it '
        "looks now:"
    ) in html
    bridge.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.DELAYED,
        as_of=datetime.date(2026, 4, 2),
        note="Late.",
    )
    bridge.refresh_from_db()
    again = client.get("/commitments/bridge/").content.decode()
    assert f"/commitments/bridge/badge.svg?v={bridge.version}" in again
    assert f"badge.svg?v={bridge.version - 1}" not in again
    assert (
        "&lt;a href=&quot;http://testserver/commitments/bridge/&quot;&gt;&lt;img "
        "src=&quot;http://testserver/commitments/bridge/badge.svg&quot; alt=&quot;Status of "
        "“Build a bridge”, from Commitments Tracker&quot;&gt;&lt;/a&gt;"
    ) in html


def test_the_badge_runs_one_query(client, bridge, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/commitments/bridge/badge.svg")
