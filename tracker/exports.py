"""Open data: one row definition per table, written as CSV or JSON, streamed.

The commitment columns are shared by the filtered exports (`/commitments/export.csv|json`), the
full dataset (`/data/dataset.json`), the `/data/` page that documents them and the
`import_commitments` command that reads them back, so all four always agree. docs/data.md
describes every column; a test fails when a column is added without being documented there.

To add a column, add one `Column(...)` line to the table's list. Give it `field=` when it is a
plain model field the importer should set, e.g. `Column("last_reviewed", "…", DATE,
lambda c: c.last_reviewed, field="last_reviewed")`; leave `field` out for derived values such
as a label or a flag, which the importer ignores.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from tracker import figures
from tracker.filters import SCORECARD_ORDER, list_filterset, scorecard_filterset
from tracker.models import (
    STATUS_INFO,
    Actor,
    Commitment,
    MemberGroup,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
    bucket_of,
    score_of,
)
from tracker.publisher import add_license_link, attribution, data_license, publisher, site_url
from tracker.validators import web_address

# Rows are fetched in chunks: each chunk costs one query plus one per prefetched relation,
# so memory stays flat however large the table grows.
CHUNK_SIZE = 500

# Kinds of value, which fix how a cell is written and read back.
TEXT = "text"
INT = "integer"
DATE = "date"
BOOL = "boolean"
URL = "url"  # a path on this site, written as an absolute URL
# An address an editor or importer stored (evidence, a source's original) is written only if it
# is a web address (tracker.validators.web_address), else as empty, as if none was given: the
# programs reading these files put it in a link. docs/data.md, "Addresses".
SLUG = "slug"
SLUGS = "list of slugs"
TEXTS = "list of text"

# The kinds in words, for the /data/ page in each language; the codes above are the format.
# A context, as "date" or "text" alone could be another message's word.
KIND_LABELS = {
    TEXT: pgettext_lazy("kind of value", "text"),
    INT: pgettext_lazy("kind of value", "integer"),
    DATE: pgettext_lazy("kind of value", "date"),
    BOOL: pgettext_lazy("kind of value", "boolean"),
    URL: pgettext_lazy("kind of value", "url"),
    SLUG: pgettext_lazy("kind of value", "slug"),
    SLUGS: pgettext_lazy("kind of value", "list of slugs"),
    TEXTS: pgettext_lazy("kind of value", "list of text"),
}

DATASET_FORMAT = "commitments-tracker/dataset"
DATASET_VERSION = 1


@dataclass(frozen=True)
class Column:
    """One column of an export: its name, what it means, and how to read it off an object.

    The name and the kind are the data format, the same in every language; the description is
    for people, translated lazily (gettext_lazy) for the /data/ page and written in no download.
    """

    name: str
    description: str
    kind: str
    value: Callable[[Any], Any]
    # The model field `import_commitments` sets from this column; None for derived values.
    field: str | None = None

    @property
    def kind_label(self) -> str:
        """The kind in the page's language ("list of slugs", "danh sách slug")."""
        return KIND_LABELS[self.kind]


def _slugs(related) -> list[str]:
    # .all() on a prefetched relation costs no query.
    return [obj.slug for obj in related.all()]


def _names(related) -> list[str]:
    return [obj.name for obj in related.all()]


