import datetime

import pytest

from tests.html import check_page, title_of
from tracker.models import Basis, Status


@pytest.fixture
def three(make_commitment, make_actor, make_theme, make_source):
    """Three commitments that differ in every filterable way."""
    asean = make_actor(name="ASEAN Digital Ministers", slug="adgmin")
    states = make_actor(name="ASEAN member states", slug="member-states")
    minister = make_actor(name="Nguyen Manh Hung", slug="nguyen-manh-hung")
    pm = make_actor(name="Pham Minh Chinh", slug="pham-minh-chinh")
    infra = make_theme(name="Infrastructure", slug="infrastructure")
    trust = make_theme(name="Trust and safety", slug="trust-and-safety")
    hanoi = make_source(slug="hanoi")
    other = make_source(slug="elsewhere")
    plan = make_commitment(
        title="Adopt a digital master plan",
        quote="ASEAN needs a new, unified and integrative digital master plan",
        owner=asean,
        proposer=minister,
        themes=[infra, trust],
        source=hanoi,
    )
    centres = make_commitment(
        title="Develop domestic data centres",
        quote="each nation develop domestic data centers",
        owner=states,
        proposer=pm,
        themes=[infra],
        source=hanoi,
    )
    fraud = make_commitment(
        title="Combat online fraud",
        quote="cooperation to combat online fraud and cybercrime",
        owner=asean,
        proposer=pm,
        themes=[trust],
        source=other,
        partners=[make_actor(name="ASEAN Secretariat", slug="secretariat")],
    )
    centres.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 5, 1),
        note="Work began.",
        basis=Basis.SELF_REPORTED,
    )
    return plan, centres, fraud


def titles(response) -> list[str]:
    return [c.title for c in response.context["commitments"]]


def test_the_list_shows_every_published_commitment(client, three):
    response = client.get("/commitments/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert title_of(html).startswith("Commitments ·")
    assert "3 commitments" in html
    assert titles(response) == [c.title for c in three]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=in_progress", ["Develop domestic data centres"]),
        ("bucket=pending", ["Adopt a digital master plan", "Combat online fraud"]),
        ("theme=trust-and-safety", ["Adopt a digital master plan", "Combat online fraud"]),
        ("owner=member-states", ["Develop domestic data centres"]),
        ("proposer=pham-minh-chinh", ["Develop domestic data centres", "Combat online fraud"]),
        ("source=elsewhere", ["Combat online fraud"]),
        ("q=data+centers", ["Develop domestic data centres"]),
        ("q=nguyen", ["Adopt a digital master plan"]),
        ("theme=infrastructure&owner=adgmin", ["Adopt a digital master plan"]),
        ("partner=secretariat", ["Combat online fraud"]),
        ("q=secretariat", ["Combat online fraud"]),
    ],
)
def test_filters_in_the_url_narrow_the_list(client, three, query, expected):
    response = client.get(f"/commitments/?{query}")

    assert response.status_code == 200
    assert titles(response) == expected


def test_a_filtered_view_says_how_many_match(client, three):
    html = client.get("/commitments/?owner=adgmin").content.decode()

    assert "2 commitments match these filters" in html
    # The form keeps the chosen value, so the view can be adjusted and shared.
    assert '<option value="adgmin" selected>' in html


def test_a_filter_matching_nothing_says_so(client, three):
    html = client.get("/commitments/?q=zebra").content.decode()

    assert "No commitments match these filters." in html


def test_the_list_can_be_ordered(client, three):
    response = client.get("/commitments/?order=title")

    assert titles(response) == [
        "Adopt a digital master plan",
        "Combat online fraud",
        "Develop domestic data centres",
    ]
    assert titles(client.get("/commitments/?order=-status_date"))[0] == (
        "Develop domestic data centres"
    )


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "status=maybe",
            "Status: Select a valid choice. maybe is not one of the available choices.",
        ),
        ("theme=no-such-theme", "Theme: Select a valid choice."),
        ("order=password", "Sort by: Select a valid choice."),
        ("bucket=soon", "Progress: Select a valid choice."),
    ],
)
def test_an_invalid_filter_value_is_explained_not_ignored(client, three, query, message):
    response = client.get(f"/commitments/?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    check_page(html)
    assert "Some filters could not be applied." in html
    assert message in html
    assert "No results: the filters above need correcting" in html


def test_the_list_is_paginated_and_pages_keep_the_filters(
    client, make_commitment, make_theme, settings
):
    settings.TRACKER_PAGE_SIZE = 2
    theme = make_theme(slug="innovation")
    for n in range(5):
        make_commitment(title=f"Commitment {n}", themes=[theme])

    first = client.get("/commitments/?theme=innovation")
    last = client.get("/commitments/?theme=innovation&page=3")

    assert titles(first) == ["Commitment 0", "Commitment 1"]
    assert "Page 1 of 3" in first.content.decode()
    assert 'href="?theme=innovation&amp;page=2"' in first.content.decode()
    assert titles(last) == ["Commitment 4"]
    assert client.get("/commitments/?page=99").status_code == 404


def test_the_list_runs_the_same_queries_for_one_or_fifty_commitments(
    client, make_commitment, make_theme, django_assert_num_queries, settings
):
    settings.TRACKER_PAGE_SIZE = 100
    theme = make_theme()
    make_commitment(themes=[theme])
    # the content version (read once for the page) and the figures (the count; once per
    # version), page of commitments (with owner, proposer, member group), their themes, then the
    # filters' choices (once per version): themes, sources, and the actors of the owner, partner
    # and proposer filters in one query
    with django_assert_num_queries(7):
        client.get("/commitments/")
    for _ in range(49):
        make_commitment(themes=[theme])
    with django_assert_num_queries(7):
        response = client.get("/commitments/")
    assert len(response.context["commitments"]) == 50


def test_the_filters_choices_are_read_once_per_content_version(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme()
    make_commitment(themes=[theme])
    client.get("/commitments/")
    # the content version, the page, its themes
    with django_assert_num_queries(3):
        client.get("/commitments/")
    make_commitment(themes=[theme])
    with django_assert_num_queries(7):
        client.get("/commitments/")


def test_commitments_sharing_a_sort_key_keep_one_order_from_page_to_page(
    client, make_commitment, make_source
):
    source = make_source()
    # Made last to first in the source, so the order they were stored in is not the answer.
    made = [
        make_commitment(title=f"Same date {n:02}", position=30 - n, source=source)
        for n in range(30)
    ]
    made.reverse()
    # All share one status date: the list's own order (the source's) breaks the tie.
    seen = titles(client.get("/commitments/?order=status_date")) + titles(
        client.get("/commitments/?order=status_date&page=2")
    )

    assert seen == [commitment.title for commitment in made]
