"""Searching the list (?q=): every text of a commitment, in every language, blind to accents
and case, finding word forms; ranked; the searched words highlighted and where else they
were found shown. Runs on SQLite (FTS5) and, in CI's PostgreSQL pass, on PostgreSQL
(tsvector): the same tests, the same results."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker import search
from tracker.models import Basis, Commitment, Status


def _found(client, q: str, url: str = "/commitments/") -> list[str]:
    """The titles listed for the search q, in order."""
    response = client.get(url, {"q": q})
    assert response.status_code == 200, response.content.decode()[:500]
    return [c.title for c in response.context["commitments"]]


@pytest.fixture
def centres(make_commitment, make_source):
    source = make_source(
        full_text=(
            "Opening remarks.\n\nViet Nam will develop domestic data centres to serve the "
            "region, the Prime Minister said.\n\nOther matters."
        )
    )
    return make_commitment(
        source=source,
        title="Develop domestic data centres",
        title_vi="Phát triển các trung tâm dữ liệu trong nước",
        title_id="Mengembangkan pusat data dalam negeri",
        summary="Viet Nam builds data centres at home.",
        summary_vi="Việt Nam xây dựng trung tâm dữ liệu trong nước.",
        summary_id="Vietnam membangun pusat data di dalam negeri.",
        quote="Viet Nam will develop domestic data centres to serve the region",
    )


@pytest.fixture
def bridge(make_commitment):
    return make_commitment(title="Build a bridge", summary="A bridge over the river.")


@pytest.mark.parametrize(
    "q",
    [
        "data centres",
        "data centers",  # American spelling of the British one
        "DATA CENTRE",  # case, and the singular
        "trung tâm dữ liệu",  # Vietnamese, with its accents
        "trung tam du lieu",  # as typed on a phone, without them
        "Trung Tâm",
        "TRUNG TAM",
        "pusat data",  # Indonesian
        "membangun pusat",  # an Indonesian word form (membangun: bangun)
    ],
)
def test_the_data_centre_commitment_is_found_in_each_language_with_or_without_accents(
    client, centres, bridge, q
):
    assert _found(client, q) == ["Develop domestic data centres"]


@pytest.mark.parametrize("prefix", ["/vi", "/id", ""])
def test_the_search_finds_the_same_in_every_language_of_the_site(client, centres, bridge, prefix):
    assert _found(client, "trung tam du lieu", f"{prefix}/commitments/") == [centres.title]
    assert _found(client, "data centers", f"{prefix}/commitments/") == [centres.title]


def test_every_word_must_be_found(client, centres, bridge):
    assert _found(client, "data bridge") == []
    assert _found(client, "bridge river") == ["Build a bridge"]


def test_word_forms_are_found_in_english(client, make_commitment):
    make_commitment(title="Organise digital talent programmes")

    assert _found(client, "organizing program") == ["Organise digital talent programmes"]
    assert _found(client, "organisation programme") == ["Organise digital talent programmes"]


def test_a_quote_its_translations_and_the_source_passage_are_searched(
    client, make_commitment, make_source
):
    source = make_source(
        full_text="Before.\n\nLeaders met in Hanoi. They agreed to build a bridge quickly.\n\nEnd."
    )
    make_commitment(
        source=source,
        title="Cross the water",
        summary="Something.",
        quote="They agreed to build a bridge quickly.",
        quote_translation_vi="Họ nhất trí xây một cây cầu thật nhanh.",
    )

    assert _found(client, "agreed quickly") == ["Cross the water"]  # the quote
    assert _found(client, "cay cau") == ["Cross the water"]  # its translation, unaccented
    assert _found(client, "leaders hanoi") == ["Cross the water"]  # the passage around it


def test_a_public_note_and_its_translation_are_searched_and_an_internal_note_is_not(
    client, bridge, editor
):
    bridge.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Engineers surveyed the riverbank.",
        basis=Basis.SELF_REPORTED,
        author=editor,
    )
    # A translation added afterwards, as the admin's page for it saves one.
    update = bridge.updates.get()
    update.note_translation_vi = "Các kỹ sư đã khảo sát bờ sông."
    update.save(update_fields=["note_translation_vi"])
    bridge.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 2),
        note="Confidential budget figures.",
        basis=Basis.SELF_REPORTED,
        is_public=False,
        author=editor,
    )

    assert _found(client, "surveyed riverbank") == ["Build a bridge"]
    assert _found(client, "khao sat bo song") == ["Build a bridge"]
    assert _found(client, "confidential") == []


def test_who_is_involved_is_searched_in_every_language(client, make_commitment, make_actor):
    minister = make_actor(name="Nguyen Manh Hung", name_vi="Nguyễn Mạnh Hùng")
    make_commitment(title="A master plan", proposer=minister)

    assert _found(client, "Nguyễn Mạnh Hùng") == ["A master plan"]
    assert _found(client, "nguyen manh hung") == ["A master plan"]


def test_a_draft_is_never_found(client, make_commitment):
    make_commitment(title="Secret tunnel", is_published=False)

    assert _found(client, "tunnel") == []


def test_a_match_in_the_title_ranks_before_a_match_in_a_note_or_the_source(
    client, make_commitment, make_source, editor
):
    in_passage = make_commitment(
        title="Alpha",
        source=make_source(full_text="Satellites will be launched. Alpha starts."),
        quote="Alpha starts.",
    )
    in_note = make_commitment(title="Beta")
    in_note.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Satellites ordered.",
        basis=Basis.SELF_REPORTED,
        author=editor,
    )
    make_commitment(title="Launch satellites")
    assert in_passage.position < in_note.position  # the source's order would say otherwise

    assert _found(client, "satellite") == ["Launch satellites", "Beta", "Alpha"]


def test_sorting_by_title_still_sorts_a_search_by_title(client, make_commitment):
    make_commitment(title="Zebra crossing bridge")
    make_commitment(title="Bridge")
    make_commitment(title="Another bridge")

    response = client.get("/commitments/", {"q": "bridge", "order": "title"})

    assert [c.title for c in response.context["commitments"]] == [
        "Another bridge",
        "Bridge",
        "Zebra crossing bridge",
    ]


def test_the_searched_words_are_highlighted_in_the_title_as_written(client, centres):
    html = client.get("/vi/commitments/", {"q": "trung tam du lieu"}).content.decode()

    assert "<mark>trung</mark> <mark>tâm</mark> <mark>dữ</mark> <mark>liệu</mark>" in html


def test_the_table_view_highlights_too(client, centres):
    html = client.get("/commitments/", {"q": "data centers", "view": "table"}).content.decode()

    assert "<mark>data</mark> <mark>centres</mark>" in html


def test_a_card_says_where_else_the_words_were_found(client, bridge, editor):
    bridge.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Engineers surveyed the riverbank.",
        basis=Basis.SELF_REPORTED,
        author=editor,
    )

    html = client.get("/commitments/", {"q": "engineers"}).content.decode()

    found = re.search(r'<p class="card__found">(.*?)</p>', html, re.S).group(1)
    assert "In a note of 1 March 2026:" in found
    assert "<mark>Engineers</mark> surveyed the riverbank." in found


def test_the_highlighting_escapes_the_text(client, make_commitment):
    make_commitment(title="Bridges <script>alert(1)</script> & roads")

    html = client.get("/commitments/", {"q": "bridge"}).content.decode()

    assert "<mark>Bridges</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; roads" in html
    assert "<script>alert(1)" not in html


def test_no_search_shows_no_marks(client, centres):
    html = client.get("/commitments/").content.decode()

    assert "<mark>" not in html
    assert "card__found" not in html


# Bad input: a page that explains itself, never a 500 nor a search of everything.


@pytest.mark.parametrize(
    "q",
    [
        "!!! ??? ...",  # punctuation only
        "\u0301\u0303\u0323",  # accents only (combining marks)
        "🙂🚀",  # emoji
        "\u200f\u202e\u200e",  # right-to-left and left-to-right marks
    ],
)
def test_a_search_with_nothing_to_search_for_says_so(client, centres, q):
    response = client.get("/commitments/", {"q": q})

    assert response.status_code == 400
    assert "There is nothing to search for" in response.content.decode()


@pytest.mark.parametrize("q", ["bridge\x00", "bri\x07dge", "bridge\x1b[31m"])
def test_a_search_with_control_characters_is_refused_with_the_reason(client, bridge, q):
    response = client.get("/commitments/", {"q": q})

    assert response.status_code == 400
    assert "The search contains control characters" in response.content.decode()


def test_a_ten_thousand_character_search_is_refused_before_searching(client, bridge):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/commitments/", {"q": "bridge " * 1_430})

    assert response.status_code == 400
    assert "Use at most 200 characters" in response.content.decode()
    assert not [q for q in queries if "searchdocument" in q["sql"].lower()]


def test_one_word_of_many_words_is_counted_as_many(client, bridge):
    response = client.get("/commitments/", {"q": "a.b.c.d.e.f.g.h.i.j.k"})

    assert response.status_code == 400
    assert "Use at most 10 words; this search has 11." in response.content.decode()


def test_words_that_are_query_syntax_are_searched_as_words(client, make_commitment):
    make_commitment(title="Near or not")

    # FTS5 and tsquery operators, quotes and brackets: words to the search, never syntax.
    for q in ["NEAR OR NOT", '"near" (or) NOT*', "near:* & !not | 'or'"]:
        assert _found(client, q) == ["Near or not"]


def test_a_search_costs_the_same_queries_for_three_results_as_for_thirty(
    client, make_commitment, django_assert_max_num_queries
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/commitments/", {"q": "bridge"}).status_code == 200
        return len(captured)

    for _ in range(3):
        make_commitment()
    few = queries()
    for _ in range(27):
        make_commitment()

    assert queries() == few


# The words, normalised.


def test_folding_takes_off_accents_and_case_including_the_vietnamese_d():
    assert search.words("Đà Nẵng, TRUNG TÂM Dữ Liệu!") == [
        "da",
        "nang",
        "trung",
        "tam",
        "du",
        "lieu",
    ]


def test_british_and_american_spellings_are_one_word():
    for british, american in [
        ("centres", "centers"),
        ("organisation", "organization"),
        ("labour", "labor"),
        ("programme", "program"),
        ("modelling", "modeling"),
        ("analyse", "analyze"),
    ]:
        assert search.term(british, "en") == search.term(american, "en")


def test_different_words_stay_different():
    assert search.term("filled", "en") != search.term("filed", "en")
    assert search.term("data", "en") != search.term("date", "en")


def test_a_commitment_has_a_search_document_as_soon_as_it_is_made(make_commitment):
    commitment = make_commitment(title="Lighthouse")

    assert Commitment.objects.filter(search_document__titles__contains="lighthous").get() == (
        commitment
    )


def test_the_pages_of_a_search_continue_its_order_without_a_gap_or_a_repeat(
    client, make_commitment, settings
):
    settings.TRACKER_PAGE_SIZE = 4
    made = [make_commitment(title=f"Bridge {n}") for n in range(5)]
    made += [make_commitment(title=f"Road {n}", summary="A bridge nearby.") for n in range(5)]

    listed = []
    for page in ({}, {"page": 2}, {"page": 3}):
        response = client.get("/commitments/", {"q": "bridge", **page})
        listed += [c.title for c in response.context["commitments"]]

    # Titles first (in the source's order), then the summaries.
    assert listed == [c.title for c in made]
