"""The public page cache: what it keeps, what it never keeps, and the headers it sends.

Freshness after each kind of write is tests/test_freshness.py; these tests are about the
cache's own rules, and prove that the cache is really in effect (so the freshness tests mean
something): with the version bump taken away, pages go stale.
"""

from __future__ import annotations

import datetime
import pickle
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.crawl import make_public_site
from tracker.caching import _page_key
from tracker.models import Basis, Commitment, ContentVersion, Status


@pytest.fixture(autouse=True)
def _cache_on(page_cache):
    """The page cache as in production."""


@pytest.fixture
def site(db):
    return make_public_site()


def _cached_pages() -> list[bytes]:
    """The bodies of every page in the local-memory cache (the tests' cache)."""
    # Each is kept as (status, headers, content).
    return [pickle.loads(value)[2] for key, value in _pages_kept()]


def _pages_kept() -> list[tuple[str, bytes]]:
    # The cache holds the figures too (tracker.figures), under their own keys.
    return [(key, value) for key, value in cache._cache.items() if ":page:" in key]


def _record(commitment: Commitment, note: str, status: str = Status.DELAYED) -> None:
    commitment.record_update(
        status=status,
        as_of=datetime.date(2026, 5, 1),
        note=note,
        basis=Basis.INDEPENDENT,
    )


def test_a_second_anonymous_visit_is_served_from_the_cache_with_one_query(client, site):
    url = site["commitment"].get_absolute_url()
    first = client.get(url)

    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    # Only the content version is read: the page itself comes from the cache.
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert "tracker_contentversion" in queries[0]["sql"]


def test_a_page_from_the_cache_carries_every_header_it_was_rendered_with(client, site):
    for url in ("/", "/commitments/", "/vi/themes/", site["commitment"].get_absolute_url()):
        rendered = client.get(url)
        kept = client.get(url)

        assert kept.content == rendered.content
        assert dict(kept.headers) == dict(rendered.headers), url


def test_a_page_from_the_cache_is_served_before_sessions_languages_and_logins(
    client, site, monkeypatch
):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.middleware.locale import LocaleMiddleware

    from tracker.languages import PreferredLanguageMiddleware

    calls = []
    for layer in (SessionMiddleware, LocaleMiddleware, AuthenticationMiddleware):
        original = layer.process_request
        monkeypatch.setattr(
            layer,
            "process_request",
            lambda self, request, original=original: calls.append(self) or original(self, request),
        )
    original_call = PreferredLanguageMiddleware.__call__
    monkeypatch.setattr(
        PreferredLanguageMiddleware,
        "__call__",
        lambda self, request: calls.append(self) or original_call(self, request),
    )

    client.get("/commitments/")
    rendered = len(calls)
    client.get("/commitments/")
    client.get("/commitments/", headers={"if-none-match": client.get("/commitments/")["ETag"]})

    assert rendered == 4
    assert len(calls) == rendered


def test_a_visitor_who_prefers_another_language_is_still_sent_there_from_a_kept_page(client, site):
    client.get("/commitments/")  # kept

    vietnamese = client.get("/commitments/", headers={"accept-language": "vi"})
    indonesian = Client()
    indonesian.cookies["django_language"] = "id"
    by_cookie = indonesian.get("/commitments/")

    assert vietnamese.status_code == 302 and vietnamese["Location"] == "/vi/commitments/"
    assert by_cookie.status_code == 302 and by_cookie["Location"] == "/id/commitments/"


def test_a_revisit_with_the_etag_is_answered_not_modified(client, site):
    first = client.get("/commitments/")
    etag, last_modified = first["ETag"], first["Last-Modified"]

    by_etag = client.get("/commitments/", headers={"if-none-match": etag})
    by_date = client.get("/commitments/", headers={"if-modified-since": last_modified})

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    # A date has whole seconds: two writes in one second would share it, so a date alone
    # never earns a 304. The ETag names the version exactly.
    assert by_date.status_code == 200


