"""No lost updates: two editors working on one commitment never silently overwrite each other.

Each test has two logged-in editors: "editor" opens a form, "other-editor" saves first, then
"editor" saves the form they opened before that.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.forms import FormData, form_data
from tracker.models import Basis, Commitment, EditConflict, Status, StatusUpdate

CHANGELIST = "/admin/tracker/commitment/"
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "adgmin-2026.json"


def _url(commitment: Commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/change/"


def _open(client, commitment: Commitment, **changes) -> dict[str, list[str]]:
    """What the change form would post, as loaded now, with the editor's changes typed in."""
    return form_data(client, _url(commitment), "commitment_form", **changes)


def _form_on(response) -> dict[str, list[str]]:
    """The change form as the response shows it, ready to post again."""
    parser = FormData("commitment_form")
    parser.feed(response.content.decode())
    return parser.data


def _errors(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The change form


def test_a_stale_save_is_refused_naming_the_field_the_other_editor_changed(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge", summary="A bridge will be built.")
    mine = _open(editor_client, commitment, summary="A long bridge will be built.")
    theirs = _open(other_editor_client, commitment, title="Build the estuary bridge")
    assert other_editor_client.post(_url(commitment), theirs).status_code == 302

    response = editor_client.post(_url(commitment), mine)

    assert response.status_code == 200
    errors = _errors(response)
    assert errors["title"] == [
        "other-editor changed this to “Build the estuary bridge” while you were editing; it "
        "shows their value now."
    ]
    (summary,) = errors["__all__"]
    assert summary.startswith("other-editor saved this commitment on ")
    assert summary.endswith(
        ", after you opened it. Nothing has been saved. Changed since you opened it: title. "
        "Your own changes are still in the form: check them, then save again."
    )
    html = response.content.decode()
    assert "Nothing has been saved. Changed since you opened it: title." in html
    commitment.refresh_from_db()
    assert commitment.title == "Build the estuary bridge"
    assert commitment.summary == "A bridge will be built."
    assert commitment.version == 2


def test_saving_the_refused_form_again_keeps_both_editors_changes(
    editor_client, other_editor_client, make_commitment, editor
):
    commitment = make_commitment(title="Bridge", summary="A bridge will be built.")
    mine = _open(editor_client, commitment, summary="A long bridge will be built.")
    theirs = _open(other_editor_client, commitment, title="Build the estuary bridge")
    other_editor_client.post(_url(commitment), theirs)
    refused = editor_client.post(_url(commitment), mine)

    again = _form_on(refused)
    # My change is still typed in; the field I had left alone now holds their value.
    assert again["summary"] == ["A long bridge will be built."]
    assert again["title"] == ["Build the estuary bridge"]
    response = editor_client.post(_url(commitment), again)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Build the estuary bridge"
    assert commitment.summary == "A long bridge will be built."
    assert commitment.version == 3
    assert commitment.updated_by == editor


def test_a_field_both_editors_changed_keeps_my_value_in_the_form_and_theirs_saved(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = _open(editor_client, commitment, title="Build the river bridge")
    theirs = _open(other_editor_client, commitment, title="Build the estuary bridge")
    other_editor_client.post(_url(commitment), theirs)

    response = editor_client.post(_url(commitment), mine)

    assert _errors(response)["title"] == [
        "other-editor changed this to “Build the estuary bridge” while you were editing. Your "
        "value is kept here: saving again replaces theirs."
    ]
    assert _form_on(response)["title"] == ["Build the river bridge"]
    commitment.refresh_from_db()
    assert commitment.title == "Build the estuary bridge"
    # Having been told, I may still choose my value.
    assert editor_client.post(_url(commitment), _form_on(response)).status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Build the river bridge"


def test_themes_changed_meanwhile_are_named_and_kept(
    editor_client, other_editor_client, make_commitment, make_theme
):
    roads = make_theme(name="Roads")
    water = make_theme(name="Water")
    commitment = make_commitment(title="Bridge", themes=[roads])
    mine = _open(editor_client, commitment, heading="Transport")
    theirs = _open(other_editor_client, commitment, themes=[str(roads.pk), str(water.pk)])
    other_editor_client.post(_url(commitment), theirs)

    response = editor_client.post(_url(commitment), mine)

    assert _errors(response)["themes"] == [
        "other-editor changed this to “Roads, Water” while you were editing; it shows their "
        "value now."
    ]
    assert sorted(_form_on(response)["themes"]) == sorted([str(roads.pk), str(water.pk)])
    assert list(commitment.themes.order_by("name")) == [roads, water]
    commitment.refresh_from_db()
    assert commitment.heading == ""


def test_an_update_recorded_meanwhile_stops_a_stale_update_and_is_described(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = _open(
        editor_client,
        commitment,
        new_status=Status.COMPLETED,
        as_of="2026-06-01",
        note="The bridge opened.",
        basis=Basis.SECRETARIAT_VERIFIED,
    )
    theirs = _open(
        other_editor_client,
        commitment,
        new_status=Status.DELAYED,
        as_of="2026-05-01",
        note="The steel has not arrived.",
        basis=Basis.SELF_REPORTED,
    )
    other_editor_client.post(_url(commitment), theirs)

    response = editor_client.post(_url(commitment), mine)

    assert _errors(response)["new_status"] == [
        "A status update was recorded while you were editing: Not yet assessed → Delayed, as "
        "of 1 May 2026 by other-editor. Check that yours still applies, then save again."
    ]
    assert "Changed since you opened it: status history." in _errors(response)["__all__"][0]
    # The page now shows their update in the history, and my update is still filled in.
    assert "The steel has not arrived." in response.content.decode()
    again = _form_on(response)
    assert again["new_status"] == [Status.COMPLETED]
    assert again["note"] == ["The bridge opened."]
    assert list(StatusUpdate.objects.values_list("status", flat=True)) == [Status.DELAYED]

    assert editor_client.post(_url(commitment), again).status_code == 302
    latest = StatusUpdate.objects.latest()
    assert (latest.previous_status, latest.status) == (Status.DELAYED, Status.COMPLETED)


def test_a_stale_form_without_an_update_is_also_told_of_an_update_recorded_meanwhile(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = _open(editor_client, commitment, heading="Transport")
    other_editor_client.post(
        _url(commitment),
        _open(
            other_editor_client,
            commitment,
            new_status=Status.IN_PROGRESS,
            as_of="2026-03-01",
            note="Tender issued.",
            basis=Basis.SELF_REPORTED,
        ),
    )

    response = editor_client.post(_url(commitment), mine)

    (summary,) = _errors(response)["__all__"]
    assert "Changed since you opened it: status history." in summary
    assert (
        "New in the history: Not yet assessed → In progress, as of 1 March 2026 by "
        "other-editor." in summary
    )
    commitment.refresh_from_db()
    assert commitment.heading == ""


def test_publishing_meanwhile_stops_a_stale_form_from_unpublishing(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge", is_published=False)
    mine = _open(editor_client, commitment, heading="Transport")
    other_editor_client.post(CHANGELIST, {"action": "publish", "_selected_action": [commitment.pk]})

    response = editor_client.post(_url(commitment), mine)

    assert _errors(response)["is_published"] == [
        "other-editor changed this to yes while you were editing; it shows their value now."
    ]
    assert _form_on(response)["is_published"] == ["on"]
    commitment.refresh_from_db()
    assert commitment.is_published is True
    assert commitment.heading == ""


def test_a_review_mark_meanwhile_does_not_stop_a_save(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = _open(editor_client, commitment, title="Build the bridge")
    other_editor_client.post(
        CHANGELIST, {"action": "mark_reviewed", "_selected_action": [commitment.pk]}
    )

    response = editor_client.post(_url(commitment), mine)

    # Marking reviewed touched nothing the form shows or saves: there is nothing to lose.
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Build the bridge"
    assert commitment.last_reviewed is not None
    assert commitment.version == 3


def test_a_stale_form_whose_snapshot_was_tampered_with_is_refused(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = _open(editor_client, commitment, title="Mine", loaded_snapshot="forged")
    other_editor_client.post(
        _url(commitment), _open(other_editor_client, commitment, title="Theirs")
    )

    response = editor_client.post(_url(commitment), mine)

    assert _errors(response)["__all__"] == [
        "This form cannot tell whether somebody else changed the commitment since you opened "
        "it, so nothing has been saved. It now carries the latest version: check the current "
        "values, then save again."
    ]
    commitment.refresh_from_db()
    assert commitment.title == "Theirs"


def test_a_form_without_its_version_is_refused(editor_client, make_commitment):
    commitment = make_commitment(title="Bridge")
    mine = _open(editor_client, commitment, title="Mine", loaded_version="")

    response = editor_client.post(_url(commitment), mine)

    assert _errors(response)["__all__"][0].startswith(
        "This form cannot tell whether somebody else changed the commitment since you opened "
        "it, so nothing has been saved."
    )
    commitment.refresh_from_db()
    assert commitment.title == "Bridge"


def test_an_up_to_date_form_saves_and_moves_the_version_on(editor_client, make_commitment):
    commitment = make_commitment(title="Bridge")

    response = editor_client.post(_url(commitment), _open(editor_client, commitment, title="New"))

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("New", 2)


# List editing


def _changelist_data(client, **changes) -> dict[str, list[str]]:
    return form_data(client, CHANGELIST, "changelist-form", _save="Save", **changes)


def test_target_dates_can_be_edited_in_the_list(editor_client, make_commitment):
    commitment = make_commitment(title="Bridge")

    response = editor_client.post(
        CHANGELIST, _changelist_data(editor_client, **{"form-0-target_date": "2030-12-31"})
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.target_date == datetime.date(2030, 12, 31)
    assert commitment.version == 2


def test_a_stale_list_edit_is_refused_on_its_row(
    editor_client, other_editor_client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    mine = _changelist_data(editor_client, **{"form-0-target_date": "2030-12-31"})
    other_editor_client.post(
        _url(commitment), _open(other_editor_client, commitment, target_date="2028-06-30")
    )

    response = editor_client.post(CHANGELIST, mine)

    assert response.status_code == 200
    (form,) = response.context["cl"].formset.forms
    assert form.errors["target_date"] == [
        "other-editor changed this to 30 June 2028 while you were editing. Your value is kept "
        "here: saving again replaces theirs."
    ]
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "other-editor changed this to 30 June 2028 while you were editing." in html
    commitment.refresh_from_db()
    assert commitment.target_date == datetime.date(2028, 6, 30)


def test_a_list_edit_racing_another_save_is_refused_and_writes_no_row(
    editor_client, make_commitment, monkeypatch
):
    first = make_commitment(title="Bridge")
    second = make_commitment(title="Clinic")
    data = _changelist_data(
        editor_client, **{"form-0-target_date": "2030-12-31", "form-1-target_date": "2031-12-31"}
    )
    save_edit = Commitment.save_edit

    def somebody_saves_the_clinic_first(self, fields=(), **kwargs):
        # Between the form's check and the second row's save, another editor saves that row.
        if self.pk == second.pk:
            Commitment.objects.get(pk=second.pk).save()
        return save_edit(self, fields, **kwargs)

    monkeypatch.setattr(Commitment, "save_edit", somebody_saves_the_clinic_first)
    response = editor_client.post(CHANGELIST, data, follow=True)

    assert _messages(response) == [
        "“Clinic” was changed by somebody else while you were editing it, so nothing was "
        "saved. Open it again to see the latest version, then make your change again."
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.target_date, second.target_date) == (None, None)


# Every write path moves the version on


def test_every_write_path_moves_the_version_on(make_commitment, editor):
    commitment = make_commitment()
    assert commitment.version == 1

    def version() -> int:
        return Commitment.objects.get(pk=commitment.pk).version

    commitment.title = "Renamed"
    commitment.save()
    assert version() == commitment.version == 2
    commitment.save_edit(["title"], expected_version=2, user=editor)
    assert version() == commitment.version == 3
    commitment.record_update(
        status=Status.ONGOING,
        as_of=datetime.date(2026, 2, 1),
        note="Work continues.",
        basis=Basis.SELF_REPORTED,
    )
    assert version() == commitment.version == 4
    selected = Commitment.objects.filter(pk=commitment.pk)
    assert selected.set_published(False, user=editor) == 1
    assert version() == 5
    # Unpublishing an unpublished commitment changes nothing, so it keeps its version.
    assert selected.set_published(False, user=editor) == 0
    assert version() == 5
    assert selected.mark_reviewed(user=editor) == 1
    assert version() == 6


def test_saving_a_stale_copy_cannot_lower_the_version(make_commitment):
    commitment = make_commitment()
    stale = Commitment.objects.get(pk=commitment.pk)
    commitment.save()
    commitment.save()

    stale.save()

    assert Commitment.objects.get(pk=commitment.pk).version == 4


def test_save_edit_refuses_a_version_that_moved_on_and_writes_nothing(make_commitment, editor):
    commitment = make_commitment(title="Bridge")
    Commitment.objects.filter(pk=commitment.pk).mark_reviewed()
    commitment.title = "Renamed"

    with pytest.raises(EditConflict):
        commitment.save_edit(["title"], expected_version=1, user=editor)

    assert Commitment.objects.get(pk=commitment.pk).title == "Bridge"


def test_record_update_refuses_a_version_that_moved_on_and_writes_nothing(make_commitment):
    commitment = make_commitment()
    Commitment.objects.filter(pk=commitment.pk).mark_reviewed()

    with pytest.raises(EditConflict):
        commitment.record_update(
            status=Status.COMPLETED,
            as_of=datetime.date(2026, 3, 1),
            note="Done.",
            basis=Basis.INDEPENDENT,
            expected_version=1,
        )

    assert not StatusUpdate.objects.exists()
    assert Commitment.objects.get(pk=commitment.pk).status == Status.NOT_ASSESSED


def test_the_shipped_fixture_loads_at_version_1_and_can_then_be_edited(editor_client):
    call_command("loaddata", FIXTURE.parent / "asean-members.json", FIXTURE, verbosity=0)
    assert set(Commitment.objects.values_list("version", flat=True)) == {1}
    commitment = Commitment.objects.get(slug="connect-national-data-centres")

    response = editor_client.post(
        _url(commitment), _open(editor_client, commitment, target_date="2030-12-31")
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.target_date, commitment.version) == (datetime.date(2030, 12, 31), 2)


def _hidden_fields(response) -> str:
    html = response.content.decode()
    return html.split('<div class="hiddenfields">', 1)[1].split("</div>", 1)[0]


@pytest.mark.parametrize("posted", [None, {"form-0-target_date": "not a date"}])
def test_the_rows_version_fields_are_written_as_django_renders_them(
    editor_client, make_commitment, posted
):
    make_commitment(title="Bridge")
    make_commitment(title="Road")
    if posted is None:
        response = editor_client.get(CHANGELIST)
    else:
        # Shown again with what was posted, which may be anything.
        data = _changelist_data(editor_client, **posted)
        data["form-1-loaded_snapshot"] = ['"><script>x</script>&amp;']
        data["form-1-loaded_version"] = [""]
        response = editor_client.post(CHANGELIST, data)
        assert response.status_code == 200

    forms = response.context["cl"].formset.forms
    assert _hidden_fields(response) == "".join(
        f"{form['loaded_version']}{form['loaded_snapshot']}" for form in forms
    )
