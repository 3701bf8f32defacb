"""One visit, in Chromium, to every public page type and to the admin pages editors use.

The accessibility, HTML-validity and mobile-layout tests all look at the same pages of the same
small site, so the site is built once and each page is loaded once per viewport width: axe-core
runs on it at 1280 and 375 px, its sideways scroll is measured at 360 px, and the HTML the
server sent is kept for the Nu HTML checker, which then checks every page in one run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page

from tests import factories
from tests.browser import AXE_JS, Exclusion, Violation, axe_violations, sideways_scroll
from tracker.models import Basis, Status

AXE_WIDTHS = (1280, 375)
# The narrowest phone the site is designed for; nothing may scroll sideways there.
NARROW = 360
PASSWORD = "a-long-test-password"  # what factories.make_user() sets

# Findings of axe-core on the admin that come from Django's own templates and scripts, not
# from the project's, and cannot be fixed cleanly from the project. docs/accessibility.md
# explains each, with its Django ticket; test_accessibility.py fails when one is no longer
# needed, so the list shrinks as Django fixes them.
# None today: the search box's label and the autocompletes' names are the project's own fixes.
ADMIN_EXCLUSIONS: tuple[Exclusion, ...] = ()

SOURCE_TEXT = """The ministers met in Hanoi on 15 January.

Connecting the region

1501 summit photo.jpg
The ministers at the opening. Photo: Example News

The ministers agreed to connect their national data centres by 2030.

They promised to lay a new undersea cable.

A wider view of the digital economy

The region's digital economy keeps growing, the minister said.

Trust and safety

Each nation will develop domestic data centres and share threat reports.

