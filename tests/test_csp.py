"""The Content-Security-Policy, and pages that work under it: public pages and the admin."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from tests.crawl import make_public_site
from tracker.security import allow_embedding


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class _Inline(HTMLParser):
    """Inline code a strict policy blocks: <script> without src, <style>, style="", on*=."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.attributes: list[str] = []
        self._in: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # JSON data blocks are never run, so a policy allows them.
        is_data = attrs.get("type", "").startswith(("application/json", "application/ld+json"))
        if (tag == "script" and "src" not in attrs and not is_data) or tag == "style":
            self._in, self._text = tag, ""
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.attributes.append(f"<{tag} {name}>")

    def handle_data(self, data):
        if self._in:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._in:
            (self.scripts if tag == "script" else self.styles).append(self._text)
            self._in = None


def inline_code(html: str) -> _Inline:
    parser = _Inline()
    parser.feed(html)
    return parser


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def site(db):
    return make_public_site()


def test_the_policy_allows_only_this_sites_own_code(client, db):
    policy = parse_policy(client.get("/").headers["Content-Security-Policy"])

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_every_public_url_sends_the_policy(crawled_site):
    _site, pages = crawled_site

    badges = [url for url in pages if url.split("?")[0].endswith("/badge.svg")]
    assert badges, "the crawl should reach the embeddable badges"
    for url, page in pages.items():
        policy = parse_policy(page.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        # The badge is the one documented exception: other sites may frame it.
        expected = ["*"] if url in badges else ["'none'"]
        assert policy["frame-ancestors"] == expected, url


def test_not_found_pages_send_the_policy_too(client, db):
    response = client.get("/commitments/no-such-commitment/")

    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_public_pages_carry_no_inline_script_style_or_event_handler(crawled_site):
    _site, pages = crawled_site

    for url, page in pages.items():
        if page.is_html:
            inline = inline_code(page.text)
            assert inline.scripts == [], url
            assert inline.styles == [], url
            assert inline.attributes == [], url


def _admin_pages(site) -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        urls.append(reverse(f"{name}_add"))
        obj = model.objects.first()
        if obj is not None:
            urls.append(reverse(f"{name}_change", args=[obj.pk]))
    return urls


def test_the_admin_works_under_the_policy(admin_client, site):
    for url in _admin_pages(site):
        response = admin_client.get(url)
        if response.status_code == 403:  # e.g. adding to the read-only history
            continue
        assert response.status_code == 200, url
        policy = parse_policy(response.headers["Content-Security-Policy"])
        inline = inline_code(response.content.decode())
        assert inline.attributes == [], url
        for script in inline.scripts:
            assert csp_hash(script) in policy["script-src"], f"inline script blocked at {url}"
        for style in inline.styles:
            assert csp_hash(style) in policy["style-src"], f"inline style blocked at {url}"


def test_the_admin_login_page_sends_the_policy(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert inline_code(response.content.decode()).scripts == []


# A view that other sites may embed, like a status badge.
@allow_embedding
def _embeddable(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")


urlpatterns = [
    path("embeddable.svg", _embeddable),
    path("", include("tracker.urls")),
]


@pytest.mark.urls(__name__)
def test_allow_embedding_lets_other_sites_frame_that_view_only(client, db):
    embeddable = client.get("/embeddable.svg")
    page = client.get("/")

    policy = parse_policy(embeddable.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in embeddable.headers
    assert embeddable.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    # Everything else about the policy still holds for it.
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    # And every other page still refuses to be framed.
    assert parse_policy(page.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert page.headers["X-Frame-Options"] == "DENY"
