"""How many published commitments have each status, in each scope: counted with GROUP BY and
kept in the cache under the content version.

Every write moves the content version on, so a figure kept under it is exact until the next
write, and writes pay nothing for the figures. They are counted once per version, by the first
request that needs them, in two queries (docs/benchmarks.md compares this with the incremental
tallies it replaced). Drafts count towards nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Value

from tracker.models import (
    Actor,
    Commitment,
    ContentVersion,
    MemberProgress,
    MemberState,
    Source,
    Theme,
)
from tracker.statuses import Record, bucket_of

# The scopes a figure is counted in: the whole site (key 0), or one source, lead owner,
# proposer, theme, partner or member state (key: its primary key).
SITE, SOURCE, OWNER, PROPOSER, THEME, PARTNER, MEMBER = (
    "site",
    "source",
    "owner",
    "proposer",
    "theme",
    "partner",
    "member",
)
ACTOR_SCOPES = (OWNER, PROPOSER, PARTNER)
SCOPES = (SITE, SOURCE, OWNER, PROPOSER, THEME, PARTNER, MEMBER)

Figures = dict[tuple[str, int], dict[str, int]]
T = TypeVar("T")


def count_afresh() -> Figures:
    """Every figure from the database, past the cache: one query, a UNION of four GROUP BYs.

    The commitments are read once, grouped by source, owner, proposer and status together (a
    few hundred groups at 10,000 commitments); the site's, sources', owners' and proposers'
    figures are summed from those groups here.
    """
    links = {"commitment__is_published": True}
    parts = [
        _grouped(rows, kind, keys, status)
        for kind, rows, keys, status in (
            (
                "commitment",
                Commitment.objects.public(),
                ("source_id", "owner_id", "proposer_id"),
                "status",
            ),
            (
                THEME,
                Commitment.themes.through.objects.filter(**links),
                ("theme_id",),
                "commitment__status",
            ),
            (
                PARTNER,
                Commitment.partners.through.objects.filter(**links),
                ("actor_id",),
                "commitment__status",
            ),
            (MEMBER, MemberProgress.objects.filter(**links), ("member_id",), "status"),
        )
    ]
    figures: Figures = {}

    def add(scope: str, key: int, status: str, n: int) -> None:
        counts = figures.setdefault((scope, key), {})
        counts[status] = counts.get(status, 0) + n

    for kind, first, second, third, status, n in parts[0].union(*parts[1:], all=True):
        if kind != "commitment":
            add(kind, first, status, n)
            continue
        for scope, key in ((SITE, 0), (SOURCE, first), (OWNER, second), (PROPOSER, third)):
            add(scope, key, status, n)
    return figures


def _grouped(rows, kind: str, keys: tuple[str, ...], status: str):
    """(kind, three keys, status, n) rows; keys a kind lacks are 0, so the UNION lines up."""
    padding = {f"key_{i}": Value(0) for i in range(len(keys), 3)}
    rows = rows.order_by().annotate(figure_kind=Value(kind), **padding)
    columns = ("figure_kind", *keys, *padding, status)
    return rows.values_list(*columns).annotate(n=Count("pk")).values_list(*columns, "n")


def _kept(token: str | None) -> Figures:
    """Every figure of the version `token`: from the cache, else counted and kept."""
    return kept("figures", count_afresh, token=token)


def read(*scopes: str, key: int | None = None) -> Figures:
    """{(scope, key): {status: count}} of the given scopes (only `key`, if given), counts above
    zero. One query for the version (none if the page cache read it), and one more once per
    version, for every figure at once."""
    figures = _kept(ContentVersion.token_now())
    return {
        where: counts
        for where, counts in figures.items()
        if where[0] in scopes and (key is None or where[1] == key)
    }


# The list's drop-downs: which themes, sources and actors have a published commitment in
# that role is what the figures' keys say (a scope holds only counts above zero).
CHOICE_SCOPES = {
    "theme": (Theme, THEME),
    "source": (Source, SOURCE),
    "owner": (Actor, OWNER),
    "partner": (Actor, PARTNER),
    "proposer": (Actor, PROPOSER),
}


def list_choices() -> dict[str, list]:
    """{filter name: its rows, in the model's order} for the list's five drop-downs: the
    themes, sources and actors with a published commitment in that role, as the filters'
    own querysets would give them (tests/test_figures.py compares them). Kept under the
    content version like the figures: once per version three queries (one per model) instead
    of five EXISTS searches on every list page (issue 20)."""
    token = ContentVersion.token_now()
    return kept("list-choices", lambda: _list_choices(_kept(token)), token=token)


def _list_choices(counted: Figures) -> dict[str, list]:
    """The choices from the figures' keys: one query per model."""
    keys = {
        field: {key for (s, key) in counted if s == scope}
        for field, (_model, scope) in CHOICE_SCOPES.items()
    }
    choices = {}
    for model in (Theme, Source, Actor):
        fields = [field for field, (m, _scope) in CHOICE_SCOPES.items() if m is model]
        rows = list(model.objects.filter(pk__in=set().union(*(keys[f] for f in fields))))
        for field in fields:
            choices[field] = [row for row in rows if row.pk in keys[field]]
    return choices


def kept(name: str, compute: Callable[[], T], token: str | None = None) -> T:
    """compute()'s answer, kept in the cache under the content version (`token`, else the
    current one): exact until the next write, which moves the version on."""
    if token is None:
        token = ContentVersion.token_now()
    key = f"{name}:{token}" if token is not None else None
    value = cache.get(key) if key else None
    if value is None:
        value = compute()
        if key:
            # As long as the pages: older versions' are never asked for again.
            cache.set(key, value, settings.TRACKER_PAGE_CACHE_SECONDS)
    return value


def of(figures: Figures, scope: str) -> dict[int, dict[str, int]]:
    """The keys of one scope in what read() returned: {key: {status: count}}."""
    return {key: counts for (s, key), counts in figures.items() if s == scope}


def bucket_counts(counts: dict[str, int]) -> dict[str, int]:
    """{status: n} as {bucket: n}."""
    buckets: dict[str, int] = {}
    for status, n in counts.items():
        bucket = bucket_of(status).value
        buckets[bucket] = buckets.get(bucket, 0) + n
    return buckets


def score_member(member: MemberState, counts: dict[str, int]) -> MemberState:
    """Give a member its record from {status: n} of its progress rows (templates, charts)."""
    record = Record.of(counts)
    member.commitments_tracked, member.commitments_assessed = record.tracked, record.assessed
    member.commitments_done, member.compliance_score = record.done, record.score
    return member


def score_commitment(commitment: Commitment, counts: dict[str, int]) -> Commitment:
    """Give a commitment its members' record from {status: n} of its progress rows."""
    record = Record.of(counts)
    commitment.members_tracked, commitment.members_assessed = record.tracked, record.assessed
    commitment.members_done, commitment.compliance_score = record.done, record.score
    return commitment


def with_member_figures(commitments) -> list[Commitment]:
    """A page of commitments, each with its members' figures (members_tracked, _assessed,
    _done, compliance_score) for "1 of 11 done": one query for the page, none when no
    commitment on it is carried out member by member (the badge of most commitments). At
    10,000 commitments the list costs the same this way as with subqueries (docs/benchmarks.md,
    issue 18)."""
    rows = list(commitments)
    tracked = [commitment.pk for commitment in rows if commitment.member_group_id is not None]
    counts = {}
    if tracked:
        counts = MemberProgress.objects.filter(commitment__in=tracked).status_counts("commitment")
    return [score_commitment(commitment, counts.get(commitment.pk, {})) for commitment in rows]
