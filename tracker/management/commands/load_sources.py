"""Load fixture files of new sources: create records, never change one that exists.

Unlike `loaddata`, which writes whatever a file says over whatever has the same key, this command
only ever creates. Records are matched by slug (the natural key); a record whose slug exists is
used as it is if the file agrees with the database on every field it gives, and refused if not.
Every new record passes full_clean(), as in the admin, before it is saved.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from tracker.models import (
    Actor,
    Commitment,
    ContentVersion,
    MemberGroup,
    MemberState,
    Source,
    Theme,
)
from tracker.validators import validate_plain_text

# The models a fixture may hold, in the order they are created: each refers only to earlier ones.
MODELS = {
    model._meta.label_lower: model
    for model in (MemberGroup, MemberState, Source, Actor, Theme, Commitment)
}


def _settable(model_field) -> bool:
    """A field the file may give: one an editor fills in, or a record's created/updated time."""
    if model_field.auto_created or not (model_field.concrete or model_field.many_to_many):
        return False
    stamp = getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    return model_field.editable or stamp


FIELDS = {
    label: {f.name: f for f in model._meta.get_fields() if _settable(f)}
    for label, model in MODELS.items()
}

REFUSED = {
    "tracker.statusupdate": "a fixture loads commitments as not yet assessed, so it carries no "
    "history: record status updates in the admin, or import them with import_commitments",
}


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run once everything checked out."""


def _plain(text: str) -> str:
    """Text fit for a message: on one line, invisible characters spelled out, not too long."""
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return f"{text[:60]}…" if len(text) > 60 else text


def _show(value) -> str:
    """A value as a message quotes it: text in quotes, a related record by its slug."""
    if isinstance(value, list | set):
        return "[" + ", ".join(sorted(_show(item) for item in value)) + "]"
    if isinstance(value, models.Model):
        value = value.slug
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    if isinstance(value, str):
        return f"“{_plain(value)}”"
    return json.dumps(value)


@dataclass
class _Record:
    number: int
    label: str = ""
    model: type[models.Model] | None = None
    fields: dict = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.label:
            return f"record {self.number}"
        slug = self.fields.get("slug")
        slug = f" {_show(slug)}" if isinstance(slug, str) else ""
        return f"record {self.number} ({_plain(self.label)}{slug})"


def _read(path: Path) -> list:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot be read ({error.strerror}).") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise CommandError("is not UTF-8 text (it looks like UTF-16): save it as UTF-8.")
    try:
        text = data.decode("utf-8-sig")  # with or without a byte order mark
    except UnicodeDecodeError as error:
        raise CommandError(
            f"is not UTF-8 text (byte {data[error.start]:#04x} at position "
            f"{error.start}): save it as UTF-8."
        ) from None
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"not valid JSON, line {error.lineno}: {error.msg}.") from None
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, [[[[…]]]] nested deep
        raise CommandError(f"not valid JSON: {error}.") from None
    if not isinstance(records, list):
        raise CommandError(
            "is not a fixture: it must be a JSON list of records, each like "
            '{"model": "tracker.source", "fields": {"slug": …}}.'
        )
    return records


def _value(record: _Record, name: str, value, problems: list[str]):
    """The file's value for a field, checked for its JSON type; a slug (or slugs) for relations."""
    model_field = FIELDS[record.label].get(name)
    if model_field is None:
        problems.append(f"{record}: {_plain(name)}: not a field a fixture can set.")
        return None
    if model_field.many_to_many:
        ok = isinstance(value, list) and all(_is_key(item) for item in value)
        expected, value = 'a list of ["slug"] references', ok and [item[0] for item in value]
    elif model_field.many_to_one and value is None and model_field.null:
        return None  # an optional reference left empty, e.g. a commitment's member group
    elif model_field.many_to_one:
        ok, expected, value = _is_key(value), 'a ["slug"] reference', _is_key(value) and value[0]
    elif isinstance(model_field, models.BooleanField):
        ok, expected = isinstance(value, bool), "true or false"
    elif isinstance(model_field, models.IntegerField):
        ok, expected = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif isinstance(model_field, models.DateField):
        expected = "a date (2026-01-15)"
        if isinstance(model_field, models.DateTimeField):
            expected = "a date and time (2026-01-15T00:00:00Z)"
        ok = isinstance(value, str) or (value is None and model_field.null)
        try:
            value = model_field.to_python(value) if ok else None
        except ValidationError:
            ok = False
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)
    else:
        ok, expected = isinstance(value, str), "text"
    if not ok:
        problems.append(f"{record}: {name}: must be {expected}.")
        return None
    # Checked here too, not only by full_clean(): slugs are looked up before that, and
    # PostgreSQL refuses a query holding a NUL character.
    for text in value if isinstance(value, list) else [value]:
        try:
            validate_plain_text(text)
        except ValidationError as error:
            problems.append(f"{record}: {name}: {error.messages[0]}")
            return None
    return value


def _is_key(value) -> bool:
    return isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)


