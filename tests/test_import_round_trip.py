"""The site's own downloads import into an empty database and export again byte for byte."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests import factories
from tracker.models import (
    Actor,
    Basis,
    Commitment,
    ContentVersion,
    MemberGroup,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
)

# Text a spreadsheet or a line-splitting reader gets wrong: line and paragraph separators,
# tabs, quotes, commas, every line end, and formula characters at the start.
HOSTILE = 'one\u2028two\u2029three\ttab "quoted", comma\r\nCRLF\nLF\rCR end'


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def wipe() -> None:
    """Empty the tracker's tables, in the order their protected references allow."""
    StatusUpdate.objects.update(corrects=None)  # corrections protect what they correct
    StatusUpdate.objects.all().delete()
    MemberProgress.objects.all().delete()
    Commitment.objects.all().delete()
    MemberState.objects.all().delete()
    MemberGroup.objects.all().delete()
    for model in (Theme, Actor, Source):
        model.objects.all().delete()


def import_file(tmp_path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    out = StringIO()
    call_command("import_commitments", str(path), "--publish", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def hostile(make_source, make_actor, make_theme, make_commitment):
    """Public data with every awkward character a cell can legitimately hold."""
    quote = '-build a "bridge",\u2028now'
    source = make_source(
        slug="hostile", title='=HYPERLINK("http://example.org")',
        full_text=f"@Intro\r\n{quote}\u2029{HOSTILE}",
    )  # fmt: skip
    owner = make_actor(slug="owner", name='@owner, "quoted"', role="'=already quoted")
    partner = make_actor(slug="partner", name="+partner\u2028two", affiliation="\ttabbed")
    theme = make_theme(slug="roads", name="-roads", description=HOSTILE)
    bridge = make_commitment(
        source=source, slug="bridge", title='=1+1 "x", y\u2028z', summary=HOSTILE, quote=quote,
        heading="@heading\t", owner=owner, partners=[partner], themes=[theme],
        target_date=datetime.date(2030, 12, 31),
    )  # fmt: skip
    make_commitment(source=source, slug="road", title="\r\nroad", summary="+" + HOSTILE,
                    quote=HOSTILE, owner=partner, proposer=owner)  # fmt: skip
    bridge.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 1), note="=" + HOSTILE,
        basis=Basis.SELF_REPORTED, evidence_url="https://example.org/a?b=1,2",
    )  # fmt: skip
    bridge.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 1), note="Internal.\u2028",
        basis=Basis.INDEPENDENT, is_public=False,
    )  # fmt: skip
    bridge.record_update(
        status=Status.DELAYED, as_of=datetime.date(2026, 3, 1), note='"late",\r\n',
        basis=Basis.INDEPENDENT,
    )  # fmt: skip
    return bridge


def test_hostile_text_round_trips_through_the_dataset(client, hostile, tmp_path):
    dataset = body(client.get("/data/dataset.json"))
    exported_csv = body(client.get("/commitments/export.csv"))
    wipe()

    out = import_file(tmp_path, "dataset.json", dataset)

    assert "imported 1 source, 3 actors, 1 theme, 2 commitments, 2 updates" in out
    assert body(client.get("/data/dataset.json")) == dataset
    assert body(client.get("/commitments/export.csv")) == exported_csv
    assert Commitment.objects.get(slug="bridge").summary == HOSTILE


@pytest.mark.parametrize("quoting", ["as exported", "quoted only where needed"])
def test_hostile_text_round_trips_through_the_csv(client, hostile, tmp_path, quoting):
    """Whether or not the export quotes U+2028 and friends, they never split a record."""
    StatusUpdate.objects.all().delete()
    Commitment.objects.update(status=Status.NOT_ASSESSED, last_reviewed=None)
    ContentVersion.bump()  # a raw update, behind the write path: said by hand
    exported = body(client.get("/commitments/export.csv"))
    content = exported
    if quoting == "quoted only where needed":
        # As a spreadsheet may save it: U+2028 and friends left unquoted.
        rows = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"), newline="")))
        out = io.StringIO(newline="")
        csv.writer(out, quoting=csv.QUOTE_MINIMAL).writerows(rows)
        content = "\ufeff" + out.getvalue()
        assert content != exported
    Commitment.objects.all().delete()

    out = import_file(tmp_path, "commitments.csv", content)

    assert "imported 0 sources, 0 actors, 0 themes, 2 commitments, 0 updates" in out
    assert body(client.get("/commitments/export.csv")) == exported


def test_legacy_control_characters_are_refused_by_line_and_field(client, hostile, tmp_path):
    """Text saved before the model refused control characters exports, but does not import:
    the importer names each cell, and the characters split no record."""
    StatusUpdate.objects.all().delete()
    Commitment.objects.update(status=Status.NOT_ASSESSED, last_reviewed=None)
    ContentVersion.bump()  # a raw update, behind the write path: said by hand
    Commitment.objects.filter(slug="bridge").update(title="a\x0bb\x0cc")
    Commitment.objects.filter(slug="road").update(heading="next\x85line")
    exported = body(client.get("/commitments/export.csv"))
    path = tmp_path / "legacy.csv"
    path.write_bytes(exported.encode("utf-8"))
    Commitment.objects.all().delete()
    err = StringIO()

    with pytest.raises(CommandError, match="2 problems found; nothing was imported"):
        call_command("import_commitments", str(path), stdout=StringIO(), stderr=err)

    # Lines as an editor counts them: CR, LF and CRLF end one, inside a quoted cell too.
    lines = io.StringIO(exported.removeprefix("\ufeff"), newline="").readlines()
    bridge_line = next(
        n for n, line in enumerate(lines, 1) if line.startswith(("bridge,", '"bridge",'))
    )
    road_line = next(n for n, line in enumerate(lines, 1) if line.startswith(("road,", '"road",')))
    assert f"line {bridge_line} (bridge): title: Contains an invisible control character " in (
        err.getvalue()
    )
    assert f"line {road_line} (road): heading: Contains an invisible control character " in (
        err.getvalue()
    )
    assert not Commitment.objects.exists()


