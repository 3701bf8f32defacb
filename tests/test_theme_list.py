import datetime

from tests.html import check_page, h1_of
from tracker.models import Basis, Status


def test_the_theme_index_lists_every_public_theme_with_its_progress(
    client, make_commitment, make_theme
):
    roads = make_theme(name="Roads", slug="roads", description="Getting around.")
    make_theme(name="Empty", slug="empty")
    make_commitment(themes=[make_theme(name="Drafts only", slug="drafts-only")], is_published=False)
    make_commitment(themes=[roads]).record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.ONGOING,
        as_of=datetime.date(2026, 3, 1),
        note="x",
    )
    make_commitment(themes=[roads], is_published=False)

    response = client.get("/themes/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Themes"
    assert '<a href="/themes/roads/">Roads</a> <span class="muted">· 1 commitment</span>' in html
    assert "Getting around." in html
    assert "Roads: 1 commitment: 1 active." in html
    assert "bucket=pending" not in html
    # Not public yet: no published commitment is filed under them.
    assert "/themes/empty/" not in html
    assert "Drafts only" not in html


def test_theme_bars_share_one_scale(client, make_commitment, make_theme):
    big, small = make_theme(name="Big"), make_theme(name="Small")
    for _ in range(4):
        make_commitment(themes=[big])
    make_commitment(themes=[small])

    html = client.get("/themes/").content.decode()

    # As on the front page: one with a quarter as many commitments is a quarter as long.
    assert '<rect class="bucket--pending" x="0" y="0" width="100" height="4">' in html
    assert '<rect class="bucket--pending" x="0" y="0" width="25" height="4">' in html


def test_the_header_links_to_the_theme_index(client, db):
    html = client.get("/themes/").content.decode()

    assert '<a href="/themes/" aria-current="page">Themes</a>' in html


def test_a_theme_page_leads_back_to_the_index(client, make_theme, make_commitment):
    make_commitment(themes=[make_theme(slug="roads")])

    response = client.get("/themes/roads/")

    assert response.status_code == 200
    assert '<li><a href="/themes/">Themes</a></li>' in response.content.decode()


def test_the_theme_index_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_theme, django_assert_num_queries
):
    make_commitment(themes=[make_theme()])
    # the content version, the themes' figures (once per version), the themes
    with django_assert_num_queries(3):
        client.get("/themes/")
    for _ in range(49):
        make_commitment(themes=[make_theme()])
    with django_assert_num_queries(3):
        html = client.get("/themes/").content.decode()
    assert html.count('<div class="bucket-summary">') == 50


def test_a_list_filtered_by_theme_or_owner_links_to_their_pages(
    client, make_commitment, make_theme, make_actor
):
    make_commitment(themes=[make_theme(slug="roads", name="Roads")],
                    owner=make_actor(slug="states", name="Member states"))  # fmt: skip

    html = client.get("/commitments/?theme=roads&owner=states").content.decode()

    assert (
        'See also the page of the theme <a href="/themes/roads/">Roads</a>, the owner '
        '<a href="/actors/states/">Member states</a>.'
    ) in html
    assert "See also" not in client.get("/commitments/").content.decode()
