"""Search in every language: ranked, blind to accents and case, finding word forms.

Each commitment has one search document (SearchDocument): the words of its titles, summaries,
quote and the quote's translations, its actors' names, its public notes and their
translations, and the passage of the source around its quote, in every language, each word
already normalised here, in Python:

- accents and case folded ("Trung Tâm" and "trung tam" are one word, đ is d);
- English words spelt one way (centre/center, organisation/organization) and stemmed
  (centres/centre/centers: "center"), Indonesian words stemmed (Snowball's stemmers, the ones
  PostgreSQL's dictionaries are built from), Vietnamese syllables kept as they are: the
  language has no inflection to stem.

A search is normalised by the same code, each word in every language's way, so a word matches
in whichever language it was written, and both databases match exactly the same words:
PostgreSQL by full-text search over a weighted tsvector (a GIN index), SQLite by FTS5. Each
ranks by its own measure (ts_rank, bm25) with the same weights: a title before a summary or
the quote, before a note, before the source's passage. Matching words are highlighted in Python
in the text shown, by the same normalisation, so what is marked is what was found.

The documents (SearchDocument, defined here) are written and kept in step by
tracker.search_index.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.dispatch import Signal
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.languages import active_language

# Weights by column, as PostgreSQL's A-D and FTS5's column weights: titles count most.
COLUMNS = ("titles", "texts", "notes", "passage")
FTS5_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# ts_rank's weights are given as {D, C, B, A}. Not ts_rank_cd: its cover density, computed over
# every position of every match, took 67 ms for a word in each of 10,000 documents; ts_rank 8.
TS_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

# The most words a search may have once normalised: each becomes up to three alternatives.
MAX_TERMS = 10

# Words of the source around a quote that the passage keeps at most, each side.
PASSAGE_CHARS = 1_000


# Normalising words.

# Letters NFKD does not take apart: Vietnamese đ above all.
_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i"})
# A word: letters and digits, with any combining marks (text in decomposed form).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")


def fold(text: str) -> str:
    """`text` without accents, in lower case: "Trung Tâm Dữ Liệu" -> "trung tam du lieu"."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return _WORD.findall(fold(text))


