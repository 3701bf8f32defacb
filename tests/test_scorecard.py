"""/scorecard/: per-member commitments × member states, with statuses and scores."""

import datetime

import pytest

from tests import factories
from tests.html import check_page, title_of
from tracker.filters import SCORECARD_ORDER
from tracker.models import Commitment, Status


@pytest.fixture
def card(db, make_theme, make_source):
    """Two per-member commitments (different themes and sources), three members, a joint
    commitment (not on the scorecard) and a per-member draft."""
    infra = make_theme(slug="infrastructure", name="Infrastructure")
    skills = make_theme(slug="skills", name="Skills")
    group, members, _ = factories.make_scorecard(members=3, commitments=0, slug="asean")
    centres = factories.make_commitment(
        title="Develop data centres",
        member_group=group,
        themes=[infra],
        source=make_source(slug="hanoi"),
    )
    training = factories.make_commitment(
        title="Train digital workers",
        member_group=group,
        themes=[skills],
        source=make_source(slug="jakarta"),
    )
    factories.make_commitment(title="A joint plan", themes=[infra])
    factories.make_commitment(
        title="A secret per-member draft", member_group=group, is_published=False
    )
    factories.record_member_status(centres, members[0], Status.COMPLETED)
    factories.record_member_status(centres, members[1], Status.NOT_STARTED)
    factories.record_member_status(training, members[0], Status.IN_PROGRESS)
    return {"members": members, "centres": centres, "training": training}  # fmt: skip