def _parse(records: list) -> list[_Record]:
    """Check every record's shape; raise CommandError naming each bad record and field."""
    parsed, problems, seen = [], [], {}
    for number, raw in enumerate(records, 1):
        record = _Record(number)
        if not isinstance(raw, dict):
            problems.append(f"{record}: is not a record: each is an object with model and fields.")
            continue
        label, fields = raw.get("model"), raw.get("fields")
        record.label = label if isinstance(label, str) else ""
        record.model = MODELS.get(label) if isinstance(label, str) else None
        if isinstance(fields, dict) and isinstance(fields.get("slug"), str):
            record.fields = {"slug": fields["slug"]}  # names the record in the messages below
        if record.model is None:
            reason = REFUSED.get(record.label) or (
                f"load_sources creates only {', '.join(MODELS)} records"
            )
            problems.append(f"{record}: model: {'missing' if label is None else reason}.")
        if "pk" in raw:
            problems.append(f"{record}: pk: not allowed: records are matched by slug; remove it.")
        for key in sorted(set(raw) - {"model", "fields", "pk"}, key=str):
            problems.append(f"{record}: {_plain(key)}: unknown key; a record has model and fields.")
        if not isinstance(fields, dict):
            problems.append(
                f"{record}: fields: {'missing' if fields is None else 'not an object'}."
            )
        elif record.model is not None:
            if "slug" not in fields:
                problems.append(f"{record}: slug: missing: every record is matched by its slug.")
            record.fields = {name: _value(record, name, v, problems) for name, v in fields.items()}
            key = (label, record.fields.get("slug"))
            if key[1] is not None and key in seen:
                problems.append(f"{record}: slug: also {seen[key]}: give each record once.")
            seen.setdefault(key, record)
            parsed.append(record)
    if problems:
        raise CommandError("nothing loaded:\n" + "\n".join(problems))
    return parsed


def _resolve(record: _Record, name: str, slug: str, problems: list[str]):
    related = record.model._meta.get_field(name).related_model
    found = related.objects.filter(slug=slug).first()
    if found is None:
        what = related._meta.verbose_name
        problems.append(f"{record}: {name}: no {what} {_show(slug)} in the file or the database.")
    return found


def _create(record: _Record, problems: list[str]) -> bool:
    """Create the record, or find it identical in the database; False if it was already there."""
    model, values, many, stamps = record.model, {}, {}, {}
    unresolved = len(problems)
    for name, value in record.fields.items():
        model_field = model._meta.get_field(name)
        if model_field.many_to_many:
            many[name] = {_resolve(record, name, slug, problems) for slug in value}
        elif model_field.many_to_one:
            values[name] = None if value is None else _resolve(record, name, value, problems)
        elif not model_field.editable:  # created and updated: save() would set them to now
            stamps[name] = value
        else:
            values[name] = value
    if len(problems) > unresolved:
        return False
    existing = model.objects.filter(slug=record.fields["slug"]).first()
    if existing is not None:
        # Used as it is if the file agrees on every field it gives; a fixture changes nothing.
        current = {name: set(getattr(existing, name).all()) for name in many}
        current |= {name: getattr(existing, name) for name in [*values, *stamps]}
        for name, value in {**values, **many, **stamps}.items():
            if current[name] != value:
                problems.append(
                    f"{record}: {name}: the database has {_show(current[name])}, the file "
                    f"{_show(value)}. A fixture never changes existing records: change it in the "
                    "admin, or give the record a new slug."
                )
        return False
    obj = model(**values)
    try:
        obj.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            where = "" if name == NON_FIELD_ERRORS else f" {name}:"
            problems.extend(f"{record}:{where} {message}" for message in messages)
        return False
    obj.save()
    for name, related in many.items():
        getattr(obj, name).set(related)
    if stamps:
        model.objects.filter(pk=obj.pk).update(**stamps)
        # update() sends no signal: the public pages' version is moved on here.
        ContentVersion.bump()
    if isinstance(obj, Commitment) and obj.member_group_id:
        # A not-assessed progress row for each member of its group at the time.
        obj.sync_member_progress()
    return True


def _load(records: list[_Record]) -> tuple[int, list[_Record]]:
    """Create the file's records model by model; return how many, and the ones already there."""
    created, present, problems = 0, [], []
    for model in MODELS.values():
        for record in (r for r in records if r.model is model):
            if _create(record, problems):
                created += 1
            elif not problems:
                present.append(record)
        if problems:
            # Later models refer to these: check them once these are right.
            raise CommandError("nothing loaded:\n" + "\n".join(problems))
    return created, present


class Command(BaseCommand):
    help = (
        "Load fixture files whose sources are not in the database yet, creating their records "
        "and never changing existing ones. A file whose sources are all loaded is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Fixture files (JSON).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and say what would be loaded; write nothing.",
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, **options) -> None:
        for path in paths:
            try:
                self._handle_file(path, dry_run)
            except CommandError as error:
                raise CommandError(f"{path}: {error}") from None

    def _handle_file(self, path: Path, dry_run: bool) -> None:
        records = _parse(_read(path))
        # A file of sources, or of member groups (with their member states) alone.
        keyed_by = Source
        slugs = [r.fields["slug"] for r in records if r.model is Source]
        if not slugs:
            keyed_by = MemberGroup
            slugs = [r.fields["slug"] for r in records if r.model is MemberGroup]
        if not slugs:
            raise CommandError("contains no tracker.source (or tracker.membergroup) record.")
        present = set(keyed_by.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if present == set(slugs):
            # Editors may have changed these since: loading again must not touch their work.
            self.stdout.write(f"{path}: already loaded ({', '.join(sorted(present))}); skipped.")
            return
        new = ", ".join(slug for slug in slugs if slug not in present)
        # One transaction per file: a bad record leaves nothing half-written.
        try:
            with transaction.atomic():
                created, reused = _load(records)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        summary = f"{created} new records"
        if reused:
            summary += f"; already present: {', '.join(str(r) for r in reused)}"
        if dry_run:
            self.stdout.write(
                f"{path}: checked {len(records)} records; would load {new} ({summary})."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{path}: loaded {new} ({summary})."))
