import json
from pathlib import Path

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.db import DatabaseError, transaction

from tracker.models import Commitment, MemberGroup, Source


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run once everything checked out."""


def _name(number: int, record: DeserializedObject) -> str:
    obj = record.object
    slug = getattr(obj, "slug", "")
    return f"record {number} ({obj._meta.label_lower}{f' “{slug}”' if slug else ''})"


def _load(path: Path) -> int:
    """Save every record of the file, then check each one as the admin would.

    Unlike `loaddata`, which saves records unchecked, every object passes full_clean(), and a
    problem names its record and field. The caller's transaction rolls everything back on error.
    """
    records: list[tuple[int, DeserializedObject]] = []
    text = path.read_text(encoding="utf-8")
    where = "record 1"
    try:
        # Natural keys may point forward, to records later in the file: those are set once
        # everything is saved.
        stream = serializers.deserialize("json", text, handle_forward_references=True)
        for number, record in enumerate(stream, 1):
            where = _name(number, record)
            record.save()
            records.append((number, record))
            where = f"record {number + 1}"
        for number, record in records:
            if record.deferred_fields:
                where = _name(number, record)
                record.save_deferred_fields()
    except (DeserializationError, DatabaseError) as error:
        raise CommandError(f"{path}: {where}: {error}") from None
    problems = []
    for number, record in records:
        try:
            record.object.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                problems.extend(f"{_name(number, record)}: {field}: {m}" for m in messages)
    if problems:
        raise CommandError(f"{path}: nothing loaded:\n" + "\n".join(problems))
    # Raw saves skip Commitment.save(): give per-member commitments their progress rows here.
    for _number, record in records:
        if isinstance(record.object, Commitment) and record.object.member_group_id:
            record.object.sync_member_progress()
    return len(records)


def _slugs(path: Path, model: str = "tracker.source") -> list[str]:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from None
    except json.JSONDecodeError as error:
        raise CommandError(f"{path}: not valid JSON, line {error.lineno}: {error.msg}.") from None
    try:
        return [r["fields"]["slug"] for r in records if r.get("model") == model]
    except (AttributeError, KeyError, TypeError):
        raise CommandError(f"{path}: every {model} record needs a fields.slug.") from None


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
            # A file of sources, or of member groups (with their member states) alone.
            keyed_by = Source
            slugs = _slugs(path)
            if not slugs:
                keyed_by, slugs = MemberGroup, _slugs(path, "tracker.membergroup")
            if not slugs:
                raise CommandError(
                    f"{path}: contains no tracker.source (or tracker.membergroup) record."
                )
            present = set(keyed_by.objects.filter(slug__in=slugs).values_list("slug", flat=True))
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
            # One transaction per file: a bad record leaves nothing half-written.
            try:
                with transaction.atomic():
                    count = _load(path)
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                self.stdout.write(
                    f"{path}: checked {count} records; would load {', '.join(slugs)}."
                )
                continue
            self.stdout.write(
                self.style.SUCCESS(f"{path}: loaded {', '.join(slugs)} ({count} records).")
            )
