"""The data's licence travels with it: on /data/, in dataset.json and in every download's
HTTP Link header, from the cache too."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests import factories
from tests.html import check_page
from tests.test_import_round_trip import wipe
from tracker.models import Commitment, Source

LICENCE = "https://creativecommons.org/licenses/by/4.0/"
DOWNLOADS = [
    "/commitments/export.csv",
    "/commitments/export.json",
    "/scorecard/export.csv",
    "/scorecard/export.json",
    "/data/dataset.json",
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _dataset(client) -> dict:
    response = client.get("/data/dataset.json")
    assert response.status_code == 200
    return json.loads(_body(response))


@pytest.fixture
def site(make_commitment):
    make_commitment(slug="bridge")
    factories.make_scorecard(members=2, commitments=1)


@pytest.mark.parametrize("url", DOWNLOADS)
def test_every_download_names_the_licence_in_its_link_header(client, site, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["Link"] == f'<{LICENCE}>; rel="license"'


@pytest.mark.parametrize("url", DOWNLOADS)
def test_the_link_header_is_sent_again_with_the_page_cache_on(client, site, page_cache, url):
    first = client.get(url)
    _body(first)
    second = client.get(url)

    assert second.status_code == 200
    assert second["Link"] == first["Link"] == f'<{LICENCE}>; rel="license"'


def test_the_header_follows_the_licence_setting(client, site, settings):
    settings.TRACKER_DATA_LICENSE_URL = "https://opendatacommons.org/licenses/by/1-0/"

    response = client.get("/commitments/export.csv")

    assert response["Link"] == '<https://opendatacommons.org/licenses/by/1-0/>; rel="license"'


def test_the_dataset_carries_its_licence_attribution_and_publisher(client, site, settings):
    settings.TRACKER_PUBLISHER = "Example Research Group"
    settings.TRACKER_PUBLISHER_URL = "https://research.example.org/"

    data = _dataset(client)

    assert data["license"] == {
        "name": "CC BY 4.0",
        "url": LICENCE,
        "attribution": (
            f"Example Research Group, http://testserver/, licensed under CC BY 4.0 ({LICENCE})"
        ),
    }
    assert data["publisher"] == {
        "name": "Example Research Group",
        "url": "https://research.example.org/",
    }


def test_the_attribution_names_the_english_address_in_every_language(client, site):
    english = _dataset(client)["license"]
    response = client.get("/vi/data/dataset.json")
    vietnamese = json.loads(_body(response))["license"]

    assert vietnamese == english


def test_the_data_page_states_the_licence_and_how_to_credit_the_files(client, site):
    response = client.get("/data/")

    html = response.content.decode()
    check_page(html)
    section = html.split('id="licence-heading"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="{LICENCE}" rel="license noopener">CC BY 4.0</a>' in section
    assert "the CSV and JSON files" in section
    assert (
        f"<code>Policy Commitments Tracker, http://testserver/, licensed under CC BY 4.0 "
        f"({LICENCE})</code>" in section
    )
    assert "A CSV file has no room for it" in section
    assert 'href="/about/"' in section


def test_a_dataset_with_its_licence_imports_into_another_tracker_dates_and_all(
    client, make_commitment, make_source, tmp_path
):
    source = make_source(slug="report", retrieved_on=datetime.date(2026, 1, 20))
    make_commitment(source=source, slug="bridge")
    path = tmp_path / "dataset.json"
    path.write_bytes(_body(client.get("/data/dataset.json")))
    wipe()

    # The licence and publisher are part of the format, not unknown keys to refuse.
    call_command("import_commitments", str(path), "--publish", stdout=StringIO())

    assert Source.objects.get(slug="report").retrieved_on == datetime.date(2026, 1, 20)
    assert Commitment.objects.filter(slug="bridge").exists()


def test_a_sources_dates_are_in_the_dataset(client, make_commitment, make_source):
    source = make_source(
        slug="report",
        url="https://news.example.org/report",
        published_on=datetime.date(2026, 1, 16),
        retrieved_on=datetime.date(2026, 1, 20),
    )
    make_commitment(source=source)

    (record,) = _dataset(client)["sources"]

    assert record["publisher"] == "Example News"
    assert record["url"] == "https://news.example.org/report"
    assert record["published_on"] == "2026-01-16"
    assert record["retrieved_on"] == "2026-01-20"
