"""Every page that lists things a page at a time (the list, a commitment's history, a theme's,
an actor's, a source's and a member state's commitments, the scorecard, the sitemap's
sections) has one address per page: page 1 has no number, page N is written `?page=N`.

A whole number written otherwise (`?page=01`, `?page=+1`, `?page=%201`, `?page=1`, a blank or
repeated `page`) is redirected, permanently, to that address; anything else (`abc`, 0, -1, a
page past the last) is not found. Never a 500, never another page, and never one more copy of
a page in the cache (tests/test_junk_parameters.py). The figures above a list count every
commitment, not only the page's.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from tests import factories
from tracker.models import Actor, Source, Theme

# Every paged page, with two items a page (the fixture `two_pages`) and three items: two pages.
PAGED = [
    "/commitments/",
    "/commitments/c/",
    "/themes/t/",
    "/actors/a/",
    "/sources/s/",
    "/members/m/",
    "/scorecard/",
]
NOT_A_PAGE = [
    "0",
    "-1",
    "00",
    "abc",
    "1.5",
    "1e3",
    "last",
    "1_0",  # int() reads 10
    "\u0662",  # ARABIC-INDIC DIGIT TWO: int() reads 2
    "3",  # past the last of two pages
    "99999999999999999999",
    "9" * 5000,
]
# A number written otherwise, and the address it is redirected to (relative to the page).
WRITTEN_OTHERWISE = {
    "1": "",
    "01": "",
    "+1": "",
    " 1": "",
    "1 ": "",
    "\t1\n": "",
    "02": "?page=2",
    "+2": "?page=2",
    " 2": "?page=2",
    "0002": "?page=2",
}


@pytest.fixture(scope="module")
def _site(django_db_setup, django_db_blocker):
    with factories.rolled_back_afterwards(django_db_blocker):
        theme, actor = factories.make_theme(slug="t"), factories.make_actor(slug="a")
        source = factories.make_source(slug="s")
        group = factories.make_group()
        factories.make_member(slug="m", group=group)
        for n in range(3):
            factories.make_commitment(
                slug="c" if n == 0 else f"c{n}",
                source=source,
                owner=actor,
                themes=[theme],
                member_group=group,
            )
        commitment = source.commitments.get(slug="c")
        for n in range(3):
            factories.record_member_status(
                commitment, group.members.get(), "in_progress", note=f"Note {n}."
            )
        yield


@pytest.fixture
def two_pages(_site, db, settings, monkeypatch):
    """Three commitments on a theme, an actor, a source and a member state's scorecard, and
    three updates on commitment "c", built once for the module; two items a page."""
    settings.TRACKER_PAGE_SIZE = 2
    for size in ("HISTORY_PAGE_SIZE", "MEMBER_PAGE_SIZE", "SCORECARD_PAGE_SIZE"):
        monkeypatch.setattr(f"tracker.views.{size}", 2)


@pytest.mark.parametrize("url", PAGED)
def test_each_page_has_one_address_the_first_without_a_number(client, two_pages, url):
    first, second = client.get(url), client.get(f"{url}?page=2")

    assert first.status_code == second.status_code == 200
    assert first.context["page_obj"].number == 1
    assert second.context["page_obj"].number == 2
    # Page 2 links back to the first page's address, not to ?page=1.
    previous = re.search(r'<a href="([^"]*)" rel="prev"', second.content.decode())[1]
    assert previous.split("#")[0] == "./"


@pytest.mark.parametrize("url", PAGED)
@pytest.mark.parametrize("page", NOT_A_PAGE)
def test_a_page_that_is_not_there_is_not_found(client, two_pages, url, page):
    response = client.get(url, {"page": page})

    assert response.status_code == 404


@pytest.mark.parametrize("url", PAGED)
@pytest.mark.parametrize("page, canonical", WRITTEN_OTHERWISE.items())
def test_a_number_written_otherwise_is_redirected_to_the_page_address(
    client, two_pages, url, page, canonical
):
    response = client.get(url, {"page": page})

    assert response.status_code == 301
    assert response["Location"] == f"{url}{canonical}"


@pytest.mark.parametrize("url", PAGED)
def test_a_blank_or_repeated_page_number_is_redirected_to_the_one_it_means(client, two_pages, url):
    # As a view would read it: the last one given.
    for query, canonical in [
        ("page=", url),
        ("page=2&page=1", url),
        ("page=1&page=2", f"{url}?page=2"),
        ("page=2&page=2", f"{url}?page=2"),
        ("page=2&page=", url),
    ]:
        response = client.get(f"{url}?{query}")

        assert (response.status_code, response["Location"]) == (301, canonical), query


def test_the_redirect_keeps_the_lists_filters_in_their_canonical_order(client, two_pages):
    response = client.get("/commitments/?theme=t&page=02&utm_source=x&q=bridge")

    assert response.status_code == 301
    assert response["Location"] == "/commitments/?page=2&q=bridge&theme=t"


def test_a_language_prefix_is_kept_by_the_redirect(client, two_pages):
    response = client.get("/vi/themes/t/?page=01")

    assert (response.status_code, response["Location"]) == (301, "/vi/themes/t/")


def test_the_sitemaps_pages_follow_the_same_rules(client, two_pages, monkeypatch):
    from tracker.sitemaps import CommitmentSitemap

    monkeypatch.setattr(CommitmentSitemap, "limit", 2)
    url = "/sitemap-commitments.xml"

    assert client.get(url).status_code == 200
    assert client.get(f"{url}?p=2").status_code == 200
    assert client.get(f"{url}?p=99").status_code == 404  # each address in 3 languages
    assert client.get(f"{url}?p=abc").status_code == 404
    for written in ("1", "01", "+1", " 1"):
        response = client.get(url, {"p": written})
        assert (response.status_code, response["Location"]) == (301, url), written
    assert client.get(url, {"p": "02"})["Location"] == f"{url}?p=2"


def test_a_page_number_means_nothing_where_nothing_is_paged(client, two_pages):
    # The front page reads no parameter: ?page= is left out, not refused.
    for query in ("page=abc", "page=01", "page=", "p=-1"):
        assert client.get(f"/?{query}").status_code == 200, query


def test_a_logged_in_editor_gets_the_same_answers(admin_client, two_pages):
    assert admin_client.get("/themes/t/?page=abc").status_code == 404
    response = admin_client.get("/themes/t/?page=01")
    assert (response.status_code, response["Location"]) == (301, "/themes/t/")


# The figures above a paged list


@pytest.mark.parametrize("url", ["/themes/t/", "/actors/a/", "/sources/s/"])
def test_a_second_page_lists_the_rest_and_the_figures_count_all(client, _site, db, url):
    # One more commitment on the theme, actor and source than a page holds (the module's
    # three, more to fill a page, and one).
    for _ in range(settings.TRACKER_PAGE_SIZE - 3):
        factories.make_commitment(
            source=Source.objects.get(slug="s"),
            owner=Actor.objects.get(slug="a"),
            themes=[Theme.objects.get(slug="t")],
        )
    factories.make_commitment(
        source=Source.objects.get(slug="s"),
        owner=Actor.objects.get(slug="a"),
        themes=[Theme.objects.get(slug="t")],
        title="The one on page two",
        position=10_000,
    )
    first = client.get(url)
    second = client.get(url, {"page": "2"})

    assert second.status_code == 200
    assert len(first.context["commitments"]) == settings.TRACKER_PAGE_SIZE
    assert [c.title for c in second.context["commitments"]] == ["The one on page two"]
    total = settings.TRACKER_PAGE_SIZE + 1
    for response in (first, second):
        html = response.content.decode()
        assert f"{total} commitments" in html
        assert f"Page {response.context['page_obj'].number} of 2" in html
