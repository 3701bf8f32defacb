"""/sitemap.xml: every public page with when it last changed; drafts never."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests import factories
from tracker.models import Basis, Commitment, Status

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


@pytest.fixture
def published(make_commitment, make_theme, make_actor):
    commitment = make_commitment(
        slug="bridge", themes=[make_theme(slug="roads")], partners=[make_actor(slug="partner")]
    )
    Commitment.objects.filter(pk=commitment.pk).update(
        updated=timezone.make_aware(datetime.datetime(2026, 3, 4, 12))
    )
    return Commitment.objects.get(pk=commitment.pk)


def test_it_lists_every_public_page_with_its_last_change(client, published):
    urls = sitemap(client)

    base = "http://testserver"
    assert urls[f"{base}/commitments/bridge/"] == "2026-03-04"
    assert urls[f"{base}/themes/roads/"] == "2026-03-04"
    assert urls[f"{base}/actors/{published.owner.slug}/"] == "2026-03-04"
    assert urls[f"{base}/actors/{published.proposer.slug}/"] == "2026-03-04"
    assert urls[f"{base}/actors/partner/"] == "2026-03-04"
    assert urls[f"{base}/sources/{published.source.slug}/"] == "2026-03-04"
    for page in ["/", "/commitments/", "/themes/", "/actors/", "/charts/", "/data/"]:
        assert urls[base + page] == "2026-03-04", page
    assert urls[f"{base}/statuses/"] is None
    assert urls[f"{base}/scorecard/methodology/"] is None
    for page in ["/scorecard/", "/members/"]:
        assert urls[base + page] == "2026-03-04", page


def test_it_lists_each_public_member_state_with_its_commitments_last_change(client, db):
    _, (member,), (commitment,) = factories.make_scorecard(members=1, commitments=1)
    hidden = factories.make_group()
    factories.make_member(group=hidden, slug="draft-only-member")
    factories.make_commitment(member_group=hidden, is_published=False)
    factories.record_member_status(commitment, member, Status.IN_PROGRESS)

    urls = sitemap(client)

    assert (
        urls[f"http://testserver{member.get_absolute_url()}"] == timezone.now().date().isoformat()
    )
    assert not any("draft-only-member" in url for url in urls)


def test_a_status_change_moves_the_last_change(client, published):
    published.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.ONGOING,
        as_of=datetime.date(2026, 5, 1),
        note="x",
    )

    urls = sitemap(client)

    today = timezone.now().date().isoformat()
    assert urls["http://testserver/commitments/bridge/"] == today
    assert urls["http://testserver/themes/roads/"] == today


def test_drafts_and_what_only_they_mention_are_not_in_the_sitemap(
    client, published, make_commitment, make_theme, make_actor
):
    make_commitment(
        slug="secret-draft",
        is_published=False,
        themes=[make_theme(slug="draft-theme")],
        owner=make_actor(slug="draft-owner"),
    )

    text = client.get("/sitemap.xml").content.decode()

    for slug in ["secret-draft", "draft-theme", "draft-owner"]:
        assert slug not in text


def test_the_sitemap_runs_the_same_queries_for_one_or_fifty_commitments(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme()
    make_commitment(themes=[theme])
    # per sitemap of objects (commitments, themes, actors, sources): a count and a page; the
    # members' count (no page: there are none here); the pages' latest change
    with django_assert_num_queries(10):
        client.get("/sitemap.xml")
    for _ in range(49):
        make_commitment(themes=[theme])
    with django_assert_num_queries(10):
        assert len(sitemap(client)) == 10 + 50 + 1 + 100 + 50


def test_robots_txt_points_at_the_sitemap_and_keeps_robots_out_of_the_admin(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
