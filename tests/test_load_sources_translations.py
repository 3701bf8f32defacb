"""`load_sources` fills in the translations a fixture has gained since a database loaded it, and
never changes one an editor has written (issue 22).

Every database loaded the ADGMIN fixture before it had translations, and `make run` loads it at
each start: these tests load the fixture as it was (its translations taken out), then as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError

from tests.test_load_sources import FIXTURE, MEMBERS, SOURCE, SPEAKER, _commitment, _run, _write
from tracker.models import Actor, Commitment, ContentVersion, Source, Theme

MODELS = {
    "tracker.source": Source,
    "tracker.actor": Actor,
    "tracker.theme": Theme,
    "tracker.commitment": Commitment,
}


def _is_translation(name: str) -> bool:
    return name.startswith("quote_translation_") or name.endswith(("_vi", "_id"))


def _fixture() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _untranslated() -> list[dict]:
    """The ADGMIN fixture as every database loaded it: without its translations."""
    records = _fixture()
    for record in records:
        record["fields"] = {k: v for k, v in record["fields"].items() if not _is_translation(k)}
    return records


def _translations_in_database() -> dict[tuple[str, str, str], str]:
    """Every translation field of the file's records, as the database has it."""
    values = {}
    for record in _fixture():
        obj = MODELS[record["model"]].objects.get(slug=record["fields"]["slug"])
        for name in record["fields"]:
            if _is_translation(name):
                values[record["model"], obj.slug, name] = getattr(obj, name)
    return values


@pytest.fixture
def loaded_before_translations(db, tmp_path) -> Path:
    _run(MEMBERS)
    _run(_write(tmp_path, _untranslated(), "adgmin-2026-untranslated.json"))
    assert Actor.objects.get(slug="pham-minh-chinh").name_vi == ""
    return tmp_path


def test_it_fills_in_the_fixtures_new_translations_on_a_database_that_loaded_it_before(
    loaded_before_translations,
):
    commitment = Commitment.objects.get(slug="connect-national-data-centres")
    commitment.title = "Connect the national data centres of the region"  # an editor's edit
    commitment.save_edit(["title"])
    version = ContentVersion.objects.get().number

    output = _run(FIXTURE)

    expected = {
        (r["model"], r["fields"]["slug"], name): value
        for r in _fixture()
        for name, value in r["fields"].items()
        if _is_translation(name)
    }
    assert _translations_in_database() == expected
    assert output.startswith(
        f"{FIXTURE}: already loaded (adgmin-2026-hanoi); filled in {len(expected)} empty "
        "translations:\n  record 1 (tracker.source “adgmin-2026-hanoi”): title_vi, title_id, "
        "event_name_vi, event_name_id, event_place_vi, event_place_id\n"
    )
    assert (
        "\n  record 5 (tracker.actor “pham-minh-chinh”): name_vi, name_id, role_vi, role_id\n"
    ) in output
    commitment = Commitment.objects.get(slug="connect-national-data-centres")
    assert commitment.title == "Connect the national data centres of the region"
    assert commitment.title_vi == "Kết nối các trung tâm dữ liệu quốc gia trong khu vực"
    # The public pages' version moved on, so no cached page keeps the English alone.
    assert ContentVersion.objects.get().number > version


def test_once_filled_in_the_fixture_is_skipped_again(loaded_before_translations):
    _run(FIXTURE)
    version = ContentVersion.objects.get().number

    assert _run(FIXTURE) == f"{FIXTURE}: already loaded (adgmin-2026-hanoi); skipped.\n"
    assert ContentVersion.objects.get().number == version


