"""HEAD works wherever GET does: link checkers, caches and monitors ask with HEAD."""

import pytest

from tests.crawl import make_public_site


@pytest.fixture
def site(db):
    return make_public_site()


def _every_kind_of_url(site) -> set[str]:
    """One address of each kind of public page, feed and download, literally (a crawl would
    fetch hundreds of filter combinations of the same few views)."""
    commitment, theme, owner = site["commitment"], site["theme"], site["owner"]
    return {
        "/",
        "/commitments/",
        "/commitments/?status=in_progress",
        "/commitments/print/",
        "/commitments/export.csv",
        "/commitments/export.json",
        f"/commitments/{commitment.slug}/",
        f"/commitments/{commitment.slug}/feed/",
        f"/commitments/{commitment.slug}/badge.svg",
        "/statuses/",
        "/themes/",
        f"/themes/{theme.slug}/",
        f"/themes/{theme.slug}/feed/",
        "/actors/",
        f"/actors/{owner.slug}/",
        f"/actors/{owner.slug}/feed/",
        f"/sources/{site['source'].slug}/",
        "/charts/",
        "/scorecard/",
        "/scorecard/?theme=no-such-theme",
        "/scorecard/methodology/",
        "/about/",
        "/scorecard/export.csv",
        "/scorecard/export.json",
        "/members/",
        f"/members/{site['member'].slug}/",
        f"/members/{site['member'].slug}/feed/",
        "/members/no-such-member/",
        "/feeds/updates/",
        "/data/",
        "/data/dataset.json",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        # Not found, and refused, answer HEAD the same way too.
        "/commitments/no-such-commitment/",
        "/commitments/?status=no-such-status",
    }


def test_head_answers_like_get_with_an_empty_body_at_every_public_url(client, site):
    urls = _every_kind_of_url(site)

    mismatched = {}
    for url in sorted(urls):
        get, head = client.get(url), client.head(url)
        if head.status_code != get.status_code:
            mismatched[url] = (get.status_code, head.status_code)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert body == b"", f"HEAD {url} sent a body"
    assert not mismatched, f"(GET, HEAD) status codes differ: {mismatched}"


def test_a_post_to_a_read_only_page_is_refused(client, site):
    member = site["member"].slug
    for url in (
        "/",
        "/commitments/export.csv",
        f"/commitments/{site['commitment'].slug}/feed/",
        "/sitemap.xml",
        "/scorecard/",
        "/scorecard/export.json",
        f"/members/{member}/",
        f"/members/{member}/feed/",
    ):
        assert client.post(url).status_code == 405, url
