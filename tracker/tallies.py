"""Precomputed figures: how many published commitments have each status, per source, theme,
owner, proposer, partner and member state, kept exact by the write path (issue 10).

The summaries at 10,000 commitments cannot count on every request (the charts took a second),
so they read tracker.models.Tally rows instead. Every write that can change what a commitment
counts towards runs inside `tracking(ids)`: it locks those commitments' rows, reads what they
count towards, lets the write happen, reads again and adds the difference to the tallies, all
in the write's own transaction. Reading the database both times, rather than trusting the
objects in memory, means whatever the write did in between is counted exactly: a status, a
publication, a new source, owner or proposer, themes, partners, member progress rows.

Who calls it: Commitment.save(), save_edit() (so record_update() and the member grid),
set_published(), sync_member_progress(), MemberProgress.save(), and the signal receivers below
for what Django writes without those methods: many-to-many changes (themes, partners, from
either side), deletes of commitments and member progress rows, and the cleanup when a theme,
actor, source or member state is deleted. A tracking block inside another joins it, so a
write is counted once however its steps nest.

`recount()` computes every figure afresh: migration 0009 stores it, and the property tests
compare it with the stored figures after random sequences of writes.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from tracker.models import (
    Actor,
    Bucket,
    Commitment,
    MemberProgress,
    MemberState,
    Source,
    Tally,
    TallyScope,
    Theme,
    bucket_of,
    score_of,
    statuses_in,
)

# (scope, key, status): one Tally row.
Key = tuple[str, int, str]

_local = threading.local()


def contributions(ids: Iterable[int] | None = None, apps=None) -> Counter[Key]:
    """What the commitments `ids` (all of them when None) count towards, as the database says
    now: four queries. Drafts count towards nothing. `apps` gives historical models (0009)."""
    if apps is not None:
        commitments = apps.get_model("tracker", "Commitment")
        progress = apps.get_model("tracker", "MemberProgress")
    else:
        commitments, progress = Commitment, MemberProgress
    ids = None if ids is None else list(ids)
    counts: Counter[Key] = Counter()
    if ids == []:
        return counts

    def only(queryset, field: str = "commitment_id"):
        return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})

    published = only(commitments.objects.filter(is_published=True), "pk").order_by()
    for status, source, owner, proposer in published.values_list(
        "status", "source_id", "owner_id", "proposer_id"
    ):
        counts[(TallyScope.SITE, 0, status)] += 1
        counts[(TallyScope.SOURCE, source, status)] += 1
        counts[(TallyScope.OWNER, owner, status)] += 1
        counts[(TallyScope.PROPOSER, proposer, status)] += 1
    links = (
        (TallyScope.THEME, commitments.themes.through, "theme_id"),
        (TallyScope.PARTNER, commitments.partners.through, "actor_id"),
    )
    for scope, through, target in links:
        rows = only(through.objects.filter(commitment__is_published=True)).order_by()
        for key, status in rows.values_list(target, "commitment__status"):
            counts[(scope, key, status)] += 1
    rows = only(progress.objects.filter(commitment__is_published=True)).order_by()
    for member, status in rows.values_list("member_id", "status"):
        counts[(TallyScope.MEMBER, member, status)] += 1
    return counts


def recount(apps=None) -> None:
    """Replace every tally with a fresh count of the whole database."""
    model = Tally if apps is None else apps.get_model("tracker", "Tally")
    counts = contributions(apps=apps)
    with transaction.atomic():
        model.objects.all().delete()
        model.objects.bulk_create(
            model(scope=scope, key=key, status=status, count=n)
            for (scope, key, status), n in counts.items()
            if n
        )


def stored() -> Counter[Key]:
    """Every stored figure above zero, for comparing with contributions()."""
    rows = Tally.objects.filter(count__gt=0).values_list("scope", "key", "status", "count")
    return Counter({(scope, key, status): n for scope, key, status, n in rows})


def _apply(before: Counter[Key], after: Counter[Key]) -> None:
    delta = Counter(after)
    delta.subtract(before)
    changes = {key: n for key, n in delta.items() if n}
    if not changes:
        return
    # Rows that may not exist yet are created at zero first; "ignore conflicts" lets two
    # transactions do so at once on PostgreSQL. Then each moves by its difference in SQL.
    Tally.objects.bulk_create(
        (Tally(scope=s, key=k, status=status, count=0) for (s, k, status), n in changes.items()),
        ignore_conflicts=True,
    )
    for (scope, key, status), n in changes.items():
        Tally.objects.filter(scope=scope, key=key, status=status).update(count=F("count") + n)


class _Tracked:
    """The commitments a write touches, and what they counted towards before it."""

    def __init__(self):
        self.ids: set[int] = set()
        self.before: Counter[Key] = Counter()

    def add(self, ids: Iterable[int | None]) -> None:
        """Take these commitments' figures before the write touches them (locking them)."""
        new = {pk for pk in ids if pk is not None} - self.ids
        if not new:
            return
        # Locked first, so another transaction cannot change them between this read and the
        # write (PostgreSQL; SQLite serialises writers anyway).
        if connection.in_atomic_block:
            list(Commitment.objects.select_for_update().filter(pk__in=new).values_list("pk"))
        self.before.update(contributions(new))
        self.ids |= new

    def add_new(self, pk: int) -> None:
        """A commitment created by this write: it counted towards nothing before."""
        self.ids.add(pk)

    def finish(self) -> None:
        _apply(self.before, contributions(self.ids))


