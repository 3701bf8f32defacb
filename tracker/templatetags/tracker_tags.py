"""Display helpers for statuses and progress, so templates hold no display logic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from tracker.caching import may_be_cached
from tracker.languages import active_language
from tracker.models import BUCKET_DEFINITIONS, STATUS_INFO, STATUS_SCORE, Bucket, Status, bucket_of

register = template.Library()

# Statuses drawn in a colour of their own rather than their bucket's: delayed and stalled are
# active, but must not look like "in progress" (badges: status--delayed; chart bars: bar--…).
OWN_COLOUR = frozenset({Status.DELAYED, Status.STALLED})


@register.inclusion_tag("tracker/includes/_status.html")
def status_badge(status: str, as_of=None) -> dict:
    """A status as symbol and text, never colour alone."""
    status = Status(status)
    info = STATUS_INFO[status]
    return {
        "value": status.value,
        "label": status.label,
        "symbol": info.symbol,
        "bucket": info.bucket.value,
        "own_colour": status in OWN_COLOUR,
        "as_of": as_of,
    }


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
                % {"count": part.count, "total": total, "status": part.label.lower()}
            )
        else:
            words.append(f"{part.count} {part.label.lower()}")
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


@register.inclusion_tag("tracker/includes/_bucket_summary.html")
def bucket_summary(
    counts: Mapping[str, int], label: str, largest: int = 0, filter_query: str = ""
) -> dict:
    """A bar of status buckets and the figures in words, naming only the buckets in use.

    With `largest`, the bar is drawn on a scale shared with other bars (a row with half as
    many commitments as the largest is half as long); without it, it fills the width. Only
    figures above zero link to a list, so no link leads to an empty page.
    """
    shares = bucket_shares(counts)
    total = sum(share.count for share in shares)
    scale = total / largest if largest else 1.0
    used = [share for share in shares if share.count]
    words = ", ".join(f"{share.count} {share.label.lower()}" for share in used) or gettext("none")
    return {
        "shares": used,
        "total": total,
        "scale": 100 * scale,
        "summary": ngettext(
            "%(label)s: %(count)s commitment: %(words)s.",
            "%(label)s: %(count)s commitments: %(words)s.",
            total,
        )
        % {"label": label, "count": total, "words": words},
        "filter_query": filter_query,
    }


# Editors' texts in the page's language (tracker.languages.Translatable).


@register.filter(name="translated")
def translated_text(obj, field: str) -> str:
    """`obj`'s `field` in the page's language, else in English, as plain text: for <title>,
    attributes and other places where no element can mark the language."""
    return obj.translated(field)[0]


@register.simple_tag(name="translated")
def translated_html(obj, field: str) -> str:
    """`obj`'s `field` in the page's language; where no translation was written, the English
    text marked <span lang="en">, so a screen reader reads it as English."""
    text, language = obj.translated(field)
    if language == active_language():
        return text  # escaped by the template
    return format_html('<span lang="{}">{}</span>', language, text)


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
