"""/sitemap.xml: every public page, with when it last changed. Drafts are never listed."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from tracker.models import Actor, Commitment, MemberState, Source, Theme


class CommitmentSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Commitment.objects.public().only("slug", "updated").order_by("pk")

    def lastmod(self, commitment: Commitment):
        return commitment.updated


def _with_last_change(queryset, path: str):
    """The objects with at least one published commitment, each with its latest change."""
    published = Q(**{f"{path}__is_published": True})
    return (
        queryset.annotate(last_change=Max(f"{path}__updated", filter=published))
        .filter(last_change__isnull=False)
        .order_by("pk")
    )


class ThemeSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return _with_last_change(Theme.objects.all(), "commitments")

    def lastmod(self, theme: Theme):
        return theme.last_change


class ActorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    roles = ["owned_commitments", "proposed_commitments", "partner_commitments"]

    def items(self):
        # An actor's page lists what it owns, proposed or shares: it changes with any of them.
        latest, involved = {}, Q()
        for role in self.roles:
            published = Q(**{f"{role}__is_published": True})
            latest[f"last_{role}"] = Max(f"{role}__updated", filter=published)
            involved |= Q(**{f"last_{role}__isnull": False})
        return Actor.objects.annotate(**latest).filter(involved).order_by("pk")

    def lastmod(self, actor: Actor):
        dates = [getattr(actor, f"last_{role}") for role in self.roles]
        return max(date for date in dates if date is not None)


class SourceSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return _with_last_change(Source.objects.all(), "commitments")

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


class MemberSitemap(Sitemap):
    """Member states' pages: each changes with the published commitments it carries out
    (a member's own update moves its commitment's `updated` on)."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return _with_last_change(MemberState.objects.all(), "progress__commitment")

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
