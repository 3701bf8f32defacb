import datetime

from tests.html import check_page, h1_of
from tracker.models import Basis, Status


def test_the_actor_index_lists_everyone_involved_owners_first(client, make_commitment, make_actor):
    states = make_actor(name="Member states", slug="states", role="Governments")
    minister = make_actor(name="The minister", slug="minister")
    partner = make_actor(name="A partner", slug="partner")
    make_actor(name="Only in a draft", slug="draft-only")
    for _ in range(2):
        make_commitment(owner=states, proposer=minister, partners=[partner])
    make_commitment(owner=make_actor(slug="small", name="Small owner"), proposer=minister)
    make_commitment(owner=make_actor(slug="draft-only-2"), is_published=False)
    states.owned_commitments.first().record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.DELAYED,
        as_of=datetime.date(2026, 3, 1),
        note="x",
    )

    response = client.get("/actors/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Who’s involved"
    names = [line.split(">")[1].split("<")[0] for line in html.split('<h2 class="h3"><a')[1:]]
    assert names[:2] == ["Member states", "Small owner"]
    assert set(names[2:]) == {"The minister", "A partner"}
    assert "Lead owner of 2 · partner on 0 · proposed 0" in html
    assert "Lead owner of 0 · partner on 0 · proposed 3" in html
    assert "Lead owner of 0 · partner on 2 · proposed 0" in html
    assert "Member states, as lead owner: 2 commitments: 1 pending, 1 active." in html
    assert 'href="/commitments/?owner=states&amp;bucket=active"' in html
    assert "Only in a draft" not in html and "draft-only" not in html


def test_owners_bars_share_one_scale_and_link_only_to_lists_with_something_in_them(
    client, make_commitment, make_actor
):
    big, small = make_actor(slug="big"), make_actor(slug="small")
    for _ in range(2):
        make_commitment(owner=big)
    make_commitment(owner=small)

    html = client.get("/actors/").content.decode()

    assert '<rect class="bucket--pending" x="0" y="0" width="100" height="4">' in html
    assert '<rect class="bucket--pending" x="0" y="0" width="50" height="4">' in html
    assert 'href="/commitments/?owner=small&amp;bucket=pending"' in html
    assert "bucket=active" not in html and "bucket=done" not in html


def test_the_header_links_to_the_actor_index(client, db):
    html = client.get("/").content.decode()

    assert '<a href="/actors/">Who’s involved</a>' in html


def test_the_actor_index_runs_the_same_queries_for_one_or_fifty(
    client, make_commitment, make_actor, django_assert_num_queries
):
    partner = make_actor()
    make_commitment(partners=[partner])
    # the content version, the actors' figures (once per version) (owned, proposed, shared), the
    # actors
    with django_assert_num_queries(3):
        client.get("/actors/")
    for _ in range(49):
        make_commitment(partners=[partner])
    with django_assert_num_queries(3):
        html = client.get("/actors/").content.decode()
    assert html.count('<h2 class="h3">') == 50 + 50 + 1


def test_an_actor_name_with_an_ampersand_is_escaped_once_in_its_bar(
    client, make_commitment, make_actor
):
    ministry = make_actor(name="Ministry of Science & Technology", slug="most")
    make_commitment(owner=ministry)

    html = client.get("/actors/").content.decode()

    check_page(html)
    assert "Ministry of Science &amp; Technology, as lead owner: 1 commitment: 1 pending." in html
    assert "&amp;amp;" not in html