@contextmanager
def tracking(ids: Iterable[int | None] = ()) -> Iterator[_Tracked]:
    """Keep the tallies exact across a write to the commitments `ids` (in a transaction).

    Inside another tracking block it joins that one, which applies the difference at its end.
    """
    active = getattr(_local, "active", None)
    if active is not None:
        active.add(ids)
        yield active
        return
    with transaction.atomic():
        tracked = _Tracked()
        _local.active = tracked
        try:
            tracked.add(ids)
            yield tracked
        finally:
            _local.active = None
        tracked.finish()


def _standalone(ids: Iterable[int]) -> _Tracked:
    tracked = _Tracked()
    tracked.add(ids)
    return tracked


# Writes Django makes without the models' methods.


def _through_commitments(through, instance, reverse: bool, pk_set) -> list[int]:
    if not reverse:
        return [instance.pk]
    if pk_set is not None:
        return list(pk_set)
    target = next(
        f for f in through._meta.fields if f.is_relation and f.related_model is not Commitment
    )
    return list(
        through.objects.filter(**{target.attname: instance.pk}).values_list(
            "commitment_id", flat=True
        )
    )


def _m2m_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Themes or partners added, removed or cleared, from the commitment's side or the other."""
    if action.startswith("pre_"):
        ids = _through_commitments(sender, instance, reverse, pk_set)
        active = getattr(_local, "active", None)
        if active is not None:
            active.add(ids)
            instance._tally_pending = None
        else:
            # Django runs the change and both signals in one transaction.
            instance._tally_pending = _standalone(ids)
    elif action.startswith("post_"):
        pending = instance.__dict__.pop("_tally_pending", None)
        if pending is not None:
            pending.finish()


def _raw_saving(sender, instance, raw: bool, **kwargs) -> None:
    """`loaddata` saves rows as they are, past the models' save(): counted here."""
    if not raw:
        return
    pk = instance.pk if sender is Commitment else instance.commitment_id
    active = getattr(_local, "active", None)
    if active is not None:
        active.add([pk])
        instance._tally_pending = None
    else:
        instance._tally_pending = _standalone([pk])


def _raw_saved(sender, instance, raw: bool, **kwargs) -> None:
    if not raw:
        return
    pending = instance.__dict__.pop("_tally_pending", None)
    if pending is not None:
        pending.add_new(instance.pk if sender is Commitment else instance.commitment_id)
        pending.finish()
    elif (active := getattr(_local, "active", None)) is not None and sender is Commitment:
        active.add_new(instance.pk)


def _commitment_deleted(sender, instance: Commitment, **kwargs) -> None:
    # Sent before its theme and partner rows go: what it counted towards is still there.
    active = getattr(_local, "active", None)
    if active is not None:
        active.add([instance.pk])
    else:
        _apply(contributions([instance.pk]), Counter())


