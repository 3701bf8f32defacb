"""/sitemap.xml: every public page, with when it last changed. Drafts are never listed.

Each page is listed in each language (/commitments/x/, /vi/commitments/x/, /id/commitments/x/),
each entry with its hreflang alternates and x-default, the English address.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, DateTimeField, Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse

from tracker.addresses import SlugAddresses
from tracker.models import Actor, Commitment, MemberProgress, MemberState, Source, Theme

_NO_ITEM = object()


class _InEachLanguage(Sitemap):
    """Every address in each language, with the others as its hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    # The items' view, whose address takes the item's slug (what get_absolute_url() reverses):
    # each address is then put together from one reverse() per language, not reversed five
    # times per entry (its own, three alternates, x-default). None: each item's location().
    view_name: str | None = None

    def _location(self, item, force_lang_code=None):
        if self.view_name is None:
            return super()._location(item, force_lang_code)
        if not hasattr(self, "_addresses"):
            self._addresses = SlugAddresses(self.view_name)
        obj, language = item
        return self._addresses.get(obj.slug, force_lang_code or language)

    def _urls(self, page, protocol, domain):
        """Django's Sitemap._urls() (5.2), with each item's addresses and date made once, not
        once per language: its three entries share them.

        x-default is the English address itself: Django found it by removing "/en/" from the
        English address, which has no prefix here, so a slug "en" would lose a part.
        """
        urls = []
        latest_lastmod, all_items_lastmod = None, True
        item, alternates, lastmod = _NO_ITEM, [], None
        for pair in self.paginator.page(page).object_list:
            if item is not pair[0]:
                item = pair[0]
                languages = self.get_languages_for_item(item)
                alternates = [
                    {
                        "location": f"{protocol}://{domain}{self._location(pair, language)}",
                        "lang_code": language,
                    }
                    for language in languages
                ]
                if self.x_default and settings.LANGUAGE_CODE in languages:
                    english = alternates[languages.index(settings.LANGUAGE_CODE)]
                    alternates.append({"location": english["location"], "lang_code": "x-default"})
                lastmod = self._get("lastmod", pair)
            if all_items_lastmod:
                all_items_lastmod = lastmod is not None
                if all_items_lastmod and (latest_lastmod is None or lastmod > latest_lastmod):
                    latest_lastmod = lastmod
            priority = self._get("priority", pair)
            urls.append(
                {
                    "item": pair,
                    "location": f"{protocol}://{domain}{self._location(pair)}",
                    "lastmod": lastmod,
                    "changefreq": self._get("changefreq", pair),
                    "priority": str(priority if priority is not None else ""),
                    "alternates": alternates,
                }
            )
        if all_items_lastmod and latest_lastmod:
            self.latest_lastmod = latest_lastmod
        return urls


