from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from tracker import backups


class Command(BaseCommand):
    help = (
        "Back up the database into a private file (mode 0600) in --dir, created if missing: "
        "pg_dump's custom format for PostgreSQL, a copy for SQLite. The password is never put "
        "on a command line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=Path("/var/backups/tracker"),
            help="Folder for the backups (default /var/backups/tracker).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Then delete all but the N newest backups of this database in --dir "
            "(default 0: delete nothing).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, dir: Path, keep: int, database: str, **options) -> None:
        db = connections[database].settings_dict
        path = backups.backup(db, dir)
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}"))
        for old in backups.prune(dir, db, keep):
            self.stdout.write(f"Deleted the older backup {old}")
