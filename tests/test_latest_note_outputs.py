"""The print page and the CSV carry each commitment's latest public note and evidence link."""

import csv
import datetime
import io

from tracker.models import Basis, Status


def _updated(make_commitment, **kwargs):
    commitment = make_commitment(**kwargs)
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 2, 1), note="Old note.",
        basis=Basis.INDEPENDENT, evidence_url="https://example.org/old",
    )  # fmt: skip
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 3, 1), note="Newest public note.",
        basis=Basis.INDEPENDENT, evidence_url="https://example.org/a/very/long/address/report.pdf",
    )  # fmt: skip
    commitment.record_update(
        status=Status.IN_PROGRESS, as_of=datetime.date(2026, 4, 1), note="Internal only.",
        basis=Basis.INDEPENDENT, is_public=False,
    )  # fmt: skip
    return commitment


def test_the_csv_has_the_latest_public_note_and_evidence(client, make_commitment):
    _updated(make_commitment)
    make_commitment()

    content = b"".join(client.get("/commitments/export.csv").streaming_content).decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows[0]["latest_note"] == "Newest public note."
    assert rows[0]["latest_evidence_url"] == "https://example.org/a/very/long/address/report.pdf"
    assert (rows[1]["latest_note"], rows[1]["latest_evidence_url"]) == ("", "")


def test_the_print_page_has_the_latest_public_note_and_evidence(client, make_commitment):
    _updated(make_commitment)

    html = client.get("/commitments/print/").content.decode()

    assert "<dt>Latest note</dt><dd>Newest public note.</dd>" in html
    assert 'href="https://example.org/a/very/long/address/report.pdf"' in html
    assert "Internal only." not in html


def test_the_csv_costs_no_query_per_row(client, make_commitment, django_assert_max_num_queries):
    for _ in range(5):
        _updated(make_commitment)
    # the filter form's querysets are not run; the rows, themes and partners (chunked)
    with django_assert_max_num_queries(4):
        b"".join(client.get("/commitments/export.csv").streaming_content)
