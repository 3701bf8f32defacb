"""Production installs config/requirements.lock: runtime dependencies pinned with hashes, and no
dev tools."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((BASE / "pyproject.toml").read_text())
# A pinned requirement, its hashes on the continuation lines that follow it.
PINNED = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?P<rest>.*?)(?=^\S|\Z)", re.M | re.S
)
# Pulled in only by the dev extra: the test runner, linters, the browser driver and their own
# dependencies. None of them may reach a production machine.
DEV_ONLY = {"pytest", "pytest-django", "pytest-xdist", "ruff", "feedparser", "playwright"} | {
    "hypothesis",
    "uv",
    "execnet",
    "greenlet",
    "pyee",
    "iniconfig",
    "pluggy",
    "pygments",
    "sortedcontainers",
    "sgmllib3k",
}


def _locked() -> dict[str, tuple[str, str]]:
    text = (BASE / "config/requirements.lock").read_text()
    return {
        canonicalize_name(match["name"]): (match["version"], match["rest"])
        for match in PINNED.finditer(text)
    }


def _production_requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    names = project["dependencies"] + project["optional-dependencies"]["redis"]
    return [Requirement(name) for name in names]


def test_the_lock_pins_every_production_dependency_within_pyprojects_bounds():
    locked = _locked()

    for requirement in _production_requirements():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in config/requirements.lock: run make lock"
        version, _ = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"config/requirements.lock pins {name}=={version}, outside {requirement.specifier}: "
            "run make lock"
        )
        for extra in requirement.extras:  # psycopg[binary] needs psycopg-binary too
            assert canonicalize_name(f"{name}-{extra}") in locked


def test_every_locked_package_carries_its_hash():
    locked = _locked()

    assert len(locked) >= len(_production_requirements())
    for name, (_, rest) in locked.items():
        assert "--hash=sha256:" in rest, f"{name} has no hash in config/requirements.lock"


def test_the_lock_contains_no_development_tool():
    dev_extra = {
        canonicalize_name(Requirement(name).name)
        for name in PYPROJECT["project"]["optional-dependencies"]["dev"]
    }

    assert dev_extra <= DEV_ONLY  # the list above knows every dev tool
    assert not DEV_ONLY & set(_locked())


def _make_dry_run(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", *args],
        cwd=BASE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_install_installs_only_the_lock_checking_hashes():
    commands = _make_dry_run("--always-make", "install")

    assert "pip install --quiet --require-hashes --no-deps -r config/requirements.lock" in commands
    assert "[dev]" not in commands


@pytest.mark.parametrize("changed", ["config/requirements.lock", "pyproject.toml"])
def test_a_changed_lock_or_pyproject_reinstalls_the_development_environment(changed):
    # --what-if pretends the file just changed, without touching it.
    commands = _make_dry_run(f"--what-if={changed}", ".venv/bin/.installed")

    assert "pip install --quiet -e '.[dev]'" in commands
    if changed == "config/requirements.lock":
        assert "-r config/requirements.lock" in commands


def test_serving_needs_only_the_production_install():
    commands = _make_dry_run(
        "--always-make", "serve", "DJANGO_SECRET_KEY=x", "DJANGO_ALLOWED_HOSTS=x"
    )

    assert "-r config/requirements.lock" in commands
    assert "[dev]" not in commands
