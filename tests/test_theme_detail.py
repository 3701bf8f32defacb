import datetime

from tests.html import check_page, h1_of
from tracker.models import Basis, Status


def test_the_theme_page_lists_its_commitments_and_progress(client, make_commitment, make_theme):
    theme = make_theme(name="Digital government", slug="digital-government")
    mine = make_commitment(title="Build e-government services", themes=[theme])
    make_commitment(title="Something else")
    mine.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Begun.",
        basis=Basis.SELF_REPORTED,
    )

    response = client.get("/themes/digital-government/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Digital government"
    assert "Build e-government services" in html
    assert "Something else" not in html
    assert "Digital government: 1 commitment: 1 active." in html
    # Only figures above zero, and only they link to a list: none leads to an empty one.
    assert 'href="/commitments/?theme=digital-government&amp;bucket=active"' in html
    assert "bucket=pending" not in html and "0 pending" not in html
    assert "Begun." in html


def test_an_unknown_theme_is_a_404(client, db):
    assert client.get("/themes/nope/").status_code == 404


def test_the_theme_page_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme(slug="t")
    make_commitment(themes=[theme])
    # theme, the content version, its figures (counted once per version) (the counts by status and
    # for the pages), a page of commitments with owner and proposer, their themes, latest updates
    with django_assert_num_queries(6):
        client.get("/themes/t/")
    for _ in range(49):
        make_commitment(themes=[theme])
    with django_assert_num_queries(6):
        client.get("/themes/t/")


def test_the_theme_page_offers_its_commitments_as_a_list_and_as_data(
    client, make_commitment, make_theme
):
    theme = make_theme(slug="roads")
    make_commitment(themes=[theme])

    html = client.get("/themes/roads/").content.decode()

    assert '<a href="/commitments/?theme=roads">Filter and sort them in the list</a>' in html
    assert '<a href="/commitments/export.csv?theme=roads" download>CSV</a>' in html


def test_a_large_theme_is_shown_a_page_at_a_time_with_figures_for_all(
    client, make_commitment, make_theme, settings
):
    settings.TRACKER_PAGE_SIZE = 2
    theme = make_theme(name="Innovation", slug="innovation")
    for n in range(5):
        make_commitment(title=f"Idea {n}", themes=[theme])

    first = client.get("/themes/innovation/").content.decode()
    last = client.get("/themes/innovation/?page=3").content.decode()

    assert "5 commitments" in first
    assert "Innovation: 5 commitments: 5 pending." in first
    assert "Idea 0" in first and "Idea 2" not in first
    assert "Page 1 of 3" in first and 'href="?page=2"' in first
    assert "Idea 4" in last and "Idea 0" not in last