COMMITMENT_COLUMNS: list[Column] = [
    Column("slug", _("Unique identifier; the last part of the commitment's address."), SLUG,
           lambda c: c.slug, field="slug"),
    Column("page_url", _("The commitment's public page."), URL, lambda c: c.get_absolute_url()),
    Column("title", _("Short, action-first title written by the tracker's editors."), TEXT,
           lambda c: c.title, field="title"),
    Column("summary", _("What was promised, in plain language."), TEXT,
           lambda c: c.summary, field="summary"),
    Column("quote", _("The passage of the source that makes the commitment, verbatim."), TEXT,
           lambda c: c.quote, field="quote"),
    Column("heading", _("The heading the source groups it under; may be empty."), TEXT,
           lambda c: c.heading, field="heading"),
    Column("position", _("Order within the source, 1 for its first commitment."), INT,
           lambda c: c.position, field="position"),
    Column("source", _("Slug of the source document (see sources)."), SLUG,
           lambda c: c.source.slug, field="source"),
    Column("source_title", _("Title of the source document."), TEXT, lambda c: c.source.title),
    Column("proposer", _("Slug of the person or body that made the proposal."), SLUG,
           lambda c: c.proposer.slug, field="proposer"),
    Column("proposer_name", _("Name of the proposer."), TEXT, lambda c: c.proposer.name),
    Column("owner", _("Slug of the lead owner, the body accountable for delivery."), SLUG,
           lambda c: c.owner.slug, field="owner"),
    Column("owner_name", _("Name of the lead owner."), TEXT, lambda c: c.owner.name),
    Column("partners", _("Slugs of other bodies that share delivery."), SLUGS,
           lambda c: _slugs(c.partners), field="partners"),
    Column("partner_names", _("Names of the partners, in the same order."), TEXTS,
           lambda c: _names(c.partners)),
    Column("themes", _("Slugs of the themes it is filed under."), SLUGS,
           lambda c: _slugs(c.themes), field="themes"),
    Column("theme_names", _("Names of the themes, in the same order."), TEXTS,
           lambda c: _names(c.themes)),
    Column("kind", _("What was said: commitment (those who must deliver it undertook to), "
           "proposal (a speaker proposed it) or advice (an outsider advised it)."), TEXT,
           lambda c: c.kind, field="kind"),
    Column("member_group", _("Slug of the group each of whose member states carries it out; "
           "empty when it is carried out as a whole."), TEXT,
           lambda c: c.member_group.slug if c.member_group_id else ""),
    Column("status", _("Current status, one of the values listed below. For a commitment "
           "carried out by each member state, worked out from the member states' statuses "
           "(see status_derived_from and the methodology)."), TEXT,
           lambda c: c.status),
    Column("status_derived_from", _("member_states: the status is worked out from the member "
           "states' statuses; updates: from the commitment's own latest public update."), TEXT,
           lambda c: "member_states" if c.member_group_id else "updates"),
    Column("members_tracked", _("How many member states carry it out; 0 when it is carried "
           "out as a whole."), INT, lambda c: c.members_tracked),
    Column("members_assessed", _("How many of them have been assessed (a scored status)."), INT,
           lambda c: c.members_assessed),
    Column("members_done", _("How many of them have completed it, in full or in part."), INT,
           lambda c: c.members_done),
    Column("status_label", _("The status in words, as shown on the site."), TEXT,
           lambda c: c.get_status_display()),
    Column("bucket", _("The status's group: pending, active, done or closed."), TEXT,
           lambda c: bucket_of(c.status).value),
    Column("status_date", _("The date the current status describes."), DATE,
           lambda c: c.status_date),
    Column("target_date", _("The delivery date announced, if any; empty when none was."), DATE,
           lambda c: c.target_date, field="target_date"),
    Column("overdue", _("true when the target date has passed and it is neither done nor closed."),
           BOOL, lambda c: c.is_overdue),
    Column("last_reviewed", _("When staff last reviewed its status; empty if never."), DATE,
           lambda c: c.last_reviewed),
    Column("latest_note", _("The note of its latest public status update; empty if none."), TEXT,
           lambda c: c.latest_note),
    Column("latest_evidence_url", _("The evidence link of its latest public status update; "
           "empty if none or if that update gave none."), TEXT,
           lambda c: web_address(c.latest_evidence_url)),
    Column("latest_note_language", _("The language latest_note is written in (en, vi, id); "
           "empty if there is no note."), TEXT,
           lambda c: c.latest_note_language if c.latest_note else ""),
    Column("latest_note_translation_en", _("An editors' English translation of latest_note; "
           "may be empty."), TEXT, lambda c: c.latest_note_translation_en),
    Column("latest_note_translation_vi", _("An editors' Vietnamese translation of latest_note; "
           "may be empty."), TEXT, lambda c: c.latest_note_translation_vi),
    Column("latest_note_translation_id", _("An editors' Indonesian translation of latest_note; "
           "may be empty."), TEXT, lambda c: c.latest_note_translation_id),
    Column("title_vi", _("The title in Vietnamese, written by the editors; empty: the "
           "English title is shown."),
           TEXT, lambda o: o.title_vi, field="title_vi"),
    Column("title_id", _("The title in Indonesian; empty: the English title is shown."),
           TEXT, lambda o: o.title_id, field="title_id"),
    Column("summary_vi", _("The summary in Vietnamese; empty: the English summary is shown."),
           TEXT, lambda o: o.summary_vi, field="summary_vi"),
    Column("summary_id", _("The summary in Indonesian; empty: the English summary is shown."),
           TEXT, lambda o: o.summary_id, field="summary_id"),
    Column("quote_translation_en", _("An editors' English translation of the quote, for a source "
           "in another language; may be empty."),
           TEXT, lambda o: o.quote_translation_en, field="quote_translation_en"),
    Column("quote_translation_vi", _("An editors' Vietnamese translation of the quote, shown "
           "beside it; may be empty."),
           TEXT, lambda o: o.quote_translation_vi, field="quote_translation_vi"),
    Column("quote_translation_id", _("An editors' Indonesian translation of the quote, shown "
           "beside it; may be empty."),
           TEXT, lambda o: o.quote_translation_id, field="quote_translation_id"),
]  # fmt: skip

