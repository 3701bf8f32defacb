"""The admin page that adds or improves the translations of an existing update's note, and
changes nothing else of it (issue 22): optimistic locking, history, permissions."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.models import LogEntry

from tests import factories
from tracker.models import Basis, ContentVersion, Status, StatusUpdate

VI_NOTE = "Bộ trưởng đã thông qua khung hợp tác."
EN_TRANSLATION = "Ministers adopted the cooperation framework."


@pytest.fixture
def update(make_commitment):
    return make_commitment().record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 3, 2), note=VI_NOTE,
        basis=Basis.SELF_REPORTED, note_language="vi",
    )  # fmt: skip


def url(update) -> str:
    return f"/admin/tracker/statusupdate/{update.pk}/translate/"


def loaded(client, update) -> dict:
    """The form as the page gives it: its fields' values and the signed state."""
    form = client.get(url(update)).context["form"]
    return {name: form[name].value() or "" for name in ("loaded", *form.names)}


def test_an_editor_adds_a_translation_and_nothing_else_changes(editor_client, editor, update):
    before = {f.attname: getattr(update, f.attname) for f in StatusUpdate._meta.fields}
    version = ContentVersion.objects.get().number
    data = loaded(editor_client, update)

    response = editor_client.post(
        url(update),
        {
            **data,
            "note_translation_en": EN_TRANSLATION,
            # Not fields of this page: ignored, never written.
            "note": "Rewritten.", "status": Status.COMPLETED, "is_public": "",
        },
    )  # fmt: skip

    assert response.status_code == 302
    update.refresh_from_db()
    after = {f.attname: getattr(update, f.attname) for f in StatusUpdate._meta.fields}
    assert after == {**before, "note_translation_en": EN_TRANSLATION}
    assert ContentVersion.objects.get().number == version + 1
    entry = LogEntry.objects.get(object_id=str(update.pk))
    assert entry.user == editor
    assert entry.get_change_message() == "Changed the note's translations: English."


def test_the_page_offers_no_translation_into_the_notes_own_language(editor_client, update):
    response = editor_client.get(url(update))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="note_translation_en"' in html and 'name="note_translation_id"' in html
    assert 'name="note_translation_vi"' not in html
    assert VI_NOTE in html


def test_a_stale_form_is_refused_and_keeps_what_the_editor_typed(
    editor_client, other_editor, client, update
):
    data = loaded(editor_client, update)
    # Somebody else translates it meanwhile.
    update.note_translation_en = "Their translation."
    update.save(update_fields=["note_translation_en"])

    response = editor_client.post(url(update), {**data, "note_translation_en": "Mine."})

    assert response.status_code == 200
    form = response.context["form"]
    assert "Somebody else changed this translation" in form.errors["note_translation_en"][0]
    assert "“Their translation.”" in form.errors["note_translation_en"][0]
    assert form["note_translation_en"].value() == "Mine."
    update.refresh_from_db()
    assert update.note_translation_en == "Their translation."
    assert not LogEntry.objects.exists()
    # Told, the editor may save again and replace theirs.
    again = {name: form[name].value() or "" for name in ("loaded", *form.names)}
    assert editor_client.post(url(update), again).status_code == 302
    update.refresh_from_db()
    assert update.note_translation_en == "Mine."


def test_a_translation_somebody_else_changed_that_the_editor_left_alone_is_kept(
    editor_client, update
):
    data = loaded(editor_client, update)
    update.note_translation_id = "Terjemahan mereka."
    update.save(update_fields=["note_translation_id"])

    response = editor_client.post(url(update), {**data, "note_translation_en": EN_TRANSLATION})

    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.note_translation_en, update.note_translation_id) == (
        EN_TRANSLATION,
        "Terjemahan mereka.",
    )


def test_a_translation_with_a_control_character_is_refused(editor_client, update):
    data = loaded(editor_client, update)

    response = editor_client.post(url(update), {**data, "note_translation_en": "Bell\x07"})

    assert response.status_code == 200
    assert "note_translation_en" in response.context["form"].errors
    update.refresh_from_db()
    assert update.note_translation_en == ""


def test_an_internal_note_stays_internal_once_translated(editor_client, client, make_commitment):
    commitment = make_commitment()
    internal = commitment.record_update(
        status=commitment.status, as_of=datetime.date(2026, 3, 2), note=VI_NOTE,
        basis=Basis.SELF_REPORTED, note_language="vi", is_public=False,
    )  # fmt: skip
    data = loaded(editor_client, internal)

    editor_client.post(url(internal), {**data, "note_translation_en": EN_TRANSLATION})

    internal.refresh_from_db()
    assert internal.note_translation_en == EN_TRANSLATION and not internal.is_public
    html = client.get(commitment.get_absolute_url()).content.decode()
    assert EN_TRANSLATION not in html and VI_NOTE not in html


@pytest.mark.parametrize("who", ["anonymous", "staff without permission"])
def test_only_those_who_may_record_updates_may_translate(client, update, who):
    if who != "anonymous":
        client.force_login(factories.make_user("reader"))

    response = client.post(url(update), {"note_translation_en": EN_TRANSLATION})

    assert response.status_code in (302, 403)
    if who == "anonymous":
        assert response["Location"].startswith("/admin/login/")
    update.refresh_from_db()
    assert update.note_translation_en == ""


def test_each_update_in_the_admin_links_to_its_translation_page(editor_client, update):
    changelist = editor_client.get("/admin/tracker/statusupdate/").content.decode()
    history = editor_client.get(
        f"/admin/tracker/commitment/{update.commitment_id}/change/"
    ).content.decode()
    page = editor_client.get(f"/admin/tracker/statusupdate/{update.pk}/change/").content.decode()

    for html in (changelist, history, page):
        assert f'href="{url(update)}"' in html
