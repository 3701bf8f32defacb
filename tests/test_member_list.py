"""/members/: every member state with its compliance score."""

import pytest

from tests import factories
from tests.html import check_page
from tracker.models import Status


def test_it_lists_every_public_member_state_with_its_score(client, db):
    _, (first, second), (commitment,) = factories.make_scorecard(members=2, commitments=1)
    factories.record_member_status(commitment, first, Status.DISCONTINUED)
    hidden = factories.make_group()
    factories.make_member(group=hidden, name="Draft-only state")
    factories.make_commitment(member_group=hidden, is_published=False)

    response = client.get("/members/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert [m.name for m in response.context["members"]] == [first.name, second.name]
    assert "Draft-only state" not in html
    assert f'<th scope="row"><a href="{first.get_absolute_url()}">{first.name}</a></th>' in html
    # The score and how many commitments it covers, in one cell: "+1.00" alone reads as perfect.
    assert "<td>−1.00 · assessed 1 of 1</td>" in html
    assert "<td>not scored · assessed 0 of 1</td>" in html


def test_without_member_states_it_says_so(client, db):
    response = client.get("/members/")

    assert response.status_code == 200
    assert "No commitment carried out by each member state" in response.content.decode()


def test_it_answers_get_and_head_only(client, db):
    assert client.head("/members/").status_code == 200
    assert client.post("/members/").status_code == 405


@pytest.mark.parametrize("members, commitments", [(1, 1), (11, 20)])
def test_it_runs_one_query_for_one_or_many_members(
    client, db, django_assert_num_queries, members, commitments
):
    factories.make_scorecard(members=members, commitments=commitments)

    # 1 the content version, the figures counted for it (the
    # member states' scores), 2 the member states with their groups
    with django_assert_num_queries(3):
        response = client.get("/members/")

    assert response.status_code == 200
    assert len(response.context["members"]) == members
