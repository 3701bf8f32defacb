"""Load fixture files of new sources: create records, never change an editor's work.

Unlike `loaddata`, which writes whatever a file says over whatever has the same key, this command
only ever creates, with one exception: a translation. Records are matched by slug (the natural
key); a record whose slug exists is used as it is if the file agrees with the database on every
field it gives, and refused if not. Every new record passes full_clean(), as in the admin,
before it is saved.

A translation (`title_vi`, `quote_translation_id`, …) the file gives and the database has empty
is filled in, on a file already loaded too: translations arrive after the records they
translate (the ADGMIN fixture gained its own after every database had loaded it, and `make run`
loads it at each start). Filling in an empty field overwrites nobody's work; a translation the
database has and the file words differently is refused like any other difference.
"""

import datetime
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.utils import timezone

from tracker.importing import Problems, Record, all_or_nothing, numbered, plain, read_json
from tracker.languages import CONTENT_LANGUAGES
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


def _is_translation(fields: dict, name: str) -> bool:
    """A field holding the tracker's translation of another: `title_vi` beside `title`, or a
    quote's (the quote itself is never translated in place)."""
    base, _, language = name.rpartition("_")
    return name.startswith("quote_translation_") or (
        language in CONTENT_LANGUAGES and base in fields
    )


TRANSLATIONS = {
    label: {name for name in fields if _is_translation(fields, name)}
    for label, fields in FIELDS.items()
}

REFUSED = {
    "tracker.statusupdate": "a fixture loads commitments as not yet assessed, so it carries no "
    "history: record status updates in the admin, or import them with import_commitments",
}


def _show(value) -> str:
    """A value as a message quotes it: text in quotes, a related record by its slug."""
    if isinstance(value, list | set):
        return "[" + ", ".join(sorted(_show(item) for item in value)) + "]"
    if isinstance(value, models.Model):
        value = value.slug
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    if isinstance(value, str):
        return f"“{plain(value)}”"
    return json.dumps(value)


def _name(label, fields) -> str:
    """What names a record in messages beside its number: its model and slug, as the file says."""
    if not isinstance(label, str) or not label:
        return ""
    slug = fields.get("slug") if isinstance(fields, dict) else None
    return plain(label) + (f" {_show(slug)}" if isinstance(slug, str) else "")


def _read(path: Path) -> list[Record]:
    records = read_json(path)
    if not isinstance(records, list):
        raise CommandError(
            f"{path}: is not a fixture: it must be a JSON list of records, each like "
            '{"model": "tracker.source", "fields": {"slug": …}}.'
        )
    return numbered(records)


def _value(model: type[models.Model], record: Record, name: str, value):
    """The file's value for a field, checked for its JSON type; a slug (or slugs) for relations."""
    model_field = FIELDS[model._meta.label_lower].get(name)
    if model_field is None:
        record.problem(plain(name), "not a field a fixture can set.")
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
        record.problem(name, f"must be {expected}.")
        return None
    # Checked here too, not only by full_clean(): slugs are looked up before that, and
    # PostgreSQL refuses a query holding a NUL character.
    for text in value if isinstance(value, list) else [value]:
        try:
            validate_plain_text(text)
        except ValidationError as error:
            record.problem(name, error.messages[0])
            return None
    return value


def _is_key(value) -> bool:
    return isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)


