"""Server-rendered SVG charts: geometry computed here, markup in templates/tracker/includes/.

Every chart is an <svg role="img"> named by its <title> and described by a <desc> that spells
out the figures, followed by the same figures as a <table>. Colours come from CSS classes
(`bucket--done`…), never inline styles, and every bar also carries its number as text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate

from django.utils.formats import localize
from django.utils.translation import gettext, ngettext

from tracker.models import STATUS_INFO, Bucket, Status
from tracker.templatetags.tracker_tags import (
    OWN_COLOUR,
    BucketShare,
    bucket_shares,
    format_score,
)

WIDTH = 400
ROW_HEIGHT = 36
# Where the bar sits within a row: the label's baseline is above it.
LABEL_BASELINE = 14
BAR_TOP = 19
BAR_HEIGHT = 12
# A label is never cut: it wraps onto lines this long (at 14 units a letter is at most ~8.5
# wide), so it stays clear of the figure at the right-hand end of its first line, in every
# language ("không tính điểm" is the widest figure). Each line more makes the row taller.
LABEL_CHARS = 32
LINE_HEIGHT = 17


def _lines(label: str) -> list[str]:
    """A label as whole lines; a word longer than a line (a pasted URL) is broken."""
    return textwrap.wrap(label, LABEL_CHARS, break_on_hyphens=False) or [""]


def _tops(line_counts: list[int]) -> tuple[list[int], int]:
    """Where each row starts, and the chart's height, for rows of these many label lines."""
    heights = [ROW_HEIGHT + (lines - 1) * LINE_HEIGHT for lines in line_counts]
    return [0, *accumulate(heights)][:-1], sum(heights)


class _Row:
    """A row's label lines and where its bar sits: below the label's last line."""

    y: int
    lines: list[str]

    @property
    def label_y(self) -> int:
        return self.y + LABEL_BASELINE

    @property
    def bar_y(self) -> int:
        return self.y + BAR_TOP + (len(self.lines) - 1) * LINE_HEIGHT


def _plural(n: int) -> str:
    # localize(): "1,234", "1.234" in Vietnamese and Indonesian, as the page's own figures.
    return ngettext("%(count)s commitment", "%(count)s commitments", n) % {"count": localize(n)}


def _fmt(x: float) -> str:
    return f"{x:.2f}"


@dataclass
class Bar(_Row):
    label: str
    count: int
    css: str
    url: str
    y: int
    width: str
    lines: list[str] = field(default_factory=list)


@dataclass
class BarChart:
    """Horizontal bars, one per category in use, each as long as its share of the largest.

    Categories with nothing in them are not drawn as rows of zeros: they are named once, in
    `none`, e.g. "None: Delayed, Stalled".
    """

    id: str
    title: str
    description: str
    category: str
    bars: list[Bar]
    height: int
    none: list[str]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    line_height: int = LINE_HEIGHT


def _bar_chart(id: str, title: str, category: str, rows: list[tuple[str, int, str, str]]):
    largest = max((count for _, count, _, _ in rows), default=0)
    used = [row for row in rows if row[1]]
    lines = [_lines(label) for label, _, _, _ in used]
    tops, height = _tops([len(label_lines) for label_lines in lines])
    bars = [
        Bar(label, count, css, url, top, _fmt(WIDTH * count / largest), label_lines)
        for (label, count, css, url), top, label_lines in zip(used, tops, lines, strict=True)
    ]
    none = [label for label, count, _, _ in rows if not count]
    total = sum(bar.count for bar in bars)
    description = f"{_plural(total)}: " + "; ".join(f"{b.label}: {localize(b.count)}" for b in bars)
    if not bars:
        description = gettext("No commitments")
    elif none:
        description += "; " + gettext("none %(categories)s") % {"categories": ", ".join(none)}
    return BarChart(id, title, description + ".", category, bars, height=height, none=none)


def status_chart(id: str, title: str, counts: Mapping[str, int], list_url: str) -> BarChart:
    """How many commitments have each status, from {status: count}."""
    rows = [
        (
            f"{STATUS_INFO[status].symbol} {status.label}",
            counts.get(status.value, 0),
            f"bucket--{STATUS_INFO[status].bucket.value}"
            + (f" bar--{status.value}" if status in OWN_COLOUR else ""),
            f"{list_url}status={status.value}",
        )
        for status in Status
    ]
    return _bar_chart(id, title, gettext("Status"), rows)


def bucket_chart(id: str, title: str, counts: Mapping[str, int], list_url: str) -> BarChart:
    """How many commitments are in each bucket, from {bucket: count}."""
    rows = [
        (str(bucket.label), counts.get(bucket.value, 0), f"bucket--{bucket.value}",
         f"{list_url}bucket={bucket.value}")
        for bucket in Bucket
    ]  # fmt: skip
    return _bar_chart(id, title, gettext("Progress"), rows)


