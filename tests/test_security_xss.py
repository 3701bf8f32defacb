"""Text that editors type is shown as text everywhere: never run as script, never as markup.

Every editable text field of every tracker model gets a script payload; then every public URL
(pages, feeds, sitemaps, exports, badges: whatever the crawl finds) and every admin page is
checked for the payload in raw form.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.crawl import crawl, make_public_site
from tracker.models import SearchDocument

MARKUP_TYPES = ("text/html", "application/xml", "text/xml", "image/svg+xml", "application/xhtml")


# Issue 9: the member-state pages (scorecard, member pages) that will show these are being built
# on another branch; drop this exemption when they land.
PAGES_TO_COME = {"membergroup", "memberstate"}


def _is_markup(content_type: str) -> bool:
    return content_type.startswith(MARKUP_TYPES) or "+xml" in content_type


def _models() -> list[type[models.Model]]:
    """The tracker's models, and users, whose names an editor or a page may show. Not the
    search documents: the search's own copy of the others' texts, rewritten by the app from
    them (tests/test_search.py checks the highlighting escapes what it shows)."""
    tracker = apps.get_app_config("tracker").get_models()
    return [*(m for m in tracker if m is not SearchDocument), get_user_model()]


def _text_fields(model) -> list[models.Field]:
    """Fields an editor types free text into: not slugs, not choices, not generated."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField)
        and field.editable
        and not field.choices
        and not field.primary_key
        # A password is stored hashed and never shown; changing it would end the session.
        and field.name != "password"
        # A code too short to hold a payload (a source's language, 35 characters), whose
        # validator refuses anything but letters, digits and hyphens.
        and not (field.max_length and field.max_length < 60)
        # A translation of a note into its own language (English, by default) is refused by a
        # constraint: the note itself holds that text.
        and field.name != "note_translation_en"
    ]


def _payload(model, field, pk) -> str:
    tag = f"{model._meta.model_name}-{field.name}-{pk}"
    # A script, a broken-out quoted attribute, and words that become an event handler if the
    # text lands in an unquoted attribute.
    text = f'<script>xss("{tag}")</script>"><b id=xss-{tag}> x onmouseover=xss'
    if isinstance(field, models.URLField):
        # Still a valid URL, so it could pass the form's validation.
        text = f"https://example.org/{text}"
    return text


def _raw_markers(payload: str) -> list[str]:
    """What would appear if the payload were not escaped: a script tag, a broken attribute."""
    start = payload.index("<script>")
    end = payload.index("> x")
    return [payload[start : payload.index("</script>")], payload[payload.index('"><b') : end]]


class _InjectedMarkup(HTMLParser):
    """Elements or attributes that only a payload could have created."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") or (name == "id" and (value or "").startswith("xss-")):
                self.found.append(f"<{tag} {name}={value!r}>")


def _assert_no_injection(url: str, text: str, markers: list[str]) -> None:
    for marker in markers:
        assert marker not in text, f"unescaped {marker!r} at {url}"
    parser = _InjectedMarkup()
    parser.feed(text)
    assert not parser.found, f"injected markup at {url}: {parser.found}"


def _plant() -> dict[type, list[str]]:
    """Every text field of every row of every tracker model, set to a payload naming it."""
    make_public_site()
    payloads: dict[type, list[str]] = {}
    for model in _models():
        fields = _text_fields(model)
        if not fields:
            continue
        rows = list(model.objects.all())
        assert rows, (
            f"{model.__name__} has no rows: add one to tests.crawl.make_public_site so its "
            "text is checked for escaping"
        )
        for row in rows:
            values = {field.name: _payload(model, field, row.pk) for field in fields}
            # update(), not save(): the payload must reach the page even if a form would refuse it.
            model.objects.filter(pk=row.pk).update(**values)
            payloads.setdefault(model, []).extend(values.values())
    return payloads


@pytest.fixture
def planted(db) -> dict[type, list[str]]:
    return _plant()


@pytest.fixture(scope="session")
def planted_crawl(django_db_setup, django_db_blocker):
    """The payloads, and the public site crawled with them: once per session (a crawl takes
    seconds), in a transaction rolled back afterwards."""
    # With the page cache on, as in production (a session fixture cannot use `settings`).
    cached, settings.TRACKER_PAGE_CACHE = settings.TRACKER_PAGE_CACHE, True
    with django_db_blocker.unblock(), transaction.atomic():
        payloads = _plant()
        pages = crawl(Client())
        transaction.set_rollback(True)
    settings.TRACKER_PAGE_CACHE = cached
    cache.clear()
    return payloads, pages


def test_payloads_are_escaped_on_every_public_url(planted_crawl):
    planted, pages = planted_crawl

    markers = [m for payloads in planted.values() for p in payloads for m in _raw_markers(p)]
    for url, page in pages.items():
        if _is_markup(page.content_type):
            _assert_no_injection(url, page.text, markers)


def test_data_files_cannot_be_read_as_html(planted_crawl):
    _planted, pages = planted_crawl

    for url, page in pages.items():
        if page.text and not _is_markup(page.content_type):
            # A payload in a JSON or CSV export is data; it must never be sniffed as a page.
            assert page.headers.get("X-Content-Type-Options") == "nosniff", url


def test_the_public_site_does_show_the_escaped_text(planted_crawl):
    """Guards the tests above: the payloads are on the pages, only escaped."""
    planted, pages = planted_crawl
    everything = "\n".join(page.text for page in pages.values())

    for model, payloads in planted.items():
        if model is get_user_model():
            continue  # the public site names no user today
        if model._meta.model_name in PAGES_TO_COME:
            continue
        shown = [p for p in payloads if escape(p) in everything]
        assert shown, f"no {model.__name__} text is shown escaped on the public site"


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for pk in model.objects.values_list("pk", flat=True)[:3]:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
    return urls


def test_payloads_are_escaped_in_the_admin(admin_client, planted):
    markers = [m for payloads in planted.values() for p in payloads for m in _raw_markers(p)]

    for url in _admin_urls():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        _assert_no_injection(url, response.content.decode(), markers)
