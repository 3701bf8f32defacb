"""Display helpers for statuses and progress, so templates hold no display logic."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import date_format, localize, number_format
from django.utils.html import conditional_escape, format_html, format_html_join, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy

from tracker import search
from tracker.caching import may_be_cached
from tracker.languages import CONTENT_LANGUAGES, active_language
from tracker.models import (
    BUCKET_DEFINITIONS,
    STATUS_INFO,
    STATUS_SCORE,
    Bucket,
    Source,
    Status,
    bucket_of,
)
from tracker.validators import web_address

register = template.Library()

# Statuses drawn in a colour of their own rather than their bucket's: delayed and stalled are
# active, but must not look like "in progress" (badges: status--delayed; chart bars: bar--…).
OWN_COLOUR = frozenset({Status.DELAYED, Status.STALLED})


# What a page repeats many times is written here with format_html(), not as included
# templates: status badges, overdue notices, commitment cards, timelines of updates, bucket
# bars, the scorecard's cells, the front page's promises and earlier events. A page of 25
# cards drew 25 included cards, each including a badge and maybe a notice, and the template
# engine's cost per node and per include was most of the page's time (a scorecard page has
# 550 badges; issue 20). Each writes the very markup its template did, to the byte, line
# breaks included. Texts are escaped by format_html(); the translations with markup in them
# (<time>, <a>) are trusted as {% blocktranslate %} trusts them, with the values put in them
# escaped. The msgids are the templates' own, so the catalogues still translate them.


def _with_values(message: str, **values) -> SafeString:
    """A translated message with markup, its %(name)s values escaped, as {% blocktranslate %}
    does it."""
    return mark_safe(message % {name: conditional_escape(v) for name, v in values.items()})


# Addresses stored by editors and importers (evidence, a source's original). Every page, the
# admin's and the fragments below included, writes them through web_link(): a web address
# becomes a link, anything else (javascript:, data:, //another.site, written behind the forms'
# back) is shown as text, so a reader or an editor sees what is stored and nothing runs.


def web_link(url: str, content=None, rel: str = "nofollow noopener") -> SafeString:
    """`url` as a link with `content` as its text (the address itself when None), if it is a
    web address (tracker.validators.web_address); else `content` and the address as text."""
    if web_address(url):
        return format_html(
            '<a href="{}" rel="{}">{}</a>', url, rel, url if content is None else content
        )
    if content is None:
        return conditional_escape(url)
    return format_html(
        '{} <span class="not-a-link">({})</span>',
        content,
        _with_values(gettext("not a web address: %(address)s"), address=url),
    )


class _LinkNode(template.Node):
    def __init__(self, url, rel, nodelist) -> None:
        self.url, self.rel, self.nodelist = url, rel, nodelist

    def render(self, context) -> SafeString:
        url = self.url.resolve(context)
        if not url:
            return ""
        content = self.nodelist.render(context) if self.nodelist else None
        rel = self.rel.resolve(context) if self.rel else "nofollow noopener"
        return web_link(url, content or None, rel)


@register.tag("link")
def link_tag(parser, token) -> _LinkNode:
    """{% link url %}text{% endlink %}, or {% link url rel="noopener" %}{% endlink %} for the
    address as its own text: web_link() in a template. Nothing at all for an empty `url`."""
    bits = token.split_contents()
    if len(bits) not in (2, 3) or (len(bits) == 3 and not bits[2].startswith("rel=")):
        raise template.TemplateSyntaxError('Use {% link url %}…{% endlink %}, or rel="…" too.')
    url = parser.compile_filter(bits[1])
    rel = parser.compile_filter(bits[2].removeprefix("rel=")) if len(bits) == 3 else None
    nodelist = parser.parse(("endlink",))
    parser.delete_first_token()
    return _LinkNode(url, rel, nodelist)


@register.filter(name="web_address")
def web_address_filter(url: str) -> str:
    """The address if it is a web address, else "": for an attribute that is not a link
    (<blockquote cite>)."""
    return web_address(url)


# Kept per language for the life of the process, as Django keeps the catalogues and formats
# they come from: a badge or a date is then written once, not once per row (formatting a date
# was half a card's time). Bounded: statuses × the dates in use × three languages.
@functools.lru_cache(maxsize=4096)
def _time_values(day, language: str | None) -> dict[str, str]:
    """`iso` and `date` of a <time> element, as {{ day|date:'Y-m-d' }} and {{ day|date }}."""
    return {"iso": date_format(day, "Y-m-d"), "date": date_format(day)}


@register.simple_tag
def status_badge(status: str, as_of=None) -> SafeString:
    """A status as symbol and text, never colour alone; with `as_of`, the date it is as of."""
    return _status_badge(status, as_of or None, active_language())


@functools.lru_cache(maxsize=4096)
def _status_badge(status: str, as_of, language: str | None) -> SafeString:
    status = Status(status)
    info = STATUS_INFO[status]
    as_of_words = ""
    if as_of:
        as_of_words = format_html(
            ' <span class="status__date">{}</span>',
            _with_values(
                gettext('as of <time datetime="%(iso)s">%(date)s</time>'),
                **_time_values(as_of, language),
            ),
        )
    return format_html(
        '<span class="status status--{}{}" data-status="{}"><span class="status__symbol" '
        'aria-hidden="true">{}</span> {}</span>{}\n',
        info.bucket.value,
        f" status--{status.value}" if status in OWN_COLOUR else "",
        status.value,
        info.symbol,
        status.label,
        as_of_words,
    )


@register.simple_tag
def overdue_notice(target_date) -> SafeString:
    """That a commitment's target date has passed, with the date."""
    words = _with_values(
        gettext('Overdue: the target date, <time datetime="%(iso)s">%(date)s</time>, has passed'),
        **_time_values(target_date, active_language()),
    )
    return format_html(
        '<p class="overdue"><span class="overdue__symbol" aria-hidden="true">⚠</span> {}</p>\n',
        words,
    )


