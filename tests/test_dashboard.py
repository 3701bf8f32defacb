import datetime

from tests import factories
from tests.html import check_page, h1_of
from tracker.models import Basis, Status


def test_the_dashboard_says_what_was_promised_at_which_event(client, make_commitment, make_source):
    source = make_source(event_name="6th ASEAN Digital Ministers’ Meeting", event_place="Hanoi")
    make_commitment(source=source)
    make_commitment(source=source)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "What was promised, and what has happened since"
    assert "2 commitments" in html
    assert "6th ASEAN Digital Ministers’ Meeting" in html
    assert "15 January 2026" in html
    assert f'href="/sources/{source.slug}/"' in html


def test_the_dashboard_shows_overall_progress_in_text(client, make_commitment):
    make_commitment()
    done = make_commitment()
    done.record_update(
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 3, 1),
        note="Done.",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get("/").content.decode()

    assert 'aria-label="All commitments: 2 commitments: 1 pending, 1 done."' in html
    assert "1 done</a>" in html
    # No link to an empty list: nothing is active or closed.
    assert "bucket=active" not in html and "bucket=closed" not in html


def test_the_dashboard_shows_progress_per_theme(client, make_commitment, make_theme):
    theme = make_theme(name="Digital government", slug="digital-government")
    other = make_theme(name="Innovation", slug="innovation")
    make_commitment(themes=[theme])
    active = make_commitment(themes=[theme, other])
    active.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="x",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get("/").content.decode()

    assert "Digital government: 2 commitments: 1 pending, 1 active." in html
    assert "Innovation: 1 commitment: 1 active." in html
    assert 'href="/commitments/?theme=digital-government&amp;bucket=active"' in html
    assert 'href="/commitments/?theme=innovation&amp;bucket=pending"' not in html


def test_the_dashboard_lists_the_latest_public_updates(client, make_commitment):
    commitment = make_commitment(title="Connect data centres")
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 2),
        note="Work began.",
        basis=Basis.SELF_REPORTED,
    )

    html = client.get("/").content.decode()

    assert "Work began." in html
    assert "2 April 2026" in html
    assert f'href="/commitments/{commitment.slug}/"' in html


def test_the_dashboard_runs_the_same_queries_for_one_or_fifty_commitments(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme()

    def add(n):
        for _ in range(n):
            c = make_commitment(themes=[theme])
            c.record_update(
                status=Status.ONGOING,
                as_of=datetime.date(2026, 2, 1),
                note="x",
                basis=Basis.SELF_REPORTED,
            )

    # the content version, the figures (once per version), sources, the newest source's commitments
    # with proposer and owner, status counts, overdue count, themes with bucket counts, latest
    # updates, member states with their scores
    add(1)
    with django_assert_num_queries(8):
        assert client.get("/").status_code == 200
    add(49)
    with django_assert_num_queries(8):
        assert client.get("/").status_code == 200


def test_themes_are_listed_in_their_chosen_order_not_alphabetically(
    client, make_commitment, make_theme
):
    later = make_theme(name="Alpha comes last", position=9)
    first = make_theme(name="Zulu comes first", position=1)
    make_commitment(themes=[later, first])

    html = client.get("/").content.decode()

    assert html.index("Zulu comes first") < html.index("Alpha comes last")


def test_every_page_names_the_sites_icon(client, db):
    html = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_dashboard_summarises_each_member_state(client, db):
    _, (first, second), (commitment,) = factories.make_scorecard(members=2, commitments=1)
    factories.record_member_status(commitment, first, Status.COMPLETED)

    html = client.get("/").content.decode()

    check_page(html)
    assert '<h2 id="members-heading">By member state</h2>' in html
    link = f'<a href="{first.get_absolute_url()}">{first.name}</a>'
    assert f'{link}</th><td>+1.00 · assessed 1 of 1</td><td class="num">1</td>' in html
    assert "<td>not scored · assessed 0 of 1</td>" in html
    assert 'href="/scorecard/"' in html and 'href="/members/"' in html


def test_without_member_states_the_dashboard_has_no_member_summary(client, make_commitment):
    make_commitment()

    assert "By member state" not in client.get("/").content.decode()


def test_the_member_summary_costs_one_query_for_many_members(client, db, django_assert_num_queries):
    factories.make_scorecard(members=11, commitments=20)

    # the front page's eight queries, the member states with their scores among them
    with django_assert_num_queries(8):
        assert client.get("/").status_code == 200