def _parse(path: Path, records: list[Record]) -> dict[type[models.Model], list[Record]]:
    """Each record's fields, model by model; raise CommandError naming each bad record and field."""
    by_model: dict[type[models.Model], list[Record]] = {model: [] for model in MODELS.values()}
    seen = {}
    for record in records:
        raw = record.raw
        if not isinstance(raw, dict):
            record.problem(None, "is not a record: each is an object with model and fields.")
            continue
        label, fields = raw.get("model"), raw.get("fields")
        record.name = _name(label, fields)
        model = MODELS.get(label) if isinstance(label, str) else None
        if model is None:
            reason = REFUSED.get(label if isinstance(label, str) else "") or (
                f"load_sources creates only {', '.join(MODELS)} records"
            )
            record.problem("model", f"{'missing' if label is None else reason}.")
        if "pk" in raw:
            record.problem("pk", "not allowed: records are matched by slug; remove it.")
        # A key given twice: the file's JSON keeps the last, and the editor meant one of them.
        for key in getattr(raw, "duplicates", ()):
            record.problem(plain(key), "is given more than once: give each key once.")
        for key in getattr(fields, "duplicates", ()):
            record.problem(f"fields: {plain(key)}", "is given more than once: give each once.")
        for key in sorted(set(raw) - {"model", "fields", "pk"}, key=str):
            record.problem(plain(key), "unknown key; a record has model and fields.")
        if not isinstance(fields, dict):
            record.problem("fields", f"{'missing' if fields is None else 'not an object'}.")
        elif model is not None:
            if "slug" not in fields:
                record.problem("slug", "missing: every record is matched by its slug.")
            record.values = {name: _value(model, record, name, v) for name, v in fields.items()}
            key = (label, record.values.get("slug"))
            if key[1] is not None and key in seen:
                record.problem("slug", f"also {seen[key]}: give each record once.")
            seen.setdefault(key, record)
            by_model[model].append(record)
    Problems(path, records).raise_if_any()
    return by_model


def _resolve(model: type[models.Model], record: Record, name: str, slug: str):
    related = model._meta.get_field(name).related_model
    found = related.objects.filter(slug=slug).first()
    if found is None:
        what = related._meta.verbose_name
        record.problem(name, f"no {what} {_show(slug)} in the file or the database.")
    return found


def _create(model: type[models.Model], record: Record, filled: dict[Record, list[str]]) -> bool:
    """Create the record, or find it identical in the database (but for empty translations,
    filled in and noted in `filled`); False if it was already there."""
    values, many, stamps = {}, {}, {}
    for name, value in record.values.items():
        model_field = model._meta.get_field(name)
        if model_field.many_to_many:
            many[name] = {_resolve(model, record, name, slug) for slug in value}
        elif model_field.many_to_one:
            values[name] = None if value is None else _resolve(model, record, name, value)
        elif not model_field.editable:  # created and updated: save() would set them to now
            stamps[name] = value
        else:
            values[name] = value
    if record.problems:
        return False
    existing = model.objects.filter(slug=record.values["slug"]).first()
    if existing is not None:
        # Used as it is if the file agrees on every field it gives; a fixture changes nothing
        # but an empty translation.
        translations = TRANSLATIONS[model._meta.label_lower]
        current = {name: set(getattr(existing, name).all()) for name in many}
        current |= {name: getattr(existing, name) for name in [*values, *stamps]}
        for name, value in {**values, **many, **stamps}.items():
            if current[name] != value and name not in translations:
                record.problem(
                    name,
                    f"the database has {_show(current[name])}, the file {_show(value)}. A "
                    "fixture never changes existing records: change it in the admin, or give "
                    "the record a new slug.",
                )
        if names := _fill_translations(existing, record):
            filled[record] = names
        return False
    obj = model(**values)
    try:
        obj.full_clean()
    except ValidationError as error:
        record.report(error)
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


