"""axe-core, in Chromium, finds nothing wrong on any public page type at 1280 and 375 px, and
nothing critical or serious from the project's own templates on the admin pages editors use.

The pages are those of tests/site_visit.py, visited once per session. Findings of Django's own
admin that the project cannot fix are excluded one by one (ADMIN_EXCLUSIONS, explained in
docs/accessibility.md), and a test fails once an exclusion is no longer needed.
"""

from __future__ import annotations

import pytest

from tests.browser import Exclusion, axe_violations, require_axe
from tests.site_visit import ADMIN_EXCLUSIONS, ADMIN_PAGES, AXE_WIDTHS, PUBLIC_PAGES

pytestmark = pytest.mark.django_db(transaction=True)

SERIOUS = ("critical", "serious")


@pytest.fixture(scope="module")
def checked(site_visit):
    require_axe()
    return site_visit


@pytest.mark.parametrize("width", AXE_WIDTHS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_accessibility_violations(checked, name, width):
    visited = checked.public[name]

    violations = [v for v in visited.violations[width] if v.targets]

    assert violations == [], f"{name} ({visited.url}) at {width} px:\n" + "\n".join(
        map(str, violations)
    )


@pytest.mark.parametrize("width", AXE_WIDTHS)
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_have_no_critical_or_serious_violations_of_our_own(checked, name, width):
    visited = checked.admin[name]

    violations = [v for v in visited.violations[width] if v.targets and v.impact in SERIOUS]

    assert visited.status == 200
    assert violations == [], f"{name} ({visited.url}) at {width} px:\n" + "\n".join(
        map(str, violations)
    )


def test_every_excluded_admin_finding_still_occurs(checked):
    """An exclusion that matches nothing any more hides nothing, but would hide a new finding
    of the same rule there: once Django fixes one, it goes (and its line in the docs)."""
    met = {
        exclusion
        for visited in checked.admin.values()
        for violations in visited.violations.values()
        for violation in violations
        for exclusion in violation.excluded_by
    }

    assert [e for e in ADMIN_EXCLUSIONS if e not in met] == []


PLANTED = """<!DOCTYPE html>
<html lang="en"><head><title>Planted violations</title></head>
<body><main><h1>Planted violations</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">
<form><input type="text" name="unlabelled" id="unlabelled"></form>
<p class="pale" id="pale">Text nobody can read</p>
<style>.pale { color: #eee; background: #fff; }</style>
</main></body></html>"""


def test_the_checker_reports_planted_violations(browser):
    """The runner the checks above use finds an image without alt text, an input without a
    label and unreadable text: a checker that silently passes every page fails here."""
    require_axe()
    page = browser.new_page()
    page.set_content(PLANTED)

    found = {v.rule: v.targets for v in axe_violations(page)}
    page.close()

    assert found["image-alt"] == ["img"]
    assert found["label"] == ["#unlabelled"]
    assert found["color-contrast"] == ["#pale"]


def test_an_exclusion_leaves_out_only_the_elements_it_names(browser):
    require_axe()
    page = browser.new_page()
    page.set_content(PLANTED.replace("<form>", '<form><input type="text" id="named-one">'))
    exclusion = Exclusion(rule="label", selector="#named-one", why="A test.")

    found = {v.rule: v for v in axe_violations(page, (exclusion,))}
    page.close()

    assert found["label"].targets == ["#unlabelled"]
    assert found["label"].excluded_by == [exclusion]
    assert found["image-alt"].excluded_by == []


@pytest.mark.parametrize("width", AXE_WIDTHS)
def test_a_searched_changelist_has_no_violations_at_all(checked, width):
    # Its search box is labelled in words (templates/admin/search_form.html), not excluded.
    visited = checked.admin["commitment changelist searched"]

    assert visited.status == 200
    assert [str(v) for v in visited.violations[width]] == []


@pytest.mark.parametrize("width", AXE_WIDTHS)
@pytest.mark.parametrize(
    "name", ["commitment change page", "commitment change page of a joint commitment"]
)
def test_every_field_of_the_commitment_change_page_has_a_name(checked, name, width):
    visited = checked.admin[name]

    unnamed = [
        str(v)
        for v in visited.violations[width]
        if v.rule in ("aria-input-field-name", "label", "label-title-only")
    ]

    assert visited.status == 200
    assert unnamed == []
