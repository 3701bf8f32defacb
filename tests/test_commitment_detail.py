import datetime

import pytest

from tests import factories
from tests.html import check_page, h1_of, title_of
from tracker.models import Basis, Status


def test_the_page_shows_what_was_promised_by_whom_and_who_owns_it(
    client, make_commitment, make_actor, make_theme, make_source
):
    source = make_source(
        title="Report on ADGMIN 2026", event_name="ADGMIN", url="https://example.org/report"
    )
    commitment = make_commitment(
        slug="connect-data-centres",
        title="Connect national data centres",
        summary="Each nation should connect its data centres regionally.",
        quote="He proposed each nation develop domestic data centers and connect them regionally",
        heading="Digital infrastructure",
        source=source,
        proposer=make_actor(name="Pham Minh Chinh", role="Prime Minister of Viet Nam"),
        owner=make_actor(name="ASEAN member states", slug="member-states"),
        partners=[make_actor(name="ASEAN Secretariat")],
        themes=[make_theme(name="Infrastructure")],
        target_date=datetime.date(2030, 12, 31),
    )

    response = client.get("/commitments/connect-data-centres/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Connect national data centres"
    assert title_of(html).startswith("Connect national data centres ·")
    assert "Not yet assessed" in html
    assert "No evidence has been reviewed yet." in html
    assert 'as of <time datetime="2026-01-15">15 January 2026</time>' in html
    assert '<a href="/actors/member-states/">ASEAN member states</a>' in html
    assert "ASEAN Secretariat" in html
    assert "Pham Minh Chinh</a>, Prime Minister of Viet Nam" in html
    assert "Infrastructure" in html
    assert "31 December 2030" in html
    # The verbatim quote says which language it is in (the source's).
    assert '<blockquote lang="en" cite="https://example.org/report">' in html
    assert commitment.quote in html
    assert "under “Digital infrastructure”" in html
    assert f'href="/sources/{source.slug}/"' in html


def test_the_timeline_shows_public_updates_newest_first(client, make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="A working group met.",
        evidence_url="https://example.org/minutes",
        basis=Basis.SELF_REPORTED,
    )
    commitment.record_update(
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 9, 1),
        note="Adopted.",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert html.index("1 September 2026") < html.index("1 March 2026")
    assert "A working group met." in html
    assert '<a href="https://example.org/minutes" rel="nofollow noopener">Evidence' in html
    # from → to, in words as well as symbols
    assert 'data-status="not_assessed"' in html
    assert "changed to" in html


def test_a_note_is_shown_as_text_never_as_html(client, make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.ONGOING,
        as_of=datetime.date(2026, 3, 1),
        note="<script>alert(1)</script>",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_commitment_without_updates_says_none_are_published(client, make_commitment):
    commitment = make_commitment()

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert "No updates have been published yet." in html
    assert "None announced" in html


def test_an_unknown_commitment_is_a_404(client, db):
    response = client.get("/commitments/no-such-thing/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_page_runs_the_same_queries_with_many_themes_and_updates(
    client, make_commitment, make_theme, django_assert_num_queries
):
    commitment = make_commitment(themes=[make_theme()])
    commitment.record_update(
        status=Status.ONGOING, as_of=datetime.date(2026, 2, 1), note="x", basis=Basis.SELF_REPORTED
    )
    # commitment (with source, owner, proposer), its themes, its partners, the number of its
    # public updates, one page of them
    with django_assert_num_queries(5):
        client.get(commitment.get_absolute_url())
    commitment.themes.add(*[make_theme() for _ in range(5)])
    for _ in range(49):
        commitment.record_update(
            status=Status.ONGOING,
            as_of=datetime.date(2026, 2, 1),
            note="x",
            basis=Basis.SELF_REPORTED,
        )
    with django_assert_num_queries(5):
        client.get(commitment.get_absolute_url())


# The member breakdown of a commitment carried out by each member state


@pytest.fixture
def national(db):
    _, states, (commitment,) = factories.make_scorecard(members=4, commitments=1)
    factories.record_member_status(
        commitment, states[0], Status.COMPLETED, note="Opened in March.",
        evidence_url="https://example.org/opened",
    )  # fmt: skip
    factories.record_member_status(
        commitment, states[0], Status.COMPLETED, as_of=datetime.date(2026, 3, 2),
        note="Internal: check the figures.", is_public=False,
    )  # fmt: skip
    factories.record_member_status(commitment, states[1], Status.PARTIALLY_COMPLETED)
    factories.record_member_status(commitment, states[2], Status.NOT_STARTED)
    return commitment, states


def test_a_per_member_commitment_shows_each_members_status_under_its_own(client, national):
    commitment, states = national

    html = client.get(commitment.get_absolute_url()).content.decode()

    check_page(html)
    assert html.index('id="status-heading"') < html.index('id="members-heading"')
    assert (
        "Compliance score <strong>0.00</strong>, <strong>from 3 of 4 member states assessed" in html
    )
    row = html.split(f'<tr id="member-{states[0].slug}">', 1)[1].split("</tr>", 1)[0]
    link = f'<a href="{states[0].get_absolute_url()}">{states[0].name}</a>'
    assert f'<th scope="row">{link}</th>' in row
    assert "✓</span> Completed" in row and "Opened in March." in row
    assert 'href="https://example.org/opened"' in row
    assert "check the figures" not in html
    last = html.split(f'<tr id="member-{states[3].slug}">', 1)[1].split("</tr>", 1)[0]
    assert "Not yet assessed" in last and "None yet" in last


def test_member_updates_on_the_timeline_are_labelled_with_the_member(client, national):
    commitment, states = national

    html = client.get(commitment.get_absolute_url()).content.decode()

    member = states[2]
    assert f'class="update__member" href="{member.get_absolute_url()}">{member.name}</a>: ' in html


def test_a_joint_commitment_has_no_member_breakdown(client, make_commitment):
    html = client.get(make_commitment().get_absolute_url()).content.decode()

    assert "members-heading" not in html


@pytest.mark.parametrize("members", [1, 11])
def test_the_member_breakdown_runs_the_same_queries_for_one_or_many_members(
    client, db, django_assert_num_queries, members
):
    _, states, (commitment,) = factories.make_scorecard(members=members, commitments=1)
    for state in states:
        factories.record_member_status(commitment, state, Status.IN_PROGRESS)

    # commitment (with source, owner, proposer and group), its members' statuses counted (its
    # score), its themes, its partners, the number of its public updates, one page of them
    # (with their members), the member states' rows with their latest public notes
    with django_assert_num_queries(7):
        response = client.get(commitment.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["member_rows"]) == members


def test_the_breadcrumb_names_the_event_and_the_first_theme_not_the_articles_heading(
    client, make_commitment, make_theme, make_source
):
    # The article's section heading ("Digital infrastructure") read as a theme beside the
    # commitment's real one ("Infrastructure"): the trail names only the themes' own names.
    make_commitment(
        slug="connect",
        heading="Digital infrastructure",
        source=make_source(slug="adgmin", event_name="ADGMIN 2026"),
        themes=[make_theme(slug="infrastructure", name="Infrastructure")],
    )

    html = client.get("/commitments/connect/").content.decode()
    trail = html.split('<nav class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]

    assert '<a href="/commitments/?source=adgmin">ADGMIN 2026</a>' in trail
    assert '<a href="/themes/infrastructure/">Infrastructure</a>' in trail
    assert "Digital infrastructure" not in trail


def test_without_a_theme_the_breadcrumb_ends_at_the_event(client, make_commitment, make_source):
    make_commitment(slug="connect", heading="Digital infrastructure")

    html = client.get("/commitments/connect/").content.decode()
    trail = html.split('<nav class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]

    assert trail.count("<li>") == 2
