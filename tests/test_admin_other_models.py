"""The source, actor and theme admins: changelists with counts, search, filters and editing."""

from __future__ import annotations

import datetime

import pytest

from tracker.models import WEB_URL_MESSAGE, ActorKind, Source, Theme

SOURCES = "/admin/tracker/source/"
ACTORS = "/admin/tracker/actor/"
THEMES = "/admin/tracker/theme/"


def _rows(response) -> list[str]:
    return sorted(str(obj) for obj in response.context["cl"].result_list)


@pytest.mark.parametrize("url", [SOURCES, ACTORS, THEMES])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


# Sources


def test_the_source_changelist_counts_each_sources_commitments(
    admin_client, make_source, make_commitment
):
    hanoi = make_source(title="Ministers meet in Hanoi", event_name="ADGMIN 2026")
    make_source(title="Leaders meet in Jakarta", event_name="Summit 2025")
    make_commitment(source=hanoi)
    make_commitment(source=hanoi)

    response = admin_client.get(SOURCES)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ministers meet in Hanoi" in html
    assert "ADGMIN 2026" in html
    counts = {s.title: s.commitment_count for s in response.context["cl"].result_list}
    assert counts == {"Ministers meet in Hanoi": 2, "Leaders meet in Jakarta": 0}
    assert '<td class="field-commitment_count">2</td>' in html


def test_sources_can_be_searched_by_title_event_and_publisher(admin_client, make_source):
    make_source(title="Ministers meet", event_name="ADGMIN 2026", publisher="Viet Nam News Agency")
    make_source(title="Leaders meet", event_name="Summit 2025", publisher="Jakarta Post")

    def titles(q: str) -> list[str]:
        response = admin_client.get(SOURCES, {"q": q})
        return [s.title for s in response.context["cl"].result_list]

    assert titles("ministers") == ["Ministers meet"]
    assert titles("adgmin") == ["Ministers meet"]
    assert titles("jakarta post") == ["Leaders meet"]


def test_sources_can_be_filtered_by_event_date(admin_client, make_source):
    make_source(title="Old", event_date=datetime.date(2020, 5, 1))
    make_source(title="Recent", event_date=datetime.date.today())

    response = admin_client.get(
        SOURCES, {"event_date__gte": "2020-01-01", "event_date__lt": "2021-01-01"}
    )

    assert [s.title for s in response.context["cl"].result_list] == ["Old"]


def test_the_source_add_page_fills_the_slug_from_the_title(admin_client):
    response = admin_client.get(f"{SOURCES}add/")

    assert response.status_code == 200
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [(p["field"].name, [d.name for d in p["dependencies"]]) for p in prepopulated] == [
        ("slug", ["title"])
    ]


def test_adding_a_source_refuses_a_bare_address_like_every_other_form(admin_client):
    # One rule for every link an editor types: never a guessed scheme (tracker/validators.py).
    response = admin_client.post(
        f"{SOURCES}add/",
        {
            "slug": "adgmin-2026-hanoi",
            "title": "Ministers meet in Hanoi",
            "url": "example.org/report",
            "event_name": "ADGMIN 2026",
            "event_place": "Hanoi, Viet Nam",
            "event_date": "2026-01-15",
            "full_text": "The ministers agreed.",
            "language": "en",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [str(WEB_URL_MESSAGE)]
    assert not Source.objects.filter(slug="adgmin-2026-hanoi").exists()


# Actors


def test_the_actor_changelist_counts_owned_and_proposed_commitments_separately(
    admin_client, make_actor, make_commitment
):
    ministry = make_actor(name="Ministry of Transport", role="Ministry", kind=ActorKind.GOVERNMENT)
    minister = make_actor(name="Tran Van A", role="Minister", kind=ActorKind.PERSON)
    # Counting over two joins at once would report 2 x 3 = 6 for each without distinct=True.
    for _ in range(2):
        make_commitment(owner=ministry, proposer=ministry)
    make_commitment(owner=minister, proposer=ministry)

    response = admin_client.get(ACTORS, {"q": "transport"})

    (row,) = response.context["cl"].result_list
    assert (row.owned_count, row.proposed_count) == (2, 3)
    html = response.content.decode()
    assert '<td class="field-owned_count">2</td>' in html
    assert '<td class="field-proposed_count">3</td>' in html
    assert '<td class="field-kind">Government or ministry</td>' in html


def test_actors_can_be_searched_by_name_role_and_affiliation(admin_client, make_actor):
    make_actor(name="Pham Minh Chinh", role="Prime Minister", affiliation="Viet Nam")
    make_actor(name="ASEAN Secretariat", role="", affiliation="ASEAN")

    def names(q: str) -> list[str]:
        return _rows(admin_client.get(ACTORS, {"q": q}))

    assert names("chinh") == ["Pham Minh Chinh"]
    assert names("prime minister") == ["Pham Minh Chinh"]
    assert names("viet nam") == ["Pham Minh Chinh"]
    assert names("secretariat") == ["ASEAN Secretariat"]


def test_actors_can_be_filtered_by_kind(admin_client, make_actor):
    make_actor(name="A person", kind=ActorKind.PERSON)
    make_actor(name="A group", kind=ActorKind.GROUP)

    response = admin_client.get(ACTORS, {"kind__exact": ActorKind.PERSON})

    assert _rows(response) == ["A person"]


# The admin's Count() annotations drop Meta.ordering; an unordered autocomplete pages badly.
@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_the_commitment_forms_owner_autocomplete_finds_actors_by_name(admin_client, make_actor):
    ministry = make_actor(name="Ministry of Transport")
    make_actor(name="Ministry of Health")

    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "tracker",
            "model_name": "commitment",
            "field_name": "owner",
            "term": "trans",
        },
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(ministry.pk), "text": "Ministry of Transport"}]


