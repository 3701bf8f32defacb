"""The app as it runs in production: DEBUG off, https, security headers, hashed static files.

One separate process starts Django with the documented production environment, migrates an
in-memory database, runs collectstatic into a temporary folder and makes the requests; the
tests read what it saw.
"""

from __future__ import annotations

import json
import runpy
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.production import production_env, run

SCRIPT = """
import json, re, sys
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

call_command("migrate", verbosity=0)
with override_settings(STATIC_ROOT=sys.argv[1]):
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    seen = {}

    def fetch(name, url, **kwargs):
        response = client.get(url, **kwargs)
        seen[name] = {
            "status": response.status_code,
            "headers": dict(response.headers),
            "cookies": {name: morsel.output() for name, morsel in response.cookies.items()},
            "body": b"".join(response).decode("utf-8", "replace")[:20000],
        }
        return seen[name]

    home = fetch("home", "/", secure=True)
    css = re.search(r'href="(/static/css/[^"]+)"', home["body"]).group(1)
    fetch("css", css, secure=True)
    fetch("css_unhashed", "/static/css/site.css", secure=True)
    fetch("home_over_http", "/")
    fetch("home_via_proxy", "/", HTTP_X_FORWARDED_PROTO="https")
    fetch("healthz_over_http", "/healthz")
    fetch("admin_login", "/admin/login/", secure=True)
    fetch("not_found", "/commitments/no-such-thing/", secure=True)
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    static_root = tmp_path_factory.mktemp("static")
    result = run("-c", SCRIPT, str(static_root), env=production_env())
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    seen["static_root"] = static_root
    return seen


# Security headers


def test_pages_are_served_with_the_security_headers(production):
    headers = production["home"]["headers"]

    assert production["home"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_error_pages_carry_the_security_headers_too(production):
    page = production["not_found"]

    assert page["status"] == 404
    assert "Page not found" in page["body"]
    assert "Traceback" not in page["body"]
    assert "frame-ancestors 'none'" in page["headers"]["Content-Security-Policy"]


def test_cookies_are_sent_only_over_https(production):
    cookie = production["admin_login"]["cookies"]["csrftoken"]

    assert "; Secure" in cookie
    assert "SameSite=Lax" in cookie


# HTTPS


def test_plain_http_is_redirected_to_https(production):
    page = production["home_over_http"]

    assert page["status"] == 301
    assert page["headers"]["Location"] == "https://testserver/"


def test_https_terminated_at_the_proxy_is_recognised(production):
    assert production["home_via_proxy"]["status"] == 200


def test_a_load_balancer_can_check_health_over_plain_http(production):
    page = production["healthz_over_http"]

    assert page["status"] == 200
    assert json.loads(page["body"]) == {"status": "ok"}


# Static files


def test_pages_link_hashed_static_files(production):
    assert "/static/css/site." in production["home"]["body"]
    assert 'href="/static/css/site.css"' not in production["home"]["body"]


def test_hashed_static_files_are_cached_for_ever(production):
    css = production["css"]

    assert css["status"] == 200
    assert css["headers"]["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "--muted" in css["body"]


def test_unhashed_static_names_are_not_cached_for_ever(production):
    cache_control = production["css_unhashed"]["headers"]["Cache-Control"]

    assert "immutable" not in cache_control


def test_collectstatic_writes_a_manifest_and_compressed_copies(production):
    static_root = Path(production["static_root"])
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]

    assert hashed != "css/site.css"
    assert (static_root / hashed).exists()
    assert (static_root / f"{hashed}.gz").exists()


# make serve and gunicorn


def _make_serve(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "serve"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_serve_refuses_to_start_without_a_secret_key():
    result = _make_serve(production_env(DJANGO_SECRET_KEY=None))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_make_serve_refuses_to_start_without_allowed_hosts():
    result = _make_serve(production_env(DJANGO_ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


GUNICORN_CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


def test_gunicorn_runs_two_workers_per_core_plus_one_by_default(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)

    config = runpy.run_path(str(GUNICORN_CONF))

    assert config["workers"] == 5
    assert config["accesslog"] == "-"


def test_gunicorn_caps_the_default_workers(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 64)

    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == 8


def test_gunicorn_takes_workers_and_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("PORT", "9000")

    config = runpy.run_path(str(GUNICORN_CONF))

    assert config["workers"] == 3
    assert config["bind"] == "127.0.0.1:9000"


def test_gunicorn_refuses_nonsense_workers(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "lots")

    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number"):
        runpy.run_path(str(GUNICORN_CONF))