def test_the_etag_changes_with_any_write_and_the_old_one_gets_the_new_page(client, site):
    etag = client.get("/").get("ETag")

    _record(site["commitment"], "A newer assessment.")
    response = client.get("/", headers={"if-none-match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_public_pages_tell_proxies_to_revalidate_every_time(client, site):
    response = client.get("/commitments/")

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=0", "must-revalidate"} <= directives


def test_the_badge_keeps_its_browser_lifetime_but_shared_caches_revalidate(client, site):
    response = client.get(f"{site['commitment'].get_absolute_url()}badge.svg")

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=3600", "s-maxage=0", "must-revalidate"} <= directives


# What a page is kept under: the parameters its view reads, each once, in one order.


def _keys_kept() -> set[str]:
    return {key for key, _value in _pages_kept()}


def test_parameters_a_page_does_not_read_are_left_out_of_its_key(client, site):
    for url in ("/", "/commitments/", site["theme"].get_absolute_url()):
        client.get(url)
    kept = _keys_kept()

    for url in (
        "/?fbclid=IwAR0abc",
        "/?utm_source=newsletter&utm_medium=email&utm_campaign=may",
        "/commitments/?gclid=x&mc_eid=y",
        f"{site['theme'].get_absolute_url()}?ref=twitter",
        "/?page=2",  # the front page is not paged
    ):
        assert client.get(url).status_code == 200, url

    assert _keys_kept() == kept


def test_a_page_asked_for_with_tracking_parameters_shows_none_of_them(client, site):
    # Rendered first with them: the copy kept is the one everybody gets.
    first = client.get("/commitments/?utm_source=newsletter&q=data&fbclid=IwAR0abc")
    plain = client.get("/commitments/?q=data")

    assert first.status_code == 200
    # Not in the language switcher's links, the pages' links, anywhere.
    for word in ("utm_source", "newsletter", "fbclid", "IwAR0abc"):
        assert word not in first.text
    assert plain.wsgi_request._page_cache == "hit"
    assert plain.content == first.content


def test_the_query_order_does_not_make_another_copy(client, site):
    theme = site["theme"].slug
    first = client.get(f"/commitments/?status=in_progress&theme={theme}")
    kept = _keys_kept()

    again = client.get(f"/commitments/?theme={theme}&status=in_progress")

    assert first.status_code == again.status_code == 200
    assert again.wsgi_request._page_cache == "hit"
    assert _keys_kept() == kept


@pytest.mark.parametrize(
    "query, canonical",
    [
        ("status=in_progress&status=in_progress", "?status=in_progress"),
        ("status=delayed&status=in_progress", "?status=in_progress"),  # a view reads the last
        ("status=in_progress&theme=", "?status=in_progress"),
        ("q=&status=&theme=", ""),
        ("page=2&page=1", ""),
    ],
)
def test_repeated_and_blank_parameters_are_redirected_never_kept(client, site, query, canonical):
    response = client.get(f"/commitments/?{query}")

    assert (response.status_code, response["Location"]) == (301, f"/commitments/{canonical}")
    assert _keys_kept() == set()


def test_a_page_is_found_before_anything_else_whatever_tracking_parameters_it_has(client, site):
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        tracked = client.get("/?fbclid=IwAR0abc&utm_source=x")
    # A parameter some other page reads: looked up again once the view is known.
    paged = client.get("/?page=2")

    assert tracked.wsgi_request._page_cache == paged.wsgi_request._page_cache == "hit"
    # Served first thing, before the address was even resolved: no query but, at most, the
    # content version's.
    assert tracked.wsgi_request.resolver_match is None
    assert len(queries) <= 1
    assert paged.wsgi_request.resolver_match.view_name == "tracker:dashboard"


# How much is kept


def test_a_page_over_the_size_limit_is_served_but_not_kept(client, site, settings):
    settings.TRACKER_PAGE_CACHE_MAX_PAGE_BYTES = 5_000
    small = client.get("/robots.txt")
    big = client.get("/commitments/")

    again = client.get("/commitments/")

    assert small.status_code == big.status_code == again.status_code == 200
    assert len(small.content) < 5_000 < len(big.content)
    assert again.content == big.content
    assert again.wsgi_request._page_cache == "public"  # rendered again, not a hit
    assert client.get("/robots.txt").wsgi_request._page_cache == "hit"
    assert len(_pages_kept()) == 1


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of the test's own (Debian's redis-server), or the test is skipped."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (Debian package redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_page_over_the_size_limit_is_not_kept_in_redis_either(client, site, settings, redis_url):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "tracker.caching.ForgivingRedisCache", "LOCATION": redis_url}
    }
    settings.TRACKER_PAGE_CACHE_MAX_PAGE_BYTES = 5_000
    redis = caches["default"]._cache.get_client()

    client.get("/robots.txt")
    big = client.get("/commitments/")
    again = client.get("/commitments/")

    assert len(big.content) > 5_000
    assert again.wsgi_request._page_cache == "public"  # rendered again
    assert client.get("/robots.txt").wsgi_request._page_cache == "hit"
    assert len([key for key in redis.keys("*") if b":page:" in key]) == 1


