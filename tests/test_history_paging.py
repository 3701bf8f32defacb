"""A long history is shown a page at a time: 50 updates a page on the public page, the latest
20 on the admin's change page with a link to all of them. Either costs the same queries for
one update as for thousands."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.html import check_page
from tracker.models import Basis, Status, StatusUpdate

ATOM = "{http://www.w3.org/2005/Atom}"


def _add_updates(commitment, count: int, start: int = 0) -> None:
    """`count` public progress notes, one a day, "Note 0." the oldest. Bulk-created: history
    written by record_update() one at a time would make these tests slow."""
    StatusUpdate.objects.bulk_create(
        StatusUpdate(
            commitment=commitment,
            status=Status.IN_PROGRESS,
            previous_status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 1, 16) + datetime.timedelta(days=i),
            note=f"Note {i}.",
            basis=Basis.SELF_REPORTED,
        )
        for i in range(start, start + count)
    )


def _notes(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<p>Note (\d+)\.</p>", html)]


@pytest.fixture
def long_history(make_commitment):
    commitment = make_commitment(slug="long-history")
    _add_updates(commitment, 120)
    return commitment


def test_the_public_page_shows_the_newest_50_updates_and_links_to_the_next_page(
    client, long_history
):
    response = client.get("/commitments/long-history/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert _notes(html) == list(range(119, 69, -1))
    assert "Updates 1 to 50 of 120, newest first." in html
    assert '<nav class="pagination" aria-label="Pages of updates">' in html
    assert '<li aria-current="page">Page 1 of 3</li>' in html
    assert 'href="?page=2#timeline-heading" rel="next"' in html


def test_the_last_page_shows_the_oldest_updates(client, long_history):
    html = client.get("/commitments/long-history/?page=3").content.decode()

    assert _notes(html) == list(range(19, -1, -1))
    assert 'href="?page=2#timeline-heading" rel="prev"' in html
    assert 'rel="next"' not in html


@pytest.mark.parametrize("page", ["4", "999", "-1", "0", "abc", "1e3", "9" * 5000])
def test_a_page_past_the_last_or_no_page_at_all_is_not_found(client, long_history, page):
    # Not the last page nor the first in its place: each would be one more copy of it.
    response = client.get("/commitments/long-history/", {"page": page})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "page, address", [("03", "?page=3"), ("+2", "?page=2"), ("1", ""), ("", "")]
)
def test_a_page_number_written_otherwise_is_redirected_to_its_address(
    client, long_history, page, address
):
    response = client.get("/commitments/long-history/", {"page": page})

    assert response.status_code == 301
    assert response["Location"] == f"/commitments/long-history/{address}"


def test_the_second_page_links_back_to_the_first_without_a_number(client, long_history):
    html = client.get("/commitments/long-history/?page=2").content.decode()

    assert 'href="./#timeline-heading" rel="prev"' in html
    assert 'href="?page=3#timeline-heading" rel="next"' in html


def test_a_short_history_has_no_pagination(client, make_commitment):
    commitment = make_commitment()
    _add_updates(commitment, 3)

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert _notes(html) == [2, 1, 0]
    assert "pagination" not in html
    assert "newest first." not in html


def test_a_feed_entry_links_to_the_page_its_update_is_on(client, long_history, monkeypatch):
    # The feed (50 entries) reaches further back than a page of the timeline only when pages
    # are shorter than the feed; make them 20 long here.
    monkeypatch.setattr("tracker.views.HISTORY_PAGE_SIZE", 20)
    monkeypatch.setattr("tracker.feeds.HISTORY_PAGE_SIZE", 20)
    newest = StatusUpdate.objects.get(note="Note 119.")
    older = StatusUpdate.objects.get(note="Note 75.")  # 45th newest: page 3

    root = ET.fromstring(client.get("/commitments/long-history/feed/").content)

    links = {
        entry.find(f"{ATOM}content").text.rsplit("\n", 1)[-1]: entry.find(f"{ATOM}link").get("href")
        for entry in root.iter(f"{ATOM}entry")
    }
    page = "http://testserver/commitments/long-history/"
    assert links["Note 119."] == f"{page}#update-{newest.pk}"
    assert links["Note 75."] == f"{page}?page=3#update-{older.pk}"
    html = client.get("/commitments/long-history/?page=3").content.decode()
    assert f'id="update-{older.pk}"' in html


@pytest.mark.parametrize("updates", [1, 4000])
def test_the_public_page_runs_the_same_queries_for_one_update_or_thousands(
    client, make_commitment, django_assert_num_queries, updates
):
    commitment = make_commitment()
    _add_updates(commitment, updates)

    # 1 the commitment (with source, owner, proposer), 2 its themes, 3 its partners, 4 the
    # number of its public updates, 5 one page of them
    with django_assert_num_queries(5):
        response = client.get(commitment.get_absolute_url())

    assert response.status_code == 200
    assert len(response.content) < 200_000
    assert len(_notes(response.content.decode())) == min(updates, 50)


# The admin's change page


def _change_url(commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/change/"


def test_the_change_page_shows_the_latest_20_and_links_to_all(admin_client, long_history):
    response = admin_client.get(_change_url(long_history))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.note for form in formset.forms] == [
        f"Note {i}." for i in range(119, 99, -1)
    ]
    html = response.content.decode()
    link = f"/admin/tracker/statusupdate/?commitment__id__exact={long_history.pk}"
    assert f'<a href="{link}">See all 120 updates</a>' in html
    assert "The latest 20 of 120 updates are shown." in html


def test_the_change_page_of_a_short_history_has_no_link(admin_client, make_commitment):
    commitment = make_commitment()
    _add_updates(commitment, 3)

    html = admin_client.get(_change_url(commitment)).content.decode()

    assert "See all" not in html
    assert "Note 0." in html


def test_the_changelist_filtered_to_one_commitment_lists_all_its_updates(
    admin_client, long_history, make_commitment
):
    _add_updates(make_commitment(), 5)

    response = admin_client.get(
        "/admin/tracker/statusupdate/", {"commitment__id__exact": long_history.pk}
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 120
    assert StatusUpdate.objects.count() == 125


@pytest.mark.parametrize("updates", [1, 4000])
def test_the_change_page_runs_the_same_queries_for_one_update_or_thousands(
    admin_client, make_commitment, django_assert_num_queries, updates
):
    commitment = make_commitment()
    _add_updates(commitment, updates)
    ContentType.objects.clear_cache()

    # As in test_admin_commitments: 1 session, 2 user, 3 the commitment, 4 its themes,
    # 5 its partners, 6 the number of its updates, 7 the latest 20 updates with their total
    # (a window count), 8-9 content types, 10 source choices, 11-12 the chosen proposer and
    # owner in the autocomplete widgets, 13 the history as the choices for "corrects".
    with django_assert_num_queries(13):
        response = admin_client.get(_change_url(commitment))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.initial_form_count() == min(
        updates, 20
    )
