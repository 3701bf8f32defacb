"""docs/deploy.md and README's production section, checked as the runbook an operator pastes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

from tests.production import production_env, run

BASE = Path(settings.BASE_DIR)
GUIDE = (BASE / "docs" / "deploy.md").read_text()
README = (BASE / "README.md").read_text()


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def _section(title: str) -> str:
    start = GUIDE.index(f"## {title}")
    return GUIDE[start : GUIDE.find("\n## ", start + 1)]


def test_every_command_the_docs_name_exists():
    named = set(re.findall(r"manage\.py (\w+)", GUIDE + README))

    assert {"backup_database", "restore_database", "migrate"} <= named
    assert named <= set(get_commands())


def test_every_make_target_the_docs_name_exists():
    makefile = (BASE / "Makefile").read_text()
    named = set(re.findall(r"`make (?:clean )?([a-z-]+)", GUIDE + README))

    assert {"install", "deploy-check", "lock"} <= named
    for target in named:
        assert re.search(rf"^{re.escape(target)}:", makefile, re.M), f"no make {target}"


def test_the_cron_entry_has_no_percent_sign_which_cron_would_turn_into_a_newline():
    (cron,) = _blocks(GUIDE, "cron")

    assert "backup_database" in cron
    assert "%" not in cron


def test_nginx_passes_the_host_with_its_port_and_drops_unknown_hosts():
    (nginx,) = _blocks(GUIDE, "nginx")

    assert "proxy_set_header Host $http_host;" in nginx
    assert "proxy_set_header Host $host;" not in nginx
    catch_all = nginx[nginx.index("listen 80 default_server") :].split("}")[0]
    assert "return 444;" in catch_all
    assert "listen 443 ssl default_server;" in catch_all


def test_the_systemd_template_runs_one_instance_per_port_as_the_user_the_guide_creates():
    unit = next(block for block in _blocks(GUIDE, "ini") if "%i" in block)

    assert "Environment=PORT=%i" in unit
    assert "User=tracker" in unit
    assert "WorkingDirectory=/srv/tracker" in unit
    assert "useradd --system --home-dir /srv/tracker" in GUIDE
    assert "-o tracker -g tracker /var/backups/tracker" in GUIDE
    assert "systemctl enable --now tracker@8001" in GUIDE


def test_the_guides_database_role_may_not_create_databases():
    assert "--no-superuser --no-createdb --no-createrole tracker" in GUIDE
    assert "hostssl  tracker   tracker" in GUIDE
    assert "listen_addresses" in GUIDE


def test_an_upgrade_takes_a_backup_before_migrating_and_says_how_to_roll_back():
    upgrade = _section("7. Upgrading")

    assert upgrade.index("backup_database") < upgrade.index("migrate --noinput")
    assert "restore_database" in upgrade
    assert "git checkout" in upgrade


def test_the_guide_shows_how_to_firewall_gunicorn():
    assert "ip saddr 10.0.0.10 accept" in GUIDE
    assert "ufw allow from 10.0.0.10" in GUIDE
    assert "DJANGO_TRUSTED_PROXIES=10.0.0.10" in GUIDE


SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
call_command("migrate", verbosity=0)
# collectstatic is make serve's job; here the unhashed files do.
with override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}):
    print(json.dumps(Client(HTTP_HOST="127.0.0.1:8000").get("/").status_code))
"""


def test_the_readmes_plain_http_example_serves_pages():
    assert "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=0 make serve" in (
        README
    )
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_BEHIND_PROXY=None,
    )

    result = run("-c", SCRIPT, env=env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == 200
