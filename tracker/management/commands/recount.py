from django.core.management.base import BaseCommand, CommandParser

from tracker import figures
from tracker.models import Commitment, ContentVersion, MemberProgress, members_status


def _statuses_out_of_step() -> dict[int, tuple[str, object]]:
    """Per-member commitments whose stored status is not what their members work out to, with
    the status and date they should have: two queries, whatever the number of commitments."""
    members: dict[int, list[tuple[str, object]]] = {}
    rows = MemberProgress.objects.filter(commitment__member_group__isnull=False).order_by()
    for commitment_id, status, status_date in rows.values_list(
        "commitment_id", "status", "status_date"
    ):
        members.setdefault(commitment_id, []).append((status, status_date))
    wrong = {}
    tracked = Commitment.objects.tracked_by_member().order_by()
    for pk, status, status_date in tracked.values_list("pk", "status", "status_date"):
        if pk not in members:
            continue  # No member rows yet: sync_member_progress() makes them, with the status.
        expected = members_status(members[pk])
        if expected != (status, status_date):
            wrong[pk] = expected
    return wrong


class Command(BaseCommand):
    help = (
        "After data was changed behind the app's back (raw SQL, a partial restore): put right "
        "the status of any commitment carried out by each member state that is not what its "
        "members' statuses work out to, and move the content version on, so the summaries' "
        "figures and the cached pages are counted afresh. Every write through the app keeps "
        "both right."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many figures are wrong."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        with ContentVersion.one_write():
            statuses = _statuses_out_of_step()
            if statuses:
                self.stdout.write(
                    self.style.WARNING(
                        f"{len(statuses)} commitments carried out by each member state have a "
                        "status their members' statuses do not work out to."
                    )
                )
                if not dry_run:
                    for pk, (status, status_date) in statuses.items():
                        Commitment.objects.filter(pk=pk).update(
                            status=status, status_date=status_date
                        )
            kept, fresh = figures.read(*figures.SCOPES), figures.count_afresh()
            wrong = {
                (where, status)
                for counts in (kept, fresh)
                for where, by_status in counts.items()
                for status in by_status
                if kept.get(where, {}).get(status) != fresh.get(where, {}).get(status)
            }
            if not wrong and not statuses:
                self.stdout.write(self.style.SUCCESS("All figures are right."))
                return
            if dry_run:
                self.stdout.write(self.style.WARNING(f"{len(wrong)} figures are wrong."))
                return
            # Everything kept under the version (figures, pages) is counted again.
            ContentVersion.bump()
        if statuses:
            self.stdout.write(self.style.SUCCESS(f"Put right: {len(statuses)} statuses."))
        self.stdout.write(self.style.SUCCESS(f"Counted afresh: {len(wrong)} figures were wrong."))