# Themes


@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_the_commitment_forms_theme_autocomplete_finds_themes_in_order(admin_client, make_theme):
    make_theme(name="Trust and safety", position=2)
    make_theme(name="Digital trust", position=1)
    make_theme(name="Roads", position=3)

    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "tracker",
            "model_name": "commitment",
            "field_name": "themes",
            "term": "trust",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["Digital trust", "Trust and safety"]


def test_the_theme_changelist_lists_themes_in_order_with_their_counts(
    admin_client, make_theme, make_commitment
):
    roads = make_theme(name="Roads", position=2)
    water = make_theme(name="Water", position=1)
    make_commitment(themes=[roads, water])
    make_commitment(themes=[roads])

    response = admin_client.get(THEMES)

    assert response.status_code == 200
    rows = [(t.name, t.commitment_count) for t in response.context["cl"].result_list]
    assert rows == [("Water", 1), ("Roads", 2)]


def test_themes_can_be_searched_by_name(admin_client, make_theme):
    make_theme(name="Trust and safety")
    make_theme(name="Digital infrastructure")

    assert _rows(admin_client.get(THEMES, {"q": "safety"})) == ["Trust and safety"]


def test_theme_positions_can_be_edited_from_the_changelist(admin_client, make_theme):
    roads = make_theme(name="Roads", position=1)
    water = make_theme(name="Water", position=2)

    # What the changelist's form posts: its formset, one row per theme, and the save button.
    response = admin_client.post(
        THEMES,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(roads.pk),
            "form-0-position": "5",
            "form-1-id": str(water.pk),
            "form-1-position": "2",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert list(Theme.objects.values_list("name", "position")) == [("Water", 2), ("Roads", 5)]


# Query budgets


@pytest.mark.parametrize("rows", [1, 50])
def test_the_source_changelist_runs_a_fixed_number_of_queries(
    rows, admin_client, make_source, make_commitment, django_assert_num_queries
):
    for _ in range(rows):
        make_commitment(source=make_source())

    # 1 session, 2 user, 3 count of the filtered rows, 4 the rows with their commitment
    # counts (a counting subquery each; no second count of all rows). The event-date
    # filter's choices are fixed.
    with django_assert_num_queries(4):
        response = admin_client.get(SOURCES)

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_actor_changelist_runs_a_fixed_number_of_queries(
    rows, admin_client, make_actor, make_commitment, make_source, django_assert_num_queries
):
    source = make_source()
    actors = [make_actor() for _ in range(rows)]
    for actor in actors:
        make_commitment(source=source, owner=actor, proposer=actors[0])

    # 1 session, 2 user, 3 the member states for their filter, 4 count of the filtered rows,
    # 5 the rows with their member state and both commitment counts (a counting subquery
    # each). The kind filter's choices are fixed.
    with django_assert_num_queries(5):
        response = admin_client.get(ACTORS)

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_theme_changelist_runs_a_fixed_number_of_queries(
    rows, admin_client, make_theme, make_commitment, django_assert_num_queries
):
    themes = [make_theme() for _ in range(rows)]
    make_commitment(themes=themes)

    # 1 session, 2 user, 3 count of the filtered rows, 4 the rows with their commitment
    # counts. The editable positions reuse the rows: no query per form.
    with django_assert_num_queries(4):
        response = admin_client.get(THEMES)

    assert len(response.context["cl"].result_list) == rows


def test_a_group_search_matching_several_members_lists_the_group_once(
    admin_client, make_group, make_member
):
    group = make_group(name="Southeast Asian Nations")
    make_member(group=group, name="Viet Nam")
    make_member(group=group, name="Vietnam North")
    make_group(name="Pacific")

    response = admin_client.get("/admin/tracker/membergroup/", {"q": "viet"})

    cl = response.context["cl"]
    assert [g.name for g in cl.result_list] == ["Southeast Asian Nations"]
    assert cl.result_count == 1
