"""The public site in English, Vietnamese and Bahasa Indonesia (issue 12, docs/languages.md).

English at the root, as always; /vi/ and /id/ for the others. A first visit follows the
language cookie, else Accept-Language; the switcher keeps the page and its filters and makes
the choice stick; every page names its language and its alternates.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from tests.html import check_page

LANGUAGES = {"": "en", "/vi": "vi", "/id": "id"}


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


def test_every_public_page_the_crawl_finds_says_its_language(crawled_site):
    _site, pages = crawled_site
    html_pages = {
        url: page for url, page in pages.items() if page.is_html and page.status_code == 200
    }
    seen = {"en": 0, "vi": 0, "id": 0}
    for url, page in html_pages.items():
        language = "vi" if url.startswith("/vi/") else "id" if url.startswith("/id/") else "en"
        assert _html_lang(page.text) == language, url
        seen[language] += 1
    # Every page is reached in every language, through the hreflang alternates.
    assert seen["vi"] == seen["id"] == seen["en"] > 10, seen


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/vi/", ["Những gì đã được hứa", "Tình hình hiện nay"]),
        ("/id/", ["Apa yang dijanjikan", "Keadaan saat ini"]),
        ("/vi/statuses/", ["Chưa đánh giá", "Hoàn thành một phần"]),
        ("/id/statuses/", ["Belum dinilai", "Selesai sebagian"]),
    ],
)
def test_pages_are_written_in_the_language_of_their_address(client, url, words, make_commitment):
    make_commitment()
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html, language=url.split("/")[1])
    for word in words:
        assert word in html


def test_english_addresses_keep_working_without_a_redirect(client, make_commitment):
    commitment = make_commitment()

    for url in ["/", "/commitments/", commitment.get_absolute_url(), "/statuses/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _html_lang(response.content.decode()) == "en", url


def test_a_first_visit_follows_accept_language_to_the_same_page_and_query(client, db):
    response = client.get("/commitments/?status=completed", HTTP_ACCEPT_LANGUAGE="vi,en;q=0.8")

    assert response.status_code == 302
    assert response["Location"] == "/vi/commitments/?status=completed"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    assert "no-store" in response["Cache-Control"]
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9")["Location"] == "/id/"


def test_a_browser_that_prefers_english_or_another_language_stays_on_english_pages(client, db):
    for accept in ["en-GB,en;q=0.9", "th,fr;q=0.5", ""]:
        response = client.get("/commitments/", HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200, accept
        # A shared cache must not give this page to a visitor who would be redirected.
        assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


@pytest.mark.parametrize(
    "accept", ["id;q=0", "vi;q=0", "en;q=0", "vi;q=0, id;q=0", "id;q=0.0, vi;q=0.000", "id-ID;q=0"]
)
def test_a_language_refused_with_q_0_is_never_chosen(client, db, accept):
    """q=0 means "not acceptable" (RFC 9110): nobody is sent to a language they refused."""
    response = client.get("/commitments/", HTTP_ACCEPT_LANGUAGE=accept)

    assert response.status_code == 200
    assert _html_lang(response.content.decode()) == "en"


@pytest.mark.parametrize(
    "accept, address",
    [
        ("vi;q=0, id;q=0.5", "/id/commitments/"),
        ("id;q=0, vi", "/vi/commitments/"),
        ("en;q=0, vi;q=0, id;q=0.1", "/id/commitments/"),
        ("id;q=0, en;q=0.2, vi;q=0.1", None),
    ],
)
def test_a_mixed_header_goes_to_the_best_language_not_refused(client, db, accept, address):
    response = client.get("/commitments/", HTTP_ACCEPT_LANGUAGE=accept)

    if address is None:
        assert response.status_code == 200
    else:
        assert (response.status_code, response["Location"]) == (302, address)


def test_the_admin_honours_q_0_too(admin_client):
    response = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi;q=0, id;q=0")

    assert response["Content-Language"] == "en"
    assert (
        admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi;q=0, id")["Content-Language"] == "id"
    )


def test_feeds_downloads_badges_and_the_sitemap_are_never_redirected(client, make_commitment):
    make_commitment(slug="bridge")
    urls = [
        "/feeds/updates/",
        "/commitments/bridge/feed/",
        "/commitments/bridge/badge.svg",
        "/commitments/export.csv",
        "/data/dataset.json",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, url


def test_choosing_english_in_the_switcher_sticks(client, db):
    response = client.get(
        "/language/en/?next=/commitments/%3Fq%3Dbridge", HTTP_ACCEPT_LANGUAGE="vi"
    )

    assert response.status_code == 302
    assert response["Location"] == "/commitments/?q=bridge"
    assert response.cookies["django_language"].value == "en"
    # Back on an English page, the cookie wins over the browser's Vietnamese.
    response = client.get("/commitments/?q=bridge", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200


def test_a_chosen_language_also_sends_english_addresses_to_it(client, db):
    client.get("/language/id/?next=/id/")

    response = client.get("/themes/", HTTP_ACCEPT_LANGUAGE="en")

    assert response["Location"] == "/id/themes/"


def test_the_switcher_refuses_to_send_anyone_to_another_site(client, db):
    for next_url in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        response = client.get("/language/vi/", {"next": next_url})
        assert response["Location"] == "/vi/", next_url


def test_the_switcher_links_to_this_page_with_its_filters_in_each_language(
    client, make_commitment, make_theme
):
    theme = make_theme(slug="roads")
    make_commitment(themes=[theme])

    html = client.get("/vi/commitments/?theme=roads&view=table").content.decode()

    nav = re.search(r'<nav class="language-switch".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang="([^"]+)"', nav)
    assert [lang for _, lang, _ in links] == ["en", "vi", "id"]
    targets = {}
    for href, lang, hreflang in links:
        assert lang == hreflang
        parts = urlsplit(href.replace("&amp;", "&"))
        assert parts.path == reverse("choose-language", args=[lang])
        targets[lang] = parse_qs(parts.query)["next"][0]
    assert targets == {
        "en": "/commitments/?theme=roads&view=table",
        "vi": "/vi/commitments/?theme=roads&view=table",
        "id": "/id/commitments/?theme=roads&view=table",
    }
    # The current language is marked for screen readers; each name is in its own language.
    names = {code: translation.get_language_info(code)["name_local"] for code in ("vi", "id")}
    assert f'hreflang="vi" aria-current="true">{names["vi"]}</a>' in nav
    assert ">English</a>" in nav and f">{names['id']}</a>" in nav
    # Following a link keeps the page and its filters.
    follow = client.get(links[2][0].replace("&amp;", "&"))
    assert follow["Location"] == "/id/commitments/?theme=roads&view=table"


def test_each_page_names_its_alternates_and_x_default_in_its_head(client, make_commitment):
    make_commitment(slug="bridge")

    html = client.get("/id/commitments/bridge/?utm_source=x").content.decode()

    head = html.split("</head>")[0]
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))
    assert alternates == {
        "en": "http://testserver/commitments/bridge/",
        "vi": "http://testserver/vi/commitments/bridge/",
        "id": "http://testserver/id/commitments/bridge/",
        "x-default": "http://testserver/commitments/bridge/",
    }
    assert '<link rel="canonical" href="http://testserver/id/commitments/bridge/">' in head


def test_a_missing_translation_shows_the_english_text_marked_as_english(
    client, make_commitment, make_theme
):
    theme = make_theme(name="Infrastructure", name_vi="Hạ tầng")
    make_commitment(slug="bridge", title="Build the bridge", title_vi="", themes=[theme])

    html = client.get("/vi/commitments/bridge/").content.decode()

    assert '<h1><span lang="en">Build the bridge</span></h1>' in html
    assert ">Hạ tầng</a>" in html
    # In English nothing needs marking.
    assert "<h1>Build the bridge</h1>" in client.get("/commitments/bridge/").content.decode()


def test_a_written_translation_is_shown_in_its_language(client, make_commitment):
    make_commitment(
        slug="bridge",
        title="Build the bridge",
        title_id="Membangun jembatan",
        summary="A bridge.",
        summary_id="Sebuah jembatan.",
    )

    html = client.get("/id/commitments/bridge/").content.decode()

    assert "<h1>Membangun jembatan</h1>" in html
    assert '<p class="lead">Sebuah jembatan.</p>' in html
    assert "<title>Membangun jembatan · Pemantau Komitmen</title>" in html


def test_dates_and_scores_are_written_as_each_language_writes_them(client, make_commitment):
    import datetime

    make_commitment(slug="bridge", target_date=datetime.date(2030, 12, 31))

    assert "31 December 2030" in client.get("/commitments/bridge/").content.decode()
    assert "31 tháng 12 năm 2030" in client.get("/vi/commitments/bridge/").content.decode()
    assert "31 Desember 2030" in client.get("/id/commitments/bridge/").content.decode()


def test_a_decimal_score_uses_the_languages_decimal_comma(db):
    from tracker.templatetags.tracker_tags import format_score

    with translation.override("en"):
        assert format_score(0.5) == "+0.50"
    with translation.override("vi"):
        assert format_score(-0.25) == "\u22120,25"
        assert format_score(None) == "không tính điểm"
    with translation.override("id"):
        assert format_score(0.5) == "+0,50"


def test_svg_geometry_is_never_written_with_a_decimal_comma(crawled_site):
    """Charts, bars and badges in Vietnamese and Indonesian still draw: "12,5" is no number."""
    geometry = re.compile(r'\b(?:x|y|width|height|viewBox|textLength)="[^"]*,[^"]*"')
    _site, pages = crawled_site
    for url, page in pages.items():
        if url.startswith(("/vi/", "/id/")) and "<svg" in page.text:
            assert not geometry.search(page.text), (url, geometry.search(page.text).group(0))


def test_feeds_in_a_language_keep_iso_dates_and_translate_their_words(client, make_commitment):
    import datetime

    from tracker.models import Basis, Status

    commitment = make_commitment(slug="bridge", title="Build the bridge", title_vi="Xây cầu")
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Work began.",
        basis=Basis.INDEPENDENT,
    )

    atom = client.get("/vi/feeds/updates/").content.decode()

    assert "<title>Xây cầu: Chưa đánh giá → Đang thực hiện</title>" in atom
    assert re.search(r"<updated>\d{4}-\d\d-\d\dT", atom)
    assert "http://testserver/vi/commitments/bridge/#update-" in atom
