"""The annotated source: every quoted passage highlighted and linked, both ways."""

import datetime
import re

import pytest

from tests.html import check_page
from tracker.annotate import annotate
from tracker.models import Basis, Commitment, Status
from tracker.text import find_passage

TEXT = (
    "Opening words.\n\n"
    "Infrastructure\n\n"
    "The Minister proposed focus areas: roads, rails and ports.\n\n"
    "He said that they must build bridges & <tunnels> soon, and maintain them.\n"
    "A second line of the same paragraph.\n\n"
    "Trust\n\n"
    "Closing words."
)


@pytest.fixture
def source(make_source, make_commitment):
    source = make_source(slug="summit", full_text=TEXT)
    areas = "The Minister proposed focus areas: roads, rails and ports."
    for n, (slug, quote, heading) in enumerate(
        [
            ("roads", areas, "Infrastructure"),
            ("rails", areas, "Infrastructure"),
            ("bridges", "they must build bridges & <tunnels> soon", "Infrastructure"),
            # Overlaps the quote above, and runs over a line break.
            ("maintain", "<tunnels> soon, and maintain them. A second line", "Infrastructure"),
            ("closing", "Closing words.", "Trust"),
        ],
        start=1,
    ):
        make_commitment(source=source, slug=slug, title=f"Commitment {slug}", quote=quote,
                        heading=heading, position=n)  # fmt: skip
    make_commitment(source=source, slug="secret-draft", title="A draft", quote="Opening words.",
                    heading="Opening", is_published=False)  # fmt: skip
    return source


def page(client) -> str:
    response = client.get("/sources/summit/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_quote_shared_by_several_commitments_is_one_passage_linked_to_each(client, source):
    html = page(client)
    start = TEXT.index("The Minister")
    anchor = f"passage-{start}-{TEXT.index(' ports.') + 7}"

    assert html.count(f'id="{anchor}"') == 1
    mark = re.search(rf'<mark class="passage" id="{anchor}">(.*?)</mark>(.*?)</p>', html)
    assert mark.group(1) == "The Minister proposed focus areas: roads, rails and ports."
    links = mark.group(2)
    assert '<a class="passage-link" href="/commitments/roads/">' in links
    assert '<a class="passage-link" href="/commitments/rails/">' in links
    assert 'Commitment roads<span class="visually-hidden">, not yet assessed</span>' in links


def test_overlapping_quotes_are_cut_into_pieces_without_nesting(client, source):
    html = page(client)
    parser = check_page(html)  # balanced tags, unique ids

    paragraph = re.search(r"<p>He said that.*?</p>", html).group()
    assert "<mark" not in re.sub(r"<mark[^>]*>[^<]*(?:&[a-z]+;[^<]*)*</mark>", "", paragraph)
    anchor = f"passage-{TEXT.index('<tunnels>')}-{TEXT.index('A second') + 13}"
    assert (
        f'<mark class="passage passage--overlap" id="{anchor}">&lt;tunnels&gt; soon</mark>'
    ) in paragraph
    # Each passage's links follow its own last piece, so the second one's mark goes on.
    assert re.search(
        r'&lt;tunnels&gt; soon</mark><span class="passage-links">.*?/commitments/bridges/.*?'
        r'</span></span><mark class="passage">, and maintain them.</mark>',
        paragraph,
    )
    # It continues on the next line of the text, and its links come after that.
    assert re.search(
        r'<p><mark class="passage">A second line</mark><span class="passage-links">'
        r".*?/commitments/maintain/",
        html,
    )
    # The shared quote; "bridges" alone; the overlap; "maintain" alone, twice; the closing.
    assert sum(1 for tag, attrs in parser.tags if tag == "mark") == 6


def test_the_text_is_escaped(client, source):
    html = page(client)

    assert "&lt;tunnels&gt;" in html and "<tunnels>" not in html
    assert "bridges &amp; " in html


def test_headings_are_shown_where_they_occur_and_listed(client, source):
    html = page(client)

    assert '<h3 id="heading-1">Infrastructure</h3>' in html
    assert '<h3 id="heading-2">Trust</h3>' in html
    assert '<a href="#heading-1">Infrastructure</a> <span class="muted">(4 commitments)</span>' in (
        html
    )
    # A draft's heading is not a public heading; its text stays an ordinary paragraph.
    assert "<p>Opening words.</p>" in html


def test_drafts_are_not_highlighted(client, source):
    html = page(client)

    assert "secret-draft" not in html and "A draft" not in html


def test_each_commitment_links_back_to_its_passage(client, source):
    anchor = f"passage-{TEXT.index('The Minister')}-{TEXT.index(' ports.') + 7}"
    html = client.get("/commitments/rails/").content.decode()

    assert f'<a href="/sources/summit/#{anchor}">Read this passage' in html
    assert f'id="{anchor}"' in page(client)


def test_a_quote_missing_from_the_text_is_listed_not_dropped(client, source, make_commitment):
    make_commitment(source=source, slug="lost", title="Lost quote", quote="Never said this.")

    html = page(client)

    assert "could not be found word for word in this text" in html
    assert '<a href="/commitments/lost/">Lost quote</a>' in html
    assert (
        'href="/sources/summit/">Read this passage'
        in client.get("/commitments/lost/").content.decode()
    )


def test_a_status_shows_beside_its_passage(client, source):
    Commitment.objects.get(slug="closing").record_update(
        basis=Basis.SECRETARIAT_VERIFIED,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 3, 1),
        note="Done.",
    )

    html = page(client)

    assert (
        '<span class="passage-link__symbol" aria-hidden="true">✓</span> Commitment closing'
        '<span class="visually-hidden">, completed</span>'
    ) in html


