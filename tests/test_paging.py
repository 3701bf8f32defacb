"""The pages that list commitments a page at a time (a theme's, an actor's, a source's) answer
a page number that is not a page with a 404, never a 500 and never another page; and the
figures above the list count every commitment, not only the page's."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests import factories
from tracker.models import Actor, Source, Theme

PAGES = ["/themes/t/", "/actors/a/", "/sources/s/"]
NOT_A_PAGE = ["0", "-1", "abc", "1.5", "99999999999999999999", "9" * 5000, "", "2"]


@pytest.fixture(scope="module")
def _site(django_db_setup, django_db_blocker):
    with factories.rolled_back_afterwards(django_db_blocker):
        theme, actor = factories.make_theme(slug="t"), factories.make_actor(slug="a")
        source = factories.make_source(slug="s")
        for _ in range(settings.TRACKER_PAGE_SIZE):
            factories.make_commitment(source=source, owner=actor, themes=[theme])
        yield


@pytest.fixture
def site(_site, db):
    """One page's worth of commitments (and no more) on a theme, an actor and a source:
    built once for the module, whose tests all use it."""


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("page", NOT_A_PAGE)
def test_a_page_that_is_not_there_is_not_found(client, site, url, page):
    response = client.get(url, {"page": page})

    # "" is not a page number either; "2" is past the last page of one page.
    assert response.status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_the_first_page_is_there_with_or_without_its_number(client, site, url):
    assert client.get(url).status_code == 200
    assert client.get(url, {"page": "1"}).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_second_page_lists_the_rest_and_the_figures_count_all(client, site, url):
    # One more commitment on the theme, actor and source than a page holds.
    factories.make_commitment(
        source=Source.objects.get(slug="s"),
        owner=Actor.objects.get(slug="a"),
        themes=[Theme.objects.get(slug="t")],
        title="The one on page two",
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
