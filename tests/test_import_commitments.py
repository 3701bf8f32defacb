"""`manage.py import_commitments`: checks every record first, then writes all or nothing."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tracker.models import (
    Actor,
    Basis,
    Commitment,
    ContentVersion,
    Source,
    Status,
    StatusUpdate,
    Theme,
)

HEADER = (
    "slug,title,summary,quote,heading,position,source,proposer,owner,partners,themes,"
    "status,status_date,target_date"
)


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_commitments", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_commitments", *args, stdout=StringIO(), stderr=err)
    return str(raised.value), err.getvalue()


def wipe() -> None:
    """Empty the tracker's tables, in the order their protected references allow."""
    StatusUpdate.objects.all().delete()
    Commitment.objects.all().delete()
    for model in (Theme, Actor, Source):
        model.objects.all().delete()


@pytest.fixture
def world(make_commitment, make_source, make_actor, make_theme):
    """Two sources, actors in every role, histories with and without status changes."""
    hanoi = make_source(
        slug="hanoi",
        title="Report on ADGMIN",
        author="Du Lam",
        url="https://example.org/report",
        published_on=datetime.date(2026, 1, 16),
        full_text="Heading one\n\nThey promised to connect data centres, and more.\n"
        "=SUM(A1) is not a formula here.",
    )
    jakarta = make_source(slug="jakarta", event_date=datetime.date(2026, 3, 1))
    pm = make_actor(slug="pm", name="Pham Minh Chinh", kind="person", role="Prime Minister")
    adgmin = make_actor(slug="adgmin", name="ADGMIN", affiliation="ASEAN")
    states = make_actor(slug="states", name="ASEAN member states")
    infra = make_theme(slug="infrastructure", name="Infrastructure", description="Wires.")
    trust = make_theme(slug="trust", name="Trust and safety")
    centres = make_commitment(
        source=hanoi, slug="connect-data-centres", title="Connect data centres",
        summary="Data centres will be connected.\nAcross the region.",
        quote="connect data centres", heading="Heading one", position=1,
        proposer=pm, owner=adgmin, partners=[states], themes=[infra, trust],
        target_date=datetime.date(2030, 12, 31),
    )  # fmt: skip
    formula = make_commitment(
        source=hanoi, slug="formula", title="=SUM(A1) looks like a formula", position=2,
        quote="=SUM(A1) is not a formula", proposer=pm, owner=states, themes=[trust],
    )  # fmt: skip
    make_commitment(source=jakarta, slug="bridge", title="Build a bridge", position=1,
                    proposer=adgmin, owner=states, status_date=jakarta.event_date)  # fmt: skip
    make_commitment(source=jakarta, slug="secret-draft", title="A draft", is_published=False,
                    proposer=pm, owner=adgmin, status_date=jakarta.event_date)  # fmt: skip
    centres.record_update(basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 1), note="Work began.",
        evidence_url="https://example.org/communique",
    )  # fmt: skip
    centres.record_update(basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 3, 1), note="Internal check.",
        is_public=False,
    )  # fmt: skip
    centres.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Still going.",
    )
    centres.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 6, 30),
        note="Done:\n\nall linked.",
    )
    formula.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.STALLED,
        as_of=datetime.date(2026, 5, 5),
        note="Stuck.",
    )


def test_a_dataset_round_trips_through_an_empty_database(client, world, tmp_path):
    before = body(client.get("/data/dataset.json"))
    csv_before = body(client.get("/commitments/export.csv"))
    path = tmp_path / "dataset.json"
    path.write_text(before, encoding="utf-8")
    wipe()

    out, _ = run(str(path), "--publish")

    assert "imported 2 sources, 3 actors, 2 themes, 3 commitments, 4 updates (published)" in out
    assert body(client.get("/data/dataset.json")) == before
    assert body(client.get("/commitments/export.csv")) == csv_before
    centres = Commitment.objects.get(slug="connect-data-centres")
    assert centres.status == Status.COMPLETED
    assert centres.status_date == datetime.date(2026, 6, 30)
    assert [u.previous_status for u in centres.updates.order_by("as_of")] == [
        "not_assessed", "in_progress", "in_progress",
    ]  # fmt: skip


