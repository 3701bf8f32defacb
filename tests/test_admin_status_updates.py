"""The status-update admin: the whole history, readable by editors and never editable."""

from __future__ import annotations

import datetime

import pytest

from tracker.models import Basis, Status, StatusUpdate

CHANGELIST = "/admin/tracker/statusupdate/"


@pytest.fixture
def history(make_commitment, make_source, admin_user) -> list[StatusUpdate]:
    """Two commitments with three updates between them, recorded the only way there is."""
    bridge = make_commitment(
        title="Build the bridge", source=make_source(event_date=datetime.date(2025, 6, 1))
    )
    clinic = make_commitment(title="Open the clinic")
    return [
        bridge.record_update(
            status=Status.NOT_STARTED,
            as_of=datetime.date(2025, 11, 1),
            note="Surveyors not yet appointed.",
            author=admin_user,
            basis=Basis.SELF_REPORTED,
        ),
        bridge.record_update(
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 3, 1),
            note="The tender was issued.",
            evidence_url="https://example.org/tender",
            author=admin_user,
            basis=Basis.SELF_REPORTED,
        ),
        clinic.record_update(
            # Internal: a note that keeps the status.
            status=Status.NOT_ASSESSED,
            as_of=datetime.date(2026, 4, 1),
            note="Funding slipped a year.",
            is_public=False,
            basis=Basis.SELF_REPORTED,
        ),
    ]


def _notes(response) -> list[str]:
    return sorted(update.note for update in response.context["cl"].result_list)


def test_the_changelist_shows_each_update_with_its_commitment_and_statuses(admin_client, history):
    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Build the bridge" in html
    assert "Open the clinic" in html
    assert '<td class="field-previous_status">Not started</td>' in html
    assert '<td class="field-status">In progress</td>' in html
    assert '<td class="field-status">Not yet assessed</td>' in html
    assert '<td class="field-author nowrap">administrator</td>' in html
    assert '<td class="field-basis">Self-reported by the owner</td>' in html
    assert len(response.context["cl"].result_list) == 3


def test_the_changelist_lists_the_newest_update_first(admin_client, history):
    response = admin_client.get(CHANGELIST)

    assert [u.as_of for u in response.context["cl"].result_list] == [
        datetime.date(2026, 4, 1),
        datetime.date(2026, 3, 1),
        datetime.date(2025, 11, 1),
    ]


def test_searching_finds_updates_by_note_and_by_commitment_title(admin_client, history):
    assert _notes(admin_client.get(CHANGELIST, {"q": "tender"})) == ["The tender was issued."]
    assert _notes(admin_client.get(CHANGELIST, {"q": "clinic"})) == ["Funding slipped a year."]


def test_filters_narrow_updates_by_status_publicity_and_date(admin_client, history):
    def notes(**params) -> list[str]:
        response = admin_client.get(CHANGELIST, params)
        assert response.status_code == 200
        return _notes(response)

    assert notes(status__exact=Status.IN_PROGRESS) == ["The tender was issued."]
    assert notes(is_public__exact=0) == ["Funding slipped a year."]
    assert notes(as_of__year=2025) == ["Surveyors not yet appointed."]
    assert notes(**{"as_of__gte": "2026-01-01", "as_of__lt": "2026-03-31"}) == [
        "The tender was issued."
    ]


def test_the_changelist_offers_no_add_button_and_no_delete_action(admin_client, history):
    html = admin_client.get(CHANGELIST).content.decode()

    assert f'href="{CHANGELIST}add/"' not in html
    assert "delete_selected" not in html


def test_the_add_page_is_forbidden(admin_client, history):
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {
            "commitment": history[0].commitment_id,
            "status": Status.COMPLETED,
            "previous_status": Status.IN_PROGRESS,
            "as_of": "2026-05-01",
        },
    )
    assert response.status_code == 403
    assert StatusUpdate.objects.count() == 3


def test_the_change_page_shows_the_update_with_nothing_to_save(admin_client, history):
    update = history[1]

    response = admin_client.get(f"{CHANGELIST}{update.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "The tender was issued." in html
    assert "Not started → In progress" in html
    assert '<a href="https://example.org/tender" rel="noopener noreferrer">' in html
    assert 'name="_save"' not in html
    assert 'name="note"' not in html
    assert f'href="{CHANGELIST}{update.pk}/delete/"' not in html


def test_posting_a_change_is_refused(admin_client, history):
    update = history[1]

    response = admin_client.post(
        f"{CHANGELIST}{update.pk}/change/",
        {"note": "Rewritten history.", "status": Status.COMPLETED, "as_of": "2026-03-01"},
    )

    assert response.status_code == 403
    update.refresh_from_db()
    assert (update.note, update.status) == ("The tender was issued.", Status.IN_PROGRESS)


def test_deleting_is_refused(admin_client, history):
    update = history[0]

    assert admin_client.get(f"{CHANGELIST}{update.pk}/delete/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{update.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [update.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert StatusUpdate.objects.filter(pk=update.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, history):
    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST}"


@pytest.mark.parametrize("rows", [1, 50])
def test_the_changelist_runs_a_fixed_number_of_queries(
    rows, admin_client, admin_user, make_commitment, django_assert_num_queries
):
    commitments = [make_commitment() for _ in range(min(rows, 5))]
    for i in range(rows):
        commitments[i % len(commitments)].record_update(
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 1, 15) + datetime.timedelta(days=i),
            note=f"Update {i}.",
            author=admin_user,
            basis=Basis.SELF_REPORTED,
        )

    # 1 session, 2 user, 3 count of the filtered rows, 4 the rows with their commitments and
    # authors (joined). No second count of all rows, and no date hierarchy (its links read
    # every update's date); the status, public and date filters have fixed choices.
    with django_assert_num_queries(4):
        response = admin_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == rows
