"""Every text an editor or importer fills has a documented maximum (docs/data.md, "Length
limits"), held by the model, every form, every importer and the database, and refused with a
message naming the field and both numbers."""

from __future__ import annotations

import datetime
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from tracker.models import Basis, Commitment, Source, Status, StatusUpdate, Theme
from tracker.validators import LengthLimited

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "data.md"

# Every limited field, as docs/data.md lists it: (model, field, limit).
LIMITS = [
    (Source, "title", 300),
    (Source, "title_vi", 300),
    (Source, "title_id", 300),
    (Source, "full_text", 2_000_000),
    (Theme, "description", 1_000),
    (Theme, "description_vi", 1_000),
    (Theme, "description_id", 1_000),
    (Commitment, "title", 200),
    (Commitment, "title_vi", 200),
    (Commitment, "title_id", 200),
    (Commitment, "summary", 2_000),
    (Commitment, "summary_vi", 2_000),
    (Commitment, "summary_id", 2_000),
    (Commitment, "quote", 5_000),
    (Commitment, "quote_translation_en", 10_000),
    (Commitment, "quote_translation_vi", 10_000),
    (Commitment, "quote_translation_id", 10_000),
    (StatusUpdate, "note", 5_000),
    (StatusUpdate, "note_translation_en", 10_000),
    (StatusUpdate, "note_translation_vi", 10_000),
    (StatusUpdate, "note_translation_id", 10_000),
]

IDS = [f"{model.__name__}.{name}" for model, name, _limit in LIMITS]


def _limited_fields() -> set[tuple[type, str]]:
    return {
        (model, field.name)
        for model in apps.get_app_config("tracker").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, LengthLimited)
    }


def test_every_limited_field_is_listed_here_and_in_the_docs():
    docs = DOCS.read_text(encoding="utf-8")

    assert _limited_fields() == {(model, name) for model, name, _limit in LIMITS}
    for model, name, limit in LIMITS:
        assert model._meta.get_field(name).max_length == limit
        row = f"| {model._meta.verbose_name} | `{name}` | {limit:,} |"
        assert row in docs, row


def test_the_shipped_data_fits_within_every_limit():
    for fixture in FIXTURES.glob("*.json"):
        for record in json.loads(fixture.read_text(encoding="utf-8")):
            model = apps.get_model(record["model"])
            for name, value in record["fields"].items():
                limit = getattr(model._meta.get_field(name), "max_length", None)
                if isinstance(value, str) and limit:
                    assert len(value) <= limit, (fixture.name, record["model"], name)


@pytest.fixture
def records(make_commitment):
    commitment = make_commitment()
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="Begun.",
        basis=Basis.INDEPENDENT,
    )
    return {
        Source: commitment.source,
        Theme: Theme.objects.create(slug="roads", name="Roads", position=1),
        Commitment: Commitment.objects.get(pk=commitment.pk),
        StatusUpdate: commitment.updates.get(),
    }


@pytest.mark.parametrize("model, name, limit", LIMITS, ids=IDS)
def test_the_model_refuses_one_character_more_naming_the_field_and_both_numbers(
    records, model, name, limit
):
    obj = records[model]
    label = str(model._meta.get_field(name).verbose_name)
    setattr(obj, name, "x" * limit)
    obj.clean_fields()  # exactly the limit is fine

    setattr(obj, name, "x" * (limit + 1))
    with pytest.raises(ValidationError) as refused:
        obj.clean_fields()

    words = f"at most {limit:,} characters; this one has {limit + 1:,}."
    assert refused.value.message_dict == {name: [f"{label[0].upper()}{label[1:]}: {words}"]}


@pytest.mark.parametrize("model, name, limit", LIMITS, ids=IDS)
def test_the_database_refuses_a_write_behind_the_models_back(records, model, name, limit):
    obj = records[model]
    before = model.objects.values_list(name, flat=True).get(pk=obj.pk)

    # The check constraint (IntegrityError), or before it PostgreSQL's varchar (DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{name: "x" * (limit + 1)})

    assert model.objects.values_list(name, flat=True).get(pk=obj.pk) == before