@register.simple_tag
def scorecard_cells(cells) -> SafeString:
    """A member state's cells of the scorecard: its status on each commitment (a
    MemberProgress), or None where it does not carry that one out. A page has 550 of them."""
    language = active_language()
    not_tracked = format_html(
        '<span class="muted">{}<span class="visually-hidden">: {}</span></span>',
        gettext("Not tracked"),
        gettext("joined after the commitment was made"),
    )
    return mark_safe(
        "".join(
            f"<td>{_status_badge(cell.status, None, language) if cell else not_tracked}</td>"
            for cell in cells
        )
    )


@register.simple_tag
def commitments_made_at(source, list_url: str) -> SafeString:
    """ "12 commitments made at the Summit, Hanoi, on 15 January 2026", linked to the list of
    them (at `list_url`), for a source given its `num_commitments` (views.dashboard). The front
    page names every earlier event with it: 49 at the bench's 50 sources (issue 20)."""
    language = active_language()
    return _with_values(
        ngettext(
            '<a href="%(list)s?source=%(list_url)s">%(counter)s commitment</a> made at the '
            '%(event)s, %(place)s, on <time datetime="%(iso)s">%(date)s</time>',
            '<a href="%(list)s?source=%(list_url)s">%(counter)s commitments</a> made at the '
            '%(event)s, %(place)s, on <time datetime="%(iso)s">%(date)s</time>',
            source.num_commitments,
        ),
        list=list_url,
        list_url=source.slug,
        counter=localize(source.num_commitments),
        event=_translated(source, "event_name", language),
        place=_translated(source, "event_place", language),
        **_time_values(source.event_date, language),
    )


UPDATE = """
  <li class="update" id="update-{pk}">
    <p class="update__meta"><time datetime="{iso}">{date}</time>{commitment}</p>
    <p class="update__change">{member}{change}</p>
    {legacy}
    {corrects}
    {note}
    {basis}
    {evidence}
  </li>
  """