def test_the_host_is_part_of_the_key_since_feeds_print_absolute_addresses(rf, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    a = rf.get("/feeds/updates/", HTTP_HOST="one.example")
    b = rf.get("/feeds/updates/", HTTP_HOST="two.example")

    assert _page_key(a, "GET", "t", "d", "") != _page_key(b, "GET", "t", "d", "")


def test_a_logged_in_editor_is_never_served_a_cached_page_nor_stores_one(editor_client, site):
    url = site["commitment"].get_absolute_url()
    Client().get(url)  # an anonymous visit fills the cache
    stored = len(_pages_kept())

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(url)

    assert response.status_code == 200
    assert len(queries) > 1  # rendered, not read from the cache
    assert len(_pages_kept()) == stored
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


def test_the_admin_and_the_health_check_are_never_cached(admin_client, site):
    Client().get("/healthz")
    admin_client.get("/admin/")
    admin_client.get("/admin/tracker/commitment/")

    assert len(_pages_kept()) == 0


def test_not_found_pages_and_refused_filters_are_never_stored(client, site):
    assert client.get("/commitments/no-such-commitment/").status_code == 404
    assert client.get("/commitments/?status=no-such-status").status_code == 400

    assert len(_pages_kept()) == 0


def test_a_response_that_sets_a_cookie_is_never_stored(client, site, monkeypatch):
    from tracker import views

    real = views.status_list

    def sets_a_cookie(request):
        response = real(request)
        response.set_cookie("hello", "world")
        return response

    monkeypatch.setattr("tracker.urls.views.status_list", sets_a_cookie)
    # The URLconf holds the view it was built with: rebuild it around the patched one.
    import importlib

    from django.urls import clear_url_caches

    import config.urls
    import tracker.urls

    importlib.reload(tracker.urls)
    importlib.reload(config.urls)
    clear_url_caches()
    try:
        response = client.get("/statuses/")
        assert response.cookies["hello"].value == "world"
        assert len(_pages_kept()) == 0
    finally:
        monkeypatch.undo()
        importlib.reload(tracker.urls)
        importlib.reload(config.urls)
        clear_url_caches()


def test_streamed_downloads_are_not_stored_but_answer_conditional_requests(client, site):
    first = client.get("/commitments/export.csv")
    b"".join(first.streaming_content)

    again = client.get("/commitments/export.csv", headers={"if-none-match": first["ETag"]})

    assert len(_pages_kept()) == 0
    assert again.status_code == 304


def test_drafts_and_internal_notes_never_enter_a_cached_response(admin_client, site):
    client = Client()  # anonymous: the `client` fixture is the one admin_client logs in
    draft = site["draft"]
    urls = [
        "/",
        "/commitments/",
        f"/commitments/{draft.slug}/",
        site["commitment"].get_absolute_url(),
        f"{site['commitment'].get_absolute_url()}feed/",
        site["owner"].get_absolute_url(),
        site["theme"].get_absolute_url(),
        site["source"].get_absolute_url(),
        "/feeds/updates/",
        "/sitemap.xml",
        "/charts/",
    ]
    for url in urls:
        client.get(url)
        # The staff's visits are never stored, so nothing they may see can leak that way.
        admin_client.get(url)

    pages = b"\n".join(_cached_pages()).decode()
    assert "Ministers adopted the framework." in pages  # the cache did fill
    for secret in (draft.title, draft.slug, "Progress note on the draft.", "has not replied"):
        assert secret not in pages


def test_without_the_version_bump_pages_would_go_stale(client, site, monkeypatch):
    """The cache is really in effect: take invalidation away and a recorded update is not
    shown. This is what the freshness tests would catch."""
    url = site["commitment"].get_absolute_url()
    client.get(url)
    monkeypatch.setattr(ContentVersion, "bump", classmethod(lambda cls, using=None: None))

    _record(site["commitment"], "An update the stale page does not show.")

    assert "An update the stale page does not show." not in client.get(url).text


def test_the_version_moves_on_inside_the_writes_transaction(site):
    before = ContentVersion.current().token
    with transaction.atomic():
        _record(site["commitment"], "Rolled back.")
        inside = ContentVersion.current().token
        transaction.set_rollback(True)

    assert inside != before
    # Rolled back with the write: no reader ever saw the version of a write that never was.
    assert ContentVersion.current().token == before


def test_a_new_day_makes_a_new_page_since_overdue_depends_on_the_date(client, site, monkeypatch):
    first = client.get("/")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    real = timezone.localtime
    # Only "now" moves on; converting a given time (the admin, dates on pages) still works.
    monkeypatch.setattr(
        "tracker.caching.timezone.localtime",
        lambda *args, **kwargs: real(*args, **kwargs) if args or kwargs else tomorrow,
    )

    revisit = client.get("/", headers={"if-none-match": first["ETag"]})

    assert revisit.status_code == 200
    assert revisit["ETag"] != first["ETag"]


def test_the_cache_can_be_turned_off(client, site, settings):
    settings.TRACKER_PAGE_CACHE = False

    response = client.get("/")

    assert response.status_code == 200
    assert "ETag" not in response
    assert _pages_kept() == []


def test_an_unreachable_redis_is_a_miss_not_an_error(client, site, settings):
    """Redis stopped: pages are rendered afresh, never an error page, never stale."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.caching.ForgivingRedisCache",
            # Nothing listens on port 1: the connection is refused at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    url = site["commitment"].get_absolute_url()

    first = client.get(url)
    _record(site["commitment"], "Recorded while Redis is down.")
    second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert "Recorded while Redis is down." in second.text
    assert caches["default"].get("anything", "missing") == "missing"


def test_a_page_from_the_cache_keeps_the_policy_it_was_rendered_with(client, site):
    # tracker.security.CSPMiddleware does not build the policy again for a cached page.
    page, badge = "/commitments/", "/commitments/develop-domestic-data-centres/badge.svg"
    first, first_badge = client.get(page), client.get(badge)
    second, second_badge = client.get(page), client.get(badge)

    policy = first["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert second["Content-Security-Policy"] == policy
    # The embeddable badge keeps its own, which lets any site frame it.
    assert "frame-ancestors *" in first_badge["Content-Security-Policy"]
    assert second_badge["Content-Security-Policy"] == first_badge["Content-Security-Policy"]


def test_a_cached_badge_answers_its_own_etag_with_a_304(client, site, django_assert_num_queries):
    url = f"{site['commitment'].get_absolute_url()}badge.svg"
    first = client.get(url)
    own = first["ETag"]

    # The content version and nothing else: the badge comes from the cache, unrendered.
    with django_assert_num_queries(1):
        revisit = client.get(url, headers={"if-none-match": own})

    assert revisit.status_code == 304
    assert revisit["ETag"] == own
    # Once the commitment changes, its badge's validator does too: the new image is sent.
    site["commitment"].record_update(
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 6, 1),
        note="Finished.",
        basis=Basis.INDEPENDENT,
    )
    changed = client.get(url, headers={"if-none-match": own})
    assert changed.status_code == 200
    assert "Completed" in changed.content.decode()


# "Edit in admin": staff only, and never in the copy of a page everybody is served.


@pytest.fixture
def edited_pages(make_commitment, make_theme, make_actor, make_source):
    """Each public page with an admin counterpart, and that admin change page."""
    owner = make_actor(slug="ministry")
    source = make_source(slug="summit")
    theme = make_theme(slug="roads")
    commitment = make_commitment(slug="road", owner=owner, source=source, themes=[theme])
    _group, (member,), _commitments = factories.make_scorecard(members=1, commitments=1)
    return {
        "/commitments/road/": f"/admin/tracker/commitment/{commitment.pk}/change/",
        "/themes/roads/": f"/admin/tracker/theme/{theme.pk}/change/",
        "/actors/ministry/": f"/admin/tracker/actor/{owner.pk}/change/",
        "/sources/summit/": f"/admin/tracker/source/{source.pk}/change/",
        f"/members/{member.slug}/": f"/admin/tracker/memberstate/{member.pk}/change/",
    }


def test_staff_get_an_edit_in_admin_link_to_each_objects_change_page(admin_client, edited_pages):
    for page, change_url in edited_pages.items():
        html = admin_client.get(page).content.decode()

        assert f'<p class="admin-edit no-print"><a href="{change_url}">Edit in admin' in html, page
        assert admin_client.get(change_url).status_code == 200


def test_a_staff_visit_never_puts_the_link_in_the_anonymous_cache(admin_client, edited_pages):
    anonymous = Client()
    for page in edited_pages:
        assert "Edit in admin" in admin_client.get(page).content.decode()

        first = anonymous.get(page)
        second = anonymous.get(page)  # from the cache

        assert first.wsgi_request._page_cache == "public"
        assert second.wsgi_request._page_cache == "hit"
        assert "Edit in admin" not in first.content.decode(), page
        assert "Edit in admin" not in second.content.decode(), page


def test_staff_never_get_the_cached_anonymous_page_without_their_link(admin_client, edited_pages):
    anonymous = Client()
    for page in edited_pages:
        anonymous.get(page)
        assert anonymous.get(page).wsgi_request._page_cache == "hit"

        html = admin_client.get(page).content.decode()

        assert "Edit in admin" in html, page


def test_a_logged_in_visitor_who_is_not_staff_gets_no_link(client, edited_pages):
    client.force_login(factories.make_user("reader", is_staff=False))
    for page in edited_pages:
        assert "Edit in admin" not in client.get(page).content.decode(), page