SOURCE_COLUMNS: list[Column] = [
    Column("slug", _("Unique identifier."), SLUG, lambda s: s.slug, field="slug"),
    Column("page_url", _("The source's annotated page on this site."), URL,
           lambda s: s.get_absolute_url()),
    Column("title", _("The document's title."), TEXT, lambda s: s.title, field="title"),
    Column("publisher", _("Who published it; may be empty."), TEXT,
           lambda s: s.publisher, field="publisher"),
    Column("author", _("Who wrote it; may be empty."), TEXT, lambda s: s.author, field="author"),
    Column("url", _("Where the document itself is published; may be empty."), TEXT,
           lambda s: web_address(s.url), field="url"),
    Column("published_on", _("Publication date; empty when unknown."), DATE,
           lambda s: s.published_on, field="published_on"),
    Column("retrieved_on", _("When the tracker's copy of the full text was taken; empty when "
           "unknown."), DATE, lambda s: s.retrieved_on, field="retrieved_on"),
    Column("event_name", _("The event where the commitments were made."), TEXT,
           lambda s: s.event_name, field="event_name"),
    Column("event_place", _("Where the event took place."), TEXT,
           lambda s: s.event_place, field="event_place"),
    Column("event_date", _("When the commitments were made."), DATE,
           lambda s: s.event_date, field="event_date"),
    Column("full_text", _("The document's complete text; every quote is a passage of it."), TEXT,
           lambda s: s.full_text, field="full_text"),
    Column("language", _("The language the document is written in, as a code (en, vi, "
           "id); its quotes are in it."),
           TEXT, lambda o: o.language, field="language"),
    *(
        Column(f"{name}_{code}", description, TEXT,
               lambda o, attr=f"{name}_{code}": getattr(o, attr), field=f"{name}_{code}")
        for name, code, description in [
            ("title", "vi", _("The tracker's Vietnamese translation of the title; may be empty.")),
            ("title", "id", _("The tracker's Indonesian translation of the title; may be empty.")),
            ("event_name", "vi", _("The event's name in Vietnamese; may be empty.")),
            ("event_name", "id", _("The event's name in Indonesian; may be empty.")),
            ("event_place", "vi", _("The event's place in Vietnamese; may be empty.")),
            ("event_place", "id", _("The event's place in Indonesian; may be empty.")),
        ]
    ),
]  # fmt: skip

ACTOR_COLUMNS: list[Column] = [
    Column("slug", _("Unique identifier."), SLUG, lambda a: a.slug, field="slug"),
    Column("page_url", _("The actor's page on this site."), URL, lambda a: a.get_absolute_url()),
    Column("name", _("Name of the person or body."), TEXT, lambda a: a.name, field="name"),
    Column("kind", _("person, organisation, government or group."), TEXT,
           lambda a: a.kind, field="kind"),
    Column("role", _("Role or title; may be empty."), TEXT, lambda a: a.role, field="role"),
    Column("affiliation", _("Country or affiliation; may be empty."), TEXT,
           lambda a: a.affiliation, field="affiliation"),
    Column("name_vi", _("The name in Vietnamese; empty: the English name is shown."),
           TEXT, lambda o: o.name_vi, field="name_vi"),
    Column("name_id", _("The name in Indonesian; empty: the English name is shown."),
           TEXT, lambda o: o.name_id, field="name_id"),
    Column("role_vi", _("The role in Vietnamese; may be empty."),
           TEXT, lambda o: o.role_vi, field="role_vi"),
    Column("role_id", _("The role in Indonesian; may be empty."),
           TEXT, lambda o: o.role_id, field="role_id"),
]  # fmt: skip