@register.simple_tag
def update_list(updates, empty_message: str, show_commitment=False, per_member=False):
    """Status updates, newest first, as a timeline: each one's date, the change it records
    (a member state's, named), the update it corrects, its note, basis and evidence; with
    `show_commitment`, the commitment it is on. `per_member`: on a commitment carried out by
    each member, its own status changes are marked as no longer setting the status. Reads each
    update's commitment, member and the update it corrects (StatusUpdate.for_timeline())."""
    if not updates:
        return format_html('\n<p class="muted">{}</p>\n\n', empty_message)
    language = active_language()
    items = []
    for update in updates:
        as_of = _time_values(update.as_of, language)
        commitment_link = ""
        if show_commitment:
            commitment_url = update.commitment.get_absolute_url()
            commitment_link = format_html(
                ' · <a href="{}">{}</a>',
                commitment_url,
                _translated(update.commitment, "title", language),
            )
        member = ""
        if update.member_id:
            member = format_html(
                '<a class="update__member" href="{}">{}</a>: ',
                update.member.get_absolute_url(),
                _translated(update.member, "name", language),
            )
        if update.is_status_change:
            change = format_html(
                '{} <span aria-hidden="true">→</span><span class="visually-hidden">{}</span> {}',
                _status_badge(update.previous_status, None, language),
                gettext("changed to"),
                _status_badge(update.status, None, language),
            )
        else:
            change = format_html(
                '{} <span class="muted">{}</span>',
                _status_badge(update.status, None, language),
                gettext("(status unchanged)"),
            )
        legacy = ""
        if per_member and not update.member_id and update.is_status_change:
            legacy = format_html(
                '<p class="update__legacy muted">{}</p>',
                gettext(
                    "Recorded for the commitment as a whole before its status was worked out "
                    "from the member states’ statuses: it no longer sets the status."
                ),
            )
        corrects = ""
        if update.corrects_id and update.corrects.is_public:
            corrected = _time_values(update.corrects.as_of, language)["date"]
            if show_commitment:
                words = _with_values(
                    gettext('Corrects <a href="%(url)s#update-%(id)s">the update of %(date)s</a>'),
                    url=commitment_url,
                    id=str(update.corrects_id),
                    date=corrected,
                )
            else:
                words = _with_values(
                    gettext('Corrects <a href="#update-%(id)s">the update of %(date)s</a>'),
                    id=str(update.corrects_id),
                    date=corrected,
                )
            corrects = format_html('<p class="update__corrects">{}</p>', words)
        # In the reader's language, or the original marked with its own (_note_html()).
        note = _note_html(update, language)
        basis = ""
        if update.basis:
            basis = format_html(
                '<p class="update__basis"><span class="muted">{}</span> {}</p>',
                gettext("Basis:"),
                update.get_basis_display(),
            )
        evidence = ""
        if update.evidence_url:
            evidence = format_html(
                '<p class="update__evidence">{}</p>',
                web_link(
                    update.evidence_url,
                    format_html(
                        '{}<span class="visually-hidden"> {}</span>',
                        gettext("Evidence"),
                        _with_values(gettext("for the update of %(date)s"), date=as_of["date"]),
                    ),
                ),
            )
        items.append(
            format_html(
                UPDATE,
                pk=str(update.pk),
                iso=as_of["iso"],
                date=as_of["date"],
                commitment=commitment_link,
                member=member,
                change=change,
                legacy=legacy,
                corrects=corrects,
                note=note,
                basis=basis,
                evidence=evidence,
            )
        )
    return mark_safe('\n<ol class="updates">\n  ' + "".join(items) + "\n</ol>\n\n")


@register.simple_tag
def promise(commitment) -> SafeString:
    """A commitment as the front page names it under its speaker: status, title, whether it
    is overdue, its kind and who must deliver it. 40 of them on the front page (issue 20)."""
    language = active_language()
    overdue = ""
    if commitment.is_overdue:
        overdue = format_html(' <span class="overdue">⚠ {}</span>', gettext("Overdue"))
    if commitment.member_group:
        deliverer = _with_values(
            gettext("Each %(group)s member state"),
            group=commitment.member_group.translated("name", language)[0],
        )
    else:
        deliverer = _translated(commitment.owner, "name", language)
    return format_html(
        '{} <a class="promise__title" href="{}">{}</a>{}{}<span class="promise__owner">'
        '<span class="promise__kind">{}</span> · <span class="visually-hidden">{} </span>{}'
        "</span>",
        _status_badge(commitment.status, None, language),
        commitment.get_absolute_url(),
        _translated(commitment, "title", language),
        _translation_mark() if _is_translation(commitment, "title", language) else "",
        overdue,
        commitment.get_kind_display(),
        gettext("Must deliver it:"),
        deliverer,
    )


