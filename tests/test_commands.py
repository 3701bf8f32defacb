import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tracker.models import Commitment, Source


def _fixture(tmp_path, slug="new-source", extra=()):
    records = [
        {
            "model": "tracker.source",
            "fields": {
                "slug": slug,
                "title": "A report",
                "publisher": "",
                "event_name": "A summit",
                "event_place": "Jakarta",
                "event_date": "2026-03-01",
                "full_text": "They promised a bridge.",
            },
        },
        *extra,
    ]
    path = tmp_path / f"{slug}.json"
    path.write_text(json.dumps(records))
    return path


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_sources_loads_a_new_source_then_skips_it(db, tmp_path):
    path = _fixture(tmp_path)

    first = _run("load_sources", str(path))
    Source.objects.filter(slug="new-source").update(title="Edited by staff")
    second = _run("load_sources", str(path))

    assert "loaded new-source" in first
    assert "already loaded (new-source); skipped" in second
    # The second run kept the editor's change.
    assert Source.objects.get().title == "Edited by staff"


def test_load_sources_dry_run_writes_nothing(db, tmp_path):
    output = _run("load_sources", str(_fixture(tmp_path)), "--dry-run")

    assert "would load new-source" in output
    assert not Source.objects.exists()


def _commitment_record(**fields) -> dict:
    values = {
        "source": ["new-source"],
        "slug": "bridge",
        "title": "Build a bridge",
        "summary": "A bridge.",
        "quote": "They promised a bridge.",
        "proposer": ["speaker"],
        "owner": ["speaker"],
        "status": "not_assessed",
        "status_date": "2026-03-01",
        "created": "2026-03-01T00:00:00Z",
        "updated": "2026-03-01T00:00:00Z",
    }
    values.update(fields)
    return {"model": "tracker.commitment", "fields": values}


SPEAKER = {"model": "tracker.actor", "fields": {"slug": "speaker", "name": "A speaker"}}


def test_load_sources_names_a_reference_to_a_missing_record_and_loads_nothing(db, tmp_path):
    path = _fixture(tmp_path, extra=[SPEAKER, _commitment_record(owner=["nobody"])])

    with pytest.raises(CommandError, match=r"new-source.json: record 3 \(tracker.commitment"):
        _run("load_sources", str(path))

    assert not Source.objects.exists()
    assert not Commitment.objects.exists()


def test_load_sources_checks_every_record_as_the_admin_would(db, tmp_path):
    bad = _commitment_record(slug="print", status_date="2026-03-01")
    path = _fixture(tmp_path, extra=[SPEAKER, bad])

    with pytest.raises(CommandError) as error:
        _run("load_sources", str(path))

    assert (
        "record 3 (tracker.commitment “print”): slug: “print” is the address of another page"
        in str(error.value)
    )
    assert not Source.objects.exists()


def test_load_sources_dry_run_checks_the_records_too(db, tmp_path):
    good = _fixture(tmp_path, extra=[SPEAKER, _commitment_record()])

    output = _run("load_sources", str(good), "--dry-run")

    assert "checked 3 records; would load new-source" in output
    assert not Commitment.objects.exists()


def test_load_sources_names_a_file_that_is_not_json(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{")

    with pytest.raises(CommandError, match="broken.json: not valid JSON, line 1"):
        _run("load_sources", str(path))


def test_load_sources_loads_the_shipped_fixtures_members_first(db):
    output = _run("load_sources", "fixtures/asean-members.json", "fixtures/adgmin-2026.json")

    assert "loaded asean" in output
    assert "loaded adgmin-2026-hanoi" in output
    assert Commitment.objects.filter(source__slug="adgmin-2026-hanoi").exists()


def test_load_sources_skips_a_members_file_already_loaded(db):
    _run("load_sources", "fixtures/asean-members.json")

    output = _run("load_sources", "fixtures/asean-members.json")

    assert "already loaded (asean); skipped" in output


def test_ensure_local_admin_creates_one_administrator_and_prints_its_password(db, settings):
    settings.DEBUG = True

    first = _run("ensure_local_admin")
    second = _run("ensure_local_admin")

    user = get_user_model().objects.get()
    password = first.split("with password ")[1].split()[0]
    assert user.is_superuser and user.check_password(password)
    assert password not in second
    assert "changepassword admin" in second


def test_ensure_local_admin_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DJANGO_DEBUG=1"):
        _run("ensure_local_admin")

    assert not get_user_model().objects.exists()
