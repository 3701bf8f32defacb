"""The admin in Vietnamese and Bahasa Indonesia: an editor whose language cookie (set by the
switcher) or browser says vi or id works in that language on every editors' page, and no
English text of the project's own is left on them. English stays the default."""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.test_catalogues import _entries
from tracker.models import Basis, Status, StatusUpdate

CHANGELIST = "/admin/tracker/commitment/"
LOCALE = Path(settings.BASE_DIR) / "locale"


def _english_sentences() -> list[str]:
    """The project's English texts of five words or more, without placeholders or markup: any
    of them on a page in another language is a text left untranslated."""
    sentences = set()
    for entry in _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po"):
        for text in (entry["msgid"], entry.get("msgid_plural", "")):
            if "%" in text or "<" in text or len(text.split()) < 5:
                continue
            sentences.add(text)
    return sorted(sentences)


ENGLISH = _english_sentences()


def _text(response) -> str:
    """The page as a reader gets it: the HTML with its entities decoded."""
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def _assert_no_english(text: str) -> None:
    left = [sentence for sentence in ENGLISH if sentence in text]
    assert not left, left


@pytest.fixture(params=["vi", "id"])
def language(request) -> str:
    return request.param


@pytest.fixture
def editor_in(editor_client, language):
    """The editor, with the language cookie the switcher sets."""
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return editor_client


def _say(language: str, vi: str, id_: str) -> str:
    return {"vi": vi, "id": id_}[language]


@pytest.fixture
def tracked(make_group, make_member, make_commitment):
    """A commitment carried out by each of three members, last reviewed long ago."""
    group = make_group(slug="asean", name="ASEAN")
    for position, (slug, name, name_vi, name_id) in enumerate(
        [
            ("cambodia", "Cambodia", "Cam-pu-chia", "Kamboja"),
            ("lao-pdr", "Lao PDR", "Lào", "Laos"),
            ("viet-nam", "Viet Nam", "Việt Nam", "Vietnam"),
        ],
        1,
    ):
        make_member(
            group=group, slug=slug, name=name, name_vi=name_vi, name_id=name_id, position=position
        )
    return make_commitment(
        member_group=group,
        title="Develop domestic data centres",
        target_date=datetime.date(2020, 1, 1),
    )


def test_the_admin_follows_the_language_cookie_and_english_stays_the_default(
    editor_client, tracked
):
    assert "Your work queue" in _text(editor_client.get("/admin/"))

    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    page = _text(editor_client.get("/admin/"))

    assert '<html lang="vi"' in page
    assert "Việc cần làm của bạn" in page


def test_without_a_cookie_the_admin_follows_the_browser(editor_client, tracked):
    page = _text(editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="id,en;q=0.5"))

    assert '<html lang="id"' in page
    assert "Antrean kerja Anda" in page


def test_the_admin_header_links_to_each_language_and_comes_back_to_the_same_page(
    editor_client, tracked
):
    page = _text(editor_client.get(CHANGELIST + "?review=needed"))

    link = "/language/vi/?next=/admin/tracker/commitment/%3Freview%3Dneeded"
    assert f'href="{link}" lang="vi" hreflang="vi"' in page
    for code in ("en", "vi", "id"):
        name = translation.get_language_info(code)["name_local"]
        assert f'hreflang="{code}"' in page and f">{name}</a>" in page
    response = editor_client.get(link)
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST + "?review=needed"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert "Cần rà soát" in _text(editor_client.get(response["Location"]))


def test_the_work_queue_on_the_admin_home_is_in_the_editors_language(editor_in, language, tracked):
    page = _text(editor_in.get("/admin/"))

    assert _say(language, "Việc cần làm của bạn", "Antrean kerja Anda") in page
    assert _say(language, "Cần rà soát tiếp theo", "Berikutnya untuk ditinjau") in page
    assert _say(language, "Bản nháp", "Draf") in page
    assert _say(language, "chưa từng rà soát", "belum pernah ditinjau") in page
    assert _say(language, "Theo dõi Cam kết", "Pemantau Komitmen") in page  # the app's name
    _assert_no_english(page)


