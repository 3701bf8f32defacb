"""The bulk status change: one status, date, note and basis, recorded as its own update on each
selected commitment through record_update(), all or nothing, on the versions the editor saw."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from tests import factories
from tests.forms import FormData
from tracker.models import Basis, Commitment, Status, StatusUpdate

CHANGELIST = "/admin/tracker/commitment/"


def _open(client, *commitments: Commitment):
    """Choose the action on the changelist: the page that asks for the update."""
    return client.post(
        CHANGELIST,
        {"action": "change_status", "_selected_action": [c.pk for c in commitments]},
    )


def _page_form(response, **changes) -> dict[str, list[str]]:
    assert response.status_code == 200
    parser = FormData("change-status-form")
    parser.feed(response.content.decode())
    data = parser.data
    data["apply"] = ["Record"]
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


UPDATE = {
    "status": Status.IN_PROGRESS,
    "as_of": "2026-03-01",
    "note": "Ministers endorsed the work plan covering these commitments.",
    "evidence_url": "https://example.org/work-plan",
    "basis": Basis.SECRETARIAT_VERIFIED,
}


def _apply(client, *commitments: Commitment, **changes):
    data = _page_form(_open(client, *commitments), **{**UPDATE, **changes})
    return client.post(CHANGELIST, data, follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _errors(response) -> dict[str, list[str]]:
    return response.context["form"].errors


@pytest.fixture
def three(make_commitment) -> list[Commitment]:
    bridge = make_commitment(title="Bridge")
    bridge.record_update(
        status=Status.NOT_STARTED,
        as_of=datetime.date(2026, 2, 1),
        note="No tender yet.",
        basis=Basis.SELF_REPORTED,
    )
    return [bridge, make_commitment(title="Clinic"), make_commitment(title="Road")]


def test_the_action_asks_for_the_update_and_lists_the_selected_commitments(editor_client, three):
    bridge, clinic, _ = three

    response = _open(editor_client, bridge, clinic)

    html = response.content.decode()
    assert "Record a status update on several commitments" in html
    assert ">Bridge</a>: now Not started, as of 1 February 2026; last reviewed " in html
    assert ">Clinic</a>: now Not yet assessed, as of 15 January 2026" in html
    assert ">Road<" not in html
    data = _page_form(response)
    assert data["_selected_action"] == [str(bridge.pk), str(clinic.pk)]
    assert data[f"version-{bridge.pk}"] == ["2"]
    assert data[f"version-{clinic.pk}"] == ["1"]
    for field in ("status", "as_of", "note", "evidence_url", "is_public"):
        assert f'name="{field}"' in html
    assert 'type="radio" name="basis"' in html
    assert 'value="Record 2 updates"' in html
    assert not StatusUpdate.objects.filter(commitment__in=[clinic]).exists()


def test_applying_records_one_update_per_commitment(editor_client, editor, three):
    bridge, clinic, road = three

    response = _apply(editor_client, bridge, clinic)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert _messages(response) == [
        "Recorded “In progress” as of 1 March 2026 on 2 commitments: Bridge, Clinic."
    ]
    for commitment, previous in ((bridge, Status.NOT_STARTED), (clinic, Status.NOT_ASSESSED)):
        commitment.refresh_from_db()
        assert commitment.status == Status.IN_PROGRESS
        assert commitment.status_date == datetime.date(2026, 3, 1)
        assert commitment.last_reviewed is not None
        update = commitment.updates.latest()
        assert (update.previous_status, update.status) == (previous, Status.IN_PROGRESS)
        assert update.note == UPDATE["note"]
        assert update.evidence_url == UPDATE["evidence_url"]
        assert (update.basis, update.author, update.is_public) == (
            Basis.SECRETARIAT_VERIFIED,
            editor,
            True,
        )
    road.refresh_from_db()
    assert road.status == Status.NOT_ASSESSED
    assert StatusUpdate.objects.count() == 3
    assert sorted(LogEntry.objects.values_list("object_repr", "change_message")) == [
        (
            title,
            "Recorded a status update for several commitments: In progress, as of 1 March 2026.",
        )
        for title in ("Bridge", "Clinic")
    ]


def test_an_internal_note_can_be_recorded_in_bulk_where_it_keeps_the_status(editor_client, three):
    _, clinic, road = three

    response = _apply(editor_client, clinic, road, status=Status.NOT_ASSESSED, is_public=[])

    assert _messages(response) == [
        "Recorded “Not yet assessed” as of 1 March 2026 on 2 commitments, as an internal note: "
        "Clinic, Road."
    ]
    assert StatusUpdate.objects.filter(is_public=False).count() == 2


def test_an_internal_change_of_status_is_refused_in_bulk_and_records_nothing(editor_client, three):
    before = StatusUpdate.objects.count()

    response = _apply(editor_client, *three, is_public=[])

    assert response.status_code == 200
    assert response.context["form"].errors["is_public"] == [
        "“Bridge”: A change of status is always public. Tick “public”, or keep the current "
        "status (Not started) to record an internal note."
    ]
    assert StatusUpdate.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"note": ""}, "note", "Write a note saying why: it is shown with the update."),
        (
            {"basis": []},
            "basis",
            "Choose what this assessment rests on: the owner's own report, the secretariat's "
            "verification or an independent assessment.",
        ),
        (
            {"status": "maybe"},
            "status",
            "Select a valid choice. maybe is not one of the available choices.",
        ),
        (
            {"evidence_url": "javascript:alert(1)"},
            "evidence_url",
            "Enter a web address starting with http:// or https://, e.g. "
            "https://asean.org/communique.",
        ),
    ],
)
def test_a_bad_form_is_refused_naming_the_field_and_records_nothing(
    editor_client, three, changes, field, message
):
    response = _apply(editor_client, *three, **changes)

    assert response.status_code == 200
    assert _errors(response) == {field: [message]}
    assert "Nothing has been recorded." in response.content.decode()
    assert StatusUpdate.objects.count() == 1


def test_one_commitment_that_breaks_a_rule_stops_them_all_and_is_named(
    editor_client, three, make_commitment, make_source
):
    later = make_commitment(
        title="Later promise", source=make_source(event_date=datetime.date(2026, 4, 1))
    )

    response = _apply(editor_client, *three, later)

    assert _errors(response) == {
        "as_of": [
            "“Later promise”: The as-of date cannot be before the commitment was made, on "
            "1 April 2026."
        ]
    }
    assert StatusUpdate.objects.count() == 1
    assert set(Commitment.objects.values_list("status", flat=True)) == {
        Status.NOT_STARTED,
        Status.NOT_ASSESSED,
    }


def test_after_a_broken_rule_the_page_lists_the_commitments_as_they_still_are(
    editor_client, three, make_commitment, make_source
):
    later = make_commitment(
        title="Later promise", source=make_source(event_date=datetime.date(2026, 4, 1))
    )

    html = _apply(editor_client, *three, later).content.decode()

    # Nothing was recorded, so nothing the page lists has moved either.
    assert ">Bridge</a>: now Not started, as of 1 February 2026" in html
    assert ">Clinic</a>: now Not yet assessed, as of 15 January 2026" in html


def test_a_commitment_changed_since_the_page_opened_stops_the_whole_action(editor_client, three):
    bridge, clinic, road = three
    data = _page_form(_open(editor_client, *three), **UPDATE)
    clinic.record_update(
        status=Status.DELAYED,
        as_of=datetime.date(2026, 2, 20),
        note="Funding slipped.",
        basis=Basis.SELF_REPORTED,
    )

    response = editor_client.post(CHANGELIST, data)

    assert _errors(response) == {
        "__all__": [
            "Changed by somebody else since you opened this page: “Clinic”. Nothing has been "
            "recorded. Their current statuses are listed below; check them, then record again."
        ]
    }
    assert ">Clinic</a>: now Delayed, as of 20 February 2026" in response.content.decode()
    assert StatusUpdate.objects.count() == 2
    # Having been told, the editor may apply the same update again.
    again = editor_client.post(CHANGELIST, _page_form(response), follow=True)
    assert _messages(again) == [
        "Recorded “In progress” as of 1 March 2026 on 3 commitments: Bridge, Clinic, Road."
    ]
    assert clinic.updates.latest().previous_status == Status.DELAYED


def test_a_commitment_unpublished_since_the_page_opened_also_stops_it(editor_client, three):
    data = _page_form(_open(editor_client, *three), **UPDATE)
    Commitment.objects.filter(pk=three[2].pk).set_published(False)

    response = editor_client.post(CHANGELIST, data)

    assert (
        "Changed by somebody else since you opened this page: “Road”."
        in (_errors(response)["__all__"][0])
    )
    assert StatusUpdate.objects.count() == 1


def test_a_commitment_posted_without_its_version_stops_the_whole_action(editor_client, three):
    _, clinic, _ = three
    data = _page_form(_open(editor_client, *three), **UPDATE)
    del data[f"version-{clinic.pk}"]

    response = editor_client.post(CHANGELIST, data)

    # Without the version it was shown at, it could have changed unseen.
    assert _errors(response) == {
        "__all__": [
            "Changed by somebody else since you opened this page: “Clinic”. Nothing has been "
            "recorded. Their current statuses are listed below; check them, then record again."
        ]
    }
    assert StatusUpdate.objects.count() == 1


def test_the_action_needs_the_permission_to_record_updates(client, three):
    user = factories.make_user("contributor")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_commitment", "change_commitment"])
    )
    client.force_login(user)

    response = client.post(
        CHANGELIST,
        {
            **UPDATE,
            "action": "change_status",
            "_selected_action": [three[1].pk],
            "apply": "Record",
            f"version-{three[1].pk}": "1",
        },
        follow=True,
    )

    assert _messages(response) == ["No action selected."]
    assert StatusUpdate.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 30])
def test_the_page_runs_a_fixed_number_of_queries(
    rows, editor_client, make_commitment, make_source, django_assert_num_queries
):
    source = make_source()
    commitments = [make_commitment(source=source) for _ in range(rows)]

    # 1 session, 2 user, 3-4 the editor's own and group permissions, 5-7 the changelist's theme,
    # owner and source filter choices, 8 the member states for both member filters (fetched
    # once per request), 9 its row count (no second count of all rows), 10-12 the theme,
    # owner and source choices again (the action's queryset is rebuilt through the filters),
    # 13 the selected commitments with their sources; and, since an editor's POST is one write
    # (tracker.admin.ModelAdmin), the savepoint around it (the test's transaction holds it).
    with django_assert_num_queries(15):
        response = _open(editor_client, *commitments)

    assert len(response.context["commitments"]) == rows
