"""`manage.py load_sources` only ever creates, checks every record first and names each bad one.

Every refusal is checked the same way: CommandError, a message naming the record and the field
(and, for a conflict, the database's value and the file's), and no table changed at all.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests import factories
from tracker.models import (
    Actor,
    Basis,
    Commitment,
    MemberProgress,
    Source,
    Status,
    StatusUpdate,
    Theme,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "adgmin-2026.json"
MEMBERS = FIXTURE.parent / "asean-members.json"

SOURCE = {
    "model": "tracker.source",
    "fields": {
        "slug": "new-source",
        "title": "A report",
        "event_name": "A summit",
        "event_place": "Jakarta",
        "event_date": "2026-03-01",
        "full_text": "They promised a bridge.",
    },
}
SPEAKER = {"model": "tracker.actor", "fields": {"slug": "speaker", "name": "A speaker"}}


def _commitment(**fields) -> dict:
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
    }
    values.update(fields)
    return {"model": "tracker.commitment", "fields": values}


def _actor(**fields) -> dict:
    return {"model": "tracker.actor", "fields": {**SPEAKER["fields"], **fields}}


def _update(**fields) -> dict:
    values = {
        "commitment": ["bridge"],
        "status": "completed",
        "previous_status": "in_progress",
        "as_of": "2026-03-02",
        "note": "Done.",
        "basis": "independent",
    }
    values.update(fields)
    return {"model": "tracker.statusupdate", "fields": values}


def _write(tmp_path, records, name="new-source.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _run(*args) -> str:
    out = StringIO()
    call_command("load_sources", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    """Rows in every table, the many-to-many ones included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def _rows() -> dict[str, list[dict]]:
    """Every value of every row of the tables a fixture could reach."""
    User = get_user_model()
    models = [Source, Actor, Theme, Commitment, StatusUpdate, User, User.groups.field.related_model]
    models += [Commitment.themes.through, Commitment.partners.through]
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