THEME_COLUMNS: list[Column] = [
    Column("slug", _("Unique identifier."), SLUG, lambda t: t.slug, field="slug"),
    Column("page_url", _("The theme's page on this site."), URL, lambda t: t.get_absolute_url()),
    Column("name", _("The theme's name."), TEXT, lambda t: t.name, field="name"),
    Column("description", _("One or two plain sentences; may be empty."), TEXT,
           lambda t: t.description, field="description"),
    Column("position", _("Themes are listed in this order, lowest first."), INT,
           lambda t: t.position, field="position"),
    Column("name_vi", _("The name in Vietnamese; empty: the English name is shown."),
           TEXT, lambda o: o.name_vi, field="name_vi"),
    Column("name_id", _("The name in Indonesian; empty: the English name is shown."),
           TEXT, lambda o: o.name_id, field="name_id"),
    Column("description_vi", _("The description in Vietnamese; may be empty."),
           TEXT, lambda o: o.description_vi, field="description_vi"),
    Column("description_id", _("The description in Indonesian; may be empty."),
           TEXT, lambda o: o.description_id, field="description_id"),
]  # fmt: skip

UPDATE_COLUMNS: list[Column] = [
    Column("commitment", _("Slug of the commitment the update is about."), SLUG,
           lambda u: u.commitment.slug, field="commitment"),
    Column("as_of", _("The date the status describes."), DATE, lambda u: u.as_of, field="as_of"),
    Column("status", _("The status from this date on."), TEXT, lambda u: u.status, field="status"),
    Column("previous_status", _("The status it replaced."), TEXT, lambda u: u.previous_status),
    Column("note", _("Why the status is what it is, in plain text."), TEXT,
           lambda u: u.note, field="note"),
    Column("note_language", _("The language the note was written in, its original: en, vi "
           "or id."), TEXT, lambda u: u.note_language, field="note_language"),
    Column("note_translation_en", _("An editors' English translation of the note, when it was "
           "written in another language; may be empty."),
           TEXT, lambda u: u.note_translation_en, field="note_translation_en"),
    Column("note_translation_vi", _("An editors' Vietnamese translation of the note; may be "
           "empty."), TEXT, lambda u: u.note_translation_vi, field="note_translation_vi"),
    Column("note_translation_id", _("An editors' Indonesian translation of the note; may be "
           "empty."), TEXT, lambda u: u.note_translation_id, field="note_translation_id"),
    Column("evidence_url", _("A public document that supports the note; may be empty."), TEXT,
           lambda u: web_address(u.evidence_url), field="evidence_url"),
    Column("basis", _("What the assessment rests on: self_reported, secretariat_verified or "
           "independent; empty for updates recorded before the tracker asked."), TEXT,
           lambda u: u.basis, field="basis"),
]  # fmt: skip

# The dataset's tables, in the order they appear in the file and are imported.
DATASET_TABLES: dict[str, list[Column]] = {
    "sources": SOURCE_COLUMNS,
    "actors": ACTOR_COLUMNS,
    "themes": THEME_COLUMNS,
    "commitments": COMMITMENT_COLUMNS,
    "updates": UPDATE_COLUMNS,
}


# Member states. Written after the tables above; import_commitments reads them back. Ids are
# stable: slugs, and for a member's update the commitment, the member and its
# 1-based place in that member's chain ("develop-domestic-data-centres/viet-nam/1").
MEMBER_GROUP_COLUMNS: list[Column] = [
    Column("slug", _("Unique identifier, e.g. asean."), SLUG, lambda g: g.slug, field="slug"),
    Column("name", _("The group's name."), TEXT, lambda g: g.name, field="name"),
    Column("name_vi", _("The group's name in Vietnamese; may be empty."),
           TEXT, lambda o: o.name_vi, field="name_vi"),
    Column("name_id", _("The group's name in Indonesian; may be empty."),
           TEXT, lambda o: o.name_id, field="name_id"),
]  # fmt: skip

MEMBER_STATE_COLUMNS: list[Column] = [
    Column("slug", _("Unique identifier, e.g. viet-nam."), SLUG, lambda m: m.slug, field="slug"),
    Column("group", _("Slug of its group (see member_groups)."), SLUG,
           lambda m: m.group.slug, field="group"),
    Column("name", _("The member's name as the group writes it."), TEXT,
           lambda m: m.name, field="name"),
    Column("joined_on", _("When it joined the group."), DATE,
           lambda m: m.joined_on, field="joined_on"),
    Column("position", _("The group's own order, lowest first."), INT,
           lambda m: m.position, field="position"),
    Column("name_vi", _("The name as the group writes it in Vietnamese (Việt Nam); may be empty."),
           TEXT, lambda o: o.name_vi, field="name_vi"),
    Column("name_id", _("The name as the group writes it in Indonesian (Vietnam); may be empty."),
           TEXT, lambda o: o.name_id, field="name_id"),
]  # fmt: skip