def test_the_message_is_written_as_each_language_writes_numbers(records):
    update = records[StatusUpdate]
    update.note = "x" * 5_210

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        update.clean_fields()

    assert "5.000" in refused.value.messages[0] and "5.210" in refused.value.messages[0]


def test_saving_a_record_checks_no_more_than_it_did(records, django_assert_num_queries):
    """The constraints restate the fields' limits, which full_clean() has checked: they are
    not validated again with a query each."""
    theme = records[Theme]

    with django_assert_num_queries(1):  # the slug's uniqueness
        theme.full_clean(exclude=["name"])


# The admin's forms.


def test_every_textarea_and_title_box_in_the_admin_says_its_limit(admin_client, records):
    commitment = records[Commitment]

    html = admin_client.get(f"/admin/tracker/commitment/{commitment.pk}/change/").content.decode()
    source = admin_client.get(f"/admin/tracker/source/{records[Source].pk}/change/")

    for name, limit in [("title", 200), ("summary", 2_000), ("quote", 5_000), ("note", 5_000)]:
        assert f'maxlength="{limit}"' in _tag(html, name), name
        assert f"At most {limit:,} characters." in html
    assert 'maxlength="2000000"' in _tag(source.content.decode(), "full_text")


def _tag(html: str, name: str) -> str:
    """The <input> or <textarea> named `name`."""
    return re.search(rf'<(?:input|textarea)[^>]* name="{name}"[^>]*>', html).group(0)


def _update_status(client, commitment, note: str):
    return client.post(
        f"/admin/tracker/commitment/{commitment.pk}/update-status/",
        {
            "status": Status.IN_PROGRESS,
            "as_of": "2026-03-02",
            "note": note,
            "basis": Basis.SECRETARIAT_VERIFIED,
            "is_public": "on",
            "loaded_version": commitment.version,
        },
    )


def test_a_line_break_counts_as_one_character_as_the_browser_counts_it(editor_client, records):
    commitment = Commitment.objects.get(pk=records[Commitment].pk)
    # 5,000 characters as the textarea counts them; posted with CRLF line breaks, 5,099.
    note = "\r\n".join(["x" * 48] * 100) + "x" * 101

    response = _update_status(editor_client, commitment, note)

    assert response.status_code == 302
    saved = commitment.updates.order_by("-pk").first().note
    assert len(saved) == 5_000 and "\r" not in saved


# The importers: each calls full_clean(), so each refuses, naming the record and the field.


def test_import_member_progress_refuses_a_long_note_naming_line_and_field(
    tmp_path, make_group, make_member, make_commitment
):
    group = make_group(slug="asean")
    make_member(group=group, slug="viet-nam")
    make_commitment(slug="data-centres", member_group=group)
    path = tmp_path / "progress.csv"
    path.write_text(
        "commitment,member,status,as_of,note,evidence_url,basis,public\n"
        f"data-centres,viet-nam,completed,2026-03-01,{'x' * 5_001},,self_reported,\n",
        encoding="utf-8",
    )
    before = StatusUpdate.objects.count()
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_member_progress", str(path), stdout=StringIO(), stderr=err)

    assert "line 2" in err.getvalue()
    assert "note: Note: at most 5,000 characters; this one has 5,001." in err.getvalue()
    assert StatusUpdate.objects.count() == before


