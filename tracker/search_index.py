"""The search documents (tracker.search.SearchDocument): what each is made of, and keeping
them in step with what they index.

A commitment's document holds its words (tracker.search's normalisation) and the texts they
come from. The models' signals rewrite it, inside the write's transaction, once per commitment
at the end of the write (ContentVersion.at_end_of_write()); the write paths that send no signal
call reindex() or send search.texts_changed. `manage.py rebuild_search_index` writes them all.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connections, models
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save

from tracker.models import Actor, Commitment, Source, StatusUpdate
from tracker.search import (
    COLUMNS,
    COMMITMENT_FIELDS,
    PASSAGE_CHARS,
    SearchDocument,
    terms,
    texts_changed,
)
from tracker.text import find_passage
from tracker.versions import ContentVersion


def _passage(full_text: str, quote: str) -> str:
    """The paragraph of the source around its quote (at most PASSAGE_CHARS each side)."""
    found = find_passage(full_text, quote) if quote else None
    if found is None:
        return ""
    start, end = found
    low = max(0, start - PASSAGE_CHARS)
    high = min(len(full_text), end + PASSAGE_CHARS)
    paragraph_start = full_text.rfind("\n", low, start)
    paragraph_end = full_text.find("\n", end, high)
    return full_text[
        (paragraph_start + 1 if paragraph_start >= 0 else low) : (
            paragraph_end if paragraph_end >= 0 else high
        )
    ].strip()


def _documents(ids: list[int], using: str) -> list[tuple]:
    """The search documents of the commitments `ids`, as rows to write: six queries for any
    number of them (the sources' texts read once each)."""
    translations = ("vi", "id")
    rows = list(
        Commitment.objects.using(using)
        .filter(pk__in=ids)
        .values(
            "pk",
            "title",
            *(f"title_{code}" for code in translations),
            "summary",
            *(f"summary_{code}" for code in translations),
            "quote",
            "quote_translation_en",
            *(f"quote_translation_{code}" for code in translations),
            "heading",
            "source_id",
            "proposer_id",
            "owner_id",
        )
    )
    partners = defaultdict(list)
    for commitment_id, actor_id in (
        Commitment.partners.through.objects.using(using)
        .filter(commitment_id__in=ids)
        .values_list("commitment_id", "actor_id")
    ):
        partners[commitment_id].append(actor_id)
    actor_ids = {row["proposer_id"] for row in rows} | {row["owner_id"] for row in rows}
    actor_ids |= {actor for actors in partners.values() for actor in actors}
    actors = {
        actor["pk"]: actor
        for actor in Actor.objects.using(using)
        .filter(pk__in=actor_ids - {None})
        .values("pk", "name", "name_vi", "name_id")
    }
    notes = defaultdict(list)
    for note in (
        StatusUpdate.objects.using(using)
        .filter(commitment_id__in=ids, is_public=True)
        .exclude(note="")
        .order_by("as_of", "created", "pk")
        .values(
            "commitment_id",
            "as_of",
            "note",
            "note_language",
            "note_translation_en",
            "note_translation_vi",
            "note_translation_id",
        )
    ):
        notes[note["commitment_id"]].append(note)
    sources = {
        source["pk"]: source
        for source in Source.objects.using(using)
        .filter(pk__in={row["source_id"] for row in rows})
        .values("pk", "full_text", "language")
    }
    documents = []
    for row in rows:
        source = sources[row["source_id"]]
        source_language = source["language"].split("-")[0].lower()
        titles = [(row["title"], "en")] + [(row[f"title_{code}"], code) for code in translations]
        texts = [(row["summary"], "en")] + [(row[f"summary_{code}"], code) for code in translations]
        texts += [(row["quote"], source_language), (row["heading"], source_language)]
        originals = [["quote", source_language, "", row["quote"]]]
        for code in ("en", *translations):
            if translated := row[f"quote_translation_{code}"]:
                texts.append((translated, code))
                originals.append(["quote_translation", code, "", translated])
        involved = [row["proposer_id"], row["owner_id"], *partners[row["pk"]]]
        for actor_id in dict.fromkeys(involved):
            if (actor := actors.get(actor_id)) is None:
                continue
            texts.append((actor["name"], "en"))
            originals.append(["actor", "en", "", actor["name"]])
            for code in translations:
                if actor[f"name_{code}"]:
                    texts.append((actor[f"name_{code}"], code))
                    originals.append(["actor", code, "", actor[f"name_{code}"]])
        note_texts = []
        for note in notes[row["pk"]]:
            label = note["as_of"].isoformat()
            note_texts.append((note["note"], note["note_language"]))
            originals.append(["note", note["note_language"], label, note["note"]])
            for code in ("en", *translations):
                if translated := note[f"note_translation_{code}"]:
                    note_texts.append((translated, code))
                    originals.append(["note", code, label, translated])
        passage = _passage(source["full_text"], row["quote"])
        if passage:
            originals.append(["passage", source_language, "", passage])
        documents.append(
            (
                row["pk"],
                _join(titles),
                _join(texts),
                _join(note_texts),
                terms(passage, source_language),
                json.dumps(originals, ensure_ascii=False),
            )
        )
    return documents


def _join(pieces: Iterable[tuple[str, str]]) -> str:
    return " ".join(filter(None, (terms(text, language) for text, language in pieces)))


# Commitments per batch of a reindex: the queries' IN lists stay short.
BATCH = 500


def batched(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def reindex(ids: Iterable[int], using: str | None = None) -> int:
    """Write the search documents of the commitments `ids` afresh (removing those of
    commitments that no longer exist); returns how many were written."""
    using = using or "default"
    table = connections[using].ops.quote_name(SearchDocument._meta.db_table)
    written = 0
    for chunk in batched(sorted(set(ids)), BATCH):
        documents = _documents(list(chunk), using)
        with connections[using].cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({placeholders})", list(chunk))
            if documents:
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, {', '.join(COLUMNS)}, originals) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    documents,
                )
        written += len(documents)
    return written


