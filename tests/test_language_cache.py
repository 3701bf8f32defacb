"""The page cache and the languages: a page is kept per address, so /vi/ and /id/ pages are
kept apart from English ones, and the Accept-Language redirect is never kept at all."""

from __future__ import annotations

import re


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode()).group(1)


def test_a_cached_english_page_is_never_served_for_a_vietnamese_address(
    client, page_cache, make_commitment
):
    make_commitment(slug="bridge", title="Build the bridge", title_vi="Xây cầu")

    english = client.get("/commitments/bridge/")
    vietnamese = client.get("/vi/commitments/bridge/")
    again = client.get("/vi/commitments/bridge/")
    english_again = client.get("/commitments/bridge/")

    assert _lang(english) == _lang(english_again) == "en"
    assert _lang(vietnamese) == _lang(again) == "vi"
    assert "Xây cầu" in again.content.decode()
    assert "Xây cầu" not in english_again.content.decode()
    # The same content version, so one ETag value, but for different addresses: a browser
    # revalidating /vi/ never gets the English page.
    assert (
        client.get("/id/commitments/bridge/", HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 304
    )


def test_the_accept_language_redirect_is_never_cached_for_everybody(client, page_cache, db):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200  # cached now

    redirected = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client.get("/", HTTP_ACCEPT_LANGUAGE="id")

    assert redirected.status_code == 302 and redirected["Location"] == "/vi/"
    assert english.status_code == 200 and _lang(english) == "en"
    assert indonesian["Location"] == "/id/"


def test_a_cached_english_page_says_it_varies_with_the_cookie_and_accept_language(
    client, page_cache, db
):
    client.get("/themes/")

    hit = client.get("/themes/")

    vary = {v.strip() for v in hit["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    # A prefixed page depends on its address only: any cache may keep it for everybody.
    assert "Cookie" not in client.get("/vi/themes/").get("Vary", "")


def test_the_language_cookie_does_not_keep_pages_out_of_the_cache(
    client, page_cache, django_assert_num_queries, db
):
    client.cookies["django_language"] = "vi"
    client.get("/vi/statuses/")

    # A hit costs the content version only, with or without the language cookie.
    with django_assert_num_queries(1):
        assert client.get("/vi/statuses/").status_code == 200