Du Lam"""


@dataclass
class Visited:
    """One page: what the server sent, and what the browser found at each width."""

    name: str
    url: str
    status: int = 0
    html: str = ""
    violations: dict[int, list[Violation]] = field(default_factory=dict)
    sideways: dict[int, int] = field(default_factory=dict)


@dataclass
class SiteVisit:
    public: dict[str, Visited]
    admin: dict[str, Visited]


def make_checked_site() -> dict:
    """A small published site with one of every kind of content the public pages show: every
    progress bucket, an overdue commitment, member states with statuses of their own, a source
    with headings and a scraped image line, a draft and an internal note; and an editor."""
    editor = factories.make_editor("checker")
    source = factories.make_source(
        slug="hanoi-summit",
        title="Ministers meet in Hanoi",
        author="Du Lam",
        url="https://example.org/hanoi-summit",
        full_text=SOURCE_TEXT,
    )
    minister = factories.make_actor(
        slug="the-minister",
        name="The Minister",
        kind="person",
        role="Minister of Science and Technology",
    )
    ministry = factories.make_actor(slug="the-ministry", name="The Ministry", kind="government")
    secretariat = factories.make_actor(slug="the-secretariat", name="The Secretariat")
    infrastructure = factories.make_theme(
        slug="infrastructure",
        name="Infrastructure",
        description="Cables, networks and data centres.",
    )
    trust = factories.make_theme(slug="trust", name="Trust and safety")
    group = factories.make_group(slug="asean", name="ASEAN")
    members = [
        factories.make_member(group=group, slug=slug, name=name)
        for slug, name in (("viet-nam", "Viet Nam"), ("cambodia", "Cambodia"), ("laos", "Laos"))
    ]

    def commitment(slug, title, quote, heading, **kwargs):
        return factories.make_commitment(
            slug=slug,
            title=title,
            quote=quote,
            heading=heading,
            source=source,
            proposer=minister,
            owner=kwargs.pop("owner", ministry),
            **kwargs,
        )

    centres = commitment(
        "connect-data-centres",
        "Connect national data centres by 2030",
        "connect their national data centres by 2030",
        "Connecting the region",
        partners=[secretariat],
        themes=[infrastructure],
        target_date=datetime.date(2030, 12, 31),
    )
    centres.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 2),
        basis=Basis.SECRETARIAT_VERIFIED,
        note="Ministers agreed a timetable.",
        evidence_url="https://example.org/communique",
        author=editor,
    )
    centres.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        basis=Basis.SELF_REPORTED,
        note="Internal: waiting for the ministry's reply.",
        is_public=False,
    )
    cable = commitment(
        "lay-undersea-cable",
        "Lay a new undersea cable",
        "lay a new undersea cable",
        "Connecting the region",
        themes=[infrastructure],
        # Passed and not delivered: overdue.
        target_date=datetime.date(2026, 6, 30),
    )
    cable.record_update(
        status=Status.DELAYED,
        as_of=datetime.date(2026, 7, 1),
        basis=Basis.INDEPENDENT,
        note="The survey ship is late.",
    )
    national = commitment(
        "develop-data-centres",
        "Develop domestic data centres in each nation",
        "Each nation will develop domestic data centres",
        "Trust and safety",
        owner=secretariat,
        themes=[infrastructure, trust],
        member_group=group,
    )
    factories.record_member_status(
        national, members[0], Status.COMPLETED, evidence_url="https://example.org/centre"
    )
    factories.record_member_status(national, members[1], Status.IN_PROGRESS)
    threats = commitment(
        "share-threat-reports",
        "Share threat reports",
        "share threat reports",
        "Trust and safety",
        themes=[trust],
    )
    threats.record_update(
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 5, 4),
        basis=Basis.SECRETARIAT_VERIFIED,
        note="The first reports were shared.",
    )
    factories.make_commitment(slug="a-draft", title="A draft", source=source, is_published=False)
    return {
        "national": national,
        "joint": centres,
        "update": national.updates.latest("pk"),
        "editor": editor,
    }


# Every public page type, by name. The slugs are those make_checked_site() gives.
PUBLIC_PAGES = {
    "front page": "/",
    "commitment list": "/commitments/",
    "commitment list as a table": "/commitments/?view=table",
    "commitment list with an invalid filter": "/commitments/?status=nonsense&q=cable",
    "commitment": "/commitments/connect-data-centres/",
    "commitment carried out by each member state": "/commitments/develop-data-centres/",
    "print page": "/commitments/print/",
    "source": "/sources/hanoi-summit/",
    "themes": "/themes/",
    "theme": "/themes/infrastructure/",
    "actors": "/actors/",
    "actor": "/actors/the-ministry/",
    "statuses": "/statuses/",
    "charts": "/charts/",
    "data": "/data/",
    "scorecard": "/scorecard/",
    "scorecard methodology": "/scorecard/methodology/",
    "about, contact and corrections": "/about/",
    "member states": "/members/",
    "member state": "/members/viet-nam/",
    "page not found": "/no-such-page/",
    # The same checks in the other languages, whose words are longer and whose pages mark
    # English fallbacks with lang="en".
    "front page in Vietnamese": "/vi/",
    "commitment list as a table in Vietnamese": "/vi/commitments/?view=table",
    "commitment in Indonesian": "/id/commitments/develop-data-centres/",
    "source in Indonesian": "/id/sources/hanoi-summit/",
    "scorecard in Vietnamese": "/vi/scorecard/",
    "about in Indonesian": "/id/about/",
}
# The admin pages editors use, by name; {national} is the member-state commitment's key and
# {update} a status update's. The bulk status change is the page an action opens: it has no
# address of its own.
ADMIN_PAGES = {
    "log-in page": "/admin/login/?next=/admin/",
    "admin index with the work queue": "/admin/",
    "commitment changelist": "/admin/tracker/commitment/",
    "commitment change page": "/admin/tracker/commitment/{national}/change/",
    # Without a member group: the empty single-choice autocomplete must still have a name.
    "commitment change page of a joint commitment": "/admin/tracker/commitment/{joint}/change/",
    "commitment changelist searched": "/admin/tracker/commitment/?q=cable",
    "update-status form": "/admin/tracker/commitment/{national}/update-status/",
    "member grid": "/admin/tracker/commitment/{national}/members/",
    "bulk status change": "/admin/tracker/commitment/",
    "status-update changelist": "/admin/tracker/statusupdate/",
    "status-update change page": "/admin/tracker/statusupdate/{update}/change/",
}


def _check(page: Page, visited: Visited, width: int, exclusions=()) -> None:
    if AXE_JS.exists():
        visited.violations[width] = axe_violations(page, exclusions)


def _open(page: Page, visited: Visited, width: int, exclusions=()) -> None:
    response = page.goto(visited.url)
    if not visited.html:
        visited.status, visited.html = response.status, response.text()
    _check(page, visited, width, exclusions)


def _log_in(page: Page, visited: Visited, width: int, username: str) -> None:
    _open(page, visited, width, ADMIN_EXCLUSIONS)
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def _open_bulk_status_change(page: Page, visited: Visited, width: int) -> None:
    page.goto(visited.url)
    for checkbox in page.locator("input[name=_selected_action]").all()[:2]:
        checkbox.check()
    page.locator("select[name=action]").select_option("change_status")
    with page.expect_navigation() as navigation:
        page.locator("button[name=index]").click()
    response = navigation.value
    if not visited.html:
        visited.status, visited.html = response.status, response.text()
    _check(page, visited, width, ADMIN_EXCLUSIONS)


def visit_site(browser: Browser, base_url: str, site: dict) -> SiteVisit:
    """Load every page at each width, checking it with axe-core where it is installed."""
    keys = {key: site[key].pk for key in ("national", "joint", "update")}
    public = {name: Visited(name, url) for name, url in PUBLIC_PAGES.items()}
    admin = {name: Visited(name, url.format(**keys)) for name, url in ADMIN_PAGES.items()}
    for width in (*AXE_WIDTHS, NARROW):
        context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        for visited in public.values():
            if width == NARROW:
                page.goto(visited.url)
                visited.sideways[width] = sideways_scroll(page)
            else:
                _open(page, visited, width)
        if width != NARROW:
            _log_in(page, admin["log-in page"], width, site["editor"].username)
            for name, visited in admin.items():
                if name == "bulk status change":
                    _open_bulk_status_change(page, visited, width)
                elif name != "log-in page":
                    _open(page, visited, width, ADMIN_EXCLUSIONS)
        context.close()
    return SiteVisit(public, admin)
