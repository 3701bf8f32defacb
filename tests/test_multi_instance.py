"""Several app instances on one PostgreSQL and one shared Redis cache: never a stale page.

Starts a Redis server (Debian's redis-server) and two gunicorn instances on the test
database, fills both instances' shared cache, records a status update as an editor does (logged
into the first instance's admin, posting its update form with its CSRF token), and checks that
every affected page, feed and export on the other instance shows it at once; then stops Redis
and checks the instances go on answering, uncached, with fresh pages.

Needs PostgreSQL (DATABASE_URL, e.g. `bash .ci/with-postgres.sh env DJANGO_DEBUG=1
.venv/bin/pytest tests/test_multi_instance.py`) and redis-server (.ci/run installs it). Without
PostgreSQL the test is skipped (.ci/run runs the suite again on PostgreSQL, where it runs);
on PostgreSQL without redis-server it is skipped, except in CI (CI set), where it fails.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests import factories
from tests.crawl import make_public_site
from tests.forms import FormData
from tracker.models import Basis, Status, StatusUpdate

ROOT = Path(__file__).resolve().parent.parent


def _require() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: .ci/run runs it in its PostgreSQL pass (make test-postgres)")
    if not shutil.which("redis-server"):
        problem = "needs redis-server (Debian package redis-server)"
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def _get(base: str, path: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def redis_server(tmp_path):
    _require()
    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def instances(redis_server, tmp_path):
    """Two gunicorn instances on the test database, sharing the Redis cache."""
    _process, redis_url = redis_server
    env = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        REDIS_URL=redis_url,
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        TRACKER_PAGE_CACHE="1",
        DJANGO_CONN_MAX_AGE="0",
    )
    started = []
    for _ in range(2):
        port = _free_port()
        log = open(tmp_path / f"gunicorn-{port}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "config.wsgi"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        started.append((process, log, f"http://127.0.0.1:{port}"))
    try:
        for _process, _log, base in started:
            _wait_for(base + "/healthz")
        yield [base for _process, _log, base in started]
    finally:
        for process, log, _base in started:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def _affected(site) -> list[str]:
    commitment, theme, owner = site["commitment"], site["theme"], site["owner"]
    return [
        "/",
        commitment.get_absolute_url(),
        f"{commitment.get_absolute_url()}feed/",
        "/feeds/updates/",
        theme.get_absolute_url(),
        f"{theme.get_absolute_url()}feed/",
        owner.get_absolute_url(),
        f"{owner.get_absolute_url()}feed/",
        "/data/dataset.json",
    ]


def _shows_status(site) -> list[str]:
    slug = site["commitment"].slug
    return ["/commitments/", f"/commitments/{slug}/badge.svg", "/charts/",
            "/commitments/export.csv", "/commitments/export.json"]  # fmt: skip


class _Editor:
    """An editor's browser on one instance: cookies kept, forms read from the page and posted
    back with what the page holds (the CSRF token, the version the form was opened at)."""

    PASSWORD = "a-long-test-password"

    def __init__(self, base: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def _open(self, path: str, data: bytes | None = None) -> tuple[int, str, str]:
        url = self.base + path
        request = urllib.request.Request(url, data=data, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, url, error.read().decode()

    def submit(self, path: str, form_id: str, **changes: str) -> tuple[int, str, str]:
        """Post the form `form_id` of the page at `path`, some fields changed; redirects are
        followed. Returns the status, the address ended at and the page."""
        status, _url, html = self._open(path)
        assert status == 200, (path, status)
        parser = FormData(form_id)
        parser.feed(html)
        assert "csrfmiddlewaretoken" in parser.data, f"no CSRF token in {form_id} on {path}"
        data = {**parser.data, **{name: [value] for name, value in changes.items()}}
        body = urllib.parse.urlencode([(k, v) for k, values in data.items() for v in values])
        return self._open(path, body.encode())

    def log_in(self, username: str) -> None:
        status, url, _html = self.submit(
            "/admin/login/?next=/admin/", "login-form", username=username, password=self.PASSWORD
        )
        assert status == 200 and url == self.base + "/admin/", (status, url)

    def record_update(self, commitment, note: str, status: str) -> None:
        """The editors' daily task: the commitment's "Update" page, saved."""
        path = f"/admin/tracker/commitment/{commitment.pk}/update-status/"
        code, url, html = self.submit(
            path,
            "update-status-form",
            status=status,
            as_of="2026-05-01",
            note=note,
            basis=Basis.INDEPENDENT,
        )
        # Saved, the page goes back to the list of what needs review.
        assert code == 200 and url.endswith("/admin/tracker/commitment/?review=needed"), (
            code,
            url,
            html[:2000],
        )


def _record(site, note: str, status: str) -> None:
    site["commitment"].record_update(
        status=status, as_of=datetime.date(2026, 5, 1), note=note, basis=Basis.INDEPENDENT
    )


@pytest.mark.django_db(transaction=True)
def test_a_status_update_is_fresh_at_once_on_the_other_instance(instances, redis_server):
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    site = make_public_site()
    one, other = instances
    urls = _affected(site) + _shows_status(site)
    # Both instances fill the shared cache; the second one's visits are cache hits.
    for base in (one, other):
        for url in urls:
            status, _body, _headers = _get(base, url)
            assert status == 200, (base, url)
    import redis

    client = redis.Redis.from_url(redis_server[1])
    assert client.dbsize() > 0, "the instances should share pages through Redis"

    # An editor records the update through the first instance's admin.
    user = factories.make_user("multi-instance-editor", is_superuser=True)
    # Hashed as the instances hash (the tests' own settings use a fast hasher they lack).
    user.password = PBKDF2PasswordHasher().encode(_Editor.PASSWORD, "multi0instance0salt")
    user.save(update_fields=["password"])
    editor = _Editor(one)
    editor.log_in("multi-instance-editor")
    editor.record_update(site["commitment"], "Recorded through the first instance.", "delayed")
    recorded = StatusUpdate.objects.get(note="Recorded through the first instance.")
    assert recorded.author.username == "multi-instance-editor"

    for url in _affected(site):
        _status, body, _headers = _get(other, url)
        assert "Recorded through the first instance" in body, f"stale on the other instance: {url}"
    for url in _shows_status(site):
        _status, body, _headers = _get(other, url)
        assert "elayed" in body, f"stale on the other instance: {url}"

    # Redis stopped: slower, never an error page, never a stale page.
    redis_server[0].terminate()
    redis_server[0].wait(timeout=10)
    _record(site, "Recorded with Redis stopped.", Status.STALLED)
    for base in (one, other):
        for url in _affected(site):
            status, body, _headers = _get(base, url)
            assert status == 200, (base, url, status)
            assert "Recorded with Redis stopped." in body, (base, url)
