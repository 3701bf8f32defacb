"""The Nu HTML checker finds no error in the HTML the server sends for any public page type or
any of the admin pages editors use.

The pages are those of tests/site_visit.py, visited once per session; all of them, and a
document with planted errors, are checked in one run of the checker (the JVM is slow to start).
"""

from __future__ import annotations

import pytest

from tests.browser import check_html, require_vnu
from tests.site_visit import ADMIN_PAGES, PUBLIC_PAGES

pytestmark = pytest.mark.django_db(transaction=True)

PLANTED = "planted errors"
PLANTED_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>Planted errors</title></head>
<body><main><h1>Planted errors</h1>
<p><img src="photo.jpg"> A photograph without alt text.</span></p>
<p id="twice">One id</p><p id="twice">used twice</p>
</main></body></html>"""


@pytest.fixture(scope="module")
def errors(site_visit) -> dict[str, list]:
    """Each document's errors (warnings left out), by ("public" or "admin", page name)."""
    require_vnu()
    documents = {PLANTED: PLANTED_HTML}
    for kind, pages in (("public", site_visit.public), ("admin", site_visit.admin)):
        documents.update({f"{kind}: {name}": visited.html for name, visited in pages.items()})
    messages = check_html(documents)
    return {name: [m for m in found if m.type == "error"] for name, found in messages.items()}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_are_valid_html(errors, name):
    found = errors[f"public: {name}"]

    assert found == [], f"{name}:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_are_valid_html(errors, name):
    found = errors[f"admin: {name}"]

    assert found == [], f"{name}:\n" + "\n".join(map(str, found))


def test_the_checker_reports_the_planted_errors_and_only_on_their_page(errors):
    """A checker that silently passes everything, or pins errors on the wrong page, fails."""
    messages = [error.message for error in errors[PLANTED]]

    assert any("“img” element must have an “alt” attribute" in m for m in messages), messages
    assert any("Stray end tag “span”" in m for m in messages), messages
    assert any("Duplicate ID “twice”" in m for m in messages), messages
    assert not any("twice" in e.message for name, found in errors.items() if name != PLANTED
                   for e in found)  # fmt: skip
