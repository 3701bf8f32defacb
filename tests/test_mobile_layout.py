"""On a 360 px phone no public page scrolls sideways; a wide table scrolls inside its own
container instead. The pages are those of tests/site_visit.py, visited once per session."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import pytest
from django.core.management import call_command

from tests import factories
from tests.browser import sideways_scroll
from tests.site_visit import NARROW, PUBLIC_PAGES
from tracker.models import Basis, Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_no_public_page_scrolls_sideways_on_a_360_px_phone(site_visit, name):
    visited = site_visit.public[name]

    assert visited.sideways[NARROW] == 0, (
        f"{visited.url} is {visited.sideways[NARROW]} px wider than a {NARROW} px screen"
    )


WIDE = '<div style="width: 600px">A block wider than the phone</div>'
WIDE_TABLE = (
    '<div style="overflow-x: auto"><table style="width: 600px"><tr><td>A wide table, '
    "in a container that scrolls by itself</td></tr></table></div>"
)


def test_the_measure_catches_a_planted_wide_block_but_not_a_table_in_its_own_scroller(browser):
    page = browser.new_page(viewport={"width": NARROW, "height": 800})
    page.set_content(f"<!DOCTYPE html><html lang='en'><body>{WIDE}</body></html>")
    planted = sideways_scroll(page)
    page.set_content(f"<!DOCTYPE html><html lang='en'><body>{WIDE_TABLE}</body></html>")
    contained = sideways_scroll(page)
    page.close()

    assert planted > 200
    assert contained == 0


@pytest.fixture
def open_at(browser, live_server):
    """A page at a given viewport width, on the live server; closed after the test."""
    contexts = []

    def open_at(width: int, url: str):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_at
    for context in contexts:
        context.close()


def _visit(browser, base_url: str, width: int, urls, measure) -> dict:
    """What `measure(page)` finds on each of `urls`, opened in turn in one browser context
    at `width`: the module fixtures below open all of a test's variants in one go."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        found = {}
        for url in urls:
            page.goto(url)
            found[url] = measure(page)
        return found
    finally:
        context.close()


