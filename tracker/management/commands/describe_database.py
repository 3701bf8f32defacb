import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections


class Command(BaseCommand):
    help = (
        "Say which database DATABASE_URL selects (never its password), and warn when it is a "
        "SQLite database that does not exist yet or holds no tables. `make serve` runs it first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, **options) -> None:
        db = connections[database].settings_dict
        if not db["ENGINE"].endswith("sqlite3"):
            where = f" on {db['HOST']}:{db['PORT'] or 5432}" if db.get("HOST") else ""
            user = f" as {db['USER']}" if db.get("USER") else ""
            self.stdout.write(f"Database: PostgreSQL database {db['NAME']}{where}{user}")
            return
        path = Path(db["NAME"])
        self.stdout.write(f"Database: SQLite file {path}")
        if not path.exists() or not _has_tables(path):
            self.stderr.write(
                self.style.WARNING(
                    f"{path} is empty or does not exist: the site will start with no data. "
                    "Set DATABASE_URL to your database (see docs/deploy.md), or load the "
                    "ADGMIN commitments with: .venv/bin/python manage.py load_sources "
                    "fixtures/adgmin-2026.json"
                )
            )


def _has_tables(path: Path) -> bool:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (count,) = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    db.close()
    return count > 0
