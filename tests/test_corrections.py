"""Corrections: updates are never edited; a new update says which earlier one it corrects."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.forms import form_data
from tests.html import check_page
from tracker.models import Basis, Commitment, Status, StatusUpdate


def _url(commitment: Commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/change/"


def _record(commitment: Commitment, **changes) -> StatusUpdate:
    kwargs = {
        "status": Status.COMPLETED,
        "as_of": datetime.date(2026, 3, 1),
        "note": "The bridge opened.",
        "basis": Basis.SELF_REPORTED,
    }
    kwargs.update(changes)
    return commitment.record_update(**kwargs)


@pytest.fixture
def wrong(make_commitment) -> StatusUpdate:
    """An update that turned out to be wrong: the bridge did not open."""
    return _record(make_commitment(title="Bridge", slug="bridge"))


def _correct(client, wrong: StatusUpdate, **changes):
    fields = {
        "new_status": Status.IN_PROGRESS,
        "as_of": "2026-03-20",
        "note": "The opening was postponed: only one span is finished.",
        "basis": Basis.INDEPENDENT,
        "corrects": str(wrong.pk),
    }
    fields.update(changes)
    data = form_data(client, _url(wrong.commitment), "commitment_form", **fields)
    return client.post(_url(wrong.commitment), data)


def test_a_correction_is_a_new_update_naming_the_one_it_corrects(editor_client, wrong):
    response = _correct(editor_client, wrong)

    assert response.status_code == 302
    correction = StatusUpdate.objects.latest()
    assert correction.corrects == wrong
    assert (correction.previous_status, correction.status) == (
        Status.COMPLETED,
        Status.IN_PROGRESS,
    )
    wrong.refresh_from_db()
    assert (wrong.status, wrong.note) == (Status.COMPLETED, "The bridge opened.")


def test_the_form_offers_only_this_commitments_own_updates(editor_client, wrong, make_commitment):
    elsewhere = _record(make_commitment(title="Clinic"), note="The clinic opened.")

    response = editor_client.get(_url(wrong.commitment))

    field = response.context["adminform"].form.fields["corrects"]
    assert list(field.queryset) == [wrong]
    html = response.content.decode()
    assert (
        f'<option value="{wrong.pk}">1 March 2026: Completed – The bridge opened.</option>' in html
    )
    assert elsewhere.note not in html


def test_naming_another_commitments_update_is_refused(editor_client, wrong, make_commitment):
    elsewhere = _record(make_commitment(title="Clinic"))

    response = _correct(editor_client, wrong, corrects=str(elsewhere.pk))

    assert response.context["adminform"].form.errors == {
        "corrects": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert StatusUpdate.objects.count() == 2


def test_the_model_refuses_to_correct_another_commitments_update(wrong, make_commitment):
    other = make_commitment(title="Clinic")

    with pytest.raises(ValidationError) as error:
        _record(other, corrects=wrong, note="Not this one.")

    assert error.value.message_dict == {
        "corrects": ["Choose an earlier update of this same commitment."]
    }
    assert StatusUpdate.objects.count() == 1


def test_a_correction_must_say_what_was_wrong(editor_client, wrong):
    response = _correct(editor_client, wrong, new_status=Status.COMPLETED, note="")

    assert response.context["adminform"].form.errors == {
        "note": ["Write a note saying why: it is shown with the update."]
    }
    with pytest.raises(ValidationError) as error:
        _record(wrong.commitment, status=Status.COMPLETED, note="", corrects=wrong)
    assert error.value.message_dict == {
        "note": ["Say in the note what the earlier update got wrong."]
    }
    assert StatusUpdate.objects.count() == 1


def test_a_correction_alone_is_not_recorded_without_a_status(editor_client, wrong):
    response = _correct(editor_client, wrong, new_status="", note="", basis=[])

    assert response.context["adminform"].form.errors == {
        "new_status": [
            "Choose a new status to record the correction with, or clear it. To keep the "
            "current status, choose it again."
        ]
    }


def test_the_public_timeline_says_which_update_a_correction_corrects(client, wrong):
    correction = _record(
        wrong.commitment,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 20),
        note="The opening was postponed.",
        corrects=wrong,
    )

    detail = client.get("/commitments/bridge/").content.decode()
    dashboard = client.get("/").content.decode()

    check_page(detail)
    check_page(dashboard)
    assert (
        f'<p class="update__corrects">Corrects <a href="#update-{wrong.pk}">the update of '
        "1 March 2026</a></p>" in detail
    )
    assert f'id="update-{correction.pk}"' in detail
    assert (
        f'<p class="update__corrects">Corrects <a href="/commitments/bridge/#update-{wrong.pk}">'
        "the update of 1 March 2026</a></p>" in dashboard
    )


def test_a_public_update_cannot_correct_an_internal_note(client, make_commitment):
    commitment = make_commitment(slug="bridge")
    internal = _record(
        commitment,
        status=Status.NOT_ASSESSED,
        note="Internal: the minister says so.",
        is_public=False,
    )

    with pytest.raises(ValidationError) as error:
        _record(
            commitment,
            status=Status.IN_PROGRESS,
            as_of=datetime.date(2026, 3, 20),
            note="Work continues.",
            corrects=internal,
        )

    assert error.value.message_dict == {
        "corrects": [
            "A public update cannot correct an internal note, which the public never saw: "
            "untick “public”, or choose a public update."
        ]
    }
    assert commitment.updates.count() == 1
    assert f"update-{internal.pk}" not in client.get("/commitments/bridge/").content.decode()


def test_an_internal_correction_of_an_internal_note_stays_internal(client, make_commitment):
    commitment = make_commitment(slug="bridge")
    internal = _record(
        commitment, status=Status.NOT_ASSESSED, note="Internal: wrong.", is_public=False
    )
    _record(
        commitment,
        status=Status.NOT_ASSESSED,
        note="Internal: put right.",
        is_public=False,
        corrects=internal,
    )

    html = client.get("/commitments/bridge/").content.decode()

    assert "put right" not in html
    assert "Corrects" not in html


def test_the_admin_history_shows_what_each_correction_corrects(editor_client, wrong):
    _record(
        wrong.commitment,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 20),
        note="Postponed.",
        corrects=wrong,
    )

    change_page = editor_client.get(_url(wrong.commitment)).content.decode()
    history = editor_client.get("/admin/tracker/statusupdate/").content.decode()

    assert "The update of 1 March 2026 (Completed)" in change_page
    assert "The update of 1 March 2026 (Completed)" not in history  # not a list column
    correction = StatusUpdate.objects.latest()
    detail = editor_client.get(f"/admin/tracker/statusupdate/{correction.pk}/change/")
    assert "The update of 1 March 2026 (Completed)" in detail.content.decode()


@pytest.mark.parametrize("corrections", [1, 20])
def test_the_public_page_runs_the_same_queries_however_many_corrections(
    client, wrong, corrections, django_assert_num_queries
):
    for i in range(corrections):
        _record(
            wrong.commitment,
            as_of=datetime.date(2026, 3, 2) + datetime.timedelta(days=i),
            note=f"Correction {i}.",
            corrects=wrong,
        )

    # The commitment (with source, owner, proposer), its themes, its partners, the number of
    # its public updates, one page of them with the updates they correct (joined).
    with django_assert_num_queries(5):
        response = client.get("/commitments/bridge/")

    assert response.content.decode().count("Corrects <a") == corrections


def test_the_change_form_offers_only_the_latest_50_updates_to_correct(editor_client, wrong):
    commitment = wrong.commitment
    for day in range(60):
        _record(
            commitment,
            as_of=datetime.date(2026, 3, 2) + datetime.timedelta(days=day),
            note=f"Week {day}.",
        )

    form = editor_client.get(_url(commitment)).context["adminform"].form

    offered = list(form.fields["corrects"].queryset)
    assert len(offered) == 50
    assert offered[0] == commitment.updates.order_by("-as_of", "-created", "-pk").first()
    assert wrong not in offered
