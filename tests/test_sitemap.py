"""/sitemap.xml: every public page with when it last changed; drafts never."""

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.sites.requests import RequestSite
from django.db import connection
from django.template import Context, Engine, loader
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from tests import factories
from tracker.models import Basis, Commitment, Status

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _get_xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def sections(client) -> list[str]:
    """The sitemaps /sitemap.xml lists (it is a sitemap index), as paths."""
    root = _get_xml(client, "/sitemap.xml")
    locs = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    return [loc.removeprefix("http://testserver") for loc in locs]


def sitemap(client) -> dict[str, str | None]:
    """Every address in every section of the sitemap, with its lastmod."""
    urls = {}
    for section in sections(client):
        root = _get_xml(client, section)
        for url in root.findall("s:url", NS):
            urls[url.findtext("s:loc", namespaces=NS)] = url.findtext("s:lastmod", namespaces=NS)
    return urls


@pytest.fixture
def published(make_commitment, make_theme, make_actor):
    commitment = make_commitment(
        slug="bridge", themes=[make_theme(slug="roads")], partners=[make_actor(slug="partner")]
    )
    Commitment.objects.filter(pk=commitment.pk).update(
        updated=timezone.make_aware(datetime.datetime(2026, 3, 4, 12))
    )
    return Commitment.objects.get(pk=commitment.pk)


def test_it_lists_every_public_page_with_its_last_change(client, published):
    urls = sitemap(client)

    base = "http://testserver"
    assert urls[f"{base}/commitments/bridge/"] == "2026-03-04"
    assert urls[f"{base}/themes/roads/"] == "2026-03-04"
    assert urls[f"{base}/actors/{published.owner.slug}/"] == "2026-03-04"
    assert urls[f"{base}/actors/{published.proposer.slug}/"] == "2026-03-04"
    assert urls[f"{base}/actors/partner/"] == "2026-03-04"
    assert urls[f"{base}/sources/{published.source.slug}/"] == "2026-03-04"
    for page in ["/", "/commitments/", "/themes/", "/actors/", "/charts/", "/data/"]:
        assert urls[base + page] == "2026-03-04", page
    assert urls[f"{base}/statuses/"] is None


def test_a_status_change_moves_the_last_change(client, published):
    published.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.ONGOING,
        as_of=datetime.date(2026, 5, 1),
        note="x",
    )

    urls = sitemap(client)

    today = timezone.now().date().isoformat()
    assert urls["http://testserver/commitments/bridge/"] == today
    assert urls["http://testserver/themes/roads/"] == today


def test_drafts_and_what_only_they_mention_are_not_in_the_sitemap(
    client, published, make_commitment, make_theme, make_actor
):
    make_commitment(
        slug="secret-draft",
        is_published=False,
        themes=[make_theme(slug="draft-theme")],
        owner=make_actor(slug="draft-owner"),
    )

    text = client.get("/sitemap.xml").content.decode()

    for slug in ["secret-draft", "draft-theme", "draft-owner"]:
        assert slug not in text


XHTML_LINK = "{http://www.w3.org/1999/xhtml}link"


def test_each_address_names_itself_in_each_language_and_english_as_x_default(
    client, published, make_commitment
):
    # A slug that is also a language code keeps it in every language.
    make_commitment(slug="en")
    entries = []
    for section in sections(client):
        for url in _get_xml(client, section).findall("s:url", NS):
            links = {link.get("hreflang"): link.get("href") for link in url.findall(XHTML_LINK)}
            entries.append((url.findtext("s:loc", namespaces=NS), links))

    base = "http://testserver"
    for slug in ["bridge", "en"]:
        english = f"{base}/commitments/{slug}/"
        expected = {
            "en": english,
            "vi": f"{base}/vi/commitments/{slug}/",
            "id": f"{base}/id/commitments/{slug}/",
            "x-default": english,
        }
        listed = [(loc, links) for loc, links in entries if links == expected]
        assert sorted(loc for loc, _ in listed) == sorted(
            expected[language] for language in ["en", "vi", "id"]
        )
    for loc, links in entries:
        path = links["en"].removeprefix(base)
        assert links == {
            "en": base + path,
            "vi": f"{base}/vi{path}",
            "id": f"{base}/id{path}",
            "x-default": base + path,
        }
        assert loc in (links["en"], links["vi"], links["id"])