def test_the_scorecard_is_a_table_of_member_states_by_numbered_commitment(client, card):
    response = client.get("/scorecard/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert title_of(html).startswith("Scorecard by member state ·")
    assert [c.title for c, _ in response.context["rows"]] == [
        "Develop data centres",
        "Train digital workers",
    ]
    assert "A joint plan" not in html and "A secret per-member draft" not in html
    # Turned round: a row per member state, so all of them are in view on any screen, and a
    # column per commitment headed by its number, named in full for screen readers.
    assert "<caption>" in html
    assert '<th scope="col">Member state</th>' in html
    for member in card["members"]:
        assert f'<th scope="row"><a href="/members/{member.slug}/">{member.name}</a></th>' in html
    assert (
        '<th scope="col" class="scorecard__number"><a href="#key-1">1<span '
        'class="visually-hidden">. Develop data centres</span></a></th>'
    ) in html
    # The key names each numbered commitment and links to it.
    key = html.split('<ol class="scorecard-key" start="1"', 1)[1].split("</ol>", 1)[0]
    assert f'<li id="key-1"><a href="{card["centres"].get_absolute_url()}">' in key
    assert key.index("Develop data centres") < key.index("Train digital workers")


def test_each_cell_shows_the_status_as_symbol_and_text(client, card):
    html = client.get("/scorecard/").content.decode()

    assert (
        'data-status="completed"><span class="status__symbol" aria-hidden="true">✓</span> Completed'
        in html
    )
    assert "○</span> Not started" in html
    assert "?</span> Not yet assessed" in html


def test_each_commitment_has_its_score_and_how_many_members_were_assessed(client, card):
    response = client.get("/scorecard/")
    html = response.content.decode()

    # Completed (+1) and not started (-1) average 0; the third member is not assessed.
    centres, training = (c for c, _ in response.context["rows"])
    assert (centres.compliance_score, centres.members_assessed) == (0, 2)
    assert "assessed 2 of 3" in html
    # In progress scores 0 too; one member assessed.
    assert "assessed 1 of 3" in html


def test_each_member_states_score_says_how_many_commitments_it_covers_as_boldly(client, card):
    html = client.get("/scorecard/").content.decode()

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # First member: completed (+1) and in progress (0); second: not started (-1); third: none.
    # The coverage is in the same bold element as the score: "+1.00" alone reads as perfect.
    assert "<strong>+0.50 · assessed 2 of 2</strong>" in body
    assert "<strong>−1.00 · assessed 1 of 2</strong>" in body
    assert "<strong>not scored · assessed 0 of 2</strong>" in body


def test_each_commitments_score_in_the_key_says_how_many_members_it_covers(client, card):
    html = client.get("/scorecard/").content.decode()

    key = html.split('<ol class="scorecard-key"', 1)[1].split("</ol>", 1)[0]
    assert "<strong>0.00 · assessed 2 of 3</strong>" in key
    assert "<strong>0.00 · assessed 1 of 3</strong>" in key


def test_the_table_scrolls_inside_a_focusable_labelled_region(client, card):
    html = client.get("/scorecard/").content.decode()

    assert '<div class="table-scroll" role="region" aria-label="Scorecard: member states' in html
    assert 'tabindex="0">' in html.split('class="table-scroll"', 1)[1][:200]


@pytest.mark.parametrize(
    "query, titles",
    [
        ("theme=infrastructure", ["Develop data centres"]),
        ("theme=skills", ["Train digital workers"]),
        ("source=jakarta", ["Train digital workers"]),
        ("theme=infrastructure&source=jakarta", []),
    ],
)
def test_filters_in_the_url_narrow_the_rows_and_the_member_scores(client, card, query, titles):
    response = client.get(f"/scorecard/?{query}")

    assert response.status_code == 200
    assert [c.title for c, _ in response.context["rows"]] == titles


def test_a_filter_narrows_the_member_scores_to_its_commitments(client, card):
    response = client.get("/scorecard/?theme=skills")

    first = response.context["members"][0]
    assert (first.compliance_score, first.commitments_assessed) == (0, 1)


@pytest.mark.parametrize(
    "query", ["theme=no-such-theme", "source=no-such-source", "theme=", "theme=" + "x" * 5000]
)
def test_an_invalid_filter_is_refused_with_the_reason_shown(client, card, query):
    response = client.get(f"/scorecard/?{query}")

    if query == "theme=":  # a blank field, as the form sends it: dropped by a redirect
        assert (response.status_code, response["Location"]) == (301, "/scorecard/")
        return
    assert response.status_code == 400
    html = response.content.decode()
    check_page(html)
    assert "Some filters could not be applied." in html
    assert "Select a valid choice" in html
    assert "Develop data centres" not in html


def test_a_theme_only_joint_commitments_use_is_not_a_choice(client, card, make_theme):
    make_theme(slug="joint-only", name="Joint only")
    factories.make_commitment(themes=[])

    assert client.get("/scorecard/?theme=joint-only").status_code == 400


def test_the_scorecard_links_to_its_downloads_with_its_filters(client, card):
    html = client.get("/scorecard/?theme=infrastructure").content.decode()

    assert 'href="/scorecard/export.csv?theme=infrastructure" download' in html
    assert 'href="/scorecard/export.json?theme=infrastructure" download' in html
    assert 'href="/scorecard/methodology/"' in html


def test_a_member_that_joined_after_the_commitment_is_shown_as_not_tracked(
    client, card, make_member
):
    import datetime

    group = card["members"][0].group
    make_member(group=group, name="Newcomer", slug="newcomer", joined_on=datetime.date(2026, 6, 1))
    later = factories.make_commitment(
        title="Later commitment", member_group=group,
        source=factories.make_source(event_date=datetime.date(2026, 7, 1)),
    )  # fmt: skip
    assert later.member_progress.count() == 4

    html = client.get("/scorecard/").content.decode()

    assert "Not tracked" in html


def test_without_per_member_commitments_the_scorecard_says_so(client, db):
    factories.make_commitment()

    response = client.get("/scorecard/")

    assert response.status_code == 200
    check_page(response.content.decode())
    assert "0 commitments carried out by each member state" in response.content.decode()


def test_the_scorecard_is_paged_at_50_commitments(client, db):
    factories.make_scorecard(members=2, commitments=51)

    first = client.get("/scorecard/")
    second = client.get("/scorecard/?page=2")

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert "The member scores at the foot of the table count all 51." in first.content.decode()
    assert 'href="?page=2" rel="next"' in first.content.decode()


def test_the_scorecards_pages_follow_the_sources_order_and_the_latest_write(client, db):
    group, _states, made = factories.make_scorecard(members=2, commitments=51)
    earlier = factories.make_source(event_date=datetime.date(2020, 1, 1))
    for commitment in made[10:20]:
        commitment.source = earlier
        commitment.save()

    def shown() -> list:
        pages = [client.get("/scorecard/").context["rows"]]
        pages.append(client.get("/scorecard/?page=2").context["rows"])
        return [commitment.pk for page in pages for commitment, _cells in page]

    def in_order() -> list:
        published = Commitment.objects.public().tracked_by_member()
        return list(published.order_by(*SCORECARD_ORDER).values_list("pk", flat=True))

    assert shown() == in_order()
    assert shown()[:10] == [c.pk for c in made[10:20]]
    # The order is kept under the content version: a write moves the pages on at once.
    Commitment.objects.filter(pk=made[10].pk).set_published(False)
    first = [commitment.pk for commitment, _cells in client.get("/scorecard/").context["rows"]]
    assert first == in_order()
    assert len(first) == 50
    assert made[10].pk not in first


def test_the_scorecard_answers_get_and_head_only(client, card):
    assert client.head("/scorecard/").status_code == 200
    assert client.post("/scorecard/").status_code == 405


@pytest.mark.parametrize("members, commitments", [(1, 1), (11, 40)])
def test_the_scorecard_runs_the_same_queries_for_one_or_many_rows(
    client, db, django_assert_num_queries, members, commitments
):
    group, states, made = factories.make_scorecard(members=members, commitments=commitments)
    for commitment in made[:5]:
        factories.record_member_status(commitment, states[0], Status.COMPLETED)

    # 1 the content version, read once for the page, 2 the count of the commitments (once per
    # version), 3 a page of them, 4 the figures counted for it (unfiltered, the member states'
    # scores; once per version), 5 the member states, 6 the page's statuses (the grid, from
    # which each row's score is taken), 7 the theme choices and 8 the source choices of the
    # filter form (once per version)
    with django_assert_num_queries(8):
        response = client.get("/scorecard/")

    assert response.status_code == 200
    assert len(response.context["rows"]) == commitments


def test_the_scorecards_count_and_choices_are_read_once_per_content_version(
    client, db, django_assert_num_queries
):
    group, states, made = factories.make_scorecard(members=3, commitments=3)
    client.get("/scorecard/")
    # the content version, the page, the member states, the grid: the count, the figures and
    # the filters' choices are kept under the version
    with django_assert_num_queries(4):
        client.get("/scorecard/")
    factories.record_member_status(made[0], states[0], Status.COMPLETED)
    with django_assert_num_queries(8):
        client.get("/scorecard/")


def test_a_filtered_scorecard_adds_only_the_filters_own_lookups(
    client, card, django_assert_num_queries
):
    # the theme and the source named in the filters, then eight queries: those of the
    # unfiltered page, less the figures, plus the filtered member states' statuses counted
    # (the content version is read for the choices, which are kept under it: the next request
    # of this version reads them from the cache, two queries fewer)
    with django_assert_num_queries(10):
        response = client.get("/scorecard/?theme=infrastructure&source=hanoi")
    with django_assert_num_queries(8):
        client.get("/scorecard/?theme=infrastructure&source=hanoi")

    assert response.status_code == 200
