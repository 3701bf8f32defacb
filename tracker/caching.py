"""The public page cache: anonymous pages served from Django's cache, exactly invalidated.

A public page depends on its address, the database's content and today's date (what is
overdue). The content has a version (tracker.versions.ContentVersion) that every write moves on
in its own transaction, so a page is cached under address, version and date, its ETag names
the version, and a write makes every cached page stale when it commits, on every instance
sharing the cache (REDIS_URL). Nothing is served from a timeout's guess.

The middleware covers every view of the `tracker:` namespace and the sitemap, so a new page
needs no code of its own. Never cached: logged-in visitors and anybody with a session or
messages cookie (their pages are marked private), methods other than GET and HEAD, the health
check, responses that set a cookie or are not 200, and streamed downloads. Proxies may keep
public responses but must revalidate (docs/deploy.md).

What a visitor can ask for is bounded. A page is kept under its canonical query: only the
parameters its view reads (PARAMETERS), each once, sorted; see canonical_query(). And the cache
is bounded in bytes: no page over TRACKER_PAGE_CACHE_MAX_PAGE_BYTES is kept, and the local
cache holds TRACKER_CACHE_MAX_BYTES in all (BoundedLocMemCache; Redis: its maxmemory).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import re
from threading import RLock
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache, _locks
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import TooManyFieldsSent
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.utils import timezone, translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.encoding import escape_uri_path
from django.utils.http import http_date
from django.views.decorators.http import condition

from tracker.filters import CommitmentFilter, ScorecardFilter
from tracker.languages import preferred_language
from tracker.versions import ContentVersion, Version, read_version

logger = logging.getLogger(__name__)

# Views of these namespaces, and these views by name, are public pages.
CACHED_NAMESPACES = frozenset({"tracker"})
CACHED_VIEW_NAMES = frozenset({"sitemap", "sitemap-section"})
# Public views never cached: a health check must ask the database every time.
UNCACHED_VIEW_NAMES = frozenset({"tracker:healthz"})

# The query parameters each public page reads, by URL name; a page not named reads none. Any
# other parameter is left out: out of the cache key, and out of the request the view is given
# (request.GET and the query string), so that a kept page is exactly the page of its key.
# Left out rather than redirected: a link shared as /?fbclid=… or /commitments/?utm_source=…
# keeps its address and is served from the one copy kept for it. A page that starts reading a
# parameter must be named here, or it never sees it (its tests will).
_LIST_FILTERS = frozenset(CommitmentFilter.base_filters)
_SCORECARD_FILTERS = frozenset(ScorecardFilter.base_filters)
PARAMETERS = {
    "tracker:commitment-list": _LIST_FILTERS | {"page", "view"},
    "tracker:commitment-print": _LIST_FILTERS,
    "tracker:commitment-export-csv": _LIST_FILTERS,
    "tracker:commitment-export-json": _LIST_FILTERS,
    "tracker:commitment-detail": frozenset({"page"}),
    "tracker:theme-detail": frozenset({"page"}),
    "tracker:actor-detail": frozenset({"page"}),
    "tracker:source-detail": frozenset({"page"}),
    "tracker:member-detail": frozenset({"page"}),
    "tracker:scorecard": _SCORECARD_FILTERS | {"page"},
    "tracker:scorecard-export-csv": _SCORECARD_FILTERS,
    "tracker:scorecard-export-json": _SCORECARD_FILTERS,
    "sitemap-section": frozenset({"p"}),  # django.contrib.sitemaps' pages
}
# Read by some page: what the cache is first looked up with, before the view is known.
ANY_PAGES_PARAMETERS = frozenset().union(*PARAMETERS.values())
# Parameters that are page numbers, where a page reads them.
PAGE_NUMBERS = frozenset({"page", "p"})
# A page number as the site writes it (page 1 has none); and a whole number written otherwise:
# leading zeros, a plus sign, spaces (?page=01, ?page=+1, ?page=%201). ASCII digits only, no
# "1_0": int() would read those, and each spelling would be one more page.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]*", re.ASCII)
_WHOLE_NUMBER = re.compile(r"\s*\+?0*([1-9][0-9]*)\s*", re.ASCII)


def canonical_query(query: QueryDict, reads: frozenset[str]) -> tuple[str, bool]:
    """The query a page reading `reads` is kept under and given, and whether the address must
    be redirected to it. Raises Http404 for a page number that is no page number.

    Parameters the page does not read are left out, whatever their values; the rest sorted
    by name. One address per page for what the page does read: a parameter given twice
    (?page=2&page=3: a view reads the last), a blank one (?status=, as a GET form sends every
    field) or a page number written otherwise (?page=01, ?page=1 for the first page) is
    redirected, permanently, to the address without the duplicate or the blank and with the
    number as the site writes it. Not a whole number from 1 up (?page=abc, 0, -1, 1.5) is not
    found; a page past the last is the view's to refuse.
    """
    pairs, redirect = [], False
    for name in sorted(reads.intersection(query)):
        values = query.getlist(name)
        value = values[-1]
        redirect |= len(values) > 1
        if name in PAGE_NUMBERS and value and not _PAGE_NUMBER.fullmatch(value):
            number = _WHOLE_NUMBER.fullmatch(value)
            if number is None:
                raise Http404(f"No such page: {name}={value[:20]!r}")
            value, redirect = number[1], True
        if name in PAGE_NUMBERS and value == "1":
            value = ""
        if value == "":
            redirect = True
            continue
        pairs.append((name, value))
    return urlencode(pairs), redirect


def _parameters_read(request: HttpRequest) -> frozenset[str]:
    return PARAMETERS.get(request.resolver_match.view_name, frozenset())


# Settings every page shows (who publishes the site, the data's licence). A deployment that
# changes them restarts, but a shared Redis still holds the pages rendered before, under the same
# content version: the settings are part of the version a page is kept and validated under.
PAGE_SETTINGS = (
    "TRACKER_PUBLISHER",
    "TRACKER_PUBLISHER_URL",
    "TRACKER_CONTACT_EMAIL",
    "TRACKER_DATA_LICENSE_NAME",
    "TRACKER_DATA_LICENSE_URL",
)


def _settings_token() -> str:
    return _digest("\n".join(str(getattr(settings, name)) for name in PAGE_SETTINGS))


@functools.lru_cache(maxsize=8)
def _digest(values: str) -> str:
    return hashlib.sha256(values.encode()).hexdigest()[:8]


def _personal_cookie_names() -> list[str]:
    """A visitor with one of these cookies may see a page of their own (logged in, a message)."""
    # "messages": django.contrib.messages' cookie storage (its name is not a setting).
    return [settings.SESSION_COOKIE_NAME, "messages"]


def is_public_view(request: HttpRequest) -> bool:
    """Whether the resolved view is a public page (the tracker's views and the sitemap)."""
    match = request.resolver_match
    if match is None or match.view_name in UNCACHED_VIEW_NAMES:
        return False
    return match.view_name in CACHED_VIEW_NAMES or bool(CACHED_NAMESPACES & set(match.namespaces))


def may_be_cached(request: HttpRequest) -> bool:
    """Whether this request's page may be stored and served to everybody: then nothing in it
    may depend on the visitor (a staff member's "Edit in admin" link)."""
    return getattr(request, "_page_cache", None) in ("public", "hit")


def _page_key(request: HttpRequest, method: str, token: str, today: str, query: str) -> str:
    # `query`: the canonical query (canonical_query()). Scheme and host are part of the
    # address: feeds and the sitemap print absolute URLs.
    address = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page:{token}:{today}:{method}:{digest}"


class PublicPageCacheMiddleware:
    """Serve anonymous GET/HEAD requests for public pages from the cache; answer 304s.

    A page in the cache is served first thing, before the layers it does not need (language
    redirect, sessions, CSRF, authentication, messages, CSP): it was kept with the headers they
    gave it. Failing that, it is looked up again once the address is resolved (process_view),
    and rendered and kept if need be. Placed before SessionMiddleware, so the responses it sees
    carry every cookie the inner layers set and are then refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._from_cache(request)
        if response is None:
            response = self.process_response(request, self.get_response(request))
        return response

    def _from_cache(self, request: HttpRequest) -> HttpResponse | None:
        if not _may_come_from_cache(request):
            return None
        # A visitor who prefers another language may be sent there from an English page:
        # PreferredLanguageMiddleware, inside, decides.
        if not translation.get_language_from_path(request.path_info) and (
            preferred_language(request) != settings.LANGUAGE_CODE
        ):
            return None
        request._page_version = version = read_version()
        if version is None:
            return None
        query = _query_before_the_view(request)
        if query is None:
            return None
        token, today = _validators(version)[:2]
        key = _page_key(request, request.method, token, today, query)
        kept = _cache_get(key)
        if kept is None:
            request._page_cache_missed = key
            return None
        request._page_cache = "hit"
        # Answered from the kept response's own validator, as a fresh one would be (the
        # badge has one per commitment, from Django's condition()).
        return get_conditional_response(request, etag=kept.get("ETag"), response=kept)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not is_public_view(request):
            return None
        # For everybody, cache or no cache: one address per page, whoever asks.
        query, redirect = canonical_query(request.GET, _parameters_read(request))
        if redirect:
            path = escape_uri_path(request.path)
            return HttpResponsePermanentRedirect(f"{path}?{query}" if query else path)
        if request.META.get("QUERY_STRING", "") != query:
            # The view is given the canonical query alone, so what it renders (its links, the
            # language switcher's, a printout's address) is the page of the key.
            request.META["QUERY_STRING"] = query
            request.GET = QueryDict(query)
        if not settings.TRACKER_PAGE_CACHE:
            return None
        if any(name in request.COOKIES for name in _personal_cookie_names()):
            request._page_cache = "personal"
            return None
        version = getattr(request, "_page_version", None) or read_version()
        if version is None:
            return None
        token, today, etag, last_modified = _validators(version)
        request._page_cache = "public"

        def cached_view(request, *args, **kwargs):
            # Only now: a 304 (answered by condition() before this runs) needs no key.
            key = _page_key(request, request.method, token, today, query)
            missed = getattr(request, "_page_cache_missed", None)
            kept = None if key == missed else _cache_get(key)
            if kept is not None:
                request._page_cache = "hit"
                return get_conditional_response(request, etag=kept.get("ETag"), response=kept)
            response = view_func(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            request._page_cache_key = key
            return response

        # Last-Modified is sent (process_response) but not used to answer 304s: HTTP dates
        # have whole seconds, so two writes within one second would share one, and a client
        # asking with If-Modified-Since alone could be told its older page is current. The
        # ETag names the version exactly; browsers send it with the date.
        request._page_last_modified = last_modified
        with ContentVersion.seen(version.token):
            return condition(etag_func=lambda request, *args, **kwargs: etag)(cached_view)(
                request, *view_args, **view_kwargs
            )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        state = getattr(request, "_page_cache", None)
        if state == "personal":
            # A logged-in editor's page must never be kept by a proxy and shown to the public.
            add_never_cache_headers(response)
            return response
        if state is None:
            return response
        # Public pages: shared caches may keep them but must revalidate every time. A view
        # that chose its own lifetime for browsers (the embeddable badge) keeps it.
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(request._page_last_modified.timestamp())
        if "max-age" not in response.get("Cache-Control", ""):
            patch_cache_control(response, max_age=0)
        patch_cache_control(response, public=True, s_maxage=0, must_revalidate=True)
        key = getattr(request, "_page_cache_key", None)
        if (
            key is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
        ):
            _cache_set(key, response)
        return response


def _query_before_the_view(request: HttpRequest) -> str | None:
    """The canonical query to look a page up with before its view is known, or None when the
    address is to be redirected or refused (process_view does that).

    Built from the parameters any page reads. It is the key process_view builds from the
    view's own unless the address has a parameter that some page reads but this one does not
    (?page=2 on the front page); then this lookup misses, and process_view looks again.
    """
    if not request.META.get("QUERY_STRING"):
        return ""
    try:
        query, redirect = canonical_query(request.GET, ANY_PAGES_PARAMETERS)
    except (Http404, TooManyFieldsSent):
        return None
    return None if redirect else query


def _may_come_from_cache(request: HttpRequest) -> bool:
    return (
        settings.TRACKER_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in _personal_cookie_names())
    )


def _validators(version: Version) -> tuple[str, str, str, datetime.datetime]:
    """The cache token, today, the ETag and the Last-Modified of pages at this version."""
    now = timezone.localtime()
    today = now.date().isoformat()
    # Pages change at midnight too (what is overdue).
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    token = f"{version.token}.{_settings_token()}"
    # Weak: the same page, byte for byte, for everybody at this version on this day.
    return token, today, f'W/"{token}-{today}"', max(version.changed, midnight)


def _cache_get(key: str) -> HttpResponse | None:
    kept = cache.get(key)
    if kept is None:
        return None
    status, headers, content = kept
    return HttpResponse(content, status=status, headers=headers)


def _cache_set(key: str, response: HttpResponse) -> None:
    if len(response.content) > settings.TRACKER_PAGE_CACHE_MAX_PAGE_BYTES:
        # Served, not kept: one such page would push out dozens of ordinary ones (a printout
        # of every commitment is megabytes), in a worker's memory or in Redis alike.
        return
    # Kept as its parts, the content in one chunk: cheaper to read back than a pickled
    # response, and a view that wrote its page in pieces (a feed: one per XML element) would
    # otherwise be sent in thousands of small writes on every hit.
    kept = (response.status_code, dict(response.headers), response.content)
    # Pages of older versions are never asked for again; the timeout only frees their room.
    cache.set(key, kept, settings.TRACKER_PAGE_CACHE_SECONDS)


# Invalidation. Every ORM save and delete of the tracker's models, and every change of their
# many-to-many relations, moves the content version on in the same transaction (Django sends
# these signals inside it), once per write (ContentVersion.one_write()). QuerySet.update()
# sends no signal: the code that calls it says so itself (ContentVersion.bump()).


def _bump(sender, using=None, **kwargs) -> None:
    if sender is ContentVersion:
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    ContentVersion.bump(using=using)


def connect_signals(app_config) -> None:
    """Bump the content version on every write of the app's models (called from ready())."""
    for model in app_config.get_models():
        if model.__name__ == "ContentVersion":
            continue
        post_save.connect(_bump, sender=model, dispatch_uid=f"page-cache-save-{model.__name__}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"page-cache-del-{model.__name__}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _bump, sender=field.remote_field.through, dispatch_uid=f"page-cache-m2m-{field}"
            )
    # A migration may change data without the models' signals (historical models).
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="page-cache-migrate")