def _as_django_writes_it(urlset: list[dict]) -> str:
    """Django's own sitemap.xml template, which templates/sitemap.xml replaces."""
    import django.contrib.sitemaps

    folder = Path(django.contrib.sitemaps.__file__).parent / "templates"
    own = Engine(dirs=[folder]).get_template("sitemap.xml")
    return own.render(Context({"urlset": urlset}))


def _as_written(urlset: list[dict]) -> str:
    return loader.get_template("sitemap.xml").render({"urlset": urlset})


def test_the_sitemap_is_written_byte_for_byte_as_djangos_template_writes_it(
    published, make_commitment, make_actor
):
    from tracker.sitemaps import SITEMAPS

    # The project's copy, not Django's, is the one the sitemap view finds.
    assert Path(loader.get_template("sitemap.xml").origin.name).parent.name == "templates"
    assert "urlset_xml" in Path(loader.get_template("sitemap.xml").origin.name).read_text()
    make_commitment(slug="en", owner=make_actor(slug="a-b_c"))
    factories.make_scorecard(members=2, commitments=1)
    site = RequestSite(RequestFactory().get("/"))
    for name, section in SITEMAPS.items():
        urlset = section().get_urls(site=site, protocol="https")
        assert urlset, name
        assert _as_written(urlset) == _as_django_writes_it(urlset), name
    # Whatever the values: escaped, dated in the current time zone, left out when empty.
    late = datetime.datetime(2026, 3, 4, 23, 30, tzinfo=datetime.UTC)
    odd = [
        {"location": "https://x/a?b=1&c='d\"<e>", "lastmod": late, "changefreq": "daily",
         "priority": "0.5", "alternates": [{"lang_code": "x&y", "location": "https://x/\"q\""}]},
        {"location": "https://x/b", "lastmod": datetime.date(999, 1, 2), "changefreq": None,
         "priority": "", "alternates": []},
        {"location": " ", "lastmod": None, "changefreq": " ", "priority": " ", "alternates": []},
        {"location": "https://x/c", "lastmod": late.replace(tzinfo=None), "changefreq": "",
         "priority": "1.0", "alternates": []},
    ]  # fmt: skip
    for zone in ["UTC", "Asia/Ho_Chi_Minh", "America/New_York"]:
        with timezone.override(zone):
            assert _as_written(odd) == _as_django_writes_it(odd), zone
    assert _as_written([]) == _as_django_writes_it([])


@pytest.mark.parametrize(
    "url, subqueries",
    [
        ("/sitemap-themes.xml", 1),
        ("/sitemap-sources.xml", 1),
        ("/sitemap-members.xml", 1),
        # what it owns, proposed and shares
        ("/sitemap-actors.xml", 3),
    ],
)
def test_a_small_section_reads_each_latest_change_once(client, published, url, subqueries):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    (sql,) = [query["sql"] for query in queries.captured_queries]
    # A filter on the latest change would repeat its subquery in the WHERE clause.
    assert sql.count("LIMIT 1)") == subqueries, sql


SMALL_SECTIONS = ["themes", "actors", "sources", "members"]


def _loaded(name: str):
    """A small section's latest date and pages as its own sitemap has them, loaded whole."""
    from tracker.sitemaps import SITEMAPS

    section = SITEMAPS[name]()
    dates = [section.lastmod(item) for item, _language in section._items()]
    return max(dates, default=None), section.paginator.num_pages


@pytest.mark.parametrize("name", SMALL_SECTIONS)
def test_the_index_dates_a_small_section_as_its_own_sitemap_does_without_loading_it(
    published, make_commitment, make_theme, make_actor, name
):
    from tracker.sitemaps import SITEMAPS

    # Newer than anything else, but a draft: it dates nothing.
    draft = make_commitment(is_published=False, themes=[make_theme()], partners=[make_actor()])
    _group, _members, (tracked,) = factories.make_scorecard(members=2, commitments=1)
    Commitment.objects.filter(pk=tracked.pk).update(
        updated=timezone.make_aware(datetime.datetime(2025, 1, 1))
    )
    Commitment.objects.filter(pk=draft.pk).update(
        updated=timezone.make_aware(datetime.datetime(2027, 1, 1))
    )
    section = SITEMAPS[name]()

    with CaptureQueriesContext(connection) as queries:
        dated = (section.get_latest_lastmod(), section.paginator.num_pages)

    assert dated == _loaded(name)
    # One aggregate, not a subquery per object of the section.
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert f'= ("{section.model._meta.db_table}"."id")' not in sql, sql