MEMBER_PROGRESS_COLUMNS: list[Column] = [
    Column("commitment", _("Slug of a commitment carried out by each member of a group."), SLUG,
           lambda p: p.commitment.slug, field="commitment"),
    Column("member", _("Slug of the member state."), SLUG, lambda p: p.member.slug,
           field="member"),
    Column("status", _("The member's current status on it, one of the status values."), TEXT,
           lambda p: p.status),
    Column("status_date", _("The date that status describes."), DATE, lambda p: p.status_date),
    Column("score", _("The status on the compliance scale: 1, 0 or -1; empty when not scored "
           "(not yet assessed, superseded)."), INT, lambda p: p.score),
]  # fmt: skip

MEMBER_UPDATE_COLUMNS: list[Column] = [
    Column("id", _("Stable identifier: commitment/member/place in that member's history, from 1."),
           TEXT, lambda u: f"{u.commitment.slug}/{u.member.slug}/{u.sequence}"),
    Column("commitment", _("Slug of the commitment."), SLUG, lambda u: u.commitment.slug,
           field="commitment"),
    Column("member", _("Slug of the member state the update is about."), SLUG,
           lambda u: u.member.slug, field="member"),
    *[column for column in UPDATE_COLUMNS if column.name != "commitment"],
]  # fmt: skip

MEMBER_TABLES: dict[str, list[Column]] = {
    "member_groups": MEMBER_GROUP_COLUMNS,
    "member_states": MEMBER_STATE_COLUMNS,
    "member_progress": MEMBER_PROGRESS_COLUMNS,
    "member_updates": MEMBER_UPDATE_COLUMNS,
}


