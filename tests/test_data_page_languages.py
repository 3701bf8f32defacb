"""The open-data page's column reference in Vietnamese and Indonesian; the downloads it
describes stay the same in every language (issue 12, docs/languages.md).

The column names and the kinds' codes are the data format and never change; what each column
means, and the kind in words, follow the page's language.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.utils import translation
from django.utils.html import escape

from tests import factories
from tests.html import check_page
from tests.test_scorecard_exports import body
from tracker.exports import (
    DATASET_TABLES,
    KIND_LABELS,
    MEMBER_TABLES,
    SCORECARD_COLUMNS,
    SLUG,
    Column,
)
from tracker.models import Basis, Status

REFERENCE = [column for columns in DATASET_TABLES.values() for column in columns]
REFERENCE += SCORECARD_COLUMNS
EVERY_COLUMN = REFERENCE + [column for columns in MEMBER_TABLES.values() for column in columns]
PREFIXES = ["", "/vi", "/id"]


def _english(column: Column) -> str:
    with translation.override("en"):
        return str(column.description)


def _reference(html: str) -> str:
    """The section of the page that documents the columns."""
    return html[html.index('<section aria-labelledby="columns-heading">') :]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "vi",
            [
                "<caption><code>commitments</code></caption>",
                "Mã định danh duy nhất; phần cuối của địa chỉ trang cam kết.",
                "Slug của đơn vị chủ trì, đơn vị chịu trách nhiệm thực hiện.",
                "Nhóm của trạng thái: pending, active, done hoặc closed.",
                "Trạng thái trên thang đo tuân thủ: 1, 0 hoặc -1; để trống khi không tính điểm",
                "<caption><code>scorecard</code> (dữ liệu tải về của bảng điểm)</caption>",
                '<th scope="col">Cột</th><th scope="col">Kiểu</th><th scope="col">Ý nghĩa</th>',
                "<td>danh sách slug</td>",
                "<td>số nguyên</td>",
            ],
        ),
        (
            "id",
            [
                "<caption><code>commitments</code></caption>",
                "Pengenal unik; bagian terakhir alamat halaman komitmen.",
                "Slug penanggung jawab utama, lembaga yang bertanggung jawab mewujudkannya.",
                "Kelompok status: pending, active, done, atau closed.",
                "Status pada skala kepatuhan: 1, 0, atau -1; kosong jika tidak diberi skor",
                "<caption><code>scorecard</code> (unduhan kartu skor)</caption>",
                '<th scope="col">Kolom</th><th scope="col">Jenis</th><th scope="col">Arti</th>',
                "<td>daftar slug</td>",
                "<td>bilangan bulat</td>",
            ],
        ),
    ],
)
def test_the_column_reference_is_written_in_the_language_of_the_address(
    client, db, language, words
):
    html = client.get(f"/{language}/data/").content.decode()

    check_page(html, language=language)
    reference = _reference(html)
    for word in words:
        assert word in reference
    # Nothing in it is marked English any more, and no note says it is.
    assert 'lang="en"' not in reference
    assert "written in English" not in html


@pytest.mark.parametrize("language", ["vi", "id"])
def test_no_english_column_description_is_left_on_the_translated_data_pages(client, db, language):
    reference = _reference(client.get(f"/{language}/data/").content.decode())

    left = [column.name for column in REFERENCE if escape(_english(column)) in reference]
    assert left == []
    for header in ["Column", "Kind", "Meaning"]:
        assert f'<th scope="col">{header}</th>' not in reference
    for kind in ["<td>text</td>", "<td>integer</td>", "<td>list of slugs</td>"]:
        assert kind not in reference


def test_the_english_data_page_keeps_its_english_column_reference(client, db):
    reference = _reference(client.get("/data/").content.decode())

    assert all(escape(_english(column)) in reference for column in REFERENCE)
    assert '<th scope="col">Column</th><th scope="col">Kind</th>' in reference
    assert "<td>list of slugs</td>" in reference


def test_every_column_description_and_kind_is_translated_into_both_languages(db):
    for language in ["vi", "id"]:
        with translation.override(language):
            untranslated = [
                column.name
                for column in EVERY_COLUMN
                if str(column.description) == _english(column)
            ]
            assert untranslated == [], language
            kinds = {code: str(label) for code, label in KIND_LABELS.items() if code != SLUG}
            assert [code for code, label in kinds.items() if label == code] == [], language


@pytest.fixture
def published(make_source, make_commitment, make_theme, make_actor):
    """A commitment with an update, carried out by member states with updates of their own."""
    group, members, _ = factories.make_scorecard(members=2, commitments=0, slug="asean")
    commitment = make_commitment(
        slug="bridge",
        title="Build the bridge",
        title_vi="Xây cầu",
        member_group=group,
        themes=[make_theme(slug="roads", name="Roads", description="Roads and bridges.")],
        owner=make_actor(slug="asec", name="ASEAN Secretariat"),
    )
    factories.record_member_status(commitment, members[0], Status.COMPLETED, note="Done.")
    # A note on the whole commitment: it keeps the status the members give it.
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Work began.",
        basis=Basis.INDEPENDENT,
    )
    return commitment


def _neutral(value, prefix: str):
    """A download's data without what follows the address's language by design
    (docs/languages.md): the status in words, and the links to pages in that language."""
    if isinstance(value, dict):
        return {
            key: "…" if key == "status_label" else _neutral(item, prefix)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_neutral(item, prefix) for item in value]
    if isinstance(value, str) and prefix:
        return value.replace(f"http://testserver{prefix}/", "http://testserver/")
    return value


@pytest.mark.parametrize(
    "download",
    [
        "/data/dataset.json",
        "/commitments/export.json",
        "/scorecard/export.json",
    ],
)
def test_downloads_are_the_same_in_every_language_and_carry_no_column_description(
    client, published, download
):
    english = body(client.get(download))
    data = json.loads(english)
    for prefix in ["/vi", "/id"]:
        other = body(client.get(prefix + download))
        # Same tables, same columns in the same order, same values but for the links to
        # the pages in the address's language and the status in its words.
        assert f"http://testserver{prefix}/commitments/bridge/" in other
        assert _neutral(json.loads(other), prefix) == _neutral(data, "")
    # The descriptions are for the /data/ page only, in no language written into a file.
    for prefix, language in [("", "en"), ("/vi", "vi"), ("/id", "id")]:
        text = body(client.get(prefix + download))
        with translation.override(language):
            descriptions = {str(column.description) for column in EVERY_COLUMN}
        assert not [d for d in descriptions if json.dumps(d, ensure_ascii=False)[1:-1] in text]


@pytest.mark.parametrize("download", ["/commitments/export.csv", "/scorecard/export.csv"])
def test_csv_downloads_have_the_same_header_in_every_language(client, published, download):
    headers = {prefix: body(client.get(prefix + download)).splitlines()[0] for prefix in PREFIXES}

    assert headers[""] == headers["/vi"] == headers["/id"]
    assert re.fullmatch(r'\ufeff"[a-z_]+"(,"[a-z_]+")+', headers[""])
