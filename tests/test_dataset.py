"""/data/dataset.json, the full public dataset, and /data/, the page that describes it."""

import datetime
import json

from django.http import StreamingHttpResponse

from tests.html import check_page, h1_of
from tracker.exports import DATASET_TABLES, MEMBER_TABLES
from tracker.models import Basis, Status


def dataset(client) -> dict:
    response = client.get("/data/dataset.json")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="commitments-dataset-{today}.json"'
    )
    return json.loads(b"".join(response.streaming_content))


def test_the_dataset_holds_every_public_table(client, make_commitment, make_actor, make_theme):
    partner = make_actor(slug="partner", name="A partner")
    theme = make_theme(slug="roads", name="Roads")
    commitment = make_commitment(slug="bridge", partners=[partner], themes=[theme])
    commitment.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Begun.",
    )

    data = dataset(client)

    assert data["format"] == "commitments-tracker/dataset"
    assert data["format_version"] == 1
    assert list(data)[2:4] == ["publisher", "license"]
    assert list(data)[4:] == [*DATASET_TABLES, *MEMBER_TABLES]
    assert [s["slug"] for s in data["sources"]] == [commitment.source.slug]
    assert data["sources"][0]["full_text"] == "The leaders promised to build a bridge."
    assert sorted(a["slug"] for a in data["actors"]) == sorted(
        [commitment.owner.slug, commitment.proposer.slug, "partner"]
    )
    assert data["themes"] == [
        {"slug": "roads", "page_url": "http://testserver/themes/roads/", "name": "Roads",
         "description": "", "position": theme.position, "name_vi": "", "name_id": "",
         "description_vi": "", "description_id": ""}
    ]  # fmt: skip
    assert [c["slug"] for c in data["commitments"]] == ["bridge"]
    assert data["updates"] == [
        {"commitment": "bridge", "as_of": "2026-03-01", "status": "in_progress",
         "previous_status": "not_assessed", "note": "Begun.", "note_language": "en",
         "note_translation_en": "", "note_translation_vi": "", "note_translation_id": "",
         "evidence_url": "", "basis": "secretariat_verified"}
    ]  # fmt: skip


def test_drafts_and_internal_notes_are_not_in_the_dataset(client, make_commitment, make_actor):
    draft_owner = make_actor(slug="draft-owner", name="Only owns a draft")
    draft = make_commitment(slug="secret-draft", is_published=False, owner=draft_owner)
    draft.record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 2, 1),
        note="Draft.",
    )
    public = make_commitment(slug="public")
    # An internal note keeps the status: a status change is always public.
    public.record_update(basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.NOT_ASSESSED, as_of=datetime.date(2026, 2, 1), note="Internal.",
        is_public=False,
    )  # fmt: skip

    data = dataset(client)
    text = json.dumps(data)

    assert [c["slug"] for c in data["commitments"]] == ["public"]
    assert data["updates"] == []
    assert "secret-draft" not in text and "Internal." not in text
    # An actor or source known only from a draft is not revealed either.
    assert "draft-owner" not in text
    assert draft.source.slug not in text


def test_the_dataset_runs_the_same_queries_for_one_or_fifty_commitments(
    client, make_commitment, make_theme, make_actor, django_assert_num_queries, monkeypatch
):
    # Streamed in chunks of 20 here (500 on the site): fifty commitments are three chunks,
    # which must cost no more queries than one.
    monkeypatch.setattr("tracker.exports.CHUNK_SIZE", 20)
    theme, partner = make_theme(), make_actor()

    def add(n):
        for _ in range(n):
            c = make_commitment(themes=[theme], partners=[partner])
            c.record_update(
                basis=Basis.SECRETARIAT_VERIFIED,
                status=Status.ONGOING,
                as_of=datetime.date(2026, 2, 1),
                note="x",
            )

    add(1)
    # sources, actors, themes; every commitment's themes and partners (one UNION, read
    # before the commitments stream); commitments; updates; member groups, member states,
    # member progress, member updates (one query each)
    with django_assert_num_queries(10):
        dataset(client)
    add(49)
    with django_assert_num_queries(10):
        data = dataset(client)
    assert len(data["commitments"]) == len(data["updates"]) == 50


def test_the_data_page_describes_downloads_feeds_and_every_column(client, db):
    response = client.get("/data/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert h1_of(html) == "Open data"
    assert 'href="/data/dataset.json" download>' in html
    assert 'href="/commitments/export.csv" download>' in html
    assert 'href="/feeds/updates/"' in html
    for table, columns in DATASET_TABLES.items():
        assert f"<caption><code>{table}</code></caption>" in html
        for column in columns:
            assert f'<th scope="row"><code>{column.name}</code></th>' in html
    assert "<code>partially_completed</code>" in html


def test_every_page_links_to_the_data_page_from_its_footer(client, db):
    html = client.get("/statuses/").content.decode()

    footer = html.split('<footer class="site-footer">')[1]
    assert 'href="/data/">Open data' in footer


def test_the_data_page_runs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/data/")


def test_the_main_menu_links_to_the_data_page_and_marks_it_as_the_current_page(client, db):
    data_html = client.get("/data/").content.decode()
    other_html = client.get("/themes/").content.decode()

    assert '<a href="/data/" aria-current="page">Open data</a>' in data_html
    assert '<a href="/data/">Open data</a>' in other_html