def test_the_commitment_changelist_names_its_columns_actions_and_filters_in_the_language(
    editor_in, language, tracked
):
    page = _text(editor_in.get(CHANGELIST))

    # Column headers, from verbose names and @admin.display descriptions.
    assert _say(language, "Hạn hoàn thành", "Tenggat") in page
    assert _say(language, "Cập nhật gần nhất", "Pembaruan terakhir") in page
    assert _say(language, "Đã đánh giá 0/3", "Dinilai 0 dari 3") in page
    assert "⚠ " + _say(language, "Quá hạn", "Lewat tenggat") in page
    # Actions.
    assert _say(language, "Công bố các cam kết đã chọn", "Terbitkan komitmen terpilih") in page
    assert (
        _say(
            language,
            "Ghi nhận cập nhật trạng thái cho các cam kết đã chọn",
            "Catat pembaruan status pada komitmen terpilih",
        )
        in page
    )
    # Filters: titles and choices, member states by their names in the language.
    assert _say(language, "chưa đánh giá cho", "belum dinilai untuk") in page
    assert _say(language, "Chưa quá hạn", "Belum lewat tenggat") in page
    assert _say(language, "Cam-pu-chia", "Kamboja") in page
    assert _say(language, "Tìm trong tiêu đề", "Mencari di judul") in page
    _assert_no_english(page)


def test_the_change_page_shows_fieldsets_labels_and_help_in_the_language(
    editor_in, language, tracked
):
    page = _text(editor_in.get(f"{CHANGELIST}{tracked.pk}/change/"))

    assert _say(language, "Nội dung cam kết", "Yang dijanjikan") in page
    assert _say(language, "Chủ đề và công bố", "Tema dan penerbitan") in page
    assert _say(language, "Ghi nhận cập nhật trạng thái", "Catat pembaruan status") in page
    assert _say(language, "Tiêu đề", "Judul") in page
    assert _say(language, "Bên đề xuất", "Pengusul") in page
    assert _say(language, "Để trống “Trạng thái mới”", "Biarkan “Status baru” kosong") in page
    assert _say(language, "— không cập nhật —", "— tanpa pembaruan —") in page
    _assert_no_english(page)


def test_the_update_status_form_and_its_errors_are_in_the_language(editor_in, language, tracked):
    url = f"{CHANGELIST}{tracked.pk}/update-status/"
    page = _text(editor_in.get(url))
    assert _say(language, "Ghi nhận cập nhật", "Catat pembaruan") in page
    assert _say(language, "chọn trên lịch", "pilih dari kalender") in page
    _assert_no_english(page)

    response = editor_in.post(
        url,
        {
            "status": Status.IN_PROGRESS,
            "as_of": "2026-03-02",
            "note": "",
            "basis": Basis.INDEPENDENT,
            "is_public": "on",
            "loaded_version": tracked.version,
        },
    )

    page = _text(response)
    assert _say(language, "Chưa ghi nhận gì.", "Belum ada yang dicatat.") in page
    assert (
        _say(
            language,
            "Hãy viết ghi chú nêu lý do: ghi chú được hiển thị cùng cập nhật.",
            "Tulis catatan yang menjelaskan alasannya",
        )
        in page
    )
    _assert_no_english(page)


def test_a_stale_update_status_form_is_refused_in_the_language_with_dates_in_it(
    editor_in, language, other_editor, tracked
):
    opened_at = tracked.version
    # A member's update moves the commitment's status, which is worked out from its members.
    tracked.record_update(
        status=Status.DELAYED, as_of=datetime.date(2026, 2, 1), note="Late.",
        basis=Basis.INDEPENDENT, author=other_editor,
        member=tracked.member_group.members.get(slug="cambodia"),
    )  # fmt: skip

    response = editor_in.post(
        f"{CHANGELIST}{tracked.pk}/update-status/",
        {
            "status": Status.IN_PROGRESS,
            "as_of": "2026-03-02",
            "note": "Ministers agreed a timetable.",
            "basis": Basis.INDEPENDENT,
            "is_public": "on",
            "loaded_version": opened_at,
        },
    )

    page = _text(response)
    assert (
        _say(
            language,
            "Chưa lưu gì. Trạng thái hiện là Đang thực hiện, tính đến 1 tháng 2 năm 2026",
            "Belum ada yang disimpan. Statusnya kini Sedang berjalan, per 1 Februari 2026",
        )
        in page
    )
    assert StatusUpdate.objects.count() == 1
    _assert_no_english(page)


