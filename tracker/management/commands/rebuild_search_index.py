import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tracker import search_index
from tracker.models import ContentVersion


class Command(BaseCommand):
    help = (
        "Write every commitment's search document afresh (tracker/search_index.py). Every write "
        "through the app keeps them in step; run this after data was changed behind its back "
        "(raw SQL, a partial restore) or after a change to how words are normalised. One "
        "transaction: searches see the old index until the new one is complete. --check only "
        "says how many documents are missing or out of step."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: say how many documents are missing or differ, and exit 1 if any.",
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        if check:
            stale = search_index.out_of_step()
            if stale:
                self.stderr.write(
                    f"{len(stale):,} search document(s) missing or out of step, e.g. commitment "
                    f"{stale[0]}. Run manage.py rebuild_search_index."
                )
                raise SystemExit(1)
            self.stdout.write("Every search document is in step.")
            return
        started = time.monotonic()
        with transaction.atomic():
            written = search_index.rebuild()
            # Searches' pages are cached under the content version: move it on.
            ContentVersion.bump()
        self.stdout.write(
            f"Wrote {written:,} search document(s) in {time.monotonic() - started:.1f} s."
        )
