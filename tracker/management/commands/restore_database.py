from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from tracker import backups


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup made by backup_database, in one "
        "transaction: either all of the backup is restored or nothing changes. Stop the app "
        "first. Run it as the role the app connects as, which owns the tables; it needs no "
        "right to create databases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="The .dump or .sqlite3 file.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, backup: Path, interactive: bool, database: str, **options) -> None:
        connection = connections[database]
        db = connection.settings_dict
        where = f"{db['NAME']}" + (f" on {db['HOST']}" if db.get("HOST") else "")
        if interactive:
            answer = input(
                f"This replaces everything in the database {where} with {backup}.\n"
                f"Type the database name ({db['NAME']}) to go on: "
            )
            if answer.strip() != str(db["NAME"]):
                raise CommandError("Nothing restored.")
        # Our own open connection would hold locks the restore has to take.
        connection.close()
        backups.restore(db, backup)
        self.stdout.write(
            self.style.SUCCESS(f"Restored {backup} into {where}. Start the app instances again.")
        )
