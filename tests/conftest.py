import datetime
import os

import pytest
from django.test import Client
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from tests import factories
from tests.crawl import crawl, fetch_all, make_public_site
from tracker.models import Basis, Commitment, Status

# Property tests (Hypothesis): a bounded number of examples, most of them runs through the
# database, and no deadline, which a loaded machine would miss. In CI (CI set) the examples are
# the same on every run, so a failure there is reproduced with HYPOTHESIS_PROFILE=ci; locally
# they are new each run, which over time explores more. A test whose examples are costly asks
# for fewer itself.
hypothesis_settings.register_profile("dev", max_examples=25, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)


# `make test` runs the suite on every core with pytest-xdist. Each file goes whole to one
# worker, as with `--dist loadfile`, so a module fixture is built once; and the files sharing a
# session fixture that takes seconds (one crawl, one browser visit of every page) go to the
# same worker, or each worker would build it. (pytest-xdist's own `--dist loadgroup` marks
# are ignored since pytest 9.2: https://github.com/pytest-dev/pytest-xdist/issues/1386.)
SHARED_SETUPS = {
    "tests/test_accessibility.py": "site_visit",
    "tests/test_html_validity.py": "site_visit",
    "tests/test_mobile_layout.py": "site_visit",
    "tests/test_csp.py": "site_crawl",
    "tests/test_freshness.py": "site_crawl",
    "tests/test_languages.py": "site_crawl",
    "tests/test_security_crawl.py": "site_crawl",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Files and groups of files, biggest first, each to whichever worker is free next. Only
    for the default `--dist load`: another --dist is used as asked."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return SHARED_SETUPS.get(path, path)

    return SharedSetupScheduling(config, log)


def pytest_collection_modifyitems(items):
    """A file using a shared session fixture without being listed above would have it built
    again on a second worker: say so."""
    for item in items:
        path = item.nodeid.split("::")[0]
        for fixture in set(SHARED_SETUPS.values()) & set(item.fixturenames):
            if SHARED_SETUPS.get(path) != fixture:
                raise pytest.UsageError(
                    f"{path} uses {fixture}: add it to SHARED_SETUPS in tests/conftest.py"
                )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Each test starts in English, as a request to an English address does: the language a
    request activates stays active in the thread afterwards, and would otherwise change what
    the next test's reverse() and get_absolute_url() return."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_page_cache(settings):
    """Each test starts with an empty cache: a test's database is rolled back at its end, but
    the local-memory cache is not, and its pages name content versions that no longer exist.

    The page cache is off unless a test asks for it with the `page_cache` fixture: a view's
    own query budget is what most tests measure (the cache adds one query, reading the content
    version). tests/test_caching.py, test_freshness.py and the crawls turn it on.
    """
    from django.core.cache import cache

    settings.TRACKER_PAGE_CACHE = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache(_empty_page_cache, settings):
    """The public page cache on, as in production."""
    settings.TRACKER_PAGE_CACHE = True


@pytest.fixture
def make_source(db):
    return factories.make_source


@pytest.fixture
def make_actor(db):
    return factories.make_actor


@pytest.fixture
def make_theme(db):
    return factories.make_theme


@pytest.fixture
def make_commitment(db):
    return factories.make_commitment


@pytest.fixture
def make_group(db):
    return factories.make_group


@pytest.fixture
def make_member(db):
    return factories.make_member


@pytest.fixture
def admin_user(db):
    """An administrator: a superuser with every permission."""
    return factories.make_user("administrator", is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def editor(db):
    """An editor: staff, in the "Editors" group, not a superuser."""
    return factories.make_editor("editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def other_editor(db):
    """A second editor, for two people working on the same commitment."""
    return factories.make_editor("other-editor")


@pytest.fixture
def other_editor_client(other_editor):
    client = Client()
    client.force_login(other_editor)
    return client


@pytest.fixture(scope="session")
def site_crawl(django_db_setup, django_db_blocker) -> dict:
    """The public site of tests.crawl.make_public_site, crawled once for the whole session;
    then a status update, and every address the crawl found fetched again.

    Crawling takes seconds; the tests that check every public URL (drafts, internal notes,
    the Content-Security-Policy, broken links, no stale page after a write) share one crawl.
    The site is built in a transaction rolled back afterwards, so every other test still
    starts from an empty database. Use it through the two fixtures below.
    """
    from django.core.cache import cache

    client = Client()
    # With the page cache on, as in production (a session fixture cannot use `settings`).
    page_cache_on = override_settings(TRACKER_PAGE_CACHE=True)
    with page_cache_on, factories.rolled_back_afterwards(django_db_blocker):
        site = make_public_site()
        site["commitment"].proposer  # noqa: B018 — loaded now, while the row exists
        pages = crawl(client)
        # The crawl has filled the page cache; a fresh copy is written to, so that `site`
        # keeps the state the pages show.
        Commitment.objects.get(pk=site["commitment"].pk).record_update(
            status=Status.DELAYED,
            as_of=datetime.date(2026, 5, 1),
            note="Freshly delayed.",
            basis=Basis.INDEPENDENT,
        )
        served = fetch_all(client, pages)
        with override_settings(TRACKER_PAGE_CACHE=False):
            rendered = fetch_all(client, pages)
    cache.clear()
    return {"site": site, "pages": pages, "served": served, "rendered": rendered}


# The two below ask for `db` too, so that a test using one alone still has a test database.


@pytest.fixture
def crawled_site(site_crawl, db):
    """(site, pages): the site's objects (their fields, not their relations, which are gone
    with the rollback) and the crawled pages by address."""
    return site_crawl["site"], site_crawl["pages"]


@pytest.fixture
def crawled_site_after_a_status_update(site_crawl, db):
    """(served, rendered): after a status update, every address the crawl found as the page
    cache served it and as rendered afresh, each its status code and body."""
    return site_crawl["served"], site_crawl["rendered"]


@pytest.fixture(autouse=True, scope="session")
def _no_server_side_cursors_left_to_the_garbage_collector(django_db_setup, django_db_blocker):
    """On PostgreSQL, a download streamed with a server-side cursor that a test does not read
    to the end leaves a generator behind. When the garbage collector later finalises it in the
    middle of another query on the same connection, closing its cursor deadlocks psycopg.
    Servers close every response they send, so this happens only in tests: they read with
    ordinary cursors."""
    from django.db import connections

    for connection in connections.all():
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True


@pytest.fixture(autouse=True, scope="session")
def _listener_closed_before_the_test_database_is_dropped(django_db_setup):
    """On PostgreSQL each process listens for content changes on a connection of its own
    (tracker.versions); PostgreSQL refuses to drop a database somebody is still connected to."""
    from tracker.versions import _Listener

    yield
    _Listener.stop()


@pytest.fixture(scope="session")
def browser():
    """The system Chromium, driven by Playwright: one for the whole session."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, require_chromium

    require_chromium()
    # Playwright's sync API keeps an asyncio event loop in this thread, so Django refuses ORM
    # calls from the test as "async unsafe". They are not: nothing else uses this thread.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            yield browser
            browser.close()


@pytest.fixture(scope="session")
def site_visit(browser, live_server, django_db_blocker):
    """Every public page type and the editors' admin pages of tests.site_visit's small site,
    visited once for the whole session (see tests/site_visit.py).

    Only transactional tests may use it, since the live server must see the site: they run
    after all others, and the database is emptied after each of them.
    """
    from django.core.management import call_command

    from tests.site_visit import make_checked_site, visit_site

    with django_db_blocker.unblock():
        try:
            return visit_site(browser, live_server.url, make_checked_site())
        finally:
            call_command("flush", interactive=False, verbosity=0)