def test_the_member_grid_and_its_errors_are_in_the_language(editor_in, language, tracked):
    url = f"{CHANGELIST}{tracked.pk}/members/"
    page = _text(editor_in.get(url))
    assert _say(language, "Ghi chú riêng (không bắt buộc)", "Catatan sendiri (opsional)") in page
    assert _say(language, "Trạng thái mới cho Lào", "Status baru untuk Laos") in page
    assert _say(language, "— không thay đổi —", "— tidak berubah —") in page
    assert _say(language, "tính đến 15 tháng 1 năm 2026", "per 15 Januari 2026") in page
    _assert_no_english(page)

    response = editor_in.post(
        url,
        {
            "as_of": "2026-03-01",
            "note": "",
            "basis": Basis.SECRETARIAT_VERIFIED,
            "is_public": "on",
            "version": str(tracked.version),
        },
    )

    page = _text(response)
    assert (
        _say(
            language,
            "Hãy chọn trạng thái mới cho ít nhất một quốc gia thành viên",
            "Pilih status baru untuk sedikitnya satu negara anggota",
        )
        in page
    )
    _assert_no_english(page)


def test_the_bulk_status_page_is_in_the_language(editor_in, language, tracked, make_commitment):
    other = make_commitment(title="Train data officials")

    response = editor_in.post(
        CHANGELIST,
        {"action": "change_status", "_selected_action": [tracked.pk, other.pk]},
    )

    page = _text(response)
    assert (
        _say(
            language,
            "Ghi nhận cập nhật trạng thái cho nhiều cam kết",
            "Catat pembaruan status pada beberapa komitmen",
        )
        in page
    )
    assert _say(language, "2 cam kết đã chọn", "2 komitmen terpilih") in page
    assert _say(language, "Ghi nhận 2 cập nhật", "Catat 2 pembaruan") in page
    assert _say(language, "hiện là Chưa đánh giá", "kini Belum dinilai") in page
    _assert_no_english(page)


def test_a_bulk_action_reports_its_count_in_the_language(editor_in, language, tracked):
    response = editor_in.post(
        CHANGELIST,
        {"action": "mark_reviewed", "_selected_action": [tracked.pk]},
        follow=True,
    )

    page = _text(response)
    assert (
        _say(language, "Đã đánh dấu 1 cam kết là đã rà soát ngày", "1 komitmen ditandai sudah")
        in page
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "cannot be before the commitment was made, on 15 January 2026."),
        ("vi", "không được trước ngày cam kết được đưa ra, 15 tháng 1 năm 2026."),
        ("id", "tidak boleh sebelum komitmen dibuat, pada 15 Januari 2026."),
    ],
)
def test_a_model_validation_error_is_in_the_active_language_with_its_date(
    language, expected, tracked
):
    update = StatusUpdate(
        commitment=tracked,
        previous_status=tracked.status,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 1, 1),
        note="Too early.",
        basis=Basis.INDEPENDENT,
    )

    with translation.override(language), pytest.raises(ValidationError) as error:
        update.full_clean()

    assert expected in error.value.message_dict["as_of"][0]


def test_every_model_and_field_has_a_translated_verbose_name():
    from django.apps import apps

    with translation.override("vi"):
        for model in apps.get_app_config("tracker").get_models():
            names = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
            names += [str(field.verbose_name) for field in model._meta.fields]
            untranslated = [n for n in names if re.fullmatch(r"[a-z ]+", n) and n != "token"]
            # Words that read the same in both languages are few: "slug" has its own.
            assert not untranslated, (model.__name__, untranslated)


def test_the_scan_for_english_finds_the_english_texts_on_the_english_pages(editor_client, tracked):
    """So that the scans above, which find none, are looking for the texts the pages show."""
    pages = [
        _text(editor_client.get(f"{CHANGELIST}{tracked.pk}/change/")),
        _text(editor_client.get(f"{CHANGELIST}{tracked.pk}/members/")),
        _text(editor_client.get(CHANGELIST)),
    ]

    found = [sentence for sentence in ENGLISH if any(sentence in page for page in pages)]
    assert "Searches titles, summaries, quotes and the names of the actors involved." in found
    assert "To change the status, record a status update below." in found
    assert "Note of its own (optional)" in found  # the member grid
    assert len(found) >= 10, found


def test_the_control_character_error_is_in_the_active_language():
    from tracker.validators import validate_plain_text

    with translation.override("id"), pytest.raises(ValidationError) as error:
        validate_plain_text("ab\x07c")

    assert "karakter kendali tak terlihat (U+0007) pada karakter ke-3" in error.value.messages[0]