# Property: any valid text and any valid history survive export, import and export again.

EVENT = datetime.date(2026, 1, 15)
plain_text = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"
    ) | st.sampled_from("\t\n\r\u2028\u2029'=+-@\",;"),
    min_size=1, max_size=30,
).filter(str.strip)  # fmt: skip
update_steps = st.lists(
    st.tuples(
        st.sampled_from(Status.values),
        st.integers(min_value=0, max_value=20),  # days after the update before it
        plain_text,
        st.sampled_from(Basis.values),
        st.booleans(),  # public; an internal note keeps the status
    ),
    max_size=5,
)


class DatasetRoundTripTests(TestCase):
    def export(self) -> tuple[str, str]:
        return (
            body(self.client.get("/data/dataset.json")),
            body(self.client.get("/commitments/export.csv")),
        )

    def reimport(self, name: str, content: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            import_file(Path(folder), name, content)

    @given(texts=st.lists(plain_text, min_size=8, max_size=8), histories=st.lists(
        update_steps, min_size=1, max_size=3))  # fmt: skip
    def test_any_valid_dataset_round_trips(self, texts, histories):
        title, summary, quote, heading, name, role, description, full_text = texts
        source = factories.make_source(full_text=f"{full_text} {quote} {full_text}")
        actor = factories.make_actor(name=name, role=role)
        theme = factories.make_theme(description=description)
        for n, steps in enumerate(histories):
            commitment = factories.make_commitment(
                source=source, title=title[:200], summary=summary, quote=quote,
                heading=heading, proposer=actor, owner=actor, partners=[actor] if n else [],
                themes=[theme], position=n, status_date=EVENT,
            )  # fmt: skip
            as_of, status = EVENT, Status.NOT_ASSESSED.value
            for n, (new_status, days, note, basis, public) in enumerate(steps):
                # The first update is public, so the commitment counts as reviewed on both
                # sides of the round trip (internal notes are not exported).
                public = public or n == 0
                status = new_status if public else status
                as_of += datetime.timedelta(days=days)
                commitment.record_update(
                    status=status, as_of=as_of, note=note, basis=basis, is_public=public
                )
        dataset, exported_csv = self.export()
        wipe()

        self.reimport("dataset.json", dataset)

        self.assertEqual(self.export(), (dataset, exported_csv))

    @given(texts=st.lists(plain_text, min_size=4, max_size=4))
    def test_any_valid_commitments_csv_round_trips(self, texts):
        title, summary, quote, heading = texts
        source = factories.make_source(full_text=f"Before. {quote} After.")
        factories.make_commitment(
            source=source, title=title, summary=summary, quote=quote, heading=heading,
            status_date=EVENT,
        )  # fmt: skip
        _, exported_csv = self.export()
        Commitment.objects.all().delete()

        self.reimport("commitments.csv", exported_csv)

        self.assertEqual(self.export()[1], exported_csv)


def test_when_staff_last_reviewed_a_commitment_survives_the_round_trip(
    client, make_commitment, tmp_path
):
    commitment = make_commitment(slug="bridge")
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 1), note="Started.",
        basis=Basis.SELF_REPORTED,
    )  # fmt: skip
    Commitment.objects.filter(pk=commitment.pk).update(last_reviewed=datetime.date(2026, 2, 3))
    dataset = body(client.get("/data/dataset.json"))
    wipe()

    import_file(tmp_path, "dataset.json", dataset)

    assert Commitment.objects.get(slug="bridge").last_reviewed == datetime.date(2026, 2, 3)
    assert body(client.get("/data/dataset.json")) == dataset


def test_a_sources_translations_round_trip_through_the_dataset(
    client, make_source, make_commitment, tmp_path
):
    source = make_source(
        slug="hanoi",
        title_vi="Báo cáo Hội nghị",
        title_id="Laporan Pertemuan",
        event_name_vi="Hội nghị Bộ trưởng Số ASEAN lần thứ 6",
        event_name_id="Pertemuan Menteri Digital ASEAN ke-6",
        event_place_vi="Hà Nội, Việt Nam",
        event_place_id="Hanoi, Vietnam",
    )
    make_commitment(source=source)
    dataset = body(client.get("/data/dataset.json"))
    wipe()

    import_file(tmp_path, "dataset.json", dataset)

    imported = Source.objects.get(slug="hanoi")
    assert (imported.title_vi, imported.event_name_id, imported.event_place_vi) == (
        "Báo cáo Hội nghị",
        "Pertemuan Menteri Digital ASEAN ke-6",
        "Hà Nội, Việt Nam",
    )
    assert body(client.get("/data/dataset.json")) == dataset