# Each case: the file's records after the new source, and what the message must say.
BAD_RECORDS = {
    "a commitment with an existing slug": (
        [SPEAKER, _commitment(slug="cooperate-on-satellite-technologies")],
        [
            "record 3 (tracker.commitment “cooperate-on-satellite-technologies”): title: the "
            "database has “Cooperate on satellite technologies for disaster monitoring,…”, the "
            "file “Build a bridge”",
            "source: the database has “adgmin-2026-hanoi”, the file “new-source”",
            "status: the database has “in_progress”, the file “not_assessed”",
            "A fixture never changes existing records",
        ],
    ),
    "a status update with a pk": (
        ["HISTORY ROW"],
        [
            "record 2 (tracker.statusupdate): model: a fixture loads commitments as not yet "
            "assessed, so it carries no history: record status updates in the admin, or import "
            "them with import_commitments",
            "record 2 (tracker.statusupdate): pk: not allowed",
        ],
    ),
    "a status history with a broken previous-status chain": (
        [SPEAKER, _commitment(), _update(previous_status="stalled")],
        ["record 4 (tracker.statusupdate): model: a fixture loads commitments as not yet assessed"],
    ),
    "a superuser": (
        [
            {
                "model": "auth.user",
                "fields": {"username": "mallory", "password": "x", "is_superuser": True},
            }
        ],
        [
            "record 2 (auth.user): model: load_sources creates only tracker.membergroup, "
            "tracker.memberstate, tracker.source, tracker.actor, tracker.theme, "
            "tracker.commitment records"
        ],
    ),
    "an existing actor's slug with another name": (
        [_actor(slug="pham-minh-chinh", name="Someone else", kind="person")],
        [
            "record 2 (tracker.actor “pham-minh-chinh”): name: the database has “Pham Minh "
            "Chinh”, the file “Someone else”"
        ],
    ),
    "an existing theme's slug with another position": (
        [{"model": "tracker.theme", "fields": {"slug": "innovation", "position": 99}}],
        ["record 2 (tracker.theme “innovation”): position: the database has 6, the file 99"],
    ),
    "a new theme with an existing theme's name": (
        [{"model": "tracker.theme", "fields": {"slug": "infra", "name": "Infrastructure"}}],
        ["record 2 (tracker.theme “infra”): name: Theme with this Name already exists."],
    ),
    "an explicit pk": (
        [{**SPEAKER, "pk": 1}],
        ["record 2 (tracker.actor “speaker”): pk: not allowed: records are matched by slug"],
    ),
    "the same actor twice": (
        [SPEAKER, _actor(name="Another speaker"), _commitment()],
        ["record 3 (tracker.actor “speaker”): slug: also record 2 (tracker.actor “speaker”)"],
    ),
    "the same commitment twice": (
        [SPEAKER, _commitment(), _commitment(title="Build it again")],
        ["record 4 (tracker.commitment “bridge”): slug: also record 3"],
    ),
    "a completed status with no history": (
        [SPEAKER, _commitment(status="completed")],
        [
            "record 3 (tracker.commitment “bridge”): status: Is “completed”, but a new "
            "commitment starts as “not_assessed”"
        ],
    ),
    "a quote that is not in the source's text": (
        [SPEAKER, _commitment(quote="They promised a tunnel.")],
        ["record 3 (tracker.commitment “bridge”): quote: Is not a passage of the full text"],
    ),
    "a status date before the event": (
        [SPEAKER, _commitment(status_date="2026-01-01")],
        ["record 3 (tracker.commitment “bridge”): status_date: Cannot be before"],
    ),
    "a reserved slug": (
        [SPEAKER, _commitment(slug="print")],
        ["record 3 (tracker.commitment “print”): slug: “print” is the address of another page"],
    ),
    "an unknown actor": (
        [SPEAKER, _commitment(owner=["nobody"])],
        [
            "record 3 (tracker.commitment “bridge”): owner: no actor “nobody” in the file or "
            "the database"
        ],
    ),
    "an unknown theme": (
        [SPEAKER, _commitment(themes=[["nowhere"]])],
        ["record 3 (tracker.commitment “bridge”): themes: no theme “nowhere” in the file"],
    ),
    "a kind that is not commitment, proposal or advice": (
        [SPEAKER, _commitment(kind="promise")],
        ["record 3 (tracker.commitment “bridge”): kind: Value 'promise' is not a valid choice."],
    ),
    "an actor of an unknown member state": (
        [_actor(member_state=["atlantis"])],
        [
            "record 2 (tracker.actor “speaker”): member_state: no member state “atlantis” in the "
            "file or the database"
        ],
    ),
    "an unknown source": (
        [SPEAKER, _commitment(source=["elsewhere"])],
        ["record 3 (tracker.commitment “bridge”): source: no source “elsewhere” in the file"],
    ),
    "an existing source that differs, with a new one": (
        [{"model": "tracker.source", "fields": {"slug": "adgmin-2026-hanoi", "title": "New"}}],
        ["record 2 (tracker.source “adgmin-2026-hanoi”): title: the database has “Report on"],
    ),
    "a record that is not an object": (
        ["tracker.actor"],
        ["record 2: is not a record"],
    ),
    "a record without a model": (
        [{"fields": SPEAKER["fields"]}],
        ["record 2: model: missing"],
    ),
    "a model that is not text": (
        [{"model": ["tracker.actor"], "fields": SPEAKER["fields"]}],
        ["record 2: model: load_sources creates only tracker.membergroup"],
    ),
    "slugs that are not text": (
        [_actor(slug=["speaker"]), _actor(slug=7)],
        ["record 2 (tracker.actor): slug: must be text", "record 3 (tracker.actor): slug: must"],
    ),
    "a record without fields": (
        [{"model": "tracker.actor"}],
        ["record 2 (tracker.actor): fields: missing"],
    ),
    "a record without a slug": (
        [{"model": "tracker.actor", "fields": {"name": "Nameless"}}],
        ["record 2 (tracker.actor): slug: missing"],
    ),
    "a record with an unknown key": (
        [{**SPEAKER, "extra": 1}],
        ["record 2 (tracker.actor “speaker”): extra: unknown key"],
    ),
    "an unknown field": (
        [_actor(colour="red")],
        ["record 2 (tracker.actor “speaker”): colour: not a field a fixture can set"],
    ),
    "fields the tracker sets itself": (
        [SPEAKER, _commitment(version=7, last_reviewed="2026-03-02", updated_by=[1])],
        [
            "record 3 (tracker.commitment “bridge”): version: not a field a fixture can set",
            "last_reviewed: not a field a fixture can set",
            "updated_by: not a field a fixture can set",
        ],
    ),
    "values of the wrong types": (
        [
            SPEAKER,
            _commitment(
                title=5,
                position="3",
                is_published="yes",
                owner="speaker",
                partners=["speaker"],
                status_date="15/03/2026",
            ),
        ],
        [
            "record 3 (tracker.commitment “bridge”): title: must be text",
            "position: must be a whole number",
            "is_published: must be true or false",
            'owner: must be a ["slug"] reference',
            'partners: must be a list of ["slug"] references',
            "status_date: must be a date (2026-01-15)",
        ],
    ),
    "huge values": (
        [SPEAKER, _commitment(title="x" * 5000, position=10**30)],
        [
            "record 3 (tracker.commitment “bridge”): title: Title: at most 200 characters; "
            "this one has 5,000.",
            "position: Ensure this value is less than or equal to",
        ],
    ),
    "a control character": (
        [_actor(name="A\x07speaker")],
        [
            "record 2 (tracker.actor “speaker”): name: Contains an invisible control character "
            "(U+0007)"
        ],
    ),
    "a source whose address is not a web address": (
        [
            {
                **SOURCE,
                "fields": {
                    **SOURCE["fields"],
                    "slug": "ftp-source",
                    "url": "ftp://example.org/report.pdf",
                },
            }
        ],
        [
            "record 2 (tracker.source “ftp-source”): url: Enter a web address starting with "
            "http:// or https://"
        ],
    ),  # fmt: skip
    "a NUL character in a slug": (
        [_actor(slug="spe\x00aker")],
        ["record 2 (tracker.actor “spe\\u0000aker”): slug: Contains an invisible control"],
    ),
}