def test_a_commitments_csv_round_trips_into_a_database_with_its_source(
    client, make_commitment, make_source, make_actor, make_theme, tmp_path
):
    source = make_source(slug="s", full_text="They promised to build a bridge, and a road.")
    owner, partner = make_actor(slug="owner"), make_actor(slug="partner")
    theme = make_theme(slug="roads")
    make_commitment(source=source, slug="bridge", title="=1+1 bridges", quote="build a bridge",
                    summary='A "bridge",\nwith a comma.', owner=owner, partners=[partner],
                    themes=[theme], target_date=datetime.date(2028, 1, 1))  # fmt: skip
    make_commitment(source=source, slug="road", title="A road", quote="and a road", owner=owner)
    before = body(client.get("/commitments/export.csv"))
    path = tmp_path / "commitments.csv"
    path.write_bytes(before.encode("utf-8"))
    Commitment.objects.all().delete()

    out, _ = run(str(path), "--publish")

    assert "imported 0 sources, 0 actors, 0 themes, 2 commitments, 0 updates" in out
    assert body(client.get("/commitments/export.csv")) == before
    assert Commitment.objects.get(slug="bridge").title == "=1+1 bridges"


def test_the_commitments_json_export_can_be_imported_too(client, world, tmp_path):
    StatusUpdate.objects.all().delete()
    Commitment.objects.update(status=Status.NOT_ASSESSED)
    ContentVersion.bump()  # a raw update, behind the write path: said by hand
    before = body(client.get("/commitments/export.json?source=jakarta"))
    path = tmp_path / "jakarta.json"
    path.write_text(before, encoding="utf-8")
    Commitment.objects.filter(slug="bridge").delete()

    run(str(path), "--publish")

    assert body(client.get("/commitments/export.json?source=jakarta")) == before


def test_imported_commitments_are_drafts_unless_published(world, client, tmp_path):
    path = tmp_path / "dataset.json"
    path.write_text(body(client.get("/data/dataset.json")), encoding="utf-8")
    wipe()

    out, _ = run(str(path))

    assert "(drafts, to review and publish in the admin)" in out
    assert Commitment.objects.count() == 3
    assert not Commitment.objects.public().exists()


def test_a_dry_run_checks_everything_and_writes_nothing(world, client, tmp_path):
    path = tmp_path / "dataset.json"
    path.write_text(body(client.get("/data/dataset.json")), encoding="utf-8")
    wipe()

    out, _ = run(str(path), "--dry-run", "--publish")

    assert "would import 2 sources, 3 actors, 2 themes, 3 commitments, 4 updates." in out
    assert "Nothing was written." in out
    assert not Source.objects.exists() and not Commitment.objects.exists()
    assert not StatusUpdate.objects.exists()


def csv_file(tmp_path, *rows: str):
    path = tmp_path / "new.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def hanoi(make_source, make_actor, make_theme, make_commitment):
    source = make_source(slug="hanoi", full_text="Leaders will build a bridge and a road.")
    make_actor(slug="pm")
    make_actor(slug="states")
    make_theme(slug="roads")
    make_commitment(slug="taken", source=source, quote="a road")
    return source


