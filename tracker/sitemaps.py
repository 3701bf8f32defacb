"""/sitemap.xml: every public page, with when it last changed. Drafts are never listed."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import DateTimeField, Max, OuterRef, Q, Subquery
from django.urls import reverse

from tracker.models import Actor, Commitment, MemberState, Source, Theme


class CommitmentSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    # Addresses per page of this section (the index lists the pages): rendering is the cost,
    # about a millisecond per address.
    limit = 1000

    def items(self):
        return Commitment.objects.public().only("slug", "updated").order_by("pk")

    def lastmod(self, commitment: Commitment):
        return commitment.updated

    def get_latest_lastmod(self):
        # For the index: one aggregate, not every commitment loaded to take the newest.
        return Commitment.objects.public().aggregate(last=Max("updated"))["last"]


def _latest_public_change(commitments) -> Subquery:
    """The newest `updated` among the published ones of `commitments` (filtered on OuterRef).

    A correlated subquery, not Max() over a join: one index lookup per outer row, however
    many commitments, and several of them never multiply each other's rows.
    """
    newest = commitments.filter(is_published=True).order_by("-updated").values("updated")[:1]
    return Subquery(newest, output_field=DateTimeField())


def _with_last_change(queryset, path: str):
    """The objects with at least one published commitment, each with its latest change."""
    commitments = Commitment.objects.filter(**{path: OuterRef("pk")})
    return (
        queryset.annotate(last_change=_latest_public_change(commitments))
        .filter(last_change__isnull=False)
        .order_by("pk")
    )


class _LoadedOnce:
    """A small section (themes, actors, sources, members), loaded once per request: the index's
    page count and latest date then cost one query, not two."""

    def _items(self):
        if not hasattr(self, "_loaded"):
            self._loaded = list(super()._items())
        return self._loaded

    def get_latest_lastmod(self):
        return max((self.lastmod(item) for item in self._items()), default=None)


class ThemeSitemap(_LoadedOnce, Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return _with_last_change(Theme.objects.all(), "themes")

    def lastmod(self, theme: Theme):
        return theme.last_change


class ActorSitemap(_LoadedOnce, Sitemap):
    changefreq = "weekly"
    priority = 0.5

    roles = {"owned": "owner", "proposed": "proposer", "shared": "partners"}

    def items(self):
        # An actor's page lists what it owns, proposed or shares: it changes with any of them.
        # One subquery per role: Max() over the three relations at once joined owned ×
        # proposed × shared rows per actor and never finished at 10,000 commitments.
        latest = {
            f"last_{role}": _latest_public_change(
                Commitment.objects.filter(**{path: OuterRef("pk")})
            )
            for role, path in self.roles.items()
        }
        involved = Q()
        for name in latest:
            involved |= Q(**{f"{name}__isnull": False})
        return Actor.objects.annotate(**latest).filter(involved).order_by("pk")

    def lastmod(self, actor: Actor):
        dates = [getattr(actor, f"last_{role}") for role in self.roles]
        return max(date for date in dates if date is not None)


class SourceSitemap(_LoadedOnce, Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return _with_last_change(Source.objects.all(), "source")

    def lastmod(self, source: Source):
        return source.last_change


class PageSitemap(Sitemap):
    """Pages that are not about one object. Those that summarise commitments change when any
    of them does; the others have no date."""

    changefreq = "daily"
    priority = 0.7
    dated = ["tracker:dashboard", "tracker:commitment-list", "tracker:theme-list",
             "tracker:actor-list", "tracker:chart-list", "tracker:data", "tracker:scorecard",
             "tracker:member-list"]  # fmt: skip
    undated = ["tracker:status-list", "tracker:methodology"]

    def items(self):
        return self.dated + self.undated

    def location(self, name: str) -> str:
        return reverse(name)

    def _latest_change(self):
        # One query for all the dated pages; the view makes a new sitemap per request.
        if not hasattr(self, "_cache"):
            self._cache = Commitment.objects.public().aggregate(last=Max("updated"))["last"]
        return self._cache

    def lastmod(self, name: str):
        return self._latest_change() if name in self.dated else None


class MemberSitemap(_LoadedOnce, Sitemap):
    """Member states' pages: each changes with the published commitments it carries out
    (a member's own update moves its commitment's `updated` on)."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return _with_last_change(MemberState.objects.all(), "member_progress__member")

    def lastmod(self, member: MemberState):
        return member.last_change


SITEMAPS = {
    "pages": PageSitemap,
    "commitments": CommitmentSitemap,
    "themes": ThemeSitemap,
    "actors": ActorSitemap,
    "sources": SourceSitemap,
    "members": MemberSitemap,
}