def rebuild(using: str | None = None) -> int:
    """Every search document afresh (those of commitments gone too); returns how many."""
    using = using or "default"
    table = connections[using].ops.quote_name(SearchDocument._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    return reindex(Commitment.objects.using(using).values_list("pk", flat=True), using)


def out_of_step(using: str | None = None) -> list[int]:
    """The commitments whose search document is missing or differs from what their texts
    make now, and documents of commitments that no longer exist (by id)."""
    using = using or "default"
    ids = list(Commitment.objects.using(using).order_by("pk").values_list("pk", flat=True))
    stale = []
    for chunk in batched(ids, BATCH):
        fresh = {row[0]: row for row in _documents(chunk, using)}
        stored = {
            row[0]: row
            for row in SearchDocument.objects.using(using)
            .filter(pk__in=chunk)
            .values_list("pk", *COLUMNS, "originals")
        }
        stale += [pk for pk in chunk if fresh.get(pk) != stored.get(pk)]
    known = set(ids)
    stale += [
        pk
        for pk in SearchDocument.objects.using(using).values_list("pk", flat=True)
        if pk not in known
    ]
    return stale


def missing(using: str | None = None) -> list[int]:
    """The commitments without a search document (one query)."""
    return list(
        Commitment.objects.using(using or "default")
        .filter(search_document__isnull=True)
        .values_list("pk", flat=True)
    )


# Keeping the documents in step.


def changed(ids: Iterable[int], using: str | None = None) -> None:
    """The texts of the commitments `ids` changed: their documents are written afresh at the
    end of the write in progress (once each, however many changes it made), else now."""
    ContentVersion.at_end_of_write("search", ids, lambda ids: reindex(ids, using))


def _texts_changed(sender, ids, using=None, **kwargs) -> None:
    changed(ids, using)


def _commitment_saved(sender, instance, update_fields=None, using=None, **kwargs) -> None:
    if update_fields is None or COMMITMENT_FIELDS & set(update_fields):
        changed([instance.pk], using)


def _partners_changed(sender, instance, action, pk_set=None, using=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Commitment):
        changed([instance.pk], using)
    else:  # an actor's commitments, changed from the actor's side
        changed(pk_set or [], using)


def _update_saved(sender, instance, using=None, **kwargs) -> None:
    if instance.is_public and instance.note:
        changed([instance.commitment_id], using)


def _update_deleted(sender, instance, using=None, **kwargs) -> None:
    changed([instance.commitment_id], using)


def _actor_saved(sender, instance, created=False, using=None, **kwargs) -> None:
    if created:
        return
    involved = (
        Commitment.objects.using(using)
        .filter(
            models.Q(proposer=instance) | models.Q(owner=instance) | models.Q(partners=instance)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    changed(involved, using)


def _source_saving(sender, instance, raw=False, using=None, **kwargs) -> None:
    """Before a source is saved: whether its text or language is about to change (one query,
    compared in the database), so its commitments' passages are rewritten only then."""
    if instance.pk is None:
        return
    instance._search_text_changed = not (
        type(instance)
        .objects.using(using)
        .filter(pk=instance.pk, full_text=instance.full_text, language=instance.language)
        .exists()
    )


def _source_saved(sender, instance, created=False, using=None, **kwargs) -> None:
    if created or not getattr(instance, "_search_text_changed", False):
        return
    changed(instance.commitments.using(using).values_list("pk", flat=True), using)


def _after_migrate(sender, using=None, **kwargs) -> None:
    """Documents for commitments that have none: those made before the index existed."""
    if ids := missing(using):
        reindex(ids, using)


def connect_signals(app_config) -> None:
    post_save.connect(_commitment_saved, sender=Commitment, dispatch_uid="search-commitment")
    m2m_changed.connect(
        _partners_changed, sender=Commitment.partners.through, dispatch_uid="search-partners"
    )
    post_save.connect(_update_saved, sender=StatusUpdate, dispatch_uid="search-update")
    post_delete.connect(_update_deleted, sender=StatusUpdate, dispatch_uid="search-update-del")
    post_save.connect(_actor_saved, sender=Actor, dispatch_uid="search-actor")
    pre_save.connect(_source_saving, sender=Source, dispatch_uid="search-source-pre")
    post_save.connect(_source_saved, sender=Source, dispatch_uid="search-source")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="search-migrate")
    texts_changed.connect(_texts_changed, dispatch_uid="search-texts")
