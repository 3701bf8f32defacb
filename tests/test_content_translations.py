"""Editors' texts in Vietnamese and Indonesian beside the English ones; quotes never
translated in place (issue 12, docs/languages.md)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

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
