from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tracker import tallies
from tracker.models import ContentVersion


class Command(BaseCommand):
    help = (
        "Count the summaries' precomputed figures (status counts per source, theme, actor and "
        "member state) afresh and say how many were wrong. Every write through the app keeps "
        "them exact; run it after changing data behind the app's back (raw SQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many figures are wrong."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        with transaction.atomic():
            fresh, stored = +tallies.contributions(), tallies.stored()
            wrong = {key for key in fresh.keys() | stored.keys() if fresh[key] != stored[key]}
            if not wrong:
                self.stdout.write(self.style.SUCCESS(f"All {len(fresh)} figures are right."))
                return
            if dry_run:
                self.stdout.write(self.style.WARNING(f"{len(wrong)} figures are wrong."))
                return
            tallies.recount()
            # The public pages show these figures: cached copies are now stale.
            ContentVersion.bump()
        self.stdout.write(self.style.SUCCESS(f"Counted afresh: {len(wrong)} figures were wrong."))