def to_record(obj: Any, columns: list[Column], absolute: Callable[[str], str]) -> dict:
    """One object as a JSON-ready dict: dates as ISO strings, lists as lists, URLs absolute."""
    record = {}
    for column in columns:
        value = column.value(obj)
        if column.kind == URL:
            value = absolute(value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        record[column.name] = value
    return record


# A spreadsheet runs a cell that starts with one of these as a formula. The quote (') is
# spreadsheets' own "this is text" marker; apostrophes already in front get one more, so
# `import_commitments` can strip exactly one and get the original text back.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet will execute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    if _FORMULA.match(text):
        return "'" + text
    return text


def csv_uncell(text: str) -> str:
    """Undo `csv_cell`'s neutralisation of a formula-like cell."""
    if text.startswith("'") and _FORMULA.match(text[1:]):
        return text[1:]
    return text


class _Echo:
    """A file-like object whose write() returns what it was given, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def stream_csv(records: Iterable[dict], columns: list[Column]) -> Iterator[str]:
    # A byte-order mark, so spreadsheet programs read the file as UTF-8 (names, curly quotes).
    # Every cell quoted: the csv module quotes only cells with \r or \n by itself, but a reader
    # that splits the file into lines (str.splitlines) also breaks at \x0b, \x0c, \x1c-\x1e,
    # \x85, U+2028 and U+2029, which pasted text brings; inside quotes the line goes on.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow([column.name for column in columns])
    for record in records:
        yield writer.writerow([csv_cell(record[column.name]) for column in columns])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def stream_json(header: dict, tables: dict[str, Iterable[dict]]) -> Iterator[str]:
    """A JSON object: the header's keys, then each table as a list, one record per line."""
    yield "{"
    for key, value in header.items():
        yield f"{_json(key)}: {_json(value)},\n"
    for t, (name, records) in enumerate(tables.items()):
        yield f"{_json(name)}: ["
        for i, record in enumerate(records):
            yield ("\n" if i == 0 else ",\n") + _json(record)
        yield "\n]" + ("," if t < len(tables) - 1 else "") + "\n"
    yield "}\n"


def _records(rows, columns: list[Column], request: HttpRequest) -> Iterator[dict]:
    """The rows (a queryset, or objects from one) as records, the first one fetched now: a
    query that fails then fails the request with a 500, instead of cutting short a download
    that has already answered 200."""
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=CHUNK_SIZE)
    records = (to_record(obj, columns, request.build_absolute_uri) for obj in rows)
    first = list(itertools.islice(records, 1))
    return itertools.chain(first, records)


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _download(content: Iterator[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A CSV file has no room for its licence; the response names it.
    return add_license_link(response)


# /commitments/export.csv and /commitments/export.json


def _filter_errors(filterset) -> list[str]:
    """The list page's error messages, as plain lines: "Status: Select a valid choice…"."""
    form = filterset.form
    lines = []
    for name, errors in form.errors.items():
        prefix = f"{form[name].label}: " if name in form.fields else ""
        lines += [prefix + error for error in errors]
    return lines


def _filtered_commitments(request: HttpRequest):
    """The rows the list shows for this request, or the reasons its filters are invalid."""
    filterset = list_filterset(request)
    if filterset.is_bound and not filterset.is_valid():
        return None, _filter_errors(filterset)
    return _scored(filterset.qs.select_related("member_group").with_latest_note()), []


def _filter_errors_as_text(errors: list[str]) -> HttpResponse:
    """A 400 before any byte of a CSV download: the filters that could not be applied."""
    message = "Some filters could not be applied, so nothing was exported:\n"
    message += "".join(f"- {line}\n" for line in errors)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _filter_errors_as_json(errors: list[str]) -> HttpResponse:
    """The same for a JSON download, as JSON."""
    body = {
        "error": "Some filters could not be applied, so nothing was exported.",
        "filters": errors,
    }
    return HttpResponse(_json(body), status=400, content_type="application/json; charset=utf-8")


@require_safe
def commitments_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV: same filters, same rows, same order as /commitments/."""
    commitments, errors = _filtered_commitments(request)
    if errors:
        return _filter_errors_as_text(errors)
    records = _records(commitments, COMMITMENT_COLUMNS, request)
    return _download(
        stream_csv(records, COMMITMENT_COLUMNS),
        "text/csv; charset=utf-8",
        _filename("commitments", "csv"),
    )


@require_safe
def commitments_json(request: HttpRequest) -> HttpResponse:
    """The filtered list as JSON: same filters, same rows, same order as /commitments/."""
    commitments, errors = _filtered_commitments(request)
    if errors:
        return _filter_errors_as_json(errors)
    records = _records(commitments, COMMITMENT_COLUMNS, request)
    return _download(
        stream_json({}, {"commitments": records}),
        "application/json; charset=utf-8",
        _filename("commitments", "json"),
    )


# /scorecard/export.csv and /scorecard/export.json

# One row per member state per commitment on the scorecard, in the scorecard's order: its
# commitments (rows) in turn, each with its members (columns) from left to right.
SCORECARD_COLUMNS: list[Column] = [
    Column("commitment", _("Slug of the commitment (see commitments)."), SLUG,
           lambda p: p.commitment.slug),
    Column("commitment_title", _("Title of the commitment."), TEXT, lambda p: p.commitment.title),
    Column("member", _("Slug of the member state; the last part of its page's address."), SLUG,
           lambda p: p.member.slug),
    Column("member_name", _("Name of the member state, as its group writes it."), TEXT,
           lambda p: p.member.name),
    Column("group", _("Slug of the group whose members each carry the commitment out."), SLUG,
           lambda p: p.member.group.slug),
    Column("status", _("The member state's current status on the commitment (values below)."),
           TEXT, lambda p: p.status),
    Column("status_label", _("The status in words, as shown on the site."), TEXT,
           lambda p: p.get_status_display()),
    Column("bucket", _("The status's group: pending, active, done or closed."), TEXT,
           lambda p: bucket_of(p.status).value),
    Column("score", _("The status on the compliance scale: 1, 0 or -1; empty when it is not "
           "scored (not yet assessed, or superseded). See /scorecard/methodology/."), INT,
           lambda p: score_of(p.status)),
    Column("status_date", _("The date the status describes."), DATE, lambda p: p.status_date),
    Column("note", _("The note of the member's latest public update on it; empty if none."), TEXT,
           lambda p: p.latest_note or ""),
    Column("note_language", _("The language that note is written in (en, vi, id); empty if "
           "there is no note."), TEXT, lambda p: p.latest_note_language if p.latest_note else ""),
    Column("note_translation_en", _("An editors' English translation of that note; may be "
           "empty."), TEXT, lambda p: p.latest_note_translation_en or ""),
    Column("note_translation_vi", _("An editors' Vietnamese translation of that note; may be "
           "empty."), TEXT, lambda p: p.latest_note_translation_vi or ""),
    Column("note_translation_id", _("An editors' Indonesian translation of that note; may be "
           "empty."), TEXT, lambda p: p.latest_note_translation_id or ""),
    Column("evidence_url", _("The evidence link of that update; may be empty."), TEXT,
           lambda p: web_address(p.latest_evidence_url)),
    Column("page_url", _("The member's row on the commitment's public page."), URL,
           lambda p: p.get_absolute_url()),
]  # fmt: skip


def _scorecard_rows(request: HttpRequest):
    """The scorecard's member rows for this request, or the reasons its filters are invalid."""
    filterset = scorecard_filterset(request)
    if filterset.is_bound and not filterset.is_valid():
        return None, _filter_errors(filterset)
    rows = (
        MemberProgress.objects.filter(commitment__in=filterset.qs.order_by().values("pk"))
        .select_related("commitment", "member__group")
        .with_latest_update()
        .order_by(
            *(f"commitment__{field}" for field in SCORECARD_ORDER),
            "member__group__name",
            "member__position",
            "member__name",
        )
    )
    return rows, []


@require_safe
def scorecard_csv(request: HttpRequest) -> HttpResponse:
    """The scorecard as CSV, one row per member per commitment: same filters, same order."""
    rows, errors = _scorecard_rows(request)
    if errors:
        return _filter_errors_as_text(errors)
    return _download(
        stream_csv(_records(rows, SCORECARD_COLUMNS, request), SCORECARD_COLUMNS),
        "text/csv; charset=utf-8",
        _filename("scorecard", "csv"),
    )


@require_safe
def scorecard_json(request: HttpRequest) -> HttpResponse:
    """The scorecard as JSON: {"scorecard": [...]}, the CSV's rows and columns."""
    rows, errors = _scorecard_rows(request)
    if errors:
        return _filter_errors_as_json(errors)
    return _download(
        stream_json({}, {"scorecard": _records(rows, SCORECARD_COLUMNS, request)}),
        "application/json; charset=utf-8",
        _filename("scorecard", "json"),
    )


# /data/dataset.json


def dataset_querysets() -> dict[str, QuerySet]:
    """Everything public, ordered by slugs and dates so that two databases holding the same
    data write the same file, whatever order their rows were created in."""
    public = Commitment.objects.public()
    return {
        "sources": Source.objects.public().order_by("slug"),
        "actors": Actor.objects.public().order_by("slug"),
        "themes": Theme.objects.public().order_by("position", "slug"),
        # Themes and partners come from _with_links(): prefetched, they cost two queries
        # per chunk of 500, so the file's queries grew with the data.
        "commitments": public.select_related("source", "proposer", "owner", "member_group")
        .with_latest_note()
        .order_by("source__slug", "position", "slug"),
        # The commitments' own histories: a member state's is in member_updates.
        "updates": StatusUpdate.objects.public()
        .filter(member__isnull=True)
        .select_related("commitment")
        .order_by(
            "commitment__source__slug",
            "commitment__position",
            "commitment__slug",
            "as_of",
            "created",
            "pk",
        ),
    }


def member_querysets() -> dict[str, QuerySet]:
    """The member tables of the dataset: groups and members of published commitments, their
    progress and public updates, in a stable order (commitments as in `commitments`)."""
    public = Commitment.objects.public()
    by_commitment = ("commitment__source__slug", "commitment__position", "commitment__slug")
    updates = StatusUpdate.objects.public().filter(member__isnull=False)
    # Place in the member's own chain, counted in the database: stable as history only grows.
    sequence = Subquery(
        StatusUpdate.objects.filter(
            commitment=OuterRef("commitment"), member=OuterRef("member"), is_public=True
        )
        .filter(
            Q(as_of__lt=OuterRef("as_of"))
            | Q(as_of=OuterRef("as_of"), created__lt=OuterRef("created"))
            | Q(as_of=OuterRef("as_of"), created=OuterRef("created"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("commitment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {
        "member_groups": MemberGroup.objects.filter(
            Exists(public.filter(member_group=OuterRef("pk")))
        ).order_by("slug"),
        "member_states": MemberState.objects.filter(
            Exists(MemberProgress.objects.public().filter(member=OuterRef("pk")))
        )
        .select_related("group")
        .order_by("group__slug", "position", "slug"),
        "member_progress": MemberProgress.objects.public()
        .select_related("commitment", "member")
        .order_by(*by_commitment, "member__position", "member__slug"),
        "member_updates": updates.select_related("commitment", "member")
        .annotate(sequence=sequence)
        .order_by(*by_commitment, "member__position", "member__slug", "as_of", "created", "pk"),
    }


def _with_links(commitments: QuerySet) -> Iterator[Commitment]:
    """The commitments, streamed, each with its themes and partners as if prefetched and its
    members' figures: every published commitment's links and member statuses are read at once,
    in one query (a UNION), in the order their prefetches give (themes by position and name,
    partners by name), so the file costs the same few queries however many chunks it streams."""
    published = {"commitment__is_published": True}
    columns = ("commitment_id", "kind", "sort", "link_name", "link_slug")
    themes = (
        Commitment.themes.through.objects.filter(**published)
        .annotate(
            kind=Value(0),
            sort=F("theme__position"),
            link_name=F("theme__name"),
            link_slug=F("theme__slug"),
        )
        .values_list(*columns)
    )
    partners = (
        Commitment.partners.through.objects.filter(**published)
        .annotate(
            kind=Value(1), sort=Value(0), link_name=F("actor__name"), link_slug=F("actor__slug")
        )
        .values_list(*columns)
    )
    # Member statuses, counted: `sort` holds how many members have the status `link_name`.
    statuses = (
        MemberProgress.objects.filter(**published)
        .order_by()
        .values_list("commitment_id", "status")
        .annotate(kind=Value(2), sort=Count("pk"), link_slug=Value(""))
        .values_list("commitment_id", "kind", "sort", "status", "link_slug")
    )
    links: dict[int, tuple[list, list]] = {}
    counts: dict[int, dict[str, int]] = {}
    rows = themes.union(partners, statuses, all=True).order_by(
        "commitment_id", "kind", "sort", "link_name"
    )
    for commitment_id, kind, sort, name, slug in rows:
        if kind == 2:
            counts.setdefault(commitment_id, {})[name] = sort
            continue
        model = Actor if kind else Theme
        links.setdefault(commitment_id, ([], []))[kind].append(model(slug=slug, name=name))
    for commitment in commitments.iterator(chunk_size=CHUNK_SIZE):
        themes_of, partners_of = links.get(commitment.pk, ([], []))
        for name, objects in (("themes", themes_of), ("partners", partners_of)):
            related = getattr(commitment, name).all()
            related._result_cache, related._prefetch_done = objects, True
            commitment.__dict__.setdefault("_prefetched_objects_cache", {})[name] = related
        yield figures.score_commitment(commitment, counts.get(commitment.pk, {}))


def _scored(commitments: QuerySet) -> Iterator[Commitment]:
    """The commitments streamed, each with its members' figures: the member statuses of
    every one are read in one query first."""
    progress = MemberProgress.objects.filter(commitment__in=commitments.order_by().values("pk"))
    counts = progress.status_counts("commitment")
    for commitment in commitments.iterator(chunk_size=CHUNK_SIZE):
        yield figures.score_commitment(commitment, counts.get(commitment.pk, {}))


@require_safe
def dataset_json(request: HttpRequest) -> HttpResponse:
    """Every public source, actor, theme, commitment and update, as one JSON file."""
    querysets = dataset_querysets()
    querysets["commitments"] = _with_links(querysets["commitments"])
    tables = {
        name: _records(querysets[name], columns, request)
        for name, columns in DATASET_TABLES.items()
    }
    members = member_querysets()
    tables |= {
        name: _records(members[name], columns, request) for name, columns in MEMBER_TABLES.items()
    }
    header = {
        "format": DATASET_FORMAT,
        "format_version": DATASET_VERSION,
        "publisher": publisher(),
        "license": {**data_license(), "attribution": attribution(site_url(request))},
    }
    return _download(
        stream_json(header, tables),
        "application/json; charset=utf-8",
        _filename("commitments-dataset", "json"),
    )


# /data/
@require_safe
def data(request: HttpRequest) -> HttpResponse:
    """What can be downloaded, and what every column means."""
    ctx = {
        "tables": list(DATASET_TABLES.items()),
        "scorecard_columns": SCORECARD_COLUMNS,
        "statuses": [(status, STATUS_INFO[status]) for status in Status],
        "chunk_size": CHUNK_SIZE,
        "attribution": attribution(site_url(request)),
    }
    return render(request, "tracker/data.html", ctx)