@pytest.mark.parametrize("name", SMALL_SECTIONS)
def test_a_small_section_with_nothing_published_is_dated_by_nothing(
    make_commitment, make_theme, name
):
    from tracker.sitemaps import SITEMAPS

    make_commitment(is_published=False, themes=[make_theme()])
    make_commitment(is_published=False, member_group=factories.make_group(members=1))

    assert SITEMAPS[name]().get_latest_lastmod() is None
    assert _loaded(name) == (None, 1)


def test_a_section_too_big_for_one_page_is_loaded_to_count_its_pages(
    published, make_actor, monkeypatch
):
    from tracker.sitemaps import ActorSitemap

    make_actor()  # in nothing: not listed
    monkeypatch.setattr(ActorSitemap, "limit", 4)
    section = ActorSitemap()

    # The owner, the proposer and the partner, in three languages: nine addresses.
    assert (section.get_latest_lastmod(), section.paginator.num_pages) == (published.updated, 3)
    assert _loaded("actors") == (published.updated, 3)


# The queries of each sitemap, the same for one commitment or fifty.
SITEMAP_QUERIES = {
    # the pages' latest change; the commitments' latest change and a count of their pages;
    # each small section (themes, actors, sources, members) loaded once
    "/sitemap.xml": 7,
    # a count, then the page
    "/sitemap-commitments.xml": 2,
    # ?p=1 is redirected to the address without it (issue 21); a parameter no sitemap reads
    # is left out
    "/sitemap-commitments.xml?utm_source=x": 2,
    # small sections: loaded once
    "/sitemap-themes.xml": 1,
    "/sitemap-actors.xml": 1,
    "/sitemap-sources.xml": 1,
    "/sitemap-members.xml": 1,
    # the pages' latest change
    "/sitemap-pages.xml": 1,
}


@pytest.fixture(scope="module")
def _queries_by_size(django_db_setup, django_db_blocker) -> dict:
    """Each sitemap's status and queries with one commitment, then with fifty: the commitments
    made once for all the sitemaps (each costs some thirty queries), in a transaction rolled
    back before any test runs."""
    client = Client()

    def fetch_all() -> dict:
        fetched = {}
        for url in SITEMAP_QUERIES:
            with CaptureQueriesContext(connection) as queries:
                status = client.get(url).status_code
            fetched[url] = (status, [query["sql"] for query in queries.captured_queries])
        return fetched

    # Uncached, as every test here runs (tests/conftest.py turns the page cache off for each).
    page_cache_off = override_settings(TRACKER_PAGE_CACHE=False)
    with page_cache_off, factories.rolled_back_afterwards(django_db_blocker):
        theme = factories.make_theme()
        factories.make_commitment(themes=[theme])
        one = fetch_all()
        for _ in range(49):
            factories.make_commitment(themes=[theme])
        fifty = fetch_all()
    return {"one": one, "fifty": fifty}


@pytest.fixture
def queries_by_size(_queries_by_size, db) -> dict:
    return _queries_by_size


@pytest.mark.parametrize("url, queries", SITEMAP_QUERIES.items())
def test_each_sitemap_runs_the_same_queries_for_one_or_fifty_commitments(
    queries_by_size, url, queries
):
    for size in ("one", "fifty"):
        status, executed = queries_by_size[size][url]
        assert status == 200
        assert len(executed) == queries, f"{size} commitment(s):\n" + "\n".join(executed)


def test_the_commitments_come_in_pages_of_a_thousand_listed_in_the_index(
    client, make_commitment, settings
):
    from tracker.sitemaps import CommitmentSitemap

    make_commitment()
    make_commitment()
    CommitmentSitemap.limit, limit = 1, CommitmentSitemap.limit
    try:
        listed = sections(client)
        assert "/sitemap-commitments.xml" in listed
        assert "/sitemap-commitments.xml?p=2" in listed
        assert len(sitemap(client)) >= 2
    finally:
        CommitmentSitemap.limit = limit
    assert limit == 1000


def test_every_section_of_fifty_commitments_is_listed(client, make_commitment, make_theme):
    theme = make_theme()
    for _ in range(50):
        make_commitment(themes=[theme])

    # Every page in English, Vietnamese and Indonesian: 11 pages about no one object (the
    # front page, lists, statuses, methodology, data, about…), the commitments, their
    # source, owners and proposers, and the theme.
    assert len(sitemap(client)) == 3 * (11 + 50 + 1 + 100 + 50)


def test_robots_txt_points_at_the_sitemap_and_keeps_robots_out_of_the_admin(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
