"""A quote is found in its source's text (tracker.text.find_passage) through an index of the
text's words, built once per text: an import checks thousands of quotes against one source
without searching the whole text for each. The index finds exactly what a search finds."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from tests.test_import_bad_input import VALID
from tracker import text
from tracker.text import _search, find_passage

WORDS = st.sampled_from(["a", "ab", "b", "ba", "bridge", "road", "Leaders", "x"])
SPACE = st.sampled_from([" ", "  ", "\n", "\t ", "\u00a0", "\r\n"])


@st.composite
def texts_and_quotes(draw):
    words = draw(st.lists(WORDS, min_size=1, max_size=40))
    spaces = draw(st.lists(SPACE, min_size=len(words), max_size=len(words)))
    body = "".join(word + space for word, space in zip(words, spaces, strict=True))
    if draw(st.booleans()):
        # A stretch of the text, its whitespace changed or not, its ends maybe mid-word.
        start = draw(st.integers(0, len(body)))
        end = draw(st.integers(start, len(body)))
        quote = body[start:end]
        if draw(st.booleans()):
            quote = " ".join(quote.split())
    else:
        quote = " ".join(draw(st.lists(WORDS, min_size=1, max_size=6)))
    return body, quote


@given(texts_and_quotes())
def test_the_index_finds_what_a_search_of_the_whole_text_finds(case):
    body, quote = case
    text._index.cache_clear()

    found = (
        text._index(body).find(quote.strip(), quote.split())
        if len(quote.split()) >= 3
        else (_search(body, quote.strip(), quote.split()) if quote.strip() else None)
    )

    assert found == (_search(body, quote.strip(), quote.split()) if quote.strip() else None)


def test_a_long_text_is_indexed_once_for_all_its_quotes(db, tmp_path, monkeypatch):
    built = []
    words = text._Words

    def counting(body):
        built.append(len(body))
        return words(body)

    monkeypatch.setattr(text, "_Words", counting)
    text._index.cache_clear()
    data = json.loads(json.dumps(VALID))
    filler = " ".join(f"Sentence number {n} of the report." for n in range(3000))
    data["sources"][0]["full_text"] = filler + " Leaders will build a bridge and a road."
    data["commitments"] = [
        dict(data["commitments"][1], slug=f"c-{n}", status="not_assessed",
             status_date="2026-01-15", quote=f"Sentence number {n}\nof the")
        for n in range(0, 3000, 10)
    ]  # fmt: skip
    data["updates"] = []
    path = tmp_path / "file.json"
    path.write_text(json.dumps(data))

    call_command("import_commitments", str(path), "--dry-run", stdout=StringIO())

    assert len(built) == 1
    assert find_passage(data["sources"][0]["full_text"], "number 2990\n of  the report.")
