"""The shipped catalogues (locale/): complete, not fuzzy, compiled, and up to date with the
code and templates. `make messages` updates and compiles them."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _entries(po: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr(s) and flags. Enough
    of the format for the catalogues makemessages writes."""
    entries, entry, field = [], None, None

    def unquote(text: str) -> str:
        return text.strip()[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")

    for raw in po.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            if entry is not None and "msgid" in entry and not line.startswith("#"):
                entries.append(entry)
                entry = None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("msgctxt "):
            field, entry["msgctxt"] = "msgctxt", unquote(line[8:])
        elif line.startswith("msgid_plural "):
            field, entry["msgid_plural"] = "msgid_plural", unquote(line[13:])
        elif line.startswith("msgid "):
            field, entry["msgid"] = "msgid", unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            field = ("msgstr", index)
            entry["msgstr"][index] = unquote(line[line.index("]") + 1 :])
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = unquote(line[7:])
        elif line.startswith('"'):
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += unquote(line)
            else:
                entry[field] += unquote(line)
    return [e for e in entries if e["msgid"]]


def _key(entry: dict) -> str:
    """The message as gettext looks it up: with its context (pgettext), if it has one."""
    if "msgctxt" in entry:
        return f"{entry['msgctxt']}\x04{entry['msgid']}"
    return entry["msgid"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")

    assert len(entries) > 400
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_holds_exactly_the_po_files_translations(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    for entry in _entries(folder / "django.po"):
        key = (_key(entry), 0) if "msgid_plural" in entry else _key(entry)
        assert compiled.get(key) == entry["msgstr"][0], f"run make messages: {entry['msgid']!r}"


def _gettext_tools() -> bool:
    return bool(shutil.which("xgettext") and shutil.which("msgmerge"))


@pytest.mark.skipif(
    not _gettext_tools() and not os.environ.get("CI"),
    reason="needs GNU gettext (apt-get install gettext); CI installs it",
)
def test_the_catalogues_are_up_to_date_with_the_code_and_templates(tmp_path):
    """makemessages over a copy of the project finds exactly the messages shipped: none
    missing (a new string nobody translated), none left over."""
    root = Path(settings.BASE_DIR)
    for name in ["config", "tracker", "templates", "locale", "manage.py"]:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete",
         *[f"--locale={language}" for language in LANGUAGES]],
        cwd=tmp_path, check=True, capture_output=True,
        env={**os.environ, "DJANGO_DEBUG": "1"},
    )  # fmt: skip
    for language in LANGUAGES:
        relative = Path(language) / "LC_MESSAGES" / "django.po"
        shipped = {_key(e) for e in _entries(LOCALE / relative)}
        current = {_key(e) for e in _entries(tmp_path / "locale" / relative)}
        assert current - shipped == set(), f"new messages: run make messages ({language})"
        assert shipped - current == set(), f"messages no longer used ({language})"


@pytest.mark.parametrize(
    ("language", "expected"), [("vi", "%(counter)s cam kết"), ("id", "%(counter)s komitmen")]
)
def test_the_compiled_catalogue_knows_its_plural_forms(language, expected):
    """A fuzzy header is left out of the .mo, and with it "nplurals=1": every plural would
    then fall back to English."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)

    assert catalogue.info()["plural-forms"] == "nplurals=1; plural=0;"
    for n in (0, 1, 2, 21):
        assert (
            catalogue.ngettext("%(counter)s commitment", "%(counter)s commitments", n) == expected
        )
