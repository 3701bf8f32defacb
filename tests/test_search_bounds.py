"""The search is bounded: at most 10 words and 200 characters, else a 400 that says so.

Each word adds a clause over five columns and a subquery; a thousand of them made the
database give up ("Expression tree is too large") after seconds of work, and the exports,
which had already answered 200, stopped mid-file.
"""

import json

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from tracker.filters import SEARCH_MAX_CHARS, SEARCH_MAX_WORDS

MANY_WORDS = "+".join(["a"] * 1000)
LIST_PAGES = ["/commitments/", "/commitments/print/"]
EXPORTS = ["/commitments/export.csv", "/commitments/export.json"]


@pytest.fixture
def commitments(make_commitment):
    return [make_commitment(title=f"Build bridge number {n}") for n in range(3)]


def _text(response) -> str:
    assert not response.streaming, "an error must not be streamed"
    return response.content.decode()


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_thousand_word_search_is_refused_before_searching_with_the_reason(
    client, commitments, url
):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?q={MANY_WORDS}")

    searches = [q["sql"] for q in queries if "LIKE" in q["sql"].upper()]
    assert searches == [], "the words must be counted before any search runs"
    assert response.status_code == 400
    assert "Search: Use at most 10 words; this search has 1000." in _text(response)


@pytest.mark.parametrize("url", EXPORTS)
def test_an_export_of_a_thousand_word_search_is_refused_before_any_row(client, commitments, url):
    response = client.get(f"{url}?q={MANY_WORDS}")

    assert response.status_code == 400
    text = _text(response)
    assert "Search: Use at most 10 words; this search has 1000." in text
    if url.endswith(".json"):
        assert json.loads(text)["filters"][0].startswith("Search: Use at most 10 words")


@pytest.mark.parametrize("url", LIST_PAGES + EXPORTS)
def test_a_search_longer_than_200_characters_is_refused(client, commitments, url):
    response = client.get(url, {"q": "x" * (SEARCH_MAX_CHARS + 1)})

    assert response.status_code == 400
    assert "Search: Use at most 200 characters; this search has 201." in _text(response)


def test_ten_words_within_200_characters_are_searched(client, commitments):
    words = " ".join(["bridge"] * (SEARCH_MAX_WORDS - 1) + ["number"])
    assert len(words) <= SEARCH_MAX_CHARS

    response = client.get("/commitments/", {"q": words})

    assert response.status_code == 200
    assert response.context["paginator"].count == 3


def test_the_search_box_says_how_long_a_search_may_be(client, db):
    html = client.get("/commitments/").content.decode()

    assert 'maxlength="200"' in html
    assert "At most 10 words." in html


def test_an_export_whose_query_fails_answers_500_before_sending_anything(
    client, commitments, monkeypatch
):
    def fail(*args, **kwargs):
        raise DatabaseError("the database gave up")

    monkeypatch.setattr("tracker.exports.to_record", fail)
    client.raise_request_exception = False

    for url in EXPORTS:
        # Not a 200 whose body stops after the header: the client sees the failure.
        assert client.get(url).status_code == 500