DATASET = {
    "format": "commitments-tracker/dataset",
    "format_version": 1,
    "sources": [
        {"slug": "summit", "title": "Summit report", "publisher": "", "author": "", "url": "",
         "published_on": None, "event_name": "Summit", "event_place": "Hanoi",
         "event_date": "2026-01-15", "full_text": "Leaders will build a bridge."},
    ],
    "actors": [{"slug": "pm", "name": "The Prime Minister", "kind": "person", "role": "",
                "affiliation": ""}],
    "themes": [],
    "commitments": [
        {"slug": "bridge", "title": "Build a bridge", "summary": "x" * 2_001,
         "quote": "build a bridge", "heading": "", "position": 1, "source": "summit",
         "proposer": "pm", "owner": "pm", "partners": [], "themes": [],
         "status": "in_progress", "status_date": "2026-03-01", "target_date": None},
    ],
    "updates": [
        {"commitment": "bridge", "as_of": "2026-03-01", "status": "in_progress",
         "previous_status": "not_assessed", "note": "x" * 5_001, "evidence_url": "",
         "basis": "self_reported"},
    ],
}  # fmt: skip


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def test_import_commitments_refuses_a_long_summary_and_note_naming_record_and_field(tmp_path, db):
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(DATASET), encoding="utf-8")
    before = _row_counts()
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_commitments", str(path), stdout=StringIO(), stderr=err)

    report = err.getvalue()
    assert (
        "commitments record 1 (bridge): summary: Summary: at most 2,000 characters; "
        "this one has 2,001." in report
    ), report
    assert _row_counts() == before


def test_load_sources_refuses_a_long_quote_naming_record_and_field(tmp_path, db):
    fixture = [
        {"model": "tracker.source", "fields": {
            "slug": "report", "title": "A report", "event_name": "A summit",
            "event_place": "Jakarta", "event_date": "2026-03-01", "full_text": "They promised.",
        }},
        {"model": "tracker.actor", "fields": {"slug": "speaker", "name": "A speaker"}},
        {"model": "tracker.commitment", "fields": {
            "source": ["report"], "slug": "bridge", "title": "Build a bridge",
            "summary": "A bridge.", "quote": "x" * 5_001, "proposer": ["speaker"],
            "owner": ["speaker"], "status": "not_assessed", "status_date": "2026-03-01",
        }},
    ]  # fmt: skip
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(fixture), encoding="utf-8")
    before = _row_counts()

    with pytest.raises(CommandError) as refused:
        call_command("load_sources", str(path), stdout=StringIO())

    assert (
        "record 3 (tracker.commitment “bridge”): quote: Quote: at most 5,000 characters; "
        "this one has 5,001." in str(refused.value)
    ), refused.value
    assert _row_counts() == before


# The migration that sets the limits on a database already in use.

BEFORE = [("tracker", "0016_content_version_notify")]
AFTER = [("tracker", "0017_length_limits")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_each_text_over_its_new_limit_and_changes_nothing():
    try:
        old = _migrate(BEFORE)
        source = old.get_model("tracker", "Source").objects.create(
            slug="hanoi", title="Report", event_name="ADGMIN", event_place="Hanoi",
            event_date=datetime.date(2026, 1, 15), full_text="Each nation will build.",
        )  # fmt: skip
        actor = old.get_model("tracker", "Actor").objects.create(slug="pm", name="PM")
        commitment = old.get_model("tracker", "Commitment").objects.create(
            source=source, slug="centres", title="Centres", summary="s" * 2_345,
            quote="Each nation will build.", proposer=actor, owner=actor,
            status_date=datetime.date(2026, 1, 15),
        )  # fmt: skip
        update = old.get_model("tracker", "StatusUpdate").objects.create(
            commitment=commitment, status="in_progress", previous_status="not_assessed",
            as_of=datetime.date(2026, 3, 1), note="n" * 5_210, basis="self_reported",
        )  # fmt: skip

        with pytest.raises(CommandError) as refused:
            _migrate(AFTER)

        assert "commitment centres: summary has 2,345 characters; the limit is 2,000." in str(
            refused.value
        )
        assert f"statusupdate {update.pk}: note has 5,210 characters; the limit is 5,000." in str(
            refused.value
        )
        assert MigrationExecutor(connection).loader.applied_migrations.keys() >= set(BEFORE)
        assert AFTER[0] not in MigrationExecutor(connection).loader.applied_migrations
        assert len(old.get_model("tracker", "StatusUpdate").objects.get().note) == 5_210
        old.get_model("tracker", "StatusUpdate").objects.update(note="Shortened.")
        old.get_model("tracker", "Commitment").objects.update(summary="Shortened.")
        _migrate(AFTER)  # then it goes through
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