def test_find_passage_tolerates_different_whitespace():
    text = "They will  build\na bridge."

    assert find_passage(text, "build a bridge") == (11, 25)
    assert find_passage(text, "They will build") == (0, 16)
    assert find_passage(text, "  They will  build ") == (0, 16)
    assert find_passage(text, "a tunnel") is None
    assert find_passage(text, "   ") is None


def test_passages_starting_at_the_same_place_get_one_anchor_each(make_commitment):
    text = "Build roads and rails now."
    short = make_commitment(quote="Build roads")
    long = make_commitment(quote="Build roads and rails")

    annotated = annotate(text, [short, long])

    pieces = annotated.blocks[0].pieces
    assert [p.text for p in pieces] == ["Build roads", " and rails", " now."]
    assert pieces[0].anchors == ["passage-0-21", "passage-0-11"]
    assert [p.anchor for p in pieces[0].ends] == ["passage-0-11"]
    assert [p.anchor for p in pieces[1].ends] == ["passage-0-21"]
    assert pieces[0].is_overlap and not pieces[1].is_overlap and not pieces[2].passages


def test_the_source_page_still_runs_a_fixed_number_of_queries(
    client, make_commitment, make_source, django_assert_num_queries
):
    source = make_source(slug="s", full_text="Build a bridge.\n\nBuild a road.")
    make_commitment(source=source, quote="Build a bridge.", heading="Roads")
    # source, the content version, its figures (counted once per version), every quote (for the
    # highlighted text), a page of commitments with owner and proposer, their themes
    with django_assert_num_queries(6):
        client.get("/sources/s/")
    for _ in range(49):
        make_commitment(source=source, quote="Build a road.", heading="Roads")
    with django_assert_num_queries(6):
        html = client.get("/sources/s/").content.decode()
    # A passage names its first ten commitments; the rest are in the list under the text.
    assert html.count('class="passage-link"') == 1 + 10 + 1
    assert '<a class="passage-link" href="#commitments-heading">and 39 more</a>' in html


def test_a_line_that_is_only_an_image_file_name_is_shown_as_a_note_not_as_text(
    client, make_source, make_commitment
):
    source = make_source(
        slug="s", full_text="Opening words.\n\n1501 bo truong 2.jpg\nThe minister. Photo: M.\n"
    )
    make_commitment(source=source, quote="Opening words.")

    html = client.get("/sources/s/").content.decode()

    assert "1501 bo truong 2.jpg" not in html
    assert "A photograph stood here in the original article" in html
    assert "The minister. Photo: M." in html


def test_the_contents_list_every_heading_of_the_source_not_only_those_with_commitments(
    client, make_source, make_commitment
):
    source = make_source(
        slug="s",
        full_text=(
            "The ministers met in Hanoi.\n\n"
            "A turning point\n\n"
            "1501 bo truong 2.jpg\nThe minister at the opening. Photo: Minh Son\n\n"
            "The minister proposed a plan.\n\n"
            "A vision for the region\n\n"
            "Three directions for the region:\n\n"
            "Digital infrastructure\n\n"
            "Build data centres.\n\n"
            "Du Lam"
        ),
    )
    make_commitment(source=source, quote="Build data centres.", heading="Digital infrastructure")

    html = client.get("/sources/s/").content.decode()

    contents = html.split('<nav class="source-contents"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="#heading-\d">([^<]*)</a>', contents) == [
        "A turning point",
        "A vision for the region",
        "Digital infrastructure",
    ]
    # Counts only where there is something to count.
    assert "(1 commitment)" in contents and "(0 commitments)" not in contents
    assert '<h3 id="heading-2">A vision for the region</h3>' in html
    # A caption, a lead-in ending with a colon and the closing byline stay text.
    assert "<p>The minister at the opening. Photo: Minh Son</p>" in html
    assert "<p>Three directions for the region:</p>" in html
    assert "<p>Du Lam</p>" in html
