"""Display helpers for statuses and progress, so templates hold no display logic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import template

from tracker.models import BUCKET_DEFINITIONS, STATUS_INFO, STATUS_SCORE, Bucket, Status, bucket_of

register = template.Library()


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


@register.filter(name="score")
def format_score(score) -> str:
    """A compliance score as the site writes it: "+0.50", "−0.25", "0.00"; "not scored" when
    nothing is assessed (None), which is missing data, never a failing score."""
    if score is None:
        return "not scored"
    score = float(score)
    if round(score, 2) == 0:
        return "0.00"
    return f"{score:+.2f}".replace("-", "\u2212")


@register.simple_tag
def score_of_status(status: str) -> str:
    """The points a status scores (+1, 0, −1), or "not scored"."""
    value = STATUS_SCORE[Status(status)]
    return "not scored" if value is None else format_score(value).replace(".00", "")


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
    words = ", ".join(f"{share.count} {share.label.lower()}" for share in used) or "none"
    return {
        "shares": used,
        "total": total,
        "scale": 100 * scale,
        "summary": f"{label}: {total} commitment{'' if total == 1 else 's'}: {words}.",
        "filter_query": filter_query,
    }