def _progress_deleted(sender, instance: MemberProgress, **kwargs) -> None:
    active = getattr(_local, "active", None)
    if active is not None:
        active.add([instance.commitment_id])
        return
    row = (
        MemberProgress.objects.filter(pk=instance.pk, commitment__is_published=True)
        .values_list("member_id", "status")
        .first()
    )
    if row is not None:
        _apply(Counter({(TallyScope.MEMBER, row[0], row[1]): 1}), Counter())


SCOPES_OF = {
    Source: [TallyScope.SOURCE],
    Theme: [TallyScope.THEME],
    Actor: [TallyScope.OWNER, TallyScope.PROPOSER, TallyScope.PARTNER],
    MemberState: [TallyScope.MEMBER],
}


def _scope_deleted(sender, instance, **kwargs) -> None:
    # A theme or a partner goes with its links to commitments, which send no signal.
    Tally.objects.filter(scope__in=SCOPES_OF[sender], key=instance.pk).delete()


def connect_signals() -> None:
    """Called from the app's ready()."""
    for field in ("themes", "partners"):
        through = getattr(Commitment, field).through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"tallies-{field}")
    for model in (Commitment, MemberProgress):
        name = model.__name__
        pre_save.connect(_raw_saving, sender=model, dispatch_uid=f"tallies-raw-{name}")
        post_save.connect(_raw_saved, sender=model, dispatch_uid=f"tallies-raw-saved-{name}")
    pre_delete.connect(_commitment_deleted, sender=Commitment, dispatch_uid="tallies-commitment")
    pre_delete.connect(_progress_deleted, sender=MemberProgress, dispatch_uid="tallies-progress")
    for model in SCOPES_OF:
        pre_delete.connect(_scope_deleted, sender=model, dispatch_uid=f"tallies-{model.__name__}")


# Reading.


def read(*scopes: str, key: int | None = None) -> dict[tuple[str, int], dict[str, int]]:
    """{(scope, key): {status: count}} for the given scopes (and only `key`, if given),
    figures above zero: one query."""
    figures: dict[tuple[str, int], dict[str, int]] = {}
    rows = Tally.objects.filter(scope__in=scopes, count__gt=0).order_by()
    if key is not None:
        rows = rows.filter(key=key)
    for scope, key, status, n in rows.values_list("scope", "key", "status", "count"):
        figures.setdefault((scope, key), {})[status] = n
    return figures


def of(figures: dict, scope: str) -> dict[int, dict[str, int]]:
    """The keys of one scope in what read() returned: {key: {status: count}}."""
    return {key: counts for (s, key), counts in figures.items() if s == scope}


def bucket_counts(counts: dict[str, int]) -> dict[str, int]:
    """{status: n} as {bucket: n}."""
    buckets: dict[str, int] = {}
    for status, n in counts.items():
        bucket = bucket_of(status).value
        buckets[bucket] = buckets.get(bucket, 0) + n
    return buckets


def _figures(counts: dict[str, int]) -> tuple[int, int, int, float | None]:
    """Tracked, assessed, done and the average score, from {status: n} of member records."""
    scored = {status: n for status, n in counts.items() if score_of(status) is not None}
    assessed = sum(scored.values())
    done = sum(counts.get(status, 0) for status in statuses_in(Bucket.DONE))
    total = sum(score_of(status) * n for status, n in scored.items())
    return sum(counts.values()), assessed, done, total / assessed if assessed else None


def score_member(member: MemberState, counts: dict[str, int]) -> MemberState:
    """Set the figures MemberStateQuerySet.with_scores() annotates, from a member's tallies."""
    (
        member.commitments_tracked,
        member.commitments_assessed,
        member.commitments_done,
        member.compliance_score,
    ) = _figures(counts)
    return member


def score_commitment(commitment: Commitment, counts: dict[str, int]) -> Commitment:
    """Set the figures CommitmentQuerySet.with_member_scores() annotates, from {status: n} of
    its member records."""
    (
        commitment.members_tracked,
        commitment.members_assessed,
        commitment.members_done,
        commitment.compliance_score,
    ) = _figures(counts)
    return commitment
