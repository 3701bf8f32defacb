import datetime

from tests.html import check_page, h1_of
from tracker.models import Basis, Status


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
    # actor, the content version, its figures (counted once per version), count for the pages, a
    # page of commitments with owner and proposer, their themes, latest updates
    with django_assert_num_queries(7):
        client.get("/actors/owner/")
    for _ in range(49):
        make_commitment(owner=owner)
    with django_assert_num_queries(7):
        client.get("/actors/owner/")


def test_the_actor_page_groups_commitments_by_role_and_charts_what_it_owns(
    client, make_commitment, make_actor
):
    states = make_actor(name="ASEAN member states", slug="member-states")
    owned = make_commitment(title="Owned one", owner=states)
    make_commitment(title="Owned two", owner=states)
    make_commitment(title="Shared", partners=[states])
    owned.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 3, 1),
        note="Done.",
    )

    html = client.get("/actors/member-states/").content.decode()

    assert '<h2 id="progress-heading">Progress on what it owns</h2>' in html
    assert "ASEAN member states: 2 commitments: 1 pending, 1 done." in html
    assert 'href="/commitments/?owner=member-states&amp;bucket=done"' in html
    assert "bucket=active" not in html and "bucket=closed" not in html
    assert 'href="/commitments/?owner=member-states">It is the lead owner of 2</a>' in html
    assert 'href="/commitments/?partner=member-states">It is a partner on 1</a>' in html
    assert "proposed-heading" not in html
    assert '<li><a href="/actors/">Who’s involved</a></li>' in html


def test_a_speaker_is_followed_on_what_they_proposed(client, make_commitment, make_actor):
    pm = make_actor(name="Pham Minh Chinh", slug="pm")
    make_commitment(title="Proposed", proposer=pm).record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Work began.",
    )

    html = client.get("/actors/pm/").content.decode()

    assert '<h2 id="progress-heading">Progress on what it proposed</h2>' in html
    assert 'href="/commitments/?proposer=pm&amp;bucket=active"' in html
    assert 'href="/commitments/?proposer=pm">It proposed 1</a>' in html
    # The latest updates cover what it proposed, too.
    assert "Work began." in html


def test_an_actor_known_only_from_drafts_is_a_404(client, make_commitment, make_actor):
    hidden = make_actor(name="Named only in a draft", slug="hidden")
    make_commitment(owner=hidden, is_published=False)

    assert client.get("/actors/hidden/").status_code == 404


def test_a_partner_is_followed_on_what_it_shares_with_a_working_filter_link(
    client, make_commitment, make_actor
):
    secretariat = make_actor(name="ASEAN Secretariat", slug="secretariat")
    make_commitment(title="Shared work", partners=[secretariat])

    html = client.get("/actors/secretariat/").content.decode()

    assert "Progress on what it shares" in html
    assert 'href="/commitments/?partner=secretariat&amp;bucket=pending"' in html
    listed = client.get("/commitments/?partner=secretariat&bucket=pending")
    assert listed.status_code == 200
    assert [c.title for c in listed.context["commitments"]] == ["Shared work"]