def _after_migrate(sender, using=None, **kwargs) -> None:
    ContentVersion.bump(using=using)


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache, for REDIS_URL, that treats a Redis it cannot reach as a miss.

    Without Redis every page is rendered afresh: slower, never wrong, never an error page.
    Nothing can be stale when Redis comes back either, since pages are keyed by the content
    version. Each failure is logged as a warning; the short timeouts in settings.CACHES keep a
    hung Redis from holding up each request for long.
    """

    def _forgive(self, method: str, default, *args, **kwargs):
        from redis.exceptions import RedisError

        try:
            return getattr(super(), method)(*args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable, treated as a miss (%s): %s", method, error)
            return default

    def get(self, key, default=None, version=None):
        return self._forgive("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forgive("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("add", False, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._forgive("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._forgive("get_many", {}, keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._forgive("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._forgive("has_key", False, key, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._forgive("touch", False, key, timeout, version)

    def clear(self):
        return self._forgive("clear", False)


# Bytes kept by each BoundedLocMemCache, by name: shared by the instances of one name (one per
# thread) as LocMemCache shares its entries.
_bytes_kept: dict[str, int] = {}


class BoundedLocMemCache(LocMemCache):
    """Django's local-memory cache (the cache without REDIS_URL), bounded in bytes too.

    LocMemCache counts entries only: 2,000 pages of 2 MB each would be 4 GB in each worker.
    This one counts the bytes it keeps, each entry's key and pickled value, and before keeping
    a value evicts the least recently used entries until the value fits within MAX_BYTES (in
    OPTIONS, with MAX_ENTRIES, which still applies). A value larger than MAX_BYTES is not
    kept at all. Python's own overhead per entry (a few hundred bytes) is not counted:
    MAX_ENTRIES bounds that.
    """

    def __init__(self, name, params):
        # LocMemCache's lock for this name, reentrant, made before LocMemCache makes a plain
        # one: incr() and clear() below hold it around LocMemCache's own, which take it too.
        _locks.setdefault(name, RLock())
        super().__init__(name, params)
        self._name = name
        self._max_bytes = params.get("OPTIONS", {}).get("MAX_BYTES", 64 * 1024 * 1024)
        _bytes_kept.setdefault(name, 0)

    @property
    def bytes_kept(self) -> int:
        """The bytes of every key and value kept now."""
        return _bytes_kept[self._name]

    # Each of these is called by LocMemCache with the lock held.

    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        self._delete(key)  # its older value, if any, is counted out
        size = len(key) + len(value)
        if size > self._max_bytes:
            return
        while self._cache and _bytes_kept[self._name] + size > self._max_bytes:
            self._evict_least_recently_used()
        super()._set(key, value, timeout)
        _bytes_kept[self._name] += size

    def _evict_least_recently_used(self) -> None:
        # LocMemCache keeps the most recently used first.
        key, value = self._cache.popitem()
        del self._expire_info[key]
        _bytes_kept[self._name] -= len(key) + len(value)

    def _cull(self):
        # Over MAX_ENTRIES: as LocMemCache, the least recently used third (CULL_FREQUENCY 3),
        # or everything (CULL_FREQUENCY 0); counting the bytes freed.
        count = len(self._cache)
        if self._cull_frequency:
            count //= self._cull_frequency
        for _ in range(count):
            self._evict_least_recently_used()

    def _delete(self, key):
        value = self._cache.get(key)
        if not super()._delete(key):
            return False
        _bytes_kept[self._name] -= len(key) + len(value)
        return True

    def incr(self, key, delta=1, version=None):
        # LocMemCache.incr() writes the new value in place, not through _set(): count the
        # difference.
        stored = self.make_and_validate_key(key, version=version)
        with self._lock:
            before = len(self._cache.get(stored, b""))
            value = super().incr(key, delta, version)
            _bytes_kept[self._name] += len(self._cache[stored]) - before
        return value

    def clear(self):
        with self._lock:
            super().clear()
            _bytes_kept[self._name] = 0