def test_it_refuses_a_translation_that_differs_from_an_editors_and_fills_in_nothing(
    loaded_before_translations,
):
    Actor.objects.filter(slug="pham-minh-chinh").update(role_vi="Thủ tướng")
    commitment = Commitment.objects.get(slug="narrow-the-digital-divide")
    commitment.quote_translation_id = "Terjemahan seorang editor."
    commitment.save_edit(["quote_translation_id"])
    before = _translations_in_database()

    with pytest.raises(CommandError) as error:
        _run(FIXTURE)

    message = str(error.value)
    assert message.startswith(f"{FIXTURE}: nothing loaded:\n"), message
    assert (
        "record 5 (tracker.actor “pham-minh-chinh”): role_vi: the database has “Thủ tướng”, the "
        "file “Thủ tướng Chính phủ”. A fixture never changes a translation an editor has "
        "written: make the file say what the database says, or empty the field in the admin to "
        "take the file's."
    ) in message
    assert (
        "(tracker.commitment “narrow-the-digital-divide”): quote_translation_id: the database "
        "has “Terjemahan seorang editor.”"
    ) in message
    # All or nothing: not even the empty fields of the other records were filled in.
    assert _translations_in_database() == before
    assert Actor.objects.get(slug="nguyen-manh-hung").name_vi == ""


def test_an_editors_translation_the_file_agrees_with_or_leaves_empty_is_kept(
    loaded_before_translations, tmp_path
):
    Actor.objects.filter(slug="pham-minh-chinh").update(role_vi="Thủ tướng Chính phủ")
    Actor.objects.filter(slug="kao-kim-hourn").update(role_id="Sekjen ASEAN")
    records = _fixture()
    kao = next(r for r in records if r["fields"]["slug"] == "kao-kim-hourn")
    kao["fields"]["role_id"] = ""  # the file has none

    output = _run(_write(tmp_path, records, "adgmin-2026.json"))

    assert "(tracker.actor “pham-minh-chinh”): name_vi, name_id, role_id\n" in output
    assert "(tracker.actor “kao-kim-hourn”): name_vi, name_id, role_vi\n" in output
    assert Actor.objects.get(slug="kao-kim-hourn").role_id == "Sekjen ASEAN"


def test_a_dry_run_says_what_it_would_fill_in_and_writes_nothing(loaded_before_translations):
    before = _translations_in_database()

    output = _run(FIXTURE, "--dry-run")

    assert output.startswith(f"{FIXTURE}: already loaded (adgmin-2026-hanoi); would fill in ")
    assert _translations_in_database() == before


def test_a_translation_with_a_control_character_is_refused_naming_record_and_field(
    loaded_before_translations, tmp_path
):
    records = _fixture()
    records[1]["fields"]["role_vi"] = "Bộ trưởng\x0b Bộ Khoa học và Công nghệ"
    before = _translations_in_database()

    with pytest.raises(CommandError) as error:
        _run(_write(tmp_path, records, "adgmin-2026.json"))

    assert "record 2 (tracker.actor “nguyen-manh-hung”): role_vi: " in str(error.value)
    assert "control character" in str(error.value)
    assert _translations_in_database() == before


def test_a_translation_longer_than_its_field_is_refused(loaded_before_translations, tmp_path):
    records = _fixture()
    records[1]["fields"]["role_vi"] = "Bộ trưởng " * 30

    with pytest.raises(CommandError) as error:
        _run(_write(tmp_path, records, "adgmin-2026.json"))

    assert (
        "record 2 (tracker.actor “nguyen-manh-hung”): role_vi: Ensure this value has at most 200 "
        "characters"
    ) in str(error.value)
    assert Actor.objects.get(slug="nguyen-manh-hung").role_vi == ""


def test_a_new_source_fills_in_the_empty_translations_of_the_actors_it_shares(db, tmp_path):
    _run(_write(tmp_path, [SOURCE, SPEAKER, _commitment()], "first.json"))
    second = {**SOURCE, "fields": {**SOURCE["fields"], "slug": "second-source"}}
    speaker = {**SPEAKER, "fields": {**SPEAKER["fields"], "name_vi": "Một diễn giả"}}
    bridge = _commitment(slug="second-bridge", source=["second-source"])

    output = _run(_write(tmp_path, [second, speaker, bridge], "second.json"))

    assert (
        "loaded second-source (2 new records; already present: record 2 (tracker.actor "
        "“speaker”); filled in 1 empty translations:\n  record 2 (tracker.actor “speaker”): "
        "name_vi)."
    ) in output
    assert Actor.objects.get(slug="speaker").name_vi == "Một diễn giả"