# British spellings, as American ones: one spelling in the index and in the search, so either
# finds the other. Whole words first, then endings.
_SPELLINGS = {
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "litres": "liters",
    "fibre": "fiber",
    "fibres": "fibers",
    "theatre": "theater",
    "calibre": "caliber",
    "programme": "program",
    "programmes": "programs",
    "defence": "defense",
    "licence": "license",
    "licences": "licenses",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "dialogue": "dialog",
    "dialogues": "dialogs",
    "analogue": "analog",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "instalment": "installment",
    "grey": "gray",
    "tyre": "tire",
    "aluminium": "aluminum",
}
_ENDINGS = [
    # organise, organised, organisation, digitalisation, realising...
    (re.compile(r"^(\w{3,})is(e|es|ed|ing|er|ers|ation|ations)$"), r"\1iz\2"),
    # analyse, paralysed
    (re.compile(r"^(\w{2,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    # labour, colour, favourable, behaviours, neighbouring, honour...
    (
        re.compile(r"^(lab|col|fav|behavi|neighb|hon|harb|rum|vap|flav|hum|endeav|sav)our(\w*)$"),
        r"\1or\2",
    ),
    # travelled, modelling, labelled, cancelled, fuelled, signalling, counselled, levelled
    (
        re.compile(
            r"^(travel|model|label|cancel|fuel|signal|counsel|level|total|channel|tunnel)"
            r"l(ed|ing|er|ers)$"
        ),
        r"\1\2",
    ),
]


def american(word: str) -> str:
    """A folded English word spelt the American way (the index's one spelling)."""
    if word in _SPELLINGS:
        return _SPELLINGS[word]
    for pattern, replacement in _ENDINGS:
        if pattern.match(word):
            return pattern.sub(replacement, word)
    return word


@functools.cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


# Stemmed words are kept: a page of results stems the same few hundred words again and again.
@functools.lru_cache(maxsize=65_536)
def _stem(language: str, word: str) -> str:
    return _stemmer(language).stemWord(word)


def term(word: str, language: str) -> str:
    """The index's form of a folded `word` written in `language`."""
    if language == "en":
        return _stem("english", american(word))
    if language == "id":
        return _stem("indonesian", word)
    # Vietnamese, and languages the tracker has no stemmer for: the folded word itself.
    return word


def alternatives(word: str) -> tuple[str, ...]:
    """The index's forms of a folded searched `word` in each language it may be written in."""
    return tuple(dict.fromkeys((term(word, "en"), term(word, "id"), word)))


def terms(text: str, language: str) -> str:
    """`text` as the index holds it: its words' forms, separated by spaces."""
    return " ".join(term(word, language) for word in words(text))


# A search.


@dataclass(frozen=True)
class Query:
    """A search as the index reads it: each word, with its forms in each language."""

    text: str
    words: tuple[tuple[str, ...], ...]

    @functools.cached_property
    def forms(self) -> frozenset[str]:
        return frozenset(form for forms in self.words for form in forms)

    def fts5(self) -> str:
        """The FTS5 query: every word, in any of its forms."""
        return " AND ".join(
            "(" + " OR ".join(f'"{form}"' for form in forms) + ")" for forms in self.words
        )

    def tsquery(self) -> str:
        """The same for PostgreSQL's to_tsquery('simple', …)."""
        return " & ".join(
            "(" + " | ".join(f"'{form}'" for form in forms) + ")" for forms in self.words
        )

    @functools.cached_property
    def _seen(self) -> dict[str, bool]:
        return {}

    def matches(self, word: str) -> bool:
        """Whether a word of a text shown is one that was searched for, in any language's
        form. Remembered: a page's texts repeat the same few hundred words."""
        seen = self._seen
        if word not in seen:
            seen[word] = not self.forms.isdisjoint(alternatives(fold(word)))
        return seen[word]


# Characters a search may not hold: control characters (tab and line breaks aside, which are
# spaces to a search box), as in every other text the tracker takes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def parse(text: str) -> Query:
    """The search `text` as a Query; ValidationError, saying why, if nothing can be searched."""
    if _CONTROL.search(text):
        raise ValidationError(
            gettext("The search contains control characters; type it again as plain text."),
            code="control",
        )
    found = list(dict.fromkeys(words(text)))
    if not found:
        raise ValidationError(
            gettext(
                "There is nothing to search for in “%(search)s”: type a word, with letters or "
                "digits."
            )
            % {"search": text.strip()},
            code="no_words",
        )
    if len(found) > MAX_TERMS:
        raise ValidationError(
            ngettext(
                "Use at most %(limit)d words; this search has %(count)d.",
                "Use at most %(limit)d words; this search has %(count)d.",
                MAX_TERMS,
            )
            % {"limit": MAX_TERMS, "count": len(found)},
            code="too_many_words",
        )
    return Query(text, tuple(alternatives(word) for word in found))


def filter_and_rank(queryset: models.QuerySet, query: Query) -> models.QuerySet:
    """The commitments of `queryset` that have every word of `query`, best first, then in
    the source's order; annotated `search_rank`, greater is better."""
    if connection.vendor == "postgresql":
        condition = "{document}.vector @@ to_tsquery('simple', %s)"
        weights = TS_WEIGHTS.replace("{", "{{").replace("}", "}}")  # literal braces
        rank = f"ts_rank('{weights}', {{document}}.vector, to_tsquery('simple', %s))"
        params = rank_params = [query.tsquery()]
    else:
        # FTS5's hidden column named after the table, through the query's alias for it.
        table = SearchDocument._meta.db_table
        condition = f"{{document}}.{table} MATCH %s"
        weights = ", ".join(str(weight) for weight in FTS5_WEIGHTS)
        # bm25() is lower for a better match; it reads the MATCH of the same query.
        rank = f"-bm25({{document}}.{table}, {weights})"
        params, rank_params = [query.fts5()], []
    return (
        # The reverse one-to-one join: an INNER JOIN, one row per commitment.
        queryset.filter(search_document__isnull=False)
        .filter(_OnDocument(condition, params, models.BooleanField()))
        .annotate(search_rank=_OnDocument(rank, rank_params, models.FloatField()))
        .order_by("-search_rank", "position", "pk")
    )


class _OnDocument(models.Expression):
    """SQL about the commitment's search document, under whatever alias the query gives its
    table (a subquery's, when the list is a subquery of an export): `{document}` in
    `template` is that alias."""

    def __init__(self, template: str, params: list, output_field: models.Field):
        super().__init__(output_field=output_field)
        self.template, self.params = template, params
        # A column of the joined document: compiled, it names the table's alias.
        self.column = models.F("search_document__titles")

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        column, _params = compiler.compile(self.column)
        document = column.rsplit(".", 1)[0]
        return self.template.format(document=document), list(self.params)


# Highlighting.


def highlight(text: str, query: Query | None) -> SafeString:
    """`text`, escaped, with each word that was searched for in <mark>."""
    if query is None or not text:
        return conditional_escape(text)
    parts, end = [], 0
    for match in _WORD.finditer(text):
        if query.matches(match.group()):
            parts.append(conditional_escape(text[end : match.start()]))
            parts.append(f"<mark>{conditional_escape(match.group())}</mark>")
            end = match.end()
    parts.append(conditional_escape(text[end:]))
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


def has_match(text: str, query: Query) -> bool:
    return any(query.matches(match.group()) for match in _WORD.finditer(text))


# Words of context shown each side of the first match in an excerpt.
EXCERPT_WORDS = 14


def excerpt(text: str, query: Query) -> SafeString | None:
    """A few words of `text` around its first match, highlighted; None if nothing matches."""
    # Most texts of a page have none of the words: said by the distinct words alone.
    if not any(query.matches(word) for word in set(_WORD.findall(text))):
        return None
    spans = list(_WORD.finditer(text))
    first = next((i for i, m in enumerate(spans) if query.matches(m.group())), None)
    if first is None:
        return None
    start_word = max(0, first - EXCERPT_WORDS)
    end_word = min(len(spans) - 1, first + EXCERPT_WORDS * 2)
    start = spans[start_word].start() if start_word else 0
    end = spans[end_word].end() if end_word < len(spans) - 1 else len(text)
    shown = highlight(" ".join(text[start:end].split()), query)
    before = "… " if start else ""
    after = " …" if end < len(text) else ""
    return mark_safe(f"{before}{shown}{after}")  # noqa: S308 (highlight() escapes)


@dataclass
class Found:
    """Where a search matched, beyond the title and summary shown on a card."""

    where: str  # what the text is, in words: "the quote", "a note of 3 March 2026"…
    language: str
    text: SafeString


def found_elsewhere(commitments: list, query: Query) -> None:
    """Give each commitment of a page of results `found_in`: an excerpt, highlighted, of the
    first text beyond its title that has the search's words — its summary as shown, else
    the quote, its translations, the actors' names, the notes, the source's passage, in the
    reader's language first — or None. One query for the page (the search documents)."""
    originals = dict(
        SearchDocument.objects.filter(pk__in=[c.pk for c in commitments]).values_list(
            "pk", "originals"
        )
    )
    language = active_language()
    for commitment in commitments:
        summary, summary_language = commitment.translated("summary")
        pieces = [["summary", summary_language, "", summary]]
        others = json.loads(originals.get(commitment.pk) or "[]")
        # The reader's language first, then the others, each in the document's order.
        pieces += sorted(others, key=lambda piece: piece[1] != language)
        commitment.found_in = None
        for kind, piece_language, label, text in pieces:
            if (shown := excerpt(text, query)) is not None:
                commitment.found_in = Found(_where(kind, label), piece_language, shown)
                break


def _where(kind: str, label: str) -> str:
    if kind == "summary":
        return gettext("Summary:")
    if kind == "quote":
        return gettext("In the quote:")
    if kind == "quote_translation":
        return gettext("In the translation of the quote:")
    if kind == "note":
        return gettext("In a note of %(date)s:") % {"date": _date(label)}
    if kind == "actor":
        return gettext("Who is involved:")
    return gettext("In the source, around the quote:")


def _date(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


# The index.


class SearchDocument(models.Model):
    """A commitment's words, normalised, by weight; `originals`, the texts they come from, for
    excerpts. On PostgreSQL a table with a generated, GIN-indexed tsvector `vector`; on SQLite
    an FTS5 table. Both made by migration 0020; written only by this module, in SQL."""

    commitment = models.OneToOneField(
        "tracker.Commitment",
        on_delete=models.CASCADE,
        primary_key=True,
        db_column="rowid",
        related_name="search_document",
        verbose_name=_("commitment"),
    )
    titles = models.TextField(_("words of the titles"))
    texts = models.TextField(_("words of the summaries, quote and names"))
    notes = models.TextField(_("words of the notes"))
    passage = models.TextField(_("words of the source's passage"))
    originals = models.TextField(_("texts shown in excerpts"))

    class Meta:
        app_label = "tracker"
        db_table = "tracker_searchdocument"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"Search document of commitment {self.pk}"


# The fields whose change makes a commitment's document change.
COMMITMENT_FIELDS = frozenset(
    {
        "title",
        "title_vi",
        "title_id",
        "summary",
        "summary_vi",
        "summary_id",
        "quote",
        "quote_translation_en",
        "quote_translation_vi",
        "quote_translation_id",
        "heading",
        "source",
        "proposer",
        "owner",
    }
)


# Sent by the write paths that send no model signal (Commitment.save_edit()), with the ids
# of the commitments whose texts changed: the index (tracker.search_index) listens.
texts_changed = Signal()