class _LanguagePairs:
    """(item, language) for each item of a queryset and each language, read a page at a time:
    Django's i18n sitemap would load every item to count them."""

    def __init__(self, queryset, languages: list[str]):
        self.queryset, self.languages = queryset, languages

    def __len__(self) -> int:
        return self.queryset.count() * len(self.languages)

    def __getitem__(self, index: slice) -> list:
        n = len(self.languages)
        start, stop = index.start or 0, index.stop
        items = self.queryset[start // n : math.ceil(stop / n)]
        pairs = [(item, language) for item in items for language in self.languages]
        offset = start - start // n * n
        return pairs[offset : offset + stop - start]


class CommitmentSitemap(_InEachLanguage):
    changefreq = "weekly"
    priority = 0.8
    view_name = "tracker:commitment-detail"
    # Addresses per page of this section (the index lists the pages): rendering is the cost,
    # about a millisecond per address.
    limit = 1000

    def items(self):
        # (slug, updated) rows, not model instances: a page reads 334 of them.
        return Commitment.objects.public().order_by("pk").values_list("slug", "updated", named=True)

    def _items(self):
        return _LanguagePairs(self.items(), self._languages())

    def lastmod(self, commitment):
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


def _with_last_change(queryset, path: str) -> list:
    """The objects with at least one published commitment, each with its latest change.

    Those without are left out here, not in SQL: a filter on the annotation repeats its
    subquery in the WHERE clause, which read every commitment twice (37 ms, not 12, for
    the themes at 10,000 commitments).
    """
    commitments = Commitment.objects.filter(**{path: OuterRef("pk")})
    annotated = queryset.annotate(last_change=_latest_public_change(commitments)).order_by("pk")
    return [obj for obj in annotated if obj.last_change is not None]


class _LoadedOnce:
    """A small section (themes, actors, sources, members), loaded once per request for its own
    sitemap. The index asks it only for its latest date and its number of pages, which one
    aggregate answers without loading it (see get_latest_lastmod())."""

    model: type
    # The published commitments that date the section: those linked to one of its objects.
    linked = Q()

    def _items(self):
        if not hasattr(self, "_loaded"):
            self._loaded = list(super()._items())
        return self._loaded

    def get_latest_lastmod(self):
        # Only the index asks this. The newest change among the section's objects is the
        # newest among the published commitments linked to one; and the section is one page
        # whenever the whole table, in every language, fits in one. Loading the four small
        # sections took 50 ms of the index's 85 at 10,000 commitments.
        newest = Commitment.objects.public().filter(self.linked).order_by("-updated")
        summary = self.model.objects.aggregate(
            objects=Count("pk"),
            last=Max(Subquery(newest.values("updated")[:1], output_field=DateTimeField())),
        )
        if summary["objects"] * len(self._languages()) <= self.limit:
            self._one_page = True
            return summary["last"]
        # Items come in (item, language) pairs.
        return max((self.lastmod(item) for item, _language in self._items()), default=None)

    @property
    def paginator(self):
        if getattr(self, "_one_page", False):
            # Empty, one page: all the index reads of it is its number of pages.
            return Paginator([], self.limit)
        return super().paginator

    def _urls(self, page, protocol, domain):
        self._one_page = False
        return super()._urls(page, protocol, domain)


class ThemeSitemap(_LoadedOnce, _InEachLanguage):
    changefreq = "weekly"
    priority = 0.6
    view_name = "tracker:theme-detail"
    model = Theme
    linked = Q(Exists(Commitment.themes.through.objects.filter(commitment=OuterRef("pk"))))

    def items(self):
        return _with_last_change(Theme.objects.all(), "themes")

    def lastmod(self, theme: Theme):
        return theme.last_change


class ActorSitemap(_LoadedOnce, _InEachLanguage):
    changefreq = "weekly"
    priority = 0.5
    view_name = "tracker:actor-detail"
    model = Actor
    linked = Q()  # every commitment has an owner and a proposer

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
        # Those involved in no published commitment are left out here, as in
        # _with_last_change(): in SQL the three subqueries ran twice.
        actors = Actor.objects.annotate(**latest).order_by("pk")
        return [a for a in actors if any(getattr(a, name) is not None for name in latest)]

    def lastmod(self, actor: Actor):
        dates = [getattr(actor, f"last_{role}") for role in self.roles]
        return max(date for date in dates if date is not None)


class SourceSitemap(_LoadedOnce, _InEachLanguage):
    changefreq = "monthly"
    priority = 0.5
    view_name = "tracker:source-detail"
    model = Source
    linked = Q()  # every commitment has a source

    def items(self):
        # Not their full texts, which a sitemap never shows.
        return _with_last_change(Source.objects.only("pk", "slug"), "source")

    def lastmod(self, source: Source):
        return source.last_change


class PageSitemap(_InEachLanguage):
    """Pages that are not about one object. Those that summarise commitments change when any
    of them does; the others have no date."""

    changefreq = "daily"
    priority = 0.7
    dated = ["tracker:dashboard", "tracker:commitment-list", "tracker:theme-list",
             "tracker:actor-list", "tracker:chart-list", "tracker:data", "tracker:scorecard",
             "tracker:member-list"]  # fmt: skip
    undated = ["tracker:status-list", "tracker:methodology", "tracker:about"]

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


class MemberSitemap(_LoadedOnce, _InEachLanguage):
    """Member states' pages: each changes with the published commitments it carries out
    (a member's own update moves its commitment's `updated` on)."""

    changefreq = "weekly"
    priority = 0.6
    view_name = "tracker:member-detail"
    model = MemberState
    linked = Q(Exists(MemberProgress.objects.filter(commitment=OuterRef("pk"))))

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