def _fill_translations(existing: models.Model, record: Record) -> list[str]:
    """Fill in the translations the file gives and `existing` has empty, and return their
    names; refuse one it words differently."""
    translations = TRANSLATIONS[existing._meta.label_lower]
    fill = {}
    for name, value in record.values.items():
        # An empty translation in the file is none: an editor's, written since, stays.
        if name not in translations or not value or value == getattr(existing, name):
            continue
        if getattr(existing, name):
            record.problem(
                name,
                f"the database has {_show(getattr(existing, name))}, the file {_show(value)}. A "
                "fixture never changes a translation an editor has written: make the file say "
                "what the database says, or empty the field in the admin to take the file's.",
            )
        else:
            fill[name] = value
    if record.problems or not fill:
        return []
    for name, value in fill.items():
        setattr(existing, name, value)
    # The rules of these fields (length, control characters) as the admin checks them; the
    # record's other fields are the database's, checked when they were written.
    others = [f.name for f in existing._meta.concrete_fields if f.name not in fill]
    try:
        existing.clean_fields(exclude=others)
    except ValidationError as error:
        record.report(error)
        return []
    update_fields = list(fill)
    if any(f.name == "updated" for f in existing._meta.concrete_fields):
        update_fields.append("updated")  # a commitment's page changed, as with an editor's edit
    # save(), not update(): the page cache's version and the search index follow its signals.
    existing.save(update_fields=update_fields)
    return list(fill)


def _fill_loaded(problems: Problems, by_model: dict) -> dict[Record, list[str]]:
    """On a file already loaded: fill in the translations its records give and the database's
    have empty, refusing any worded differently; return what was filled in, record by record."""
    filled = {}
    for model, records in by_model.items():
        existing = model.objects.in_bulk([r.values["slug"] for r in records], field_name="slug")
        for record in records:
            # A record not in the database was deleted by an editor, or added to the file
            # since: either way an already loaded file creates nothing, as it always has.
            found = existing.get(record.values["slug"])
            if found is not None and (names := _fill_translations(found, record)):
                filled[record] = names
    problems.raise_if_any()
    return filled


def _filled(filled: dict[Record, list[str]]) -> str:
    """How many translations were filled in, and which, a line for each record."""
    count = sum(len(names) for names in filled.values())
    lines = "".join(f"\n  {record}: {', '.join(names)}" for record, names in filled.items())
    return f"{count} empty translations:{lines}"


def _load(problems: Problems, by_model: dict) -> tuple[int, list[Record], dict]:
    """Create the file's records model by model; return how many, the ones already there, and
    the translations filled in on those."""
    created, present, filled = 0, [], {}
    for model, records in by_model.items():
        for record in records:
            if _create(model, record, filled):
                created += 1
            elif not record.problems:
                present.append(record)
        # Later models refer to these: check them once these are right.
        problems.raise_if_any()
    return created, present, filled


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
            self._handle_file(path, dry_run)

    def _handle_file(self, path: Path, dry_run: bool) -> None:
        records = _read(path)
        by_model = _parse(path, records)
        # A file of sources, or of member groups (with their member states) alone.
        keyed_by = Source
        slugs = [r.values["slug"] for r in by_model[Source]]
        if not slugs:
            keyed_by = MemberGroup
            slugs = [r.values["slug"] for r in by_model[MemberGroup]]
        if not slugs:
            raise CommandError(
                f"{path}: contains no tracker.source (or tracker.membergroup) record."
            )
        present = set(keyed_by.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if present == set(slugs):
            # Editors may have changed these since: loading again must not touch their work,
            # but fills in the translations that have come since.
            loaded = ", ".join(sorted(present))
            with all_or_nothing(dry_run):
                filled = _fill_loaded(Problems(path, records), by_model)
            if not filled:
                self.stdout.write(f"{path}: already loaded ({loaded}); skipped.")
                return
            verb = "would fill in" if dry_run else "filled in"
            self.stdout.write(f"{path}: already loaded ({loaded}); {verb} {_filled(filled)}")
            return
        new = ", ".join(slug for slug in slugs if slug not in present)
        # One transaction per file: a bad record leaves nothing half-written.
        with all_or_nothing(dry_run):
            created, reused, filled = _load(Problems(path, records), by_model)
        summary = f"{created} new records"
        if reused:
            summary += f"; already present: {', '.join(str(r) for r in reused)}"
        if filled:
            summary += f"; filled in {_filled(filled)}"
        if dry_run:
            self.stdout.write(
                f"{path}: checked {len(records)} records; would load {new} ({summary})."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{path}: loaded {new} ({summary})."))
