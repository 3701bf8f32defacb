"""Which sources, actors, themes and member states the public may see: those with a published
commitment.

One known only from drafts (or from nothing) is not public yet: its page and feed are 404, and
no chart, count, filter choice, sitemap entry or download names it. Each is an `Exists`
subquery, so using it adds no query.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tracker.models import Actor, Commitment, MemberProgress, MemberState, Source, Theme


def _published(condition: Q) -> Exists:
    return Exists(Commitment.objects.public().filter(condition))


def public_sources() -> QuerySet[Source]:
    return Source.objects.filter(_published(Q(source=OuterRef("pk"))))


def public_actors() -> QuerySet[Actor]:
    """Actors that proposed, own or share a published commitment."""
    involved = Q(proposer=OuterRef("pk")) | Q(owner=OuterRef("pk")) | Q(partners=OuterRef("pk"))
    return Actor.objects.filter(_published(involved))


def public_themes() -> QuerySet[Theme]:
    return Theme.objects.filter(_published(Q(themes=OuterRef("pk"))))


def public_members() -> QuerySet[MemberState]:
    """Member states tracked on at least one published commitment."""
    return MemberState.objects.filter(
        Exists(MemberProgress.objects.public().filter(member=OuterRef("pk")))
    )


def scorecard_commitments() -> QuerySet[Commitment]:
    """Published commitments carried out by each member of a group: the scorecard's rows."""
    return Commitment.objects.public().tracked_by_member()