def test_every_bad_row_is_reported_with_its_line_and_field_and_nothing_is_written(hanoi, tmp_path):
    path = csv_file(
        tmp_path,
        "ok,Fine,S,build a bridge,,1,hanoi,pm,states,,roads,not_assessed,2026-01-15,",
        # A quoted cell over two lines: the next record starts on line 5.
        '"multi","Multi","Two\nlines",a road,,2,hanoi,pm,states,,,not_assessed,2026-01-15,',
        "bad-owner,Title,S,a road,,3,hanoi,pm,nobody,,roads,not_assessed,2026-01-15,",
        "bad-date,Title,S,a road,,x,hanoi,pm,states,,,not_assessed,15/01/2026,",
        "bad-quote,Title,S,a tunnel,,4,elsewhere,pm,states,ghost,,not_assessed,2026-01-15,",
        "taken,Title,S,a road,,5,hanoi,pm,states,,,not_assessed,2026-01-15,",
        "ok,Again,S,a road,,6,hanoi,pm,states,,,not_assessed,2026-01-15,",
        "status,Title,S,a road,,7,hanoi,pm,states,,,in_progress,2026-01-15,",
        "no-title,,S,a road,,8,hanoi,pm,states,,,maybe,2026-01-15,2030-02-30",
    )

    message, report = fails(str(path), "--publish")

    assert message == f"{path}: 11 problems found; nothing was imported."
    for expected in [
        "line 5 (bad-owner): owner: no actor 'nobody' in the database",
        "line 6 (bad-date): position: must be a whole number, not 'x'",
        "line 6 (bad-date): status_date: must be a date written YYYY-MM-DD, not '15/01/2026'",
        "line 7 (bad-quote): source: no source 'elsewhere' in the database",
        "line 7 (bad-quote): partners: no actor 'ghost' in the database",
        "line 8 (taken): slug: Commitment with this Slug already exists.",
        "line 9 (ok): slug: 'ok' is already used by line 2",
        "line 10 (status): status: is 'in_progress', but the file has no updates that record it.",
        "line 11 (no-title): status: 'maybe' is not one of not_assessed, not_started",
        "line 11 (no-title): target_date: must be a date written YYYY-MM-DD, not '2030-02-30'",
        "line 11 (no-title): title: This field cannot be blank.",
    ]:
        assert f"{path}: {expected}" in report
    # The good rows, including the one whose quoted cell spans lines 3 and 4, are not named.
    assert "line 2 " not in report and "line 3" not in report and "line 4" not in report
    assert list(Commitment.objects.values_list("slug", flat=True)) == ["taken"]


def test_a_quote_must_be_a_passage_of_its_source(hanoi, tmp_path):
    path = csv_file(
        tmp_path, "tunnel,Title,S,dig a tunnel,,1,hanoi,pm,states,,,not_assessed,2026-01-15,"
    )

    _, report = fails(str(path))

    assert f"line 2 (tunnel): quote: Is not a passage of the full text of “{hanoi}”" in report


def test_model_validation_names_the_field(hanoi, tmp_path):
    path = csv_file(tmp_path, "Not A Slug,,S,a road,,1,hanoi,pm,states,,,not_assessed,2026-01-15,")

    _, report = fails(str(path))

    assert "line 2 (Not A Slug): slug: Enter a valid “slug”" in report
    assert "line 2 (Not A Slug): title: This field cannot be blank." in report


