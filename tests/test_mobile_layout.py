"""On a 360 px phone no public page scrolls sideways; a wide table scrolls inside its own
container instead. The pages are those of tests/site_visit.py, visited once per session."""

from __future__ import annotations

import pytest

from tests.browser import sideways_scroll
from tests.site_visit import NARROW, PUBLIC_PAGES

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
