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
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date
from django.views.decorators.http import condition

from tracker.languages import preferred_language
from tracker.versions import ContentVersion, Version, read_version

logger = logging.getLogger(__name__)

# Views of these namespaces, and these views by name, are public pages.
CACHED_NAMESPACES = frozenset({"tracker"})
CACHED_VIEW_NAMES = frozenset({"sitemap", "sitemap-section"})
# Public views never cached: a health check must ask the database every time.
UNCACHED_VIEW_NAMES = frozenset({"tracker:healthz"})


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


def _page_key(request: HttpRequest, method: str, token: str, today: str) -> str:
    # The query's parameters in a fixed order (by name, values in their order), so
    # ?a=1&b=2 and ?b=2&a=1 are one page. Scheme and host are part of the address: feeds and
    # the sitemap print absolute URLs.
    query = sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True),
                   key=lambda pair: pair[0])  # fmt: skip
    address = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(query)}"
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
        token, today = _validators(version)[:2]
        kept = _cache_get(_page_key(request, request.method, token, today))
        if kept is None:
            request._page_cache_missed = True
            return None
        request._page_cache = "hit"
        # Answered from the kept response's own validator, as a fresh one would be (the
        # badge has one per commitment, from Django's condition()).
        return get_conditional_response(request, etag=kept.get("ETag"), response=kept)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.TRACKER_PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return None
        if not is_public_view(request):
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
            key = _page_key(request, request.method, token, today)
            kept = None if getattr(request, "_page_cache_missed", False) else _cache_get(key)
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
