"""CSV and JSON exports of the commitment list: same filters, same rows, streamed."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse

from tracker.exports import COMMITMENT_COLUMNS, DATASET_TABLES, csv_cell, csv_uncell
from tracker.models import Basis, Status


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def json_rows(response) -> list[dict]:
    return json.loads(body(response))["commitments"]


@pytest.fixture
def several(make_commitment, make_actor, make_theme, make_source):
    """Commitments that differ in every filterable way, plus a draft."""
    asean = make_actor(name="ASEAN Digital Ministers", slug="adgmin")
    states = make_actor(name="ASEAN member states", slug="member-states")
    pm = make_actor(name="Pham Minh Chinh", slug="pham-minh-chinh")
    infra = make_theme(name="Infrastructure", slug="infrastructure")
    trust = make_theme(name="Trust and safety", slug="trust-and-safety")
    hanoi = make_source(slug="hanoi")
    elsewhere = make_source(slug="elsewhere")
    made = [
        make_commitment(title="Adopt a digital master plan", owner=asean, proposer=pm,
                        themes=[infra, trust], source=hanoi, partners=[states]),
        make_commitment(title="Develop domestic data centres", owner=states, proposer=pm,
                        themes=[infra], source=hanoi, target_date=datetime.date(2030, 12, 31)),
        make_commitment(title="Combat online fraud", owner=asean, themes=[trust],
                        source=elsewhere, quote="cooperation to combat online fraud"),
        make_commitment(title="Zebra crossing for data", owner=states, source=elsewhere),
    ]  # fmt: skip
    made[1].record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 5, 1),
        note="x",
    )
    made[2].record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 6, 1),
        note="y",
    )
    make_commitment(title="A draft nobody should see", slug="secret-draft", is_published=False,
                    owner=asean, themes=[infra], source=hanoi)  # fmt: skip
    return made


QUERIES = [
    "",
    "status=in_progress",
    "bucket=pending",
    "theme=infrastructure",
    "theme=trust-and-safety&owner=adgmin",
    "owner=member-states&order=-title",
    "proposer=pham-minh-chinh&order=-status_date",
    "source=elsewhere",
    "q=data",
    "q=zebra&bucket=done",
    "order=title&page=2",
]


@pytest.mark.parametrize("query", QUERIES)
def test_exports_have_the_same_rows_in_the_same_order_as_the_list(client, several, settings, query):
    settings.TRACKER_PAGE_SIZE = 1000
    listed = client.get(f"/commitments/?{query.replace('page=2', '')}")
    expected = [c.slug for c in listed.context["commitments"]]

    as_csv = client.get(f"/commitments/export.csv?{query}")
    as_json = client.get(f"/commitments/export.json?{query}")

    assert as_csv.status_code == as_json.status_code == 200
    assert [row["slug"] for row in csv_rows(as_csv)] == expected
    assert [row["slug"] for row in json_rows(as_json)] == expected
    assert len(expected) == listed.context["paginator"].count


def test_the_export_describes_each_commitment_in_every_column(client, several):
    rows = {row["title"]: row for row in json_rows(client.get("/commitments/export.json"))}
    plan = rows["Adopt a digital master plan"]
    centres = rows["Develop domestic data centres"]

    assert list(plan) == [column.name for column in COMMITMENT_COLUMNS]
    assert plan["page_url"] == f"http://testserver/commitments/{plan['slug']}/"
    assert plan["owner"] == "adgmin" and plan["owner_name"] == "ASEAN Digital Ministers"
    assert plan["themes"] == ["infrastructure", "trust-and-safety"]
    assert plan["theme_names"] == ["Infrastructure", "Trust and safety"]
    assert plan["partners"] == ["member-states"]
    assert plan["status"] == "not_assessed" and plan["bucket"] == "pending"
    assert plan["target_date"] is None
    assert centres["status"] == "in_progress" and centres["status_label"] == "In progress"
    assert centres["status_date"] == "2026-05-01"
    assert centres["target_date"] == "2030-12-31"


def test_the_csv_has_a_header_and_joins_lists(client, several):
    rows = csv_rows(client.get("/commitments/export.csv?theme=trust-and-safety"))

    assert rows[0]["themes"] == "infrastructure; trust-and-safety"
    assert rows[0]["target_date"] == ""
    assert list(rows[0]) == [column.name for column in COMMITMENT_COLUMNS]


def test_exports_are_downloads_with_dated_file_names(client, several):
    today = datetime.date.today().isoformat()
    as_csv = client.get("/commitments/export.csv")
    as_json = client.get("/commitments/export.json")

    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"] == f'attachment; filename="commitments-{today}.csv"'
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_json["Content-Disposition"] == f'attachment; filename="commitments-{today}.json"'


@pytest.mark.parametrize("url", ["/commitments/export.csv", "/commitments/export.json"])
def test_drafts_are_in_no_export(client, several, url):
    text = body(client.get(url))

    assert "A draft nobody should see" not in text
    assert "secret-draft" not in text


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=maybe", "Status: Select a valid choice. maybe is not one of the available"),
        ("theme=no-such-theme", "Theme: Select a valid choice."),
        ("order=password", "Sort by: Select a valid choice."),
    ],
)
def test_an_invalid_filter_is_refused_with_the_reason(client, several, query, message):
    as_csv = client.get(f"/commitments/export.csv?{query}")
    as_json = client.get(f"/commitments/export.json?{query}")

    assert as_csv.status_code == as_json.status_code == 400
    assert as_csv["Content-Type"] == "text/plain; charset=utf-8"
    text = as_csv.content.decode()
    assert text.startswith("Some filters could not be applied, so nothing was exported:")
    assert message in text
    error = json.loads(as_json.content)
    assert error["error"] == "Some filters could not be applied, so nothing was exported."
    assert any(line.startswith(message) for line in error["filters"])


@pytest.mark.parametrize(
    "text",
    ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tindent", "\rreturn",
     "'=already quoted"],
)  # fmt: skip
def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe(client, make_commitment, text):
    make_commitment(title=text, summary=text)

    row = csv_rows(client.get("/commitments/export.csv"))[0]

    assert row["title"] == "'" + text
    assert row["summary"] == "'" + text
    assert csv_uncell(row["title"]) == text


def test_ordinary_csv_cells_are_left_alone():
    assert csv_cell("Connect data centres") == "Connect data centres"
    assert csv_cell("'quoted") == "'quoted"
    assert csv_cell("2026-01-15") == "2026-01-15"
    assert csv_cell(None) == ""
    assert csv_cell(["a", "b"]) == "a; b"
    assert csv_uncell("'quoted") == "'quoted"


def test_the_list_links_to_its_exports_with_its_filters(client, several):
    html = client.get("/commitments/?theme=infrastructure&view=table").content.decode()

    assert 'href="/commitments/export.csv?theme=infrastructure" download>' in html
    assert 'href="/commitments/export.json?theme=infrastructure" download>' in html
    assert 'href="/commitments/print/?theme=infrastructure">Print all' in html


def test_the_unfiltered_list_links_to_the_full_exports(client, several):
    html = client.get("/commitments/").content.decode()

    assert 'href="/commitments/export.csv" download>' in html


@pytest.mark.parametrize("url", ["/commitments/export.csv", "/commitments/export.json"])
def test_exports_run_the_same_queries_for_one_or_fifty_commitments(
    client, make_commitment, make_theme, make_actor, django_assert_num_queries, url
):
    theme, partner = make_theme(), make_actor()
    make_commitment(themes=[theme], partners=[partner])
    # their members' statuses counted (the members' figures); commitments with source,
    # proposer and owner; their themes; their partners
    with django_assert_num_queries(4):
        body(client.get(url))
    for _ in range(49):
        make_commitment(themes=[theme], partners=[partner])
    with django_assert_num_queries(4):
        text = body(client.get(url))
    assert text.count("/commitments/commitment-") == 50


def test_a_filtered_export_adds_only_the_filters_own_lookups(
    client, make_commitment, make_theme, django_assert_num_queries
):
    theme = make_theme(slug="t")
    for _ in range(5):
        make_commitment(themes=[theme])
    # the theme named in the filter, then the same four queries as unfiltered
    with django_assert_num_queries(5):
        body(client.get("/commitments/export.csv?theme=t"))


def test_docs_describe_every_column_of_every_table():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "data.md").read_text("utf-8")

    for table, columns in DATASET_TABLES.items():
        section = docs.split(f"### `{table}`", 1)
        assert len(section) == 2, f"docs/data.md has no section for {table}"
        documented = set(re.findall(r"^\| `([a-z_]+)` \|", section[1].split("###")[0], re.M))
        assert documented == {column.name for column in columns}, table