@contextmanager
def _live_data(django_db_blocker):
    """The database open to a module fixture and to the live server, which must see the data
    the fixture builds: it is committed, and the database emptied afterwards, as each
    live-server test's end does."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


MENU_PAGES = ["/charts/", "/data/"]


def _main_menu(page) -> dict:
    links = page.locator(".site-header nav[aria-label=Main] a")
    boxes = [link.bounding_box() for link in links.all()]
    current = page.locator(".site-header nav[aria-label=Main] a[aria-current=page]")
    return {
        "links": links.count(),
        "right_edges": [box["x"] + box["width"] for box in boxes],
        "sideways": sideways_scroll(page),
        "current": current.get_attribute("href"),
    }


@pytest.fixture(scope="module")
def main_menus(browser, live_server, django_db_blocker) -> dict:
    """The main menu of each page in MENU_PAGES on a 375 px phone, each page opened once."""
    with _live_data(django_db_blocker):
        return _visit(browser, live_server.url, 375, MENU_PAGES, _main_menu)


@pytest.mark.parametrize("url", MENU_PAGES)
def test_the_main_menu_fits_a_375_px_phone_and_marks_the_current_page(main_menus, url):
    menu = main_menus[url]

    assert menu["links"] == 9
    assert max(menu["right_edges"]) <= 375
    assert menu["sideways"] == 0
    assert menu["current"] == url


# Is the element at each point inside the note's cell, or something drawn over it?
_NOTE_COVERED = """(cell) => {
  const box = cell.getBoundingClientRect();
  const y = box.top + Math.min(box.height / 2, 12);
  return [box.left + 2, box.left + box.width / 2, box.right - 2].filter((x) => {
    const found = document.elementFromPoint(x, y);
    return !(found && cell.contains(found));
  }).length;
}"""


def test_a_member_states_note_is_not_hidden_under_the_first_column_on_a_phone(open_at, db):
    group, members, (commitment,) = factories.make_scorecard(members=3, commitments=1)
    for member in members:
        factories.record_member_status(
            commitment,
            member,
            Status.IN_PROGRESS,
            note="The ministry has tendered the first two regional data centres this spring.",
        )
    page = open_at(375, commitment.get_absolute_url())
    region = page.locator(".table-scroll", has=page.locator("table.member-breakdown"))

    # Scrolled to the note, every part of it can be seen: nothing is drawn over its left edge.
    # (The table is below the first screenful: each cell is brought into view first.)
    covered = []
    for cell in page.locator("table.member-breakdown tbody td:last-child").all():
        cell.scroll_into_view_if_needed()
        region.evaluate("(region) => { region.scrollLeft = region.scrollWidth; }")
        covered.append(cell.evaluate(_NOTE_COVERED))

    assert covered == [0] * len(members)


LONG_WORD = "x" * 3000


LONG_WORD_WIDTHS = [1280, 375]


@pytest.fixture(scope="module")
def long_word_scrolls(browser, live_server, django_db_blocker) -> dict:
    """How far each page showing a 3000-character word scrolls sideways, at each width: the
    site built once, each page opened once per width."""
    with _live_data(django_db_blocker):
        # As long as each field takes (PostgreSQL refuses more): 100 for a theme, 200 for a title.
        theme = factories.make_theme(slug="long", name=f"Theme {LONG_WORD[:94]}")
        commitment = factories.make_commitment(
            slug="long-word",
            title=f"Connect {LONG_WORD[:192]}",
            # As long as a summary may be (2,000 characters, docs/data.md).
            summary=f"A pasted address: https://example.org/{LONG_WORD[:1950]}",
            quote=f"They said {LONG_WORD}",
            themes=[theme],
        )
        commitment.record_update(
            status=Status.DELAYED,
            as_of=datetime.date(2026, 3, 1),
            note=f"A note with {LONG_WORD} in it.",
            basis=Basis.INDEPENDENT,
        )
        urls = ("/", "/commitments/long-word/", "/themes/long/", "/commitments/")
        return {
            width: _visit(browser, live_server.url, width, urls, sideways_scroll)
            for width in LONG_WORD_WIDTHS
        }


@pytest.mark.parametrize("width", LONG_WORD_WIDTHS)
def test_a_3000_character_word_in_stored_text_never_makes_a_page_scroll_sideways(
    long_word_scrolls, width
):
    widths = long_word_scrolls[width]

    assert widths == dict.fromkeys(widths, 0)


SCORECARDS = ["/scorecard/", "/vi/scorecard/", "/id/scorecard/"]
_SCORECARD_FIT = """(table) => {
  const region = table.closest('.table-scroll');
  const rows = [...table.querySelectorAll('tbody th[scope=row]')];
  return {
    table: table.scrollWidth, region: region.clientWidth,
    rows: rows.length,
    outside: rows.filter((th) => th.getBoundingClientRect().right > innerWidth).length,
  };
}"""


@pytest.fixture(scope="module")
def scorecard_fits(browser, live_server, django_db_blocker) -> dict:
    """How the scorecard of eleven member states fits 1280 px in each language: the site
    built once, each page opened once."""

    def fit(page) -> dict:
        return {
            **page.locator("table.scorecard").evaluate(_SCORECARD_FIT),
            "sideways": sideways_scroll(page),
        }

    with _live_data(django_db_blocker):
        _group, members, commitments = factories.make_scorecard(members=11, commitments=9)
        # The longest status words, in every column.
        for commitment in commitments:
            factories.record_member_status(commitment, members[0], Status.PARTIALLY_COMPLETED)
            factories.record_member_status(commitment, members[1], Status.DISCONTINUED)
        return _visit(browser, live_server.url, 1280, SCORECARDS, fit)


@pytest.mark.parametrize("url", SCORECARDS)
def test_all_eleven_member_states_fit_the_scorecard_at_1280_px_without_scrolling(
    scorecard_fits, url
):
    fit = scorecard_fits[url]

    assert fit["rows"] == 11
    assert fit["outside"] == 0
    assert fit["table"] <= fit["region"], fit
    assert fit["sideways"] == 0


# Wider than its letters suggest: capitals, and Vietnamese with its stacked diacritics.
LONG_OWNER = {
    "name": "MINISTRY OF SCIENCE AND TECHNOLOGY OF THE SOCIALIST REPUBLIC OF VIET NAM",
    "name_vi": "Bộ Khoa học và Công nghệ nước Cộng hòa Xã hội Chủ nghĩa Việt Nam",
    "name_id": "Kementerian Sains dan Teknologi Republik Sosialis Viet Nam (Kemenristek)",
}
LONG_THEME = {
    "name": "Inclusive digital development and the digital transformation of MSMEs",
    "name_vi": "Phát triển số bao trùm và chuyển đổi số của doanh nghiệp siêu nhỏ, nhỏ và vừa",
    "name_id": "Pembangunan digital inklusif dan transformasi digital usaha mikro, kecil, menengah",
}

# Each label's lines, and whether any of them runs past the chart or into its row's figure.
_LABELS = """() => [...document.querySelectorAll('svg.chart__svg g')].map((row) => {
  const label = row.querySelector('.chart__label'), value = row.querySelector('.chart__value');
  const svg = row.ownerSVGElement.getBoundingClientRect();
  const lines = [...label.querySelectorAll('tspan')].map((line) => line.getBoundingClientRect());
  const figure = value.getBoundingClientRect();
  return {
    text: [...label.querySelectorAll('tspan')].map((line) => line.textContent).join(' '),
    outside: lines.filter((box) => box.left < svg.left - 1 || box.right > svg.right + 1).length,
    // Only the first line shares its height with the figure.
    intoFigure: lines[0].right > figure.left,
  };
})"""


LANGUAGES = ["en", "vi", "id"]
CHART_WIDTHS = [1280, 375]


def _charts(language: str) -> str:
    return "/charts/" if language == "en" else f"/{language}/charts/"


@pytest.fixture(scope="module")
def chart_labels(browser, live_server, django_db_blocker) -> dict:
    """The labels of the charts page in each language at each width, for an owner and a
    theme with long names: the site built once, each page opened once per width."""
    urls = [_charts(language) for language in LANGUAGES]
    with _live_data(django_db_blocker):
        owner = factories.make_actor(slug="ministry", **LONG_OWNER)
        theme = factories.make_theme(slug="inclusive", **LONG_THEME)
        factories.make_commitment(owner=owner, themes=[theme], status=Status.PARTIALLY_COMPLETED)
        return {
            width: _visit(browser, live_server.url, width, urls, lambda p: p.evaluate(_LABELS))
            for width in CHART_WIDTHS
        }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", CHART_WIDTHS)
def test_long_chart_labels_are_shown_whole_in_every_language(chart_labels, language, width):
    labels = chart_labels[width][_charts(language)]
    texts = {label["text"] for label in labels}

    assert LONG_OWNER["name" if language == "en" else f"name_{language}"] in texts
    assert LONG_THEME["name" if language == "en" else f"name_{language}"] in texts
    assert [label for label in labels if label["outside"] or label["intoFigure"]] == []


def test_a_per_member_commitments_badge_preview_fits_a_phone_in_every_language(open_at, db):
    _group, members, (commitment,) = factories.make_scorecard(members=11, commitments=1)
    factories.record_member_status(commitment, members[0], Status.COMPLETED)
    # "· 1/11 thành viên đã hoàn thành": the badge is wider than 375 px in Vietnamese.
    for prefix in ("", "/vi", "/id"):
        page = open_at(375, prefix + commitment.get_absolute_url())
        assert sideways_scroll(page) == 0, prefix
