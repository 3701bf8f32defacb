"""The system Chromium and the page checkers the real-browser tests run.

- Chromium: /usr/bin/chromium (Debian package `chromium`), driven by Playwright; nothing is
  downloaded.
- axe-core (accessibility) and the Nu HTML checker (vnu.jar, run with Java): the npm packages
  pinned in tests/checkers/package-lock.json, installed by `make test` when npm is present.

A missing tool skips the tests that need it on a developer's machine and fails them in CI (the
environment variable CI set, as .ci/run does), so a check never passes there by not running.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHECKERS = Path(__file__).resolve().parent / "checkers"
AXE_JS = CHECKERS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = CHECKERS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_CHECKERS = "run `make test` with npm installed (it installs tests/checkers/node_modules)"


def require(present: bool, message: str) -> None:
    """Skip the test when a tool is missing, or fail it in CI."""
    if present:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_chromium() -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: install the Debian package chromium.")


def require_axe() -> None:
    require(AXE_JS.exists(), f"axe-core is missing ({AXE_JS}): {INSTALL_CHECKERS}.")


def require_vnu() -> None:
    require(VNU_JAR.exists(), f"The Nu HTML checker is missing ({VNU_JAR}): {INSTALL_CHECKERS}.")
    require(
        shutil.which("java") is not None,
        "Java is missing: install the Debian package default-jre-headless.",
    )


# --- axe-core ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    """A finding of Django's own admin that the project cannot fix cleanly: one rule, on the
    elements one CSS selector matches. Each is explained in docs/accessibility.md."""

    rule: str
    selector: str
    why: str


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    targets: list[str]
    # Exclusions that matched some of this rule's elements, which are then left out of targets.
    excluded_by: list[Exclusion] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help}, at {', '.join(self.targets)}"


_RUN_AXE = """async (exclusions) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((violation) => {
    const targets = [], excludedBy = [];
    for (const node of violation.nodes) {
      const element = document.querySelector(node.target[0]);
      const matched = exclusions.findIndex(([rule, selector]) =>
        rule === violation.id && element !== null && element.matches(selector));
      if (matched >= 0) excludedBy.push(matched); else targets.push(node.target.join(" "));
    }
    return {rule: violation.id, impact: violation.impact, help: violation.help, targets,
            excludedBy: [...new Set(excludedBy)]};
  });
}"""


def axe_violations(page: Page, exclusions: tuple[Exclusion, ...] = ()) -> list[Violation]:
    """What axe-core finds wrong on the page as it is now, with its default rules (WCAG 2.x A
    and AA, and best practices). Elements that an exclusion matches are left out of targets;
    a violation whose elements are all excluded comes back with none, naming the exclusions."""
    # Injected through the DevTools protocol, so the page's Content-Security-Policy (which
    # allows no inline script) stays in force and the page is checked as visitors get it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(_RUN_AXE, [[e.rule, e.selector] for e in exclusions])
    return [
        Violation(
            rule=v["rule"],
            impact=v["impact"],
            help=v["help"],
            targets=v["targets"],
            excluded_by=[exclusions[i] for i in v["excludedBy"]],
        )
        for v in found
    ]


# --- The Nu HTML checker ----------------------------------------------------------------------


@dataclass(frozen=True)
class HtmlMessage:
    type: str  # "error", "info" (with subtype "warning"), or "non-document-error"
    message: str
    line: int | None
    extract: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message} [{self.extract.strip()}]"


def check_html(documents: dict[str, str]) -> dict[str, list[HtmlMessage]]:
    """The Nu HTML checker's messages on each document, by name: one Java run for them all,
    since starting the JVM costs more than checking a page."""
    names = {f"{n:03d}.html": name for n, name in enumerate(documents)}
    with tempfile.TemporaryDirectory() as folder:
        for file, name in names.items():
            (Path(folder) / file).write_text(documents[name], encoding="utf-8")
        run = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always",
             *(str(Path(folder) / file) for file in names)],
            capture_output=True, text=True, timeout=600, check=True,
        )  # fmt: skip
    messages: dict[str, list[HtmlMessage]] = {name: [] for name in documents}
    for found in json.loads(run.stdout)["messages"]:
        # Each message names its file by URL (file:/tmp/.../007.html); one without a file is
        # the checker failing, which must not pass for a clean page.
        file = found.get("url", "").rsplit("/", 1)[-1]
        assert file in names, f"The Nu HTML checker failed: {found}"
        messages[names[file]].append(
            HtmlMessage(
                type=found["type"],
                message=found["message"],
                line=found.get("lastLine"),
                extract=found.get("extract", ""),
            )
        )
    return messages


# --- Layout -----------------------------------------------------------------------------------


def sideways_scroll(page: Page) -> int:
    """How many CSS pixels the whole page scrolls sideways (0: it fits the viewport). A table
    in its own scrolling container may scroll inside it: only the page as a whole counts."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
