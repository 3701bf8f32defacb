"""Issue 22's "done when", on the ADGMIN content as `make run` loads it: the data-centre
commitments are found in each language, with and without accents, first, on every language's
list (on SQLite here, and on PostgreSQL in CI's PostgreSQL pass)."""

import pytest
from django.core.management import call_command

DATA_CENTRES = {"develop-domestic-data-centres", "connect-national-data-centres"}


@pytest.fixture
def adgmin(db):
    call_command(
        "load_sources", "fixtures/asean-members.json", "fixtures/adgmin-2026.json", verbosity=0
    )


def _slugs(client, url: str, q: str) -> list[str]:
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return [c.slug for c in response.context["commitments"]]


@pytest.mark.parametrize("prefix", ["", "/vi", "/id"])
@pytest.mark.parametrize(
    "q",
    [
        "data centres",
        "data centers",
        "trung tâm dữ liệu",
        "trung tam du lieu",
        "TRUNG TÂM DỮ LIỆU",
        "pusat data",
        "PUSAT DATA",
    ],
)
def test_the_data_centre_commitments_are_found_first(client, adgmin, prefix, q):
    found = _slugs(client, f"{prefix}/commitments/", q)

    assert set(found[:2]) == DATA_CENTRES


def test_a_search_in_vietnamese_without_accents_finds_them_too(client, adgmin):
    assert set(_slugs(client, "/vi/commitments/", "Trung Tâm")) >= DATA_CENTRES
    assert set(_slugs(client, "/vi/commitments/", "trung tam")) >= DATA_CENTRES


def test_the_speakers_are_found_by_their_names_with_or_without_diacritics(client, adgmin):
    with_accents = _slugs(client, "/vi/commitments/", "Phạm Minh Chính")
    without = _slugs(client, "/vi/commitments/", "pham minh chinh")

    assert with_accents == without
    assert "develop-domestic-data-centres" in with_accents
