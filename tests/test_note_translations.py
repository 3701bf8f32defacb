"""Notes in more than one language (issue 22): recorded with their language and translations,
refused when a translation makes no sense, shown in the reader's language with a visible
fallback to the original, and carried by the downloads, the dataset, the feeds and the
importers."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests import factories
from tracker.models import Basis, Status, StatusUpdate

VI_NOTE = "Bộ trưởng đã thông qua khung hợp tác."
EN_TRANSLATION = "Ministers adopted the cooperation framework."
ID_TRANSLATION = "Para menteri mengadopsi kerangka kerja sama."


def record(commitment, **kwargs):
    values = {
        "status": Status.IN_PROGRESS,
        "as_of": datetime.date(2026, 3, 2),
        "note": VI_NOTE,
        "basis": Basis.SELF_REPORTED,
        "note_language": "vi",
    }
    return commitment.record_update(**{**values, **kwargs})


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode()


# Recording


def test_an_update_is_recorded_with_its_notes_language_and_translations(make_commitment):
    update = record(make_commitment(), note_translation_en=EN_TRANSLATION)

    update.refresh_from_db()
    assert (update.note, update.note_language) == (VI_NOTE, "vi")
    assert update.note_translation_en == EN_TRANSLATION
    assert update.note_translation_vi == update.note_translation_id == ""


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"note_translation_vi": "Bản dịch."}, "note_translation_vi", "needs no translation"),
        ({"note_translation_en": "Bad\x07bell"}, "note_translation_en", "control character"),
        ({"note_language": "fr"}, "note_language", "not a valid choice"),
    ],
)
def test_the_model_refuses_a_bad_translation_naming_the_field(
    make_commitment, kwargs, field, words
):
    commitment = make_commitment()

    with pytest.raises(ValidationError) as refused:
        record(commitment, **kwargs)

    assert field in refused.value.message_dict
    assert words in " ".join(refused.value.message_dict[field]).lower()
    assert not StatusUpdate.objects.filter(commitment=commitment).exists()


def test_a_translation_without_a_note_is_refused():
    update = StatusUpdate(note="", note_language="en", note_translation_vi="Bản dịch.")

    assert update.translation_problems() == {
        "note_translation_vi": "There is no note to translate: write the note first."
    }


def test_the_update_status_page_records_the_language_and_translations(
    editor_client, make_commitment
):
    commitment = make_commitment()
    url = f"/admin/tracker/commitment/{commitment.pk}/update-status/"

    response = editor_client.post(
        url,
        {
            "status": Status.IN_PROGRESS, "as_of": "2026-03-02", "note": VI_NOTE,
            "note_language": "vi", "note_translation_id": ID_TRANSLATION,
            "basis": Basis.SELF_REPORTED, "is_public": "on",
            "loaded_version": commitment.version,
        },
    )  # fmt: skip

    assert response.status_code == 302
    update = StatusUpdate.objects.get(commitment=commitment)
    assert (update.note_language, update.note_translation_id) == ("vi", ID_TRANSLATION)


def test_the_update_status_page_refuses_a_translation_into_the_notes_own_language(
    editor_client, make_commitment
):
    commitment = make_commitment()
    url = f"/admin/tracker/commitment/{commitment.pk}/update-status/"

    response = editor_client.post(
        url,
        {
            "status": Status.IN_PROGRESS, "as_of": "2026-03-02", "note": "Adopted.",
            "note_language": "en", "note_translation_en": "Adopted, again.",
            "basis": Basis.SELF_REPORTED, "is_public": "on",
            "loaded_version": commitment.version,
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "note_translation_en" in response.context["form"].errors
    assert "needs no translation into English" in response.content.decode()
    assert not StatusUpdate.objects.filter(commitment=commitment).exists()


def test_the_language_is_offered_in_the_editors_own_language(editor_client, make_commitment):
    commitment = make_commitment()
    editor_client.cookies["django_language"] = "vi"

    response = editor_client.get(f"/admin/tracker/commitment/{commitment.pk}/update-status/")

    assert response.context["form"]["note_language"].value() == "vi"


def test_the_member_grid_gives_the_shared_translations_to_the_shared_note_only(
    editor_client, make_commitment
):
    group, (first, second), _ = factories.make_scorecard(members=2, commitments=0)
    commitment = make_commitment(member_group=group)
    commitment.sync_member_progress()
    commitment.refresh_from_db()

    response = editor_client.post(
        f"/admin/tracker/commitment/{commitment.pk}/members/",
        {
            "as_of": "2026-03-01", "note": VI_NOTE, "note_language": "vi",
            "note_translation_en": EN_TRANSLATION, "basis": Basis.SELF_REPORTED,
            "is_public": "on", "version": str(commitment.version),
            f"status-{first.slug}": Status.IN_PROGRESS,
            f"status-{second.slug}": Status.COMPLETED,
            f"note-{second.slug}": "Đã hoàn thành.",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.context["form"].errors
    shared = StatusUpdate.objects.get(member=first)
    own = StatusUpdate.objects.get(member=second)
    assert (shared.note_language, shared.note_translation_en) == ("vi", EN_TRANSLATION)
    assert (own.note, own.note_language, own.note_translation_en) == ("Đã hoàn thành.", "vi", "")


def test_the_bulk_status_change_records_the_language_and_translations(
    editor_client, make_commitment
):
    commitments = [make_commitment(), make_commitment()]
    data = {
        "action": "change_status", "apply": "1",
        "_selected_action": [str(c.pk) for c in commitments],
        "status": Status.IN_PROGRESS, "as_of": "2026-03-02", "note": VI_NOTE,
        "note_language": "vi", "note_translation_en": EN_TRANSLATION,
        "basis": Basis.SELF_REPORTED, "is_public": "on",
        **{f"version-{c.pk}": str(c.version) for c in commitments},
    }  # fmt: skip

    editor_client.post("/admin/tracker/commitment/", data)

    updates = StatusUpdate.objects.filter(commitment__in=commitments)
    assert [(u.note_language, u.note_translation_en) for u in updates] == [
        ("vi", EN_TRANSLATION)
    ] * 2


# Public pages


def test_a_page_in_the_notes_language_shows_the_original_unmarked(client, make_commitment):
    commitment = make_commitment()
    record(commitment, note_translation_en=EN_TRANSLATION)

    html = client.get(f"/vi{commitment.get_absolute_url()}").content.decode()

    assert f'<div class="update__note"><p>{VI_NOTE}</p></div>' in html
    assert EN_TRANSLATION not in html


def test_a_page_in_another_language_shows_the_translation_with_the_original_a_click_away(
    client, make_commitment
):
    commitment = make_commitment()
    record(commitment, note_translation_en=EN_TRANSLATION)

    html = client.get(commitment.get_absolute_url()).content.decode()

    assert f'<div class="update__note" lang="en"><p>{EN_TRANSLATION}</p></div>' in html
    assert (
        '<details class="update__original"><summary>Translated from Vietnamese by the '
        "tracker’s editors. Show the original</summary>"
        f'<div class="update__note" lang="vi"><p>{VI_NOTE}</p></div></details>'
    ) in html


def test_without_a_translation_the_original_is_shown_marked_and_said_so(client, make_commitment):
    commitment = make_commitment()
    record(commitment)

    html = client.get(f"/id{commitment.get_absolute_url()}").content.decode()

    assert f'<div class="update__note" lang="vi"><p>{VI_NOTE}</p></div>' in html
    assert "Asli dalam bahasa Vietnam; belum diterjemahkan ke bahasa Indonesia." in html


def test_member_rows_print_page_and_dashboard_show_the_note_in_the_readers_language(
    client, make_commitment
):
    group, (member,), _ = factories.make_scorecard(members=1, commitments=0)
    commitment = make_commitment(member_group=group)
    commitment.sync_member_progress()
    factories.record_member_status(
        commitment, member, Status.IN_PROGRESS, note=VI_NOTE, note_language="vi",
        note_translation_en=EN_TRANSLATION,
    )  # fmt: skip

    record(make_commitment(), note_translation_en=EN_TRANSLATION)

    for url in (commitment.get_absolute_url(), member.get_absolute_url(), "/commitments/print/"):
        html = client.get(url).content.decode()
        assert EN_TRANSLATION in html, url
        assert "Translated from Vietnamese" in html, url
    dashboard = client.get("/").content.decode()
    assert EN_TRANSLATION in dashboard
    # Printed, the original is open under the translation.
    assert (
        '<details class="update__original" open>'
        in client.get("/commitments/print/").content.decode()
    )


# Downloads, dataset, feeds, importers


def test_the_dataset_and_the_list_export_carry_the_language_and_translations(
    client, make_commitment
):
    commitment = make_commitment(slug="bridge")
    record(commitment, note_translation_en=EN_TRANSLATION)

    dataset = json.loads(body(client.get("/data/dataset.json")))
    listed = json.loads(body(client.get("/commitments/export.json")))["commitments"][0]

    update = dataset["updates"][0]
    assert (update["note_language"], update["note_translation_en"]) == ("vi", EN_TRANSLATION)
    assert (update["note_translation_vi"], update["note_translation_id"]) == ("", "")
    assert listed["latest_note_language"] == "vi"
    assert listed["latest_note_translation_en"] == EN_TRANSLATION


def test_the_scorecard_export_carries_the_members_note_language_and_translations(
    client, make_commitment
):
    group, (member,), _ = factories.make_scorecard(members=1, commitments=0)
    commitment = make_commitment(member_group=group)
    commitment.sync_member_progress()
    factories.record_member_status(
        commitment, member, Status.IN_PROGRESS, note=VI_NOTE, note_language="vi",
        note_translation_id=ID_TRANSLATION,
    )  # fmt: skip

    row = json.loads(body(client.get("/scorecard/export.json")))["scorecard"][0]

    assert (row["note_language"], row["note_translation_id"]) == ("vi", ID_TRANSLATION)


def test_a_feed_gives_the_note_in_its_language_and_the_original(client, make_commitment):
    commitment = make_commitment()
    record(commitment, note_translation_en=EN_TRANSLATION)

    english = body(client.get("/feeds/updates/"))
    vietnamese = body(client.get("/vi/feeds/updates/"))

    assert EN_TRANSLATION in english and "Translated from Vietnamese" in english
    assert VI_NOTE in english
    assert VI_NOTE in vietnamese and EN_TRANSLATION not in vietnamese


def test_the_dataset_round_trip_keeps_the_languages_and_translations(
    client, make_commitment, tmp_path
):
    from tests.test_import_round_trip import import_file, wipe

    commitment = make_commitment(slug="bridge")
    record(commitment, note_translation_en=EN_TRANSLATION, note_translation_id=ID_TRANSLATION)
    group, (member,), _ = factories.make_scorecard(members=1, commitments=0)
    tracked = make_commitment(slug="tracked", member_group=group)
    tracked.sync_member_progress()
    factories.record_member_status(
        tracked, member, Status.IN_PROGRESS, note="Progres.", note_language="id",
        note_translation_vi="Tiến triển.",
    )  # fmt: skip
    first = body(client.get("/data/dataset.json"))

    wipe()
    import_file(tmp_path, "dataset.json", first)

    assert json.loads(body(client.get("/data/dataset.json"))) == json.loads(first)
    update = StatusUpdate.objects.get(commitment__slug="bridge")
    assert (update.note_language, update.note_translation_id) == ("vi", ID_TRANSLATION)
    assert StatusUpdate.objects.get(member__isnull=False).note_translation_vi == "Tiến triển."


def _member_csv(tmp_path, header: str, row: str):
    path = tmp_path / "members.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    return path


MEMBER_HEADER = "commitment,member,status,as_of,note,evidence_url,basis,note_language"


def test_import_member_progress_reads_the_language_and_translations(make_commitment, tmp_path):
    group, (member,), _ = factories.make_scorecard(members=1, commitments=0)
    commitment = make_commitment(slug="tracked", member_group=group)
    commitment.sync_member_progress()
    path = _member_csv(
        tmp_path,
        MEMBER_HEADER + ",note_translation_en",
        f"tracked,{member.slug},in_progress,2026-03-01,{VI_NOTE},,self_reported,vi,"
        f"{EN_TRANSLATION}",
    )

    call_command("import_member_progress", str(path), stdout=StringIO(), stderr=StringIO())

    update = StatusUpdate.objects.get(member=member)
    assert (update.note_language, update.note_translation_en) == ("vi", EN_TRANSLATION)


def test_import_member_progress_refuses_a_translation_into_the_notes_language(
    make_commitment, tmp_path
):
    group, (member,), _ = factories.make_scorecard(members=1, commitments=0)
    commitment = make_commitment(slug="tracked", member_group=group)
    commitment.sync_member_progress()
    path = _member_csv(
        tmp_path,
        MEMBER_HEADER + ",note_translation_vi",
        f"tracked,{member.slug},in_progress,2026-03-01,{VI_NOTE},,self_reported,vi,Bản dịch.",
    )

    with pytest.raises(CommandError):
        call_command("import_member_progress", str(path), stdout=StringIO(), stderr=StringIO())

    assert not StatusUpdate.objects.exists()
