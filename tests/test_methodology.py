"""/scorecard/methodology/: how statuses become compliance scores, read from STATUS_SCORE."""

import re

import pytest

from tests.html import check_page
from tracker import models
from tracker.models import STATUS_SCORE, Status


def _rows(html: str) -> dict[str, list[str]]:
    """The scale table: its row header (the score) → the statuses listed in that row."""
    table = html.split('class="methodology-scale"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        score = re.search(r'<th scope="row">(.*?)</th>', row, re.S).group(1).strip()
        rows[score] = re.findall(r'data-status="([a-z_]+)"', row)
    return rows


def test_the_page_explains_the_scale_missing_data_and_averages(client, db):
    response = client.get("/scorecard/methodology/")

    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert "G20 Research Group" in html
    assert "It is never counted as −1" in html
    assert "assessed 4 of 11" in html
    assert "A member state’s score" in html


def test_the_scale_table_is_the_models_mapping(client, db):
    rows = _rows(client.get("/scorecard/methodology/").content.decode())

    assert rows == {
        "+1": ["completed"],
        "0": ["partially_completed", "in_progress", "ongoing", "delayed", "stalled"],
        "−1": ["not_started", "discontinued"],
        "Not scored": ["not_assessed", "superseded"],
    }
    assert sum(len(statuses) for statuses in rows.values()) == len(Status)


def test_a_change_to_the_models_scale_changes_the_page(client, db, monkeypatch):
    monkeypatch.setitem(STATUS_SCORE, Status.PARTIALLY_COMPLETED, 1)
    assert models.STATUS_SCORE is STATUS_SCORE

    rows = _rows(client.get("/scorecard/methodology/").content.decode())

    assert rows["+1"] == ["completed", "partially_completed"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_answers_get_and_head_only(client, db, method):
    assert client.head("/scorecard/methodology/").status_code == 200
    assert getattr(client, method)("/scorecard/methodology/").status_code == 405


def test_it_runs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/scorecard/methodology/").status_code == 200
