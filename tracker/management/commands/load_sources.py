import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.models import Source


def _source_slugs(path: Path) -> list[str]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: not valid JSON, line {error.lineno}: {error.msg}.") from None
    try:
        return [r["fields"]["slug"] for r in records if r.get("model") == "tracker.source"]
    except (AttributeError, KeyError, TypeError):
        raise CommandError(f"{path}: every tracker.source record needs a fields.slug.") from None


class Command(BaseCommand):
    help = (
        "Load fixture files whose sources are not in the database yet. A fixture whose sources "
        "are all loaded is skipped, so running this again never overwrites editors' work."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Fixture files (JSON).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be loaded; write nothing."
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, **options) -> None:
        for path in paths:
            slugs = _source_slugs(path)
            if not slugs:
                raise CommandError(f"{path}: contains no tracker.source record.")
            present = set(Source.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            if present == set(slugs):
                self.stdout.write(
                    f"{path}: already loaded ({', '.join(sorted(present))}); skipped."
                )
                continue
            if present:
                # Loading would overwrite the sources already here with the file's version.
                raise CommandError(
                    f"{path}: some of its sources are loaded ({', '.join(sorted(present))}) "
                    f"and some are not. Load it with `manage.py loaddata {path}` if you mean "
                    "to overwrite them."
                )
            if dry_run:
                self.stdout.write(f"{path}: would load {', '.join(slugs)}.")
                continue
            # loaddata runs in one transaction: a bad record leaves nothing half-written.
            call_command("loaddata", str(path), verbosity=0)
            self.stdout.write(self.style.SUCCESS(f"{path}: loaded {', '.join(slugs)}."))