CARD = """<li class="card">
  <h3 class="card__title"><a href="{url}">{title}</a>{mark}</h3>
  {found}
  <p class="card__status">{status}{members}</p>
  {overdue}
  <dl class="facts">
    <div><dt>{deliverer_label}</dt><dd>{deliverer}</dd></div>
    <div><dt>{kind_label}</dt><dd>{kind}</dd></div>
    <div><dt>{proposer_label}</dt><dd>{proposer}</dd></div>
    {themes}
  </dl>
</li>
"""


@register.simple_tag
def commitment_cards(commitments, query: search.Query | None = None) -> SafeString:
    """Commitments as the lists' cards: each one's status, who must deliver it, its kind, who
    proposed it and its themes. Reads their owners, proposers, member groups and themes (fetch
    them with views._cards()) and their members' figures (figures.with_member_figures()).

    With the search `query`: its words highlighted in the title, and where else the
    commitment matched (`found_in`, from search.found_elsewhere()) under it."""
    language = active_language()
    labels = {
        "deliverer_label": gettext("Must deliver it"),
        "kind_label": gettext("Kind"),
        "proposer_label": gettext("Proposed by"),
    }
    themes_label = gettext("Themes")
    mark = _translation_mark()
    # The same owners, proposers and themes come back card after card: each is linked once.
    links: dict[tuple[type, int], SafeString] = {}

    def link(obj) -> SafeString:
        key = (type(obj), obj.pk)
        if key not in links:
            links[key] = format_html(
                '<a href="{}">{}</a>', obj.get_absolute_url(), _translated(obj, "name", language)
            )
        return links[key]

    cards = []
    for commitment in commitments:
        members = ""
        if commitment.members_tracked:
            members = format_html(
                ' <span class="card__members">{}</span>',
                _with_values(
                    gettext(
                        "· member states: %(done)s of %(tracked)s done, %(assessed)s of "
                        "%(tracked)s assessed"
                    ),
                    done=localize(commitment.members_done),
                    assessed=localize(commitment.members_assessed),
                    tracked=localize(commitment.members_tracked),
                ),
            )
        if commitment.member_group:
            deliverer = _with_values(
                gettext("Each %(group)s member state"),
                group=commitment.member_group.translated("name", language)[0],
            )
        else:
            deliverer = link(commitment.owner)
        themes = [link(theme) for theme in commitment.themes.all()]
        cards.append(
            format_html(
                CARD,
                url=commitment.get_absolute_url(),
                title=_translated(commitment, "title", language, query),
                mark=mark if _is_translation(commitment, "title", language) else "",
                found=_found(getattr(commitment, "found_in", None)),
                status=_status_badge(commitment.status, commitment.status_date or None, language),
                members=members,
                overdue=overdue_notice(commitment.target_date) if commitment.is_overdue else "",
                deliverer=deliverer,
                kind=commitment.get_kind_display(),
                proposer=link(commitment.proposer),
                themes=format_html(
                    "<div><dt>{}</dt><dd>{}</dd></div>", themes_label, mark_safe(", ".join(themes))
                )
                if themes
                else "",
                **labels,
            )
        )
    return SafeString("".join(cards))


@register.simple_tag
def highlighted(obj, field: str, query: search.Query | None) -> SafeString:
    """As {% translated %}, with the searched words in <mark>."""
    return _translated(obj, field, active_language(), query)


def _found(found: search.Found | None) -> SafeString:
    if found is None:
        return SafeString("")
    return format_html(
        '<p class="card__found"><span class="card__found-where">{}</span> '
        '<span lang="{}">{}</span></p>',
        found.where,
        found.language,
        found.text,
    )


@register.simple_tag
def status_definition(status: str) -> str:
    return STATUS_INFO[Status(status)].definition


@dataclass
class BucketShare:
    bucket: str
    label: str
    definition: str
    count: int
    percent: float
    # Where this segment starts along the bar, as a percentage.
    offset: float


