"""Real-browser journeys: Playwright drives the system Chromium against a live server.

No browser is downloaded: the tests launch /usr/bin/chromium (Debian package `chromium`, which
.ci/run installs). Without it they are skipped on a developer's machine and fail in CI (CI set),
so a missing browser never passes silently there. One browser (tests/conftest.py) serves the
whole session; each test gets fresh browser contexts, one per person, so their sessions are
separate.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tracker.models import Basis, Commitment, Status, StatusUpdate

PASSWORD = "a-long-test-password"  # what factories.make_user() sets

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editors(browser, live_server) -> list:
    # Live-server tests empty the database after each test, groups included: make_editor()
    # puts the group back.
    return [factories.make_editor("editor"), factories.make_editor("other-editor")]


@pytest.fixture
def dialogs() -> list[str]:
    """Every alert, confirm or prompt any page opened; a page that runs a script shows here."""
    return []


@pytest.fixture
def open_page(browser, live_server, dialogs):
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield open_page
    for context in contexts:
        context.close()


def _log_in(page: Page, username: str, next_url: str) -> None:
    page.goto(f"/admin/login/?next={next_url}")
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


def _change_url(commitment: Commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/change/"


def test_an_editor_records_a_status_change_that_the_public_pages_show(
    open_page, editors, make_commitment, dialogs
):
    commitment = make_commitment(slug="connect-data-centres", title="Connect national data centres")
    page = open_page()

    _log_in(page, "editor", _change_url(commitment))
    page.get_by_label("New status:").select_option(label="In progress")
    page.get_by_label("As of:").fill("2026-03-02")
    page.get_by_label("Note:").fill("Ministers agreed a timetable for linking data centres.")
    page.get_by_label("Evidence URL:").fill("https://example.org/communique")
    page.get_by_label("Verified by the secretariat").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Status changed from Not yet assessed to In progress, as of 2 March 2026."
    )
    page.goto("/commitments/connect-data-centres/")
    status = page.locator(".status-box__status")
    expect(status).to_contain_text("In progress")
    expect(status).to_contain_text("as of 2 March 2026")
    update = page.locator(".update").first
    expect(update).to_contain_text("Ministers agreed a timetable for linking data centres.")
    expect(update).to_contain_text("Basis: Verified by the secretariat")
    expect(update.get_by_role("link", name="Evidence")).to_have_attribute(
        "href", "https://example.org/communique"
    )
    page.goto("/")
    latest = page.locator("section", has=page.get_by_role("heading", name="Latest updates"))
    expect(latest).to_contain_text("Ministers agreed a timetable for linking data centres.")
    expect(latest.get_by_role("link", name="Connect national data centres")).to_be_visible()
    expect(page.locator(".glance").get_by_role("link", name="1 active")).to_be_visible()
    update = StatusUpdate.objects.get()
    assert (update.author.username, update.basis) == ("editor", Basis.SECRETARIAT_VERIFIED)
    assert dialogs == []


def test_a_second_editors_stale_save_is_refused_with_the_message(
    open_page, editors, make_commitment
):
    commitment = make_commitment(title="Bridge", summary="A bridge will be built.")
    late, early = open_page(), open_page()
    _log_in(late, "editor", _change_url(commitment))
    _log_in(early, "other-editor", _change_url(commitment))

    early.get_by_label("Title:").fill("Build the estuary bridge")
    early.get_by_role("button", name="Save", exact=True).click()
    expect(early.locator(".messagelist")).to_contain_text("was changed successfully")
    late.get_by_label("Summary:").fill("A long bridge will be built.")
    late.get_by_role("button", name="Save", exact=True).click()

    expect(late.locator(".errornote")).to_be_visible()
    expect(late.locator(".errorlist.nonfield")).to_contain_text(
        "after you opened it. Nothing has been saved. Changed since you opened it: title."
    )
    expect(late.get_by_label("Title:")).to_have_value("Build the estuary bridge")
    expect(late.get_by_label("Summary:")).to_have_value("A long bridge will be built.")
    commitment.refresh_from_db()
    assert (commitment.title, commitment.summary) == (
        "Build the estuary bridge",
        "A bridge will be built.",
    )


def test_a_note_with_html_and_script_is_shown_as_text_and_runs_nothing(
    open_page, editors, make_commitment, dialogs
):
    note = (
        '<script>window.pwned = "script"; alert("script")</script>'
        "<img src=\"x\" onerror=\"window.pwned = 'img'; alert('img')\"> <b>bold?</b>"
    )
    commitment = make_commitment(slug="bridge", title="Bridge")
    commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note=note,
        basis=Basis.INDEPENDENT,
        evidence_url="https://example.org/report",
    )
    page = open_page()

    for url in ("/commitments/bridge/", "/"):
        page.goto(url)
        expect(page.locator(".update__note").first).to_have_text(note)
        assert page.locator(".update__note script, .update__note img, .update__note b").count() == 0
        assert page.evaluate("window.pwned") is None
    _log_in(page, "editor", _change_url(commitment))
    expect(page.locator(".field-note").last).to_contain_text('<script>window.pwned = "script";')
    assert page.evaluate("window.pwned") is None
    assert dialogs == []
