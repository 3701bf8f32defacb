"""Editors' texts in Vietnamese and Indonesian beside the English ones; quotes never
translated in place (issue 12, docs/languages.md)."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation
from django.utils.html import escape

from tests.test_import_round_trip import body, import_file, wipe
from tracker.models import Actor, Commitment, MemberGroup, MemberState, Source, Theme

QUOTE = "We will connect national data centres."


@pytest.fixture
def translated(make_source, make_commitment, make_theme, make_actor):
    source = make_source(full_text=f"The minister said: {QUOTE} Then lunch.")
    return make_commitment(
        slug="bridge",
        source=source,
        quote=QUOTE,
        title="Connect data centres",
        title_vi="Kết nối các trung tâm dữ liệu",
        title_id="Menghubungkan pusat data",
        summary="Summary.",
        summary_vi="Tóm tắt.",
        quote_translation_vi="Chúng tôi sẽ kết nối các trung tâm dữ liệu quốc gia.",
        themes=[make_theme(slug="roads", name="Roads", name_vi="Đường bộ", name_id="Jalan")],
        owner=make_actor(slug="asec", name="ASEAN Secretariat", name_vi="Ban Thư ký ASEAN"),
    )


def test_the_quote_stays_verbatim_in_every_language_with_a_labelled_translation_beside_it(
    client, translated
):
    for prefix in ["", "/vi", "/id"]:
        html = client.get(f"{prefix}/commitments/bridge/").content.decode()
        # The passage as the source has it, marked with the source's language.
        assert f'<blockquote lang="en">\n    <p>{QUOTE}</p>' in html, prefix

    vietnamese = client.get("/vi/commitments/bridge/").content.decode()
    assert "Bản dịch của biên tập viên trang theo dõi, không phải lời của người phát biểu:" in (
        vietnamese
    )
    assert '<blockquote lang="vi">\n    <p>Chúng tôi sẽ kết nối' in vietnamese
    # No translation into Indonesian was written, and English readers need none.
    assert "quote--translation" not in client.get("/id/commitments/bridge/").content.decode()
    assert "quote--translation" not in client.get("/commitments/bridge/").content.decode()


def test_a_source_in_another_language_shows_its_quote_in_that_language(client, translated):
    Source.objects.filter(pk=translated.source_id).update(language="vi")
    Commitment.objects.filter(pk=translated.pk).update(quote_translation_en="An English one.")

    english = client.get("/commitments/bridge/").content.decode()
    vietnamese = client.get("/vi/commitments/bridge/").content.decode()

    assert f'<blockquote lang="vi">\n    <p>{QUOTE}</p>' in english
    assert '<blockquote lang="en">\n    <p>An English one.</p>' in english
    # A Vietnamese reader reads the source itself: no translation is offered.
    assert "quote--translation" not in vietnamese


def test_translated_names_are_used_on_cards_lists_and_filters(client, translated):
    html = client.get("/vi/commitments/?theme=roads").content.decode()

    assert ">Kết nối các trung tâm dữ liệu</a>" in html
    assert ">Đường bộ</a>" in html
    assert ">Ban Thư ký ASEAN</a>" in html
    assert '<option value="roads" selected>Đường bộ</option>' in html


def test_a_vietnamese_search_finds_the_vietnamese_title(client, translated):
    html = client.get("/vi/commitments/", {"q": "trung tâm"}).content.decode()

    assert ">Kết nối các <mark>trung</mark> <mark>tâm</mark> dữ liệu</a>" in html


def test_accessor_falls_back_to_english_and_says_so(translated):
    assert translated.translated("title", "vi") == ("Kết nối các trung tâm dữ liệu", "vi")
    assert translated.translated("summary", "id") == ("Summary.", "en")
    with translation.override("id"):
        assert translated.translated("title") == ("Menghubungkan pusat data", "id")


def test_the_write_path_saves_translations_and_checks_them(translated):
    translated.title_id = "Menghubungkan pusat data nasional"
    translated.save_edit(["title_id"], expected_version=translated.version)
    assert Commitment.objects.get(pk=translated.pk).title_id == "Menghubungkan pusat data nasional"

    translated.summary_vi = "Tóm\x0btắt"
    with pytest.raises(ValidationError) as error:
        translated.save_edit(["summary_vi"], expected_version=translated.version)
    assert "summary_vi" in error.value.message_dict
    assert Commitment.objects.get(pk=translated.pk).summary_vi == "Tóm tắt."


def test_a_source_language_must_be_a_language_code(make_source):
    source = make_source()
    source.language = "Vietnamese"
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "language" in error.value.message_dict


def test_translations_survive_the_dataset_round_trip(client, translated, tmp_path):
    group = MemberGroup.objects.create(slug="asean", name="ASEAN", name_vi="ASEAN")
    MemberState.objects.create(
        group=group, slug="viet-nam", name="Viet Nam", name_vi="Việt Nam", name_id="Vietnam",
        joined_on=datetime.date(1995, 7, 28),
    )  # fmt: skip
    Commitment.objects.filter(pk=translated.pk).update(member_group=group)
    Commitment.objects.get(pk=translated.pk).sync_member_progress()
    Source.objects.filter(pk=translated.source_id).update(language="en")
    before = body(client.get("/data/dataset.json"))
    data = json.loads(before)
    assert data["commitments"][0]["title_vi"] == "Kết nối các trung tâm dữ liệu"
    assert data["member_states"][0]["name_vi"] == "Việt Nam"

    wipe()
    import_file(tmp_path, "dataset.json", before)

    assert Commitment.objects.get(slug="bridge").quote_translation_vi.startswith("Chúng tôi")
    assert Theme.objects.get(slug="roads").name_id == "Jalan"
    assert Actor.objects.get(slug="asec").name_vi == "Ban Thư ký ASEAN"
    assert MemberState.objects.get(slug="viet-nam").name_id == "Vietnam"
    assert body(client.get("/data/dataset.json")) == before


def test_a_file_written_before_translations_still_imports(client, translated, tmp_path):
    data = json.loads(body(client.get("/data/dataset.json")))
    for table in data.values():
        if isinstance(table, list):
            for record in table:
                for key in [k for k in record if k.endswith(("_vi", "_id", "_en"))]:
                    del record[key]
                record.pop("language", None)

    wipe()
    import_file(tmp_path, "old.json", json.dumps(data, ensure_ascii=False))

    commitment = Commitment.objects.get(slug="bridge")
    assert commitment.title_vi == "" and commitment.source.language == "en"


def test_exports_are_the_same_in_every_language_but_for_labels_and_addresses(client, translated):
    english = body(client.get("/commitments/export.csv")).splitlines()
    vietnamese = body(client.get("/vi/commitments/export.csv")).splitlines()

    assert english[0] == vietnamese[0]  # the same columns
    assert '"not_assessed","updates","0","0","0","Chưa đánh giá","pending"' in vietnamese[1]
    assert '"not_assessed","updates","0","0","0","Not yet assessed","pending"' in english[1]
    assert "Kết nối các trung tâm dữ liệu" in english[1]  # every language's texts, always


def test_the_shipped_member_states_carry_their_asean_names_in_each_language(db):
    call_command("load_sources", "fixtures/asean-members.json", stdout=None)

    names = {m.slug: (m.name_vi, m.name_id) for m in MemberState.objects.all()}
    assert names["viet-nam"] == ("Việt Nam", "Vietnam")
    assert names["lao-pdr"] == ("Lào", "Laos")
    assert names["philippines"] == ("Phi-líp-pin", "Filipina")
    assert names["timor-leste"] == ("Đông Ti-mo", "Timor-Leste")
    assert all(vi and id_ for vi, id_ in names.values()) and len(names) == 11


# The shipped ADGMIN content in Vietnamese and Indonesian, marked as the tracker's translation
# with the English original one click away (issue 22).

ADGMIN = Path(__file__).resolve().parent.parent / "fixtures" / "adgmin-2026.json"
MEMBERS = ADGMIN.parent / "asean-members.json"
LANGUAGES = ["vi", "id"]


@pytest.fixture
def adgmin(db) -> list[Commitment]:
    call_command("load_sources", MEMBERS, ADGMIN, stdout=StringIO())
    return list(Commitment.objects.select_related("source"))


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_adgmin_title_and_summary_is_in_the_pages_language(client, adgmin, language):
    listing = _html(client, f"/{language}/commitments/")
    assert len(adgmin) == 21
    for commitment in adgmin:
        title = escape(getattr(commitment, f"title_{language}"))
        summary = escape(getattr(commitment, f"summary_{language}"))
        assert title and summary and title != escape(commitment.title), commitment.slug
        assert f'<a href="/{language}/commitments/{commitment.slug}/">{title}</a>' in listing
        detail = _html(client, f"/{language}/commitments/{commitment.slug}/")
        assert f"<h1>{title}</h1>" in detail
        assert f'<p class="lead">{summary}</p>' in detail


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_speakers_names_carry_their_diacritics(client, adgmin, language):
    commitment = _html(client, f"/{language}/commitments/connect-national-data-centres/")
    minister = _html(client, f"/{language}/actors/nguyen-manh-hung/")
    listing = _html(client, f"/{language}/commitments/")

    assert f'<a href="/{language}/actors/pham-minh-chinh/">Phạm Minh Chính</a>' in (commitment)
    assert "<h1>Nguyễn Mạnh Hùng</h1>" in minister
    assert '<option value="pham-minh-chinh">Phạm Minh Chính</option>' in listing
    assert '<option value="nguyen-manh-hung">Nguyễn Mạnh Hùng</option>' in listing
    assert "Pham Minh Chinh<" not in listing and "Nguyen Manh Hung<" not in listing
    vietnamese = _html(client, "/vi/actors/pham-minh-chinh/")
    assert '<p class="lead">Thủ tướng Chính phủ<sup class="translated-mark">' not in vietnamese
    # The affiliation has no translation: the English one, marked as English.
    assert '<p class="lead">Thủ tướng Chính phủ, <span lang="en">Viet Nam</span></p>' in vietnamese


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_quote_stays_verbatim_with_its_labelled_translation_beside_it(
    client, adgmin, language
):
    label = {
        "vi": "Bản dịch của biên tập viên trang theo dõi, không phải lời của người phát biểu:",
        "id": "Terjemahan oleh editor pemantau, bukan kata-kata pembicara:",
    }[language]
    for commitment in adgmin:
        # Word for word the source's: the quote is a passage of the report as published.
        assert commitment.quote in commitment.source.full_text, commitment.slug
        html = _html(client, f"/{language}/commitments/{commitment.slug}/")
        verbatim = html.index(f'<blockquote lang="en">\n    <p>{escape(commitment.quote)}</p>')
        translation = escape(getattr(commitment, f"quote_translation_{language}"))
        beside = html.index(
            f'<figcaption class="quote__label">{label}</figcaption>\n'
            f'  <blockquote lang="{language}">\n    <p>{translation}</p>'
        )
        assert verbatim < beside, commitment.slug


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_detail_page_says_its_texts_are_translated_with_the_original_a_click_away(
    client, adgmin, language
):
    commitment = Commitment.objects.get(slug="connect-national-data-centres")
    html = _html(client, f"/{language}/commitments/{commitment.slug}/")

    note = html[html.index('<details class="translation-note') : html.index("</details>")]
    said = {"vi": "Do biên tập viên trang theo dõi dịch.", "id": "Diterjemahkan oleh editor"}
    assert f"<summary>{said[language]}" in note
    assert f'<dd lang="en">{commitment.title}</dd>' in note
    assert f'<dd lang="en">{commitment.summary}</dd>' in note
    assert 'href="/language/en/?next=%2Fcommitments%2Fconnect-national-data-centres%2F"' in note
    # The English page the link leads to: one click, whatever the reader's browser prefers.
    english = client.get(
        "/language/en/?next=%2Fcommitments%2Fconnect-national-data-centres%2F",
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    assert f"<h1>{commitment.title}</h1>" in english.content.decode()
    # Printed, the original is on the paper.
    printed = html[html.index('<div class="translation-note print-only">') :]
    assert f'<dd lang="en">{commitment.title}</dd>' in printed


@pytest.mark.parametrize(
    ("url", "originals"),
    [
        ("/vi/themes/infrastructure/", ["Infrastructure", "The first of the eight key focus"]),
        ("/vi/actors/amandeep-singh-gill/", ["UN Under-Secretary-General and Special Envoy"]),
        (
            "/vi/sources/adgmin-2026-hanoi/",
            ["Report on the 6th ASEAN Digital", "6th ASEAN Digital", "Hanoi, Viet Nam"],
        ),
        ("/id/sources/adgmin-2026-hanoi/", ["Report on the 6th ASEAN Digital"]),
    ],
)
def test_theme_actor_and_source_pages_give_their_originals_too(client, adgmin, url, originals):
    html = _html(client, url)
    note = html[html.index('<details class="translation-note') : html.index("</details>")]
    for original in originals:
        assert f'<dd lang="en">{original}' in note


@pytest.mark.parametrize("language", LANGUAGES)
def test_lists_mark_each_translated_title_and_link_to_the_english_page(client, adgmin, language):
    hidden = {"vi": "(do biên tập viên trang theo dõi dịch)", "id": "(diterjemahkan oleh editor"}
    for url, english in [
        ("/commitments/", "%2Fcommitments%2F"),
        ("/commitments/?view=table", "%2Fcommitments%2F%3Fview%3Dtable"),
        ("/themes/", "%2Fthemes%2F"),
        ("/actors/", "%2Factors%2F"),
        ("/", "%2F"),
        ("/members/viet-nam/", "%2Fmembers%2Fviet-nam%2F"),
        ("/scorecard/", "%2Fscorecard%2F"),
    ]:
        html = _html(client, f"/{language}{url}")
        assert '<p class="translation-notice">' in html, url
        assert f'href="/language/en/?next={english}" hreflang="en"' in html, url
        mark = '<sup class="translated-mark"><span aria-hidden="true">*</span>'
        assert f'{mark}<span class="visually-hidden"> {hidden[language]}' in html, url
    cards = _html(client, f"/{language}/commitments/")
    title = escape(Commitment.objects.get(slug="narrow-the-digital-divide").translated(
        "title", language)[0])  # fmt: skip
    assert f'{title}</a><sup class="translated-mark">' in cards


def test_english_pages_show_no_mark(client, adgmin):
    for url in [
        "/",
        "/commitments/",
        "/commitments/?view=table",
        "/commitments/print/",
        "/commitments/connect-national-data-centres/",
        "/themes/",
        "/themes/infrastructure/",
        "/actors/",
        "/actors/pham-minh-chinh/",
        "/sources/adgmin-2026-hanoi/",
        "/members/viet-nam/",
        "/scorecard/",
    ]:
        html = _html(client, url)
        for marker in ("translated-mark", "translation-note", "translation-notice"):
            assert marker not in html, (url, marker)


def test_untranslated_texts_carry_no_mark_on_a_vietnamese_page(client, translated):
    # "bridge" has a Vietnamese title and summary but its source and owner's role have none.
    html = _html(client, "/vi/sources/" + translated.source.slug + "/")

    assert "translation-note" not in html
    listing = _html(client, "/id/commitments/")  # no Indonesian summary, but a title
    assert "Menghubungkan pusat data</a><sup" in listing


def test_the_printed_list_carries_each_original(client, adgmin):
    html = _html(client, "/vi/commitments/print/")

    assert html.count('<div class="translation-note print-only">') == 21
    assert '<dd lang="en">Narrow the digital divide</dd>' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_source_is_named_in_the_pages_language_and_downloads_keep_the_original(
    client, adgmin, language
):
    source = Source.objects.get()
    title = getattr(source, f"title_{language}")
    event = getattr(source, f"event_name_{language}")
    place = getattr(source, f"event_place_{language}")

    page = _html(client, f"/{language}/sources/{source.slug}/")
    commitment = _html(client, f"/{language}/commitments/connect-national-data-centres/")
    front = _html(client, f"/{language}/")

    assert f"<h1>{title}</h1>" in page and f"<dd>{event}, {place}, <time" in page
    # The report's own section headings stay as it has them, marked as English.
    assert ' lang="en">Digital infrastructure</a>' in page
    assert f'<a href="/{language}/sources/{source.slug}/">{title}</a>' in commitment
    assert f"<dd>{event}, {place}, <time" in commitment
    assert f">{event}</a></li>" in commitment  # the breadcrumb
    assert f"<strong>{event}<sup" in front
    listing = _html(client, f"/{language}/commitments/")
    assert f'<option value="{source.slug}">{event} (' in listing
    download = body(client.get(f"/{language}/commitments/export.csv"))
    assert source.title in download and title not in download.split("\n")[1]


def test_a_translation_with_a_control_character_is_refused_like_any_text(adgmin):
    source = Source.objects.get()
    actor = Actor.objects.get(slug="pham-minh-chinh")
    for obj, field in [
        (source, "title_vi"),
        (source, "event_name_id"),
        (source, "event_place_vi"),
        (actor, "role_id"),
        (adgmin[0], "quote_translation_vi"),
    ]:
        setattr(obj, field, "Hà\x1bNội")
        with pytest.raises(ValidationError) as error:
            obj.full_clean()
        assert field in error.value.message_dict, field
        obj.refresh_from_db()


@pytest.mark.parametrize(
    ("language", "label"),
    [("vi", "Tiêu đề (giảm dần)"), ("id", "Judul (menurun)"), ("", "Title (descending)")],
)
def test_the_sort_options_read_in_the_pages_language(client, translated, language, label):
    html = _html(client, f"/{language}/commitments/".replace("//", "/"))

    assert f'<option value="-title">{label}</option>' in html
