"""Back up the database to a private file and restore it: `backup_database`, `restore_database`.

PostgreSQL goes through its own tools (pg_dump, pg_restore, psql), connected as the role
DATABASE_URL names, which owns the tables but may not create databases. SQLite goes through
its online backup API, safe while the app runs. The password never appears on a command line,
where `ps` shows it to every user of the machine: the tools get it in PGPASSWORD, or find it in
the password file PGPASSFILE names.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import CommandError

# Backup files are named PREFIX-<database>-<UTC time>.<suffix>, so they sort by age and
# `--keep` can recognise its own files and touch nothing else in the folder.
PREFIX = "tracker"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}


def vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise CommandError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def libpq_command(program: str, db: dict, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line for a PostgreSQL client tool, and its environment with the password.

    Host, port, user and database are arguments; the password is only ever in the environment.
    """
    command = [program]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command.append(f"{option}={db[key]}")
    command += [*args, f"--dbname={db['NAME']}"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = db.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return command, env


def _run(command: list[str], env: dict[str, str] | None = None, **kwargs) -> None:
    try:
        result = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True, **kwargs)
    except FileNotFoundError:
        raise CommandError(
            f"{command[0]} is not installed. Debian: apt-get install postgresql-client "
            "(the same major version as the server, or newer)."
        ) from None
    if result.returncode != 0:
        raise CommandError(f"{command[0]} failed: {result.stderr.strip()}")


def _private_file(path: Path) -> None:
    """Create an empty file only its owner can read, whatever the umask; never overwrite one."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def backup(db: dict, folder: Path, now: datetime.datetime | None = None) -> Path:
    """Write a backup of `db` into `folder` (created, private) and return its path.

    The backup is written under a temporary name and renamed once complete and readable, so a
    file with the final name is always a whole backup.
    """
    kind = vendor(db)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    name = Path(str(db["NAME"])).name if kind == "sqlite" else db["NAME"]
    final = folder / f"{PREFIX}-{Path(name).stem}-{now:%Y%m%dT%H%M%SZ}{SUFFIXES[kind]}"
    partial = final.with_name(final.name + ".partial")
    _private_file(partial)
    try:
        if kind == "postgresql":
            command, env = libpq_command("pg_dump", db, "--format=custom")
            with partial.open("wb") as out:
                _run(command, env, stdout=out)
            # pg_restore reads the table of contents back: a truncated dump fails here.
            _run(["pg_restore", "--list", str(partial)], stdout=subprocess.DEVNULL)
        else:
            _backup_sqlite(Path(db["NAME"]), partial)
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.exists():
        raise CommandError(f"There is no SQLite database at {source}.")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
        with sqlite3.connect(target) as dst:
            src.backup(dst)
            (check,) = dst.execute("PRAGMA integrity_check").fetchone()
        dst.close()
    src.close()
    if check != "ok":
        raise CommandError(f"The copy of {source} fails SQLite's integrity check: {check}")


def prune(folder: Path, db: dict, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups of `db` in `folder`; return what was deleted."""
    name = Path(str(db["NAME"])).stem if vendor(db) == "sqlite" else db["NAME"]
    mine = sorted(folder.glob(f"{PREFIX}-{name}-*{SUFFIXES[vendor(db)]}"))
    doomed = mine[:-keep] if keep else []
    for path in doomed:
        path.unlink()
    return doomed


def restore(db: dict, dump: Path) -> None:
    """Replace everything in `db` with the contents of the backup `dump`, all or nothing."""
    if not dump.is_file():
        raise CommandError(f"There is no backup file at {dump}.")
    if vendor(db) == "sqlite":
        with sqlite3.connect(f"file:{dump}?mode=ro", uri=True) as src:
            with sqlite3.connect(db["NAME"]) as dst:
                src.backup(dst)
            dst.close()
        src.close()
        return
    _run(["pg_restore", "--list", str(dump)], stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as scratch:  # private (0700), removed afterwards
        script = Path(scratch) / "restore.sql"
        _private_file(script)
        # Owners and grants name roles that may not exist here; the restoring role owns all.
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        )
        # One transaction: drop everything the app's role owns (including tables a failed
        # upgrade added, which --clean would leave behind), then recreate it from the backup.
        # Any error rolls the whole of it back and leaves the database as it was.
        command, env = libpq_command(
            "psql",
            db,
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            "--single-transaction",
            "--command=DROP OWNED BY CURRENT_USER",
            f"--file={script}",
        )
        _run(command, env, stdout=subprocess.DEVNULL)
