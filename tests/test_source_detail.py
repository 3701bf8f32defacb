from tests.html import check_page, h1_of


def test_the_source_page_shows_the_full_text_and_its_commitments(
    client, make_commitment, make_source
):
    source = make_source(
        slug="adgmin", title="Report on ADGMIN", author="Du Lam", full_text="First.\n\nSecond."
    )
    make_commitment(source=source, title="Connect data centres")

    response = client.get("/sources/adgmin/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Report on ADGMIN"
    assert "Du Lam" in html
    assert "<p>First.</p>" in html and "<p>Second.</p>" in html
    assert "Connect data centres" in html


def test_an_unknown_source_is_a_404(client, db):
    assert client.get("/sources/nothing/").status_code == 404


def test_the_source_page_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_source, django_assert_num_queries
):
    source = make_source(slug="s")
    make_commitment(source=source)
    # source, its tallies, every quote (for the highlighted text), a page of commitments
    # with owner and proposer, their themes
    with django_assert_num_queries(5):
        client.get("/sources/s/")
    for _ in range(49):
        make_commitment(source=source)
    with django_assert_num_queries(5):
        client.get("/sources/s/")


def test_the_source_page_counts_only_what_is_there_and_links_only_to_lists_with_something_in_them(
    client, make_commitment, make_source
):
    source = make_source(slug="adgmin", event_name="ADGMIN")
    make_commitment(source=source)
    make_commitment(source=source)

    html = client.get("/sources/adgmin/").content.decode()

    assert 'aria-label="ADGMIN: 2 commitments: 2 pending."' in html
    assert 'href="/commitments/?source=adgmin&amp;bucket=pending"' in html
    assert "bucket=active" not in html and "0 done" not in html