@dataclass
class Segment:
    share: BucketShare
    x: str
    width: str


@dataclass
class StackedRow(_Row):
    label: str
    full_label: str
    url: str
    list_url: str
    total: int
    shares: list[BucketShare]
    segments: list[Segment]
    y: int
    lines: list[str] = field(default_factory=list)


@dataclass
class StackedChart:
    """One 100% bar per theme or owner, split by bucket: how far along each one is."""

    id: str
    title: str
    description: str
    category: str
    rows: list[StackedRow]
    buckets: list[Bucket]
    height: int
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    line_height: int = LINE_HEIGHT


def _describe(row: StackedRow) -> str:
    """E.g. "Innovation: 3 commitments: 1 pending, 2 active, 0 done, 0 closed."."""
    if not row.total:
        return gettext("%(label)s: no commitments.") % {"label": row.full_label}
    shares = ", ".join(f"{localize(share.count)} {share.label.lower()}" for share in row.shares)
    return f"{row.full_label}: {_plural(row.total)}: {shares}."


def stacked_chart(
    id: str, title: str, category: str, rows: Iterable[tuple[str, str, str, Mapping[str, int]]]
) -> StackedChart:
    """From (label, page URL, list URL prefix, {bucket: count}) per row.

    Every row is drawn on one scale: the row with most commitments spans the full width and
    one with half as many, half of it, so a bar's length always says how many it counts.
    """
    rows = list(rows)
    built = []
    largest = max((sum(counts.values()) for _, _, _, counts in rows), default=0)
    lines = [_lines(label) for label, _, _, _ in rows]
    tops, height = _tops([len(label_lines) for label_lines in lines])
    for (label, url, list_url, counts), top, label_lines in zip(rows, tops, lines, strict=True):
        shares = bucket_shares(counts)
        scale = WIDTH * sum(counts.values()) / largest / 100 if largest else 0
        segments = [
            Segment(share, _fmt(scale * share.offset), _fmt(scale * share.percent))
            for share in shares
            if share.count
        ]
        built.append(
            StackedRow(
                label,
                label,
                url,
                list_url,
                sum(share.count for share in shares),
                shares,
                segments,
                top,
                label_lines,
            )
        )
    description = " ".join(_describe(row) for row in built)
    return StackedChart(id, title, description, category, built, list(Bucket), height=height)


@dataclass
class ScoreBar(_Row):
    label: str
    full_label: str
    url: str
    score: float | None
    assessed: int
    tracked: int
    done: int
    y: int
    # The bar runs from the zero line: right for a positive score, left for a negative one.
    x: str
    width: str
    lines: list[str] = field(default_factory=list)

    @property
    def css(self) -> str:
        if self.score is None or self.score == 0:
            return ""
        return "score--positive" if self.score > 0 else "score--negative"


@dataclass
class ScoreChart:
    """One bar per member state from a zero line in the middle, as long as its score: half
    the width is a score of 1 (every assessed commitment completed), or of −1 to the left."""

    id: str
    title: str
    description: str
    bars: list[ScoreBar]
    height: int
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    line_height: int = LINE_HEIGHT

    @property
    def zero_x(self) -> int:
        return self.width // 2


def score_chart(id: str, title: str, members: Iterable) -> ScoreChart:
    """From member states annotated by MemberStateQuerySet.with_scores()."""
    half = WIDTH / 2
    bars = []
    members = list(members)
    names = [m.translated("name")[0] if hasattr(m, "translated") else m.name for m in members]
    lines = [_lines(name) for name in names]
    tops, height = _tops([len(name_lines) for name_lines in lines])
    for member, name, top, name_lines in zip(members, names, tops, lines, strict=True):
        score = None if member.compliance_score is None else float(member.compliance_score)
        length = half * abs(score) if score is not None else 0
        bars.append(
            ScoreBar(
                name,
                name,
                member.get_absolute_url(),
                score,
                member.commitments_assessed,
                member.commitments_tracked,
                member.commitments_done,
                top,
                _fmt(half - length if score is not None and score < 0 else half),
                _fmt(length),
                name_lines,
            )
        )
    description = " ".join(
        ngettext(
            "%(member)s: %(score)s, assessed on %(assessed)s of %(count)s commitment.",
            "%(member)s: %(score)s, assessed on %(assessed)s of %(count)s commitments.",
            bar.tracked,
        )
        % {
            "member": bar.full_label,
            "score": format_score(bar.score),
            "assessed": localize(bar.assessed),
            "count": localize(bar.tracked),
        }
        for bar in bars
    )
    return ScoreChart(id, title, description, bars, height=height)