def bucket_shares(counts: Mapping[str, int]) -> list[BucketShare]:
    """Turn {bucket: count} into ordered segments of a 100% bar."""
    total = sum(counts.values())
    shares, offset = [], 0.0
    for bucket in Bucket:
        count = counts.get(bucket.value, 0)
        percent = 100 * count / total if total else 0.0
        shares.append(
            BucketShare(
                bucket.value, bucket.label, BUCKET_DEFINITIONS[bucket], count, percent, offset
            )
        )
        offset += percent
    return shares


def count_buckets(statuses: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        bucket = bucket_of(status).value
        counts[bucket] = counts.get(bucket, 0) + 1
    return counts


# The order a member spread is read in: what has been delivered first, what is missing last.
SPREAD_ORDER = [
    Status.COMPLETED,
    Status.PARTIALLY_COMPLETED,
    Status.ONGOING,
    Status.IN_PROGRESS,
    Status.DELAYED,
    Status.STALLED,
    Status.NOT_STARTED,
    Status.DISCONTINUED,
    Status.SUPERSEDED,
    Status.NOT_ASSESSED,
]


@dataclass
class SpreadPart:
    status: str
    label: str
    symbol: str
    bucket: str
    count: int


def member_spread(statuses: Iterable[str]) -> list[SpreadPart]:
    """How many members have each status, in SPREAD_ORDER, naming only statuses in use."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return [
        SpreadPart(
            status.value,
            status.label,
            STATUS_INFO[status].symbol,
            STATUS_INFO[status].bucket.value,
            counts[status.value],
        )
        for status in SPREAD_ORDER
        if counts.get(status.value)
    ]


def spread_words(parts: list[SpreadPart]) -> str:
    """The spread as plain text: "1 of 11 completed · 1 in progress · 9 not yet assessed"."""
    total = sum(part.count for part in parts)
    words = []
    for number, part in enumerate(parts):
        if number == 0:
            words.append(
                gettext("%(count)s of %(total)s %(status)s")
                % {
                    "count": localize(part.count),
                    "total": localize(total),
                    "status": part.label.lower(),
                }
            )
        else:
            words.append(f"{localize(part.count)} {part.label.lower()}")
    return " · ".join(words)


def status_in_words(commitment, member_statuses: Iterable[str] = ()) -> str:
    """The commitment's status as one plain line: the status word, and for a commitment
    carried out by each member, the members' spread it was worked out from."""
    label = Status(commitment.status).label
    parts = member_spread(member_statuses)
    if not parts:
        return str(label)
    return gettext("%(status)s overall: %(spread)s") % {
        "status": label,
        "spread": spread_words(parts),
    }


@register.inclusion_tag("tracker/includes/_member_spread.html")
def member_spread_line(statuses: Iterable[str]) -> dict:
    """The members' statuses of a commitment, counted: symbol and text, never colour alone."""
    parts = member_spread(statuses)
    return {"parts": parts, "total": sum(part.count for part in parts)}


@register.filter(name="score")
def format_score(score) -> str:
    """A compliance score as the site writes it: "+0.50", "−0.25", "0.00" ("+0,50" in
    Vietnamese and Indonesian); "not scored" when nothing is assessed (None), which is missing
    data, never a failing score."""
    if score is None:
        return gettext("not scored")
    score = float(score)
    if round(score, 2) == 0:
        return number_format(0, 2)
    sign = "+" if score > 0 else "\u2212"
    return sign + number_format(abs(score), 2)


@register.simple_tag
def score_of_status(status: str) -> str:
    """The points a status scores (+1, 0, −1), or "not scored"."""
    value = STATUS_SCORE[Status(status)]
    if value is None:
        return gettext("not scored")
    return "0" if value == 0 else ("+" if value > 0 else "\u2212") + str(abs(value))


@register.simple_tag
def bucket_summary(
    counts: Mapping[str, int], label: str, largest: int = 0, filter_query: str = ""
) -> SafeString:
    """A bar of status buckets and the figures in words, naming only the buckets in use.

    With `largest`, the bar is drawn on a scale shared with other bars (a row with half as
    many commitments as the largest is half as long); without it, it fills the width. Only
    figures above zero link to a list, so no link leads to an empty page. Written here, not
    as an included template: the actors' page draws one per actor (issue 20).
    """
    shares = bucket_shares(counts)
    total = sum(share.count for share in shares)
    scale = total / largest if largest else 1.0
    used = [share for share in shares if share.count]
    # Each label and definition translated once: a lazy text is translated again on every use.
    labels = {share.bucket: str(share.label).lower() for share in used}
    words = ", ".join(f"{localize(share.count)} {labels[share.bucket]}" for share in used)
    words = words or gettext("none")
    # The label may come escaped already (a {% blocktranslate asvar %} with a name in it):
    # escaped once here, and the sentence marked safe, so "&" is not written "&amp;amp;".
    summary = _with_values(
        ngettext(
            "%(label)s: %(count)s commitment: %(words)s.",
            "%(label)s: %(count)s commitments: %(words)s.",
            total,
        ),
        label=label,
        count=localize(total),
        words=words,
    )
    # As {% widthratio share.offset 100 scale %} drew them: the scale cut to a whole number.
    width = int(100 * scale)
    bars = format_html_join(
        "",
        '<rect class="bucket--{}" x="{}" y="0" width="{}" height="4"></rect>',
        ((share.bucket, round(share.offset / 100 * width), round(share.percent / 100 * width))
         for share in used),
    )  # fmt: skip
    if used:
        list_url = reverse("tracker:commitment-list")
        figures = mark_safe(
            '<span aria-hidden="true"> · </span>'.join(
                format_html(
                    '<a href="{}?{}bucket={}" title="{}"><span class="legend__swatch legend--{}" '
                    'aria-hidden="true"></span> {} {}</a>',
                    list_url,
                    filter_query,
                    share.bucket,
                    str(share.definition),
                    share.bucket,
                    localize(share.count),
                    labels[share.bucket],
                )
                for share in used
            )
        )
    else:
        figures = format_html('<span class="muted">{}</span>', gettext("none"))
    return format_html(
        '<div class="bucket-summary">\n'
        '  <svg class="bucket-summary__bar" viewBox="0 0 100 4" preserveAspectRatio="none" '
        'role="img" aria-label="{}" focusable="false">\n'
        "    <title>{}</title>\n"
        "    {}\n"
        "  </svg>\n"
        '  <p class="bucket-summary__words">{}</p>\n'
        "</div>\n",
        summary,
        summary,
        bars,
        figures,
    )


# Editors' texts in the page's language (tracker.languages.Translatable).
#
# A text shown in a translation the tracker's editors wrote is marked as theirs on every page in
# Vietnamese or Indonesian, with the original one click away and no JavaScript (issue 22): a
# detail page says so under its heading, with the originals in a <details>; a list marks each
# translated title with an asterisk that a notice above it explains, beside a link to the same
# page in English. English pages show no mark: nothing on them is translated.


def _original_language(obj) -> str:
    """The language an object's own texts are in: a source's are in the document's."""
    return obj.language if isinstance(obj, Source) else settings.LANGUAGE_CODE


def _is_translation(obj, field: str, language: str) -> bool:
    """Whether `field` of `obj` ("commitment.title": of its commitment) is shown in the
    editors' translation on a `language` page."""
    *path, field = field.split(".")
    for name in path:
        obj = getattr(obj, name)
    return obj.translated(field, language)[1] in CONTENT_LANGUAGES


@register.filter(name="translated")
def translated_text(obj, field: str) -> str:
    """`obj`'s `field` in the page's language, else in English, as plain text: for <title>,
    attributes and other places where no element can mark the language."""
    return obj.translated(field)[0]


@register.simple_tag(name="translated")
def translated_html(obj, field: str, mark: bool = False) -> str:
    """`obj`'s `field` in the page's language; where no translation was written, the original
    marked with its language (<span lang="en">), so a screen reader reads it as such. `mark`:
    followed by the asterisk of a translation (never inside a link: see translation_mark)."""
    language = active_language()
    text = _translated(obj, field, language)
    if mark and _is_translation(obj, field, language):
        return text + _translation_mark()
    return text


def _translated(obj, field: str, language: str, query: search.Query | None = None) -> SafeString:
    """The text escaped, the words of a search `query` in <mark>, and marked with its language
    when it is not the page's."""
    text, text_language = obj.translated(field, language)
    if text_language not in CONTENT_LANGUAGES:
        text_language = _original_language(obj)
    text = search.highlight(text, query)
    if text_language == language:
        return text
    return format_html('<span lang="{}">{}</span>', text_language, text)


@register.simple_tag(name="translation_mark")
def translation_mark_tag(obj, field: str) -> str:
    """The asterisk after a text of a list shown in the editors' translation (explained by
    {% translation_notice %}); nothing for a text in its original language."""
    if not _is_translation(obj, field, active_language()):
        return ""
    return _translation_mark()


def _translation_mark() -> SafeString:
    # Placed after a link, not in it: a title's link keeps the title as its name.
    return format_html(
        '<sup class="translated-mark"><span aria-hidden="true">*</span>'
        '<span class="visually-hidden"> {}</span></sup>',
        gettext("(translated by the tracker’s editors)"),
    )


def _in_english(context) -> SafeString:
    """A link to this page in English, through the switcher: a plain link to the English
    address would send a reader whose language is Vietnamese straight back to /vi/."""
    url = next(
        (
            link["switch_url"]
            for link in context.get("language_links") or ()
            if link["code"] == settings.LANGUAGE_CODE
        ),
        "",
    )
    if not url:
        return SafeString("")
    return format_html(
        '<a class="translation-english" href="{}" hreflang="{}">{}</a>',
        url,
        settings.LANGUAGE_CODE,
        gettext("Read this page in English"),
    )


@register.simple_tag(takes_context=True)
def translation_notice(context, objects, *fields: str) -> str:
    """Above a list on a page in Vietnamese or Indonesian: what the asterisks mean, and the
    same page in English. Nothing when no `fields` of `objects` is shown in translation.
    `objects` may be rows holding the object, as the theme and actor lists and the scorecard's
    key have them: (theme, counts), (number, commitment)."""
    language = active_language()
    objects = [
        next(item for item in row if hasattr(item, "translated"))
        if isinstance(row, tuple | list)
        else row
        for row in objects
    ]
    if not any(_is_translation(obj, field, language) for obj in objects for field in fields):
        return ""
    return format_html(
        '<p class="translation-notice">{} {}</p>',
        gettext("Texts marked * were translated by the tracker’s editors, as were the names on "
                "this page."),
        _in_english(context),
    )  # fmt: skip


TRANSLATION_NOTE = """<details class="translation-note no-print">
  <summary>{translated_by} <span class="translation-note__show">{show}</span></summary>
  <dl class="translation-note__originals">
    {originals}
  </dl>
  <p>{in_english}</p>
</details>
<div class="translation-note print-only">
  <p>{translated_by} {originals_label}</p>
  <dl class="translation-note__originals">
    {originals}
  </dl>
</div>
"""


@register.simple_tag(takes_context=True)
def translation_note(context, obj, *fields: str) -> str:
    """Under a detail page's heading in Vietnamese or Indonesian: that its texts are the
    editors' translation, the originals of those of `fields` that are (in a <details>, and
    printed), and the page in English. Nothing when none of them is shown in translation."""
    language = active_language()
    shown = [field for field in fields if _is_translation(obj, field, language)]
    if not shown:
        return ""
    original = _original_language(obj)
    originals = format_html_join(
        "\n    ",
        '<div><dt>{}</dt><dd lang="{}">{}</dd></div>',
        (
            (capfirst(obj._meta.get_field(field).verbose_name), original, getattr(obj, field))
            for field in shown
        ),
    )
    return format_html(
        TRANSLATION_NOTE,
        translated_by=gettext("Translated by the tracker’s editors."),
        show=gettext("Show the original"),
        originals_label=gettext("The original:"),
        originals=originals,
        in_english=_in_english(context),
    )


@register.simple_tag(takes_context=True)
def admin_edit_link(context, obj=None) -> str:
    """ "Edit in admin", to the object's change page, for staff who may see it there.

    Never on a page headed for the public cache: that copy is served to everybody. (Such a
    request has no session, so is never staff; checked first, so an anonymous page does not
    even look at the session and stays free to be kept by any cache.)
    """
    request = context.get("request")
    if obj is None or request is None or may_be_cached(request):
        return ""
    user = request.user
    opts = obj._meta
    if not (
        user.is_active
        and user.is_staff
        and (
            user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
            or user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        )
    ):
        return ""
    return format_html(
        '<p class="admin-edit no-print"><a href="{}">{}<span class="visually-hidden">: {}</span>'
        "</a></p>",
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        gettext("Edit in admin"),
        obj,
    )


# Notes of status updates in the reader's language (issue 22). A note is written in one of the
# site's languages (`note_language`) and may carry editors' translations into the others
# (`note_translation_<code>`). The reader gets the original if it is in their language, else
# the translation into it, else the original marked with its language and a line saying so.
# Rows annotated with an update's note (MemberProgress.with_latest_update(),
# Commitment.with_latest_note()) carry the same fields under a prefix ("latest_").


def note_in(obj, language: str, prefix: str = "") -> tuple[str, str, bool]:
    """`obj`'s note in `language` if there is one: (text, its language, whether it is a
    translation); else the original and its language. Reads loaded fields only: no query."""
    note = getattr(obj, f"{prefix}note", "") or ""
    original = getattr(obj, f"{prefix}note_language", "") or settings.LANGUAGE_CODE
    if original != language:
        translation = getattr(obj, f"{prefix}note_translation_{language}", "") or ""
        if translation and note:
            return translation, language, True
    return note, original, False


# The languages' names as a sentence uses them ("not yet translated into English"): lower case
# in Vietnamese and Indonesian there ("tiếng Việt", "bahasa Indonesia"), unlike in a list.
SENTENCE_LANGUAGE_NAMES = {
    "en": pgettext_lazy("language name within a sentence", "English"),
    "vi": pgettext_lazy("language name within a sentence", "Vietnamese"),
    "id": pgettext_lazy("language name within a sentence", "Indonesian"),
}


def _language_name(code: str) -> str:
    return str(SENTENCE_LANGUAGE_NAMES.get(code, code))


def note_label(original: str, language: str, translated: bool) -> str:
    """The line beside a note that is not the original in the reader's language, as text."""
    if translated:
        return gettext("Translated from %(original)s by the tracker’s editors.") % {
            "original": _language_name(original)
        }
    return gettext("Original in %(original)s; not yet translated into %(language)s.") % {
        "original": _language_name(original),
        "language": _language_name(language),
    }


def _note_html(
    obj, language: str, prefix: str = "", *, br: bool = False, printing: bool = False
) -> SafeString:
    """The note as the pages show it (see note_in()); `br`: its lines joined by <br>, as in a
    table cell; `printing`: the original under a translation is open, so it is printed."""
    text, text_language, translated = note_in(obj, language, prefix)
    if not text:
        return SafeString("")

    def lines(value: str, lang: str = "") -> SafeString:
        # As the linebreaks filters: the note escaped, then its lines as paragraphs or <br>.
        body = mark_safe(linebreaks(value, autoescape=True)) if not br else linebreaksbr(value)
        if br:
            return format_html('<span lang="{}">{}</span>', lang, body) if lang else body
        attribute = format_html(' lang="{}"', lang) if lang else ""
        return format_html('<div class="update__note"{}>{}</div>', attribute, body)

    if text_language == language and not translated:
        # The original in the reader's language: the markup the pages have always had.
        return lines(text)
    original = getattr(obj, f"{prefix}note_language", "") or settings.LANGUAGE_CODE
    label = note_label(original, language, translated)
    if not translated:
        return format_html(
            '<p class="update__language muted">{}</p>{}', label, lines(text, text_language)
        )
    return format_html(
        '{}<details class="update__original"{}><summary>{} {}</summary>{}</details>',
        lines(text, language),
        mark_safe(" open") if printing else "",
        label,
        gettext("Show the original"),
        lines(getattr(obj, f"{prefix}note"), original),
    )


@register.simple_tag
def update_note(obj, prefix: str = "", br: bool = False, printing: bool = False) -> SafeString:
    """{% update_note update %}: a status update's note in the page's language, the original
    one click away under a translation, and a visible line where there is no translation;
    {% update_note row "latest_" br=True %} for a row annotated with its latest note."""
    return _note_html(obj, active_language(), prefix, br=br, printing=printing)
