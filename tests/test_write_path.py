"""One write path for a commitment: the timeline rule, no side doors, one model call per save.

The rule (tracker/models.py): a change of status is always public, and no update is dated
before the latest one. So the commitment's status is always the head of its public timeline.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.forms import form_data
from tracker.models import Basis, Commitment, Status, StatusUpdate

CHANGELIST = "/admin/tracker/commitment/"
MARCH, JULY = datetime.date(2026, 3, 1), datetime.date(2026, 7, 1)


def _record(commitment: Commitment, **changes) -> StatusUpdate:
    kwargs = {
        "status": Status.IN_PROGRESS,
        "as_of": MARCH,
        "note": "The tender was issued.",
        "basis": Basis.SECRETARIAT_VERIFIED,
    }
    kwargs.update(changes)
    return commitment.record_update(**kwargs)


def _head_of_public_timeline(commitment: Commitment) -> StatusUpdate | None:
    return commitment.updates.filter(is_public=True).order_by("-as_of", "-created", "-pk").first()


# The timeline rule


def test_an_update_dated_before_the_latest_one_is_refused(make_commitment):
    commitment = make_commitment()
    _record(commitment, status=Status.DELAYED, as_of=JULY, note="Behind schedule.")

    with pytest.raises(ValidationError) as error:
        _record(commitment, status=Status.COMPLETED, as_of=MARCH, note="Done in March.")

    assert error.value.message_dict == {
        "as_of": [
            "The as-of date cannot be before that of the latest update, 1 July 2026: the "
            "timeline must end with the current status. To put an earlier update right, record "
            "a correction dated 1 July 2026 or later that says what was wrong."
        ]
    }
    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_date) == (Status.DELAYED, JULY)
    assert _head_of_public_timeline(commitment).status == Status.DELAYED


def test_an_update_on_the_same_day_as_the_latest_one_becomes_the_head(make_commitment):
    commitment = make_commitment()
    _record(commitment, status=Status.DELAYED, as_of=JULY, note="Behind schedule.")
    _record(commitment, status=Status.IN_PROGRESS, as_of=JULY, note="Caught up.")

    commitment.refresh_from_db()
    assert commitment.status == Status.IN_PROGRESS
    assert _head_of_public_timeline(commitment).status == Status.IN_PROGRESS


def test_a_backdated_internal_note_is_refused_too(make_commitment):
    commitment = make_commitment()
    _record(commitment, as_of=JULY)

    with pytest.raises(ValidationError) as error:
        _record(commitment, as_of=MARCH, note="Internal.", is_public=False)

    assert list(error.value.message_dict) == ["as_of"]


def test_an_internal_update_cannot_change_the_status(make_commitment):
    commitment = make_commitment()

    with pytest.raises(ValidationError) as error:
        _record(commitment, is_public=False)

    assert error.value.message_dict == {
        "is_public": [
            "A change of status is always public. Tick “public”, or keep the current status "
            "(Not yet assessed) to record an internal note."
        ]
    }
    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED
    assert not StatusUpdate.objects.exists()


def test_an_internal_note_keeps_the_public_status_and_its_date(make_commitment):
    commitment = make_commitment()
    _record(commitment, as_of=MARCH)

    _record(commitment, as_of=JULY, note="Internal: no reply.", is_public=False)

    commitment.refresh_from_db()
    assert (commitment.status, commitment.status_date) == (Status.IN_PROGRESS, MARCH)
    assert commitment.last_reviewed == datetime.date.today()


# No side doors


def test_a_commitment_cannot_be_created_with_a_status(make_source, make_actor):
    actor = make_actor()

    with pytest.raises(ValueError, match="A new commitment starts as not yet assessed"):
        Commitment.objects.create(
            source=make_source(),
            slug="bridge",
            title="Bridge",
            summary="A bridge.",
            quote="The leaders promised to build a bridge.",
            proposer=actor,
            owner=actor,
            status=Status.COMPLETED,
        )

    assert not Commitment.objects.exists()


def test_a_new_commitment_with_a_status_fails_its_checks(make_source, make_actor):
    actor = make_actor()
    commitment = Commitment(
        source=make_source(),
        slug="bridge",
        title="Bridge",
        summary="A bridge.",
        quote="The leaders promised to build a bridge.",
        proposer=actor,
        owner=actor,
        status=Status.COMPLETED,
        status_date=datetime.date(2026, 1, 15),
    )

    with pytest.raises(ValidationError) as error:
        commitment.full_clean()

    assert error.value.message_dict == {
        "status": [
            "Is “completed”, but a new commitment starts as “not_assessed”: its status changes "
            "only through updates, which record why."
        ]
    }


def test_a_plain_save_with_a_changed_status_is_refused_not_silently_dropped(make_commitment):
    commitment = make_commitment()
    commitment.status = Status.COMPLETED

    with pytest.raises(ValueError, match="record_update"):
        commitment.save()

    commitment.refresh_from_db()
    assert commitment.status == Status.NOT_ASSESSED


def test_a_stale_copy_can_still_save_its_other_fields_without_touching_the_status(
    make_commitment,
):
    stale = Commitment.objects.get(pk=make_commitment().pk)
    _record(Commitment.objects.get(pk=stale.pk))

    stale.title = "Renamed"
    stale.save()

    stale.refresh_from_db()
    assert (stale.title, stale.status) == ("Renamed", Status.IN_PROGRESS)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "quote",
            "Something nobody said.",
            "Is not a passage of the full text of “Summit",
        ),
        ("status_date", datetime.date(1999, 1, 1), "Cannot be before the commitment was made"),
        ("status_date", datetime.date(2099, 1, 1), "Cannot be in the future."),
    ],
)
def test_a_commitments_own_rules_hold_for_every_path(make_commitment, field, value, message):
    commitment = make_commitment()
    setattr(commitment, field, value)

    with pytest.raises(ValidationError) as error:
        commitment.full_clean()

    assert error.value.message_dict[field][0].startswith(message)


# One model call per save


def test_saving_fields_and_an_update_is_one_version_step_and_one_update_of_the_row(
    admin_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    url = f"{CHANGELIST}{commitment.pk}/change/"
    data = form_data(
        admin_client,
        url,
        "commitment_form",
        title="Renamed bridge",
        new_status=Status.IN_PROGRESS,
        as_of="2026-03-01",
        note="The tender was issued.",
        basis=Basis.SELF_REPORTED,
    )

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.title, commitment.status, commitment.version) == (
        "Renamed bridge",
        Status.IN_PROGRESS,
        2,
    )
    row_updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "tracker_commitment"')
    ]
    assert len(row_updates) == 1


def test_a_failed_update_leaves_the_field_edits_unsaved_too(make_commitment):
    commitment = make_commitment(title="Bridge")
    commitment.title = "Renamed"

    with pytest.raises(ValidationError):
        commitment.save_edit(
            ["title"],
            update={
                "status": Status.IN_PROGRESS,
                "as_of": MARCH,
                "note": "",
                "basis": Basis.SELF_REPORTED,
            },
        )

    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Bridge", 1)
    assert not StatusUpdate.objects.exists()


def test_save_edit_checks_the_edited_fields_as_the_admin_would(make_commitment):
    commitment = make_commitment(title="Bridge")
    commitment.quote = "Words the source never had."

    with pytest.raises(ValidationError) as error:
        commitment.save_edit(["quote"])

    assert list(error.value.message_dict) == ["quote"]
    commitment.refresh_from_db()
    assert commitment.quote == "The leaders promised to build a bridge."


# The changelist's editable target dates


def test_a_review_mark_meanwhile_does_not_stop_a_list_edit(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = form_data(
        editor_client,
        CHANGELIST,
        "changelist-form",
        _save="Save",
        **{"form-0-target_date": "2030-12-31"},
    )
    other_editor_client.post(
        CHANGELIST, {"action": "mark_reviewed", "_selected_action": [commitment.pk]}
    )

    response = editor_client.post(CHANGELIST, mine)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.target_date == datetime.date(2030, 12, 31)
    assert commitment.last_reviewed is not None


def test_the_rules_run_before_the_records_they_name_are_saved(make_actor):
    # An importer checks a whole file before writing: its source is not saved yet.
    from tracker.models import Source

    source = Source(
        slug="new",
        title="Report",
        event_name="Summit",
        event_place="Hanoi",
        event_date=datetime.date(2026, 1, 15),
        full_text="The leaders promised to build a bridge.",
    )
    actor = make_actor()
    commitment = Commitment(
        source=source,
        slug="bridge",
        title="Bridge",
        summary="A bridge.",
        quote="Words nobody said.",
        proposer=actor,
        owner=actor,
        status_date=datetime.date(2026, 1, 15),
    )
    update = StatusUpdate(
        commitment=commitment,
        status=Status.IN_PROGRESS,
        previous_status=Status.NOT_ASSESSED,
        as_of=datetime.date(2025, 12, 1),
        note="Early.",
        basis=Basis.SELF_REPORTED,
    )

    with pytest.raises(ValidationError) as error:
        commitment.full_clean(exclude=["source"])
    assert list(error.value.message_dict) == ["quote"]
    with pytest.raises(ValidationError) as error:
        update.full_clean(exclude=["commitment"])
    assert error.value.message_dict["as_of"] == [
        "The as-of date cannot be before the commitment was made, on 15 January 2026."
    ]