def test_a_csv_without_a_needed_column_is_refused(hanoi, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("slug,title\nx,y\n", encoding="utf-8")

    message, _ = fails(str(path))

    assert "line 1: missing column(s): summary, quote, heading, position" in message


def test_unknown_columns_and_ragged_rows_are_reported(hanoi, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(HEADER + ",colour\n" + "a,b,c,a road,,1,hanoi,pm,states,,,not_assessed,"
                    "2026-01-15,,red,extra\n", encoding="utf-8")  # fmt: skip

    _, report = fails(str(path))

    assert "line 2: has a different number of cells from the header's 15" in report


@pytest.fixture
def dataset(world, client):
    return json.loads(body(client.get("/data/dataset.json")))


def dataset_file(tmp_path, data) -> str:
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_history_that_does_not_lead_to_the_status_is_refused(dataset, tmp_path):
    updates = dataset["updates"]
    updates[1]["previous_status"] = "delayed"
    updates[2]["as_of"] = "2026-01-01"
    dataset["commitments"][1]["status"] = "ongoing"  # formula: its update says stalled
    wipe()

    _, report = fails(dataset_file(tmp_path, dataset), "--publish")

    assert (
        "updates record 2 (connect-data-centres): previous_status: is 'delayed', but the "
        "update before it, updates record 1, records 'in_progress'"
    ) in report
    assert (
        "updates record 3 (connect-data-centres): as_of: is earlier than the update before it, "
        "updates record 2"
    ) in report
    assert (
        "commitments record 2 (formula): status: is ongoing, but its latest update, updates "
        "record 4, records stalled"
    ) in report
    assert not Commitment.objects.exists() and not Source.objects.exists()


def test_bad_records_in_every_dataset_table_are_reported(dataset, tmp_path):
    dataset["sources"][0]["event_date"] = None
    dataset["actors"][0]["kind"] = "alien"
    del dataset["themes"][0]["name"]
    dataset["updates"][0]["evidence_url"] = "not a url"
    dataset["updates"].append(dict(dataset["updates"][0], commitment="nowhere"))
    wipe()

    _, report = fails(dataset_file(tmp_path, dataset))

    assert "sources record 1 (hanoi): event_date: This field cannot be null." in report
    assert "actors record 1 (adgmin): kind: Value 'alien' is not a valid choice." in report
    assert "themes record 1 (infrastructure): name: is missing" in report
    assert (
        "updates record 1 (connect-data-centres): evidence_url: Enter a web address starting "
        "with http:// or https://" in report
    )
    assert (
        "updates record 5 (nowhere): commitment: 'nowhere' is not a commitment in this file"
    ) in report
    # Commitments that name a broken record are reported too, not imported without it.
    assert "commitments record 1 (connect-data-centres): themes: no theme 'infrastructure'" in (
        report
    )
    assert not Actor.objects.exists()


def test_existing_actors_and_themes_are_reused_never_overwritten(dataset, tmp_path):
    StatusUpdate.objects.filter(commitment__is_published=True).delete()
    Commitment.objects.exclude(slug="secret-draft").delete()
    Source.objects.exclude(slug="jakarta").delete()
    Actor.objects.filter(slug="adgmin").update(name="Renamed by an editor")
    dataset["sources"] = [s for s in dataset["sources"] if s["slug"] != "jakarta"]

    out, _ = run(dataset_file(tmp_path, dataset), "--publish")

    assert "actors record 1 (adgmin): already in the database with a different name" in out
    assert Actor.objects.get(slug="adgmin").name == "Renamed by an editor"
    assert Commitment.objects.get(slug="bridge").source.slug == "jakarta"
    assert "imported 1 source, 0 actors, 0 themes, 3 commitments, 4 updates" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("[{", "not valid JSON, line 1"),
        ("[]", "expected a JSON object"),
        ('{"format": "other"}', "unknown format 'other'"),
        ('{"commitments": {}}', "“commitments” must be a list of objects"),
        ('{"commitments": []}', "contains no commitments"),
    ],
)
def test_a_file_that_is_not_in_a_known_format_is_refused(db, tmp_path, content, message):
    path = tmp_path / "file.json"
    path.write_text(content, encoding="utf-8")

    error, _ = fails(str(path))

    assert message in error


def test_a_missing_file_is_refused(db, tmp_path):
    error, _ = fails(str(tmp_path / "missing.csv"))

    assert "missing.csv: cannot be read" in error


def test_a_kind_is_imported_and_an_unknown_one_is_refused_naming_the_line(hanoi, tmp_path):
    path = tmp_path / "kinds.csv"
    rows = [
        HEADER + ",kind",
        "advice,Advice,S,a road,,1,hanoi,pm,states,,,not_assessed,2026-01-15,,advice",
        "promise,Promise,S,a road,,2,hanoi,pm,states,,,not_assessed,2026-01-15,,promise",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    _, report = fails(str(path))

    assert "line 3 (promise): kind: Value 'promise' is not a valid choice." in report
    assert "line 2 " not in report
    path.write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    run(str(path))
    assert Commitment.objects.get(slug="advice").kind == "advice"
