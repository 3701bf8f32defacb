from tests.html import check_page, h1_of


def test_the_actor_page_lists_what_it_owns_proposes_or_shares(client, make_commitment, make_actor):
    states = make_actor(name="ASEAN member states", slug="member-states", affiliation="ASEAN")
    make_commitment(title="Owned", owner=states)
    make_commitment(title="Shared", partners=[states])
    make_commitment(title="Unrelated")

    response = client.get("/actors/member-states/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "ASEAN member states"
    assert "Owned" in html and "Shared" in html
    assert "Unrelated" not in html
    assert "2 commitments proposed, owned or shared" in html


def test_an_unknown_actor_is_a_404(client, db):
    assert client.get("/actors/nobody/").status_code == 404


def test_the_actor_page_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_actor, django_assert_num_queries
):
    owner = make_actor(slug="owner")
    make_commitment(owner=owner)
    # actor, commitments, their themes, their partners, latest updates
    with django_assert_num_queries(5):
        client.get("/actors/owner/")
    for _ in range(49):
        make_commitment(owner=owner)
    with django_assert_num_queries(5):
        client.get("/actors/owner/")