BAD_FILES = {
    "UTF-16": (
        json.dumps([SOURCE]).encode("utf-16"),
        "is not UTF-8 text (it looks like UTF-16): save it as UTF-8.",
    ),
    "Latin-1": (
        '[{"model": "tracker.source", "fields": {"slug": "café"}}]'.encode("latin-1"),
        "is not UTF-8 text (byte 0xe9 at position 52): save it as UTF-8.",
    ),
    "broken JSON": (b"[{", "not valid JSON, line 1"),
    "a 5,000-digit number": (b"[" + b"9" * 5000 + b"]", "not valid JSON: Exceeds the limit"),
    "deeply nested JSON": (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    "not a list": (json.dumps(SOURCE).encode(), "is not a fixture: it must be a JSON list"),
}


class TestOnADatabaseHoldingTheAdgminSource:
    """Refusals and references, with the ADGMIN source loaded and an editor's update on one of
    its commitments (history row 1): loaded once for the class, rolled back after it. Each
    test writes in its own savepoint, so the next finds the data as loaded."""

    @pytest.fixture(scope="class")
    @classmethod
    def _loaded(cls, django_db_setup, django_db_blocker):
        with factories.rolled_back_afterwards(django_db_blocker):
            call_command("loaddata", MEMBERS, FIXTURE, verbosity=0)
            # Tracked as a whole: a per-member commitment takes its status from its members.
            commitment = Commitment.objects.get(slug="cooperate-on-satellite-technologies")
            yield commitment.record_update(
                status=Status.IN_PROGRESS,
                as_of=datetime.date(2026, 2, 1),
                note="The first two data centres were linked.",
                basis=Basis.SECRETARIAT_VERIFIED,
            ).pk

    @pytest.fixture
    def adgmin(self, _loaded, db) -> StatusUpdate:
        return StatusUpdate.objects.get(pk=_loaded)

    @pytest.mark.parametrize("case", BAD_RECORDS)
    def test_it_refuses_a_bad_record_names_it_and_changes_nothing(self, case, adgmin, tmp_path):
        records, expected = BAD_RECORDS[case]
        history_row = {
            "model": "tracker.statusupdate",
            "pk": adgmin.pk,
            "fields": {
                "status": "completed",
                "note": "Rewritten.",
                "commitment": adgmin.commitment_id,
            },
        }
        records = [history_row if r == "HISTORY ROW" else r for r in records]
        path = _write(tmp_path, [SOURCE, *records])
        counts, rows = _counts(), _rows()

        with pytest.raises(CommandError) as error:
            _run(path)

        message = str(error.value)
        assert message.startswith(f"{path}: nothing loaded:\n"), message
        for fragment in expected:
            assert fragment in message
        assert _counts() == counts
        assert _rows() == rows
        # Spelled out for the cases of the finding; _rows() covers every other value.
        assert Actor.objects.get(slug="pham-minh-chinh").name == "Pham Minh Chinh"
        commitment = Commitment.objects.get(slug="cooperate-on-satellite-technologies")
        assert commitment.title.startswith("Cooperate on satellite technologies")
        assert (commitment.source.slug, commitment.status) == ("adgmin-2026-hanoi", "in_progress")
        update = StatusUpdate.objects.get(pk=adgmin.pk)
        assert (update.status, update.note) == ("in_progress", adgmin.note)
        assert not get_user_model().objects.exists()

    @pytest.mark.parametrize("case", BAD_FILES)
    def test_it_refuses_a_file_it_cannot_read_and_changes_nothing(self, case, adgmin, tmp_path):
        content, expected = BAD_FILES[case]
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        counts, rows = _counts(), _rows()

        with pytest.raises(CommandError) as error:
            _run(path)

        assert str(error.value).startswith(f"{path}: {expected}")
        assert _counts() == counts
        assert _rows() == rows

    def test_a_second_fixture_reuses_existing_actors_and_themes_by_slug(self, adgmin, tmp_path):
        fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
        same_adgmin = next(r for r in fixture if r["fields"]["slug"] == "adgmin")
        same_theme = next(r for r in fixture if r["fields"]["slug"] == "infrastructure")
        # Fewer fields than the database has: the ones given agree, the role is left as it is.
        prime_minister = _actor(slug="pham-minh-chinh", name="Pham Minh Chinh")
        commitment = _commitment(
            proposer=["pham-minh-chinh"],
            owner=["adgmin"],
            partners=[["speaker"], ["asean-member-states"]],
            themes=[["infrastructure"], ["innovation"]],  # innovation: a reference only
        )
        path = _write(
            tmp_path, [SOURCE, same_adgmin, prime_minister, same_theme, SPEAKER, commitment]
        )
        before = _rows()

        output = _run(path)

        assert (
            "loaded new-source (3 new records; already present: record 2 (tracker.actor "
            "“adgmin”), record 3 (tracker.actor “pham-minh-chinh”), record 4 (tracker.theme "
            "“infrastructure”))."
        ) in output
        after = _rows()
        for table in (
            "tracker.Actor",
            "tracker.Theme",
            "tracker.Commitment",
            "tracker.StatusUpdate",
        ):
            assert after[table][: len(before[table])] == before[table], table
        assert Actor.objects.get(slug="pham-minh-chinh").role == "Prime Minister"
        bridge = Commitment.objects.get(slug="bridge")
        assert (bridge.source.slug, bridge.proposer.slug, bridge.owner.slug) == (
            "new-source",
            "pham-minh-chinh",
            "adgmin",
        )
        assert set(bridge.partners.values_list("slug", flat=True)) == {
            "speaker",
            "asean-member-states",
        }
        assert set(bridge.themes.values_list("slug", flat=True)) == {"infrastructure", "innovation"}
        assert bridge.status == Status.NOT_ASSESSED and not bridge.is_published


def test_it_loads_the_adgmin_fixture_on_an_empty_database(db):
    members = _run(MEMBERS)
    output = _run(FIXTURE)

    assert f"{MEMBERS}: loaded asean (12 new records)." in members
    assert f"{FIXTURE}: loaded adgmin-2026-hanoi (39 new records)." in output
    assert Source.objects.count() == 1
    assert (Actor.objects.count(), Theme.objects.count(), Commitment.objects.count()) == (9, 8, 21)
    assert not StatusUpdate.objects.exists()
    for commitment in Commitment.objects.all():
        commitment.full_clean()
        assert commitment.status == Status.NOT_ASSESSED
    # The file's timestamps are kept: the commitments date from the meeting, not from the load.
    assert set(Commitment.objects.values_list("created", flat=True)) == {
        datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
    }
    # Each commitment carried out nationally has a not-assessed record for all 11 members.
    progress = MemberProgress.objects.all()
    assert progress.count() == 9 * 11
    assert set(progress.values_list("status", flat=True)) == {Status.NOT_ASSESSED}


def test_it_loads_a_utf8_file_with_a_byte_order_mark(db, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([SOURCE]).encode())

    assert "loaded new-source (1 new records)" in _run(path)
    assert Source.objects.get().slug == "new-source"


def test_running_it_twice_skips_the_file_and_keeps_editors_work(db, tmp_path):
    path = _write(tmp_path, [SOURCE, SPEAKER, _commitment()])
    _run(path)
    bridge = Commitment.objects.get(slug="bridge")
    bridge.title = "Build a bridge over the river"
    bridge.save_edit(["title"])
    bridge.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 2),
        note="Work began.",
        basis=Basis.SELF_REPORTED,
    )
    counts, rows = _counts(), _rows()

    output = _run(path)

    assert output == f"{path}: already loaded (new-source); skipped.\n"
    assert _counts() == counts
    assert _rows() == rows


