"""The tracker in English, Vietnamese and Bahasa Indonesia (docs/languages.md).

English is at the root, the others under /vi/ and /id/. A first visit follows the visitor's
language cookie, else Accept-Language (PreferredLanguageMiddleware); the switcher sets the
cookie, so choosing English sticks. The admin has no prefix and follows the same preference
(AdminLanguageMiddleware). Editors write Vietnamese and Indonesian versions of their texts
beside the English ones (`title_vi`, `title_id`); Translatable.translated() falls back to
English, marked lang="en". A quote is never translated in place: its translation is shown
beside it, labelled (`quote_translation_<language>`).
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_safe

# Languages whose texts editors write beside the English ones.
CONTENT_LANGUAGES = ("vi", "id")

# Views under the language prefix that are data, not pages: never redirected by
# Accept-Language, so a feed reader, a spreadsheet or a page embedding a badge always gets what
# the address says.
NEUTRAL_VIEW_NAMES = frozenset(
    {
        "tracker:commitment-export-csv",
        "tracker:commitment-export-json",
        "tracker:scorecard-export-csv",
        "tracker:scorecard-export-json",
        "tracker:dataset-json",
        "tracker:commitment-badge",
        "tracker:commitment-feed",
        "tracker:theme-feed",
        "tracker:actor-feed",
        "tracker:member-feed",
        "tracker:feed-updates",
        "tracker:robots-txt",
        "tracker:favicon",
        "tracker:healthz",
    }
)


def active_language() -> str:
    """The language of the page being made: "en", "vi" or "id"."""
    return translation.get_language() or settings.LANGUAGE_CODE


class Translatable:
    """A model whose editors' texts have Vietnamese and Indonesian versions in fields beside
    the English ones, e.g. `title_vi` and `title_id` beside `title`."""

    def translated(self, field: str, language: str | None = None) -> tuple[str, str]:
        """`field` in `language` (default: the active one) if an editor wrote it, else in
        English: (text, the language it is in). Reads loaded fields only: no query."""
        language = language or active_language()
        if language in CONTENT_LANGUAGES:
            text = getattr(self, f"{field}_{language}", "")
            if text:
                return text, language
        return getattr(self, field), settings.LANGUAGE_CODE


def _is_page(match) -> bool:
    return "tracker" in match.namespaces and match.view_name not in NEUTRAL_VIEW_NAMES


def preferred_language(request: HttpRequest) -> str:
    """The visitor's language cookie if it names one of ours, else the best of Accept-Language
    (English when it names none of ours).

    As Django's get_language_from_request(), but a language given q=0 is never chosen: q=0
    means "not acceptable" (RFC 9110, 12.4.2), and Django takes it as a preference like any
    other, so "id;q=0" sent a visitor to /id/.
    """
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(cookie)
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    # Best first; parsed by Django, which bounds the header's length and refuses a malformed
    # one whole.
    for language, quality in parse_accept_lang_header(header):
        if language == "*":
            break
        if quality == 0:
            continue
        with contextlib.suppress(LookupError):
            return translation.get_supported_language_variant(language)
    return settings.LANGUAGE_CODE


class PreferredLanguageMiddleware:
    """Send a visitor who prefers Vietnamese or Indonesian from an English page to the same
    page, query included, in their language.

    Only public pages (not feeds, downloads, badges, the sitemap, the admin) and only GET and
    HEAD. The redirect depends on the request's cookie and Accept-Language, so it is never
    cached for everybody: it says Vary: Accept-Language, Cookie and no-store, and it is made
    before the page cache looks. The English page says Vary the same, for any cache in front.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or translation.get_language_from_path(
            request.path_info
        ):
            return self.get_response(request)
        try:
            # An unprefixed address is English: resolved as such, whatever language the
            # thread's previous request left active (LocaleMiddleware has not run yet).
            with translation.override(settings.LANGUAGE_CODE):
                match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not _is_page(match):
            return self.get_response(request)
        language = preferred_language(request)
        if language != settings.LANGUAGE_CODE:
            with translation.override(settings.LANGUAGE_CODE):
                url = translate_url(request.get_full_path(), language)
            response = HttpResponseRedirect(url)
            add_never_cache_headers(response)
        else:
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class AdminLanguageMiddleware:
    """The admin in the editor's language: their language cookie (the switcher's), else their
    browser's Accept-Language. Directly after LocaleMiddleware.

    The admin's addresses have no language prefix, and with `prefix_default_language=False`
    LocaleMiddleware reads every unprefixed address as English, the cookie notwithstanding; the
    admin is never cached, so choosing its language per request is safe.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            admin_root = reverse("admin:index")
        except NoReverseMatch:  # a URLconf without the admin (a test's, say)
            return self.get_response(request)
        if not request.path_info.startswith(admin_root):
            return self.get_response(request)
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


def language_links(request: HttpRequest) -> list[dict]:
    """This page in each language: its address (query kept, for the switcher) and its
    canonical address (for hreflang). No query: resolving and reversing the path only."""
    match = request.resolver_match
    if match is None or "tracker" not in match.namespaces:
        return []
    try:
        reverse("choose-language", args=[settings.LANGUAGE_CODE])
    except NoReverseMatch:  # a URLconf without the switcher (a test's, say)
        return []
    current = active_language()
    links = []
    for code, _name in settings.LANGUAGES:
        path = translate_url(request.path, code)
        full = translate_url(request.get_full_path(), code)
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "is_current": code == current,
                "url": request.build_absolute_uri(path),
                "switch_url": reverse("choose-language", args=[code])
                + "?"
                + urlencode({"next": full}),
            }
        )
    return links


# /language/<code>/?next=/vi/commitments/
@require_safe
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the visitor's choice in the language cookie, then go to `next` (the page they
    were on, in that language). A plain link, so the switcher works without JavaScript; never
    cached."""
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    next_url = request.GET.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        with translation.override(code):
            next_url = reverse("tracker:dashboard")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    add_never_cache_headers(response)
    return response
