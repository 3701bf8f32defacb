"""Printing: the whole filtered list on one page, and a print stylesheet for every page."""

import re
from pathlib import Path

import pytest

from tests.html import check_page, h1_of

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text("utf-8")


def print_rules() -> str:
    return CSS.split("@media print {", 1)[1]


@pytest.fixture
def many(make_commitment, make_theme, settings):
    settings.TRACKER_PAGE_SIZE = 2
    roads = make_theme(slug="roads", name="Roads")
    for n in range(5):
        make_commitment(title=f"Road {n}", themes=[roads], quote=f"Build road {n}.")
    make_commitment(title="Not a road")
    make_commitment(title="A draft road", themes=[roads], is_published=False)


def test_the_printout_shows_every_filtered_commitment_on_one_page(client, many):
    response = client.get("/commitments/print/?theme=roads&order=-title")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Commitments (filtered)"
    assert "5 commitments matching theme “Roads”, sort by “Title (descending)”" in html
    titles = re.findall(r'<h2 class="print-item__title">(.*?)</h2>', html)
    assert titles == [f"Road {n}" for n in (4, 3, 2, 1, 0)]
    assert "Build road 4." in html
    # Addresses for readers on paper: the printout's own, with its filters (in one order, by
    # name: tracker.caching.canonical_query()), and each one's.
    assert "From http://testserver/commitments/print/?order=-title&amp;theme=roads</p>" in html
    assert "http://testserver/commitments/" in html
    assert "A draft road" not in html
    # Progress in words: only what there is, and no link to an empty list.
    assert 'aria-label="These commitments: 5 commitments: 5 pending."' in html
    assert "bucket=active" not in html


def test_a_printout_narrowed_to_a_bucket_links_to_that_bucket_without_repeating_it(client, many):
    html = client.get("/commitments/print/?theme=roads&bucket=pending").content.decode()

    assert 'href="/commitments/?theme=roads&amp;bucket=pending"' in html
    assert "bucket=pending&amp;bucket" not in html


def test_the_printout_without_filters_shows_everything(client, many):
    html = client.get("/commitments/print/").content.decode()

    assert h1_of(html) == "Commitments"
    assert len(re.findall(r'class="print-item"', html)) == 6


def test_an_invalid_filter_is_explained_on_the_printout(client, many):
    response = client.get("/commitments/print/?status=maybe")

    assert response.status_code == 400
    html = response.content.decode()
    check_page(html)
    assert "Some filters could not be applied, so there is nothing to print." in html
    assert "Status: Select a valid choice. maybe is not one of the available choices." in html
    assert 'class="print-item"' not in html


def test_the_print_stylesheet_leaves_out_navigation_and_sharing(client, many):
    rules = print_rules()

    hidden = rules.split(".no-print", 1)[1].split("{", 1)
    assert "display: none" in hidden[1].split("}")[0]
    for selector in [".site-header nav", ".filters", ".pagination", ".breadcrumbs"]:
        assert selector in rules
    assert ".print-only { display: block; }" in rules
    assert ".print-item { break-inside: avoid;" in rules
    # What the stylesheet hides is marked so on the pages.
    detail = client.get("/commitments/").content.decode()
    assert '<p class="downloads no-print">' in detail


def test_a_commitment_prints_with_its_address(client, make_commitment):
    make_commitment(slug="bridge")

    html = client.get("/commitments/bridge/").content.decode()

    assert '<p class="print-only">Printed from http://testserver/commitments/bridge/</p>' in html
    assert '<section class="share no-print"' in html


def test_the_printout_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme(slug="t")
    make_commitment(themes=[theme])
    # the theme named in the filter; commitments with source, owner, proposer; their
    # themes; their partners
    with django_assert_num_queries(4):
        client.get("/commitments/print/?theme=t")
    for _ in range(49):
        make_commitment(themes=[theme])
    with django_assert_num_queries(4):
        html = client.get("/commitments/print/?theme=t").content.decode()
    assert html.count('class="print-item"') == 50