def test_a_dry_run_checks_everything_and_writes_nothing(db, tmp_path):
    good = _write(tmp_path, [SOURCE, SPEAKER, _commitment()], "good.json")
    bad = _write(tmp_path, [SOURCE, SPEAKER, _commitment(quote="No.")], "bad.json")
    counts = _counts()

    output = _run(good, "--dry-run")
    with pytest.raises(CommandError, match="quote: Is not a passage"):
        _run(bad, "--dry-run")

    assert output == f"{good}: checked 3 records; would load new-source (3 new records).\n"
    assert _counts() == counts


# Any JSON value, for the property test below.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


class TestAnyDamagedFile(TestCase):
    """Damage one value of a good file anywhere: it loads whole, or it is refused and changes
    nothing, never with a traceback. Each example runs in its own transaction."""

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(
        record=st.integers(0, 2),
        key=st.sampled_from(["model", "pk", "fields", "slug", "owner", "themes", "status"])
        | st.text(max_size=5),
        value=JSON | st.sampled_from(["speaker", "completed", "2026-03-01", [["speaker"]]]),
    )
    def test_it_loads_or_refuses_without_writing(self, record, key, value):
        records = json.loads(json.dumps([SOURCE, SPEAKER, _commitment(themes=[])]))
        target = records[record] if key in ("model", "pk", "fields") else records[record]["fields"]
        target[key] = value
        path = Path(self._tmp.name) / f"damaged-{record}.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        counts = _counts()

        try:
            _run(path)
        except CommandError as error:
            assert str(error).startswith(f"{path}: nothing loaded:\n"), error
            assert _counts() == counts
        else:
            assert Commitment.objects.filter(source__slug="new-source").count() == 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()
        super().tearDownClass()
