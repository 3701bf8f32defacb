"""Drafts and internal notes appear at no public URL: the whole public site is crawled."""

import pytest

from tests.crawl import make_public_site


@pytest.fixture
def site(db):
    return make_public_site()


def test_the_crawl_reaches_every_kind_of_public_page(crawled_site):
    site, pages = crawled_site

    expected = {
        "/",
        "/commitments/",
        site["commitment"].get_absolute_url(),
        "/statuses/",
        site["theme"].get_absolute_url(),
        site["owner"].get_absolute_url(),
        site["partner"].get_absolute_url(),
        site["commitment"].proposer.get_absolute_url(),
        site["source"].get_absolute_url(),
        "/scorecard/",
        "/scorecard/methodology/",
        "/about/",
        "/scorecard/export.csv",
        "/scorecard/export.json",
        "/members/",
        site["member"].get_absolute_url(),
        f"{site['member'].get_absolute_url()}feed/",
        site["national"].get_absolute_url(),
    }
    assert expected <= {url.split("?")[0] for url in pages}


def test_every_link_on_the_public_site_works(crawled_site):
    _site, pages = crawled_site

    broken = {url: page.status_code for url, page in pages.items() if page.status_code >= 400}
    assert not broken


def test_a_draft_is_at_no_public_url(crawled_site):
    site, pages = crawled_site
    draft = site["draft"]

    for url, page in pages.items():
        for secret in (draft.title, draft.slug, draft.summary, "Progress note on the draft."):
            assert secret not in page.text, f"{secret!r} is public at {url}"


def test_a_drafts_own_address_is_not_found(client, site):
    assert client.get(f"/commitments/{site['draft'].slug}/").status_code == 404


def test_an_internal_note_is_at_no_public_url(crawled_site):
    _site, pages = crawled_site

    for url, page in pages.items():
        assert "has not replied" not in page.text, f"an internal note is public at {url}"
    # The public update on the same commitment is shown: the crawl did reach the timeline.
    assert any("Ministers adopted the framework." in page.text for page in pages.values())
