"""The list as cards or as a compact table; filter errors announced; clean addresses."""

from django.core.cache import cache

from tests.html import check_page


def test_the_list_can_be_shown_as_a_compact_table(client, make_commitment):
    make_commitment(title="Connect data centres")

    response = client.get("/commitments/?view=table")

    html = response.content.decode()
    check_page(html)
    assert '<table class="commitment-table">' in html
    assert "Connect data centres</a></th>" in html
    # A scrolling region of its own, named apart from the section it is in.
    assert '<div class="table-scroll" role="region" aria-label="Table of the commitments"' in html
    assert '<ul class="cards">' not in html
    # The form keeps the view, so applying filters stays in the table.
    assert '<input type="hidden" name="view" value="table">' in html


def test_the_table_view_is_kept_in_the_page_links_but_not_in_the_downloads(
    client, make_commitment, settings
):
    settings.TRACKER_PAGE_SIZE = 1
    make_commitment()
    make_commitment()

    html = client.get("/commitments/?view=table&bucket=pending").content.decode()

    # The list is given its query in one order, by name (tracker.caching.canonical_query()).
    assert 'href="?bucket=pending&amp;view=table&amp;page=2"' in html
    assert 'href="/commitments/export.csv?bucket=pending"' in html
    assert 'href="?bucket=pending"' in html  # back to the cards


def test_an_invalid_filter_is_announced_on_its_field_and_stays_visible(client, db):
    response = client.get("/commitments/?status=bogus")

    assert response.status_code == 400
    html = response.content.decode()
    check_page(html)
    assert 'aria-describedby="id_status_error"' in html
    assert '<p class="field__error" id="id_status_error">' in html
    assert '<option value="bogus" selected>bogus (not a valid choice)</option>' in html


def test_the_search_help_is_linked_to_its_field(client, db):
    html = client.get("/commitments/").content.decode()

    assert 'aria-describedby="id_q_helptext"' in html
    assert '<small id="id_q_helptext">' in html


def test_empty_parameters_are_dropped_by_a_redirect_that_keeps_the_others(client, db):
    response = client.get("/commitments/?q=bridge&status=&theme=&view=table&page=")

    assert response.status_code == 301
    assert response["Location"] == "/commitments/?q=bridge&view=table"


def test_a_query_of_only_empty_parameters_redirects_to_the_bare_list(client, db):
    response = client.get("/commitments/?q=&status=")

    assert (response.status_code, response["Location"]) == (301, "/commitments/")


def test_the_table_costs_the_same_queries_as_the_cards(
    client, make_commitment, django_assert_num_queries
):
    for _ in range(3):
        make_commitment()
    # session-free page: the content version and the figures (the count; once per version), the page
    # of commitments with proposer, owner and member group, their themes, and the filter form's
    # choices (once per version: sources, then owners, partners and proposers in one query; no
    # commitment has a theme, so none is looked for); the table shows no themes but the rows are
    # fetched the same way.
    with django_assert_num_queries(6):
        assert client.get("/commitments/").status_code == 200
    cache.clear()  # the figures are kept per version: counted afresh, as for the cards
    with django_assert_num_queries(6):
        assert client.get("/commitments/?view=table").status_code == 200
