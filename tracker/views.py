"""Public pages. Each runs a fixed number of queries, whatever the number of commitments."""

from __future__ import annotations

import contextlib
import logging
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError, connection, models
from django.db.models import (
    Count,
    Q,
)
from django.forms import ChoiceField
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe
from django_filters.views import FilterView

from tracker import charts, figures, search
from tracker.annotate import annotate
from tracker.filters import (
    SCORECARD_ORDER,
    CommitmentFilter,
    list_filterset,
    scorecard_filterset,
)
from tracker.models import (
    BUCKET_DEFINITIONS,
    COMMITMENT_KIND_DEFINITIONS,
    FINISHED_BUCKETS,
    HISTORY_PAGE_SIZE,
    STATUS_INFO,
    STATUS_SCORE,
    Actor,
    Bucket,
    Commitment,
    CommitmentKind,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
    derive_status,
    statuses_in,
)
from tracker.publisher import attribution, site_url
from tracker.security import allow_embedding
from tracker.templatetags.tracker_tags import count_buckets, status_in_words
from tracker.text import find_passage, passage_anchor, xml_safe
from tracker.versions import ContentVersion

LATEST_UPDATES = 10
# Updates per page of a commitment's timeline, newest first.


def _latest_updates(updates: models.QuerySet | None = None) -> list[StatusUpdate]:
    """The newest public updates among `updates` (default: all of them)."""
    updates = StatusUpdate.objects.all() if updates is None else updates
    return list(
        updates.public().select_related("commitment", "member").for_timeline()[:LATEST_UPDATES]
    )


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The story: what was promised at which event, by whom, and where each promise stands."""
    public = Commitment.objects.public()
    # Every figure from the precomputed tallies (one query), not counted per request.
    counted = figures.read(figures.SITE, figures.SOURCE, figures.THEME, figures.MEMBER)
    per_source = {pk: sum(c.values()) for pk, c in figures.of(counted, figures.SOURCE).items()}
    # Newest event first: with several sources, the latest meeting is the news.
    sources = list(Source.objects.filter(pk__in=per_source).order_by("-event_date", "title"))
    for source in sources:
        source.num_commitments = per_source[source.pk]
    status_counts = counted.get((figures.SITE, 0), {})
    total = sum(status_counts.values())
    theme_rows = _theme_rows(counted)
    speakers, speaker_count = _speakers(sources[0]) if sources else ([], 0)
    # One query for both: "overdue" means nothing where no target date was announced.
    dates = (
        public.filter(target_date__isnull=False).aggregate(
            dated=Count("pk"),
            overdue=Count(
                "pk",
                filter=Q(target_date__lt=timezone.localdate())
                & ~Q(status__in=statuses_in(*FINISHED_BUCKETS)),
            ),
        )
        if total
        else {"dated": 0, "overdue": 0}
    )
    ctx = {
        "sources": sources,
        "latest_source": sources[0] if sources else None,
        "speakers": speakers,
        "speaker_count": speaker_count,
        "promises_shown": FRONT_PAGE_PROMISES,
        "total": total,
        "assessed": total - status_counts.get(Status.NOT_ASSESSED, 0),
        "overdue": dates["overdue"],
        "dated": dates["dated"],
        "status_counts": _nonzero_statuses(status_counts),
        "bucket_counts": _bucket_counts(status_counts),
        "theme_rows": theme_rows,
        # Theme bars share one scale: a theme with 2 commitments is drawn a tenth as long as
        # one with 20.
        "theme_largest": max((theme.total for theme, _ in theme_rows), default=0),
        "latest_updates": _latest_updates(),
        "members": _members_with_scores(counted),
    }
    return render(request, "tracker/dashboard.html", ctx)


# The front page's story shows an event's first promises; a long list is one click away.
FRONT_PAGE_PROMISES = 40


def _speakers(source: Source) -> tuple[list[tuple[Actor, list[Commitment]]], int]:
    """Who proposed what at one event, in the order they spoke, each with their commitments,
    the first FRONT_PAGE_PROMISES of them; and how many speakers the event had in all.

    Two queries, whatever the number of commitments at the event or in the tracker.
    """
    speakers: dict[int, tuple[Actor, list[Commitment]]] = {}
    public = source.commitments.public()
    commitments = public.select_related("proposer", "owner", "member_group").order_by(
        "position", "pk"
    )
    for commitment in commitments[:FRONT_PAGE_PROMISES]:
        speakers.setdefault(commitment.proposer_id, (commitment.proposer, []))[1].append(commitment)
    everyone = public.order_by().values("proposer").distinct().count()
    return list(speakers.values()), everyone


def _nonzero_statuses(status_counts: dict[str, int]) -> list[tuple[Status, int]]:
    """(status, count) for the statuses in use, in the statuses' own order: no rows of zeros."""
    return [(status, status_counts[status]) for status in Status if status_counts.get(status)]


def _theme_rows(counted: dict | None = None) -> list[tuple[Theme, dict[str, int]]]:
    """Every theme with a published commitment, with them counted per bucket: from the
    tallies, one query for the themes (and one for the tallies unless `figures` has them)."""
    if counted is None:
        counted = figures.read(figures.THEME)
    per_theme = figures.of(counted, figures.THEME)
    # A theme only drafts use is not public yet (ThemeQuerySet.public()): it has no figures.
    themes = Theme.objects.filter(pk__in=per_theme).order_by("position", "name")
    rows = []
    for theme in themes:
        theme.total = sum(per_theme[theme.pk].values())
        rows.append((theme, _bucket_counts(per_theme[theme.pk])))
    return rows


ACTOR_SCOPES = figures.ACTOR_SCOPES


def _actor_rows(counted: dict | None = None) -> list[tuple[Actor, dict[str, int]]]:
    """Actors with published commitments, each with what it owns counted per bucket, what it
    proposed and what it shares: from the tallies, one query for any number of actors (and
    one for the tallies unless `figures` has them)."""
    if counted is None:
        counted = figures.read(*ACTOR_SCOPES)
    keys = {key for scope, key in counted if scope in ACTOR_SCOPES}
    actors = list(Actor.objects.filter(pk__in=keys))
    for actor in actors:
        owned = counted.get((figures.OWNER, actor.pk), {})
        actor.owned = sum(owned.values())
        actor.proposed = sum(counted.get((figures.PROPOSER, actor.pk), {}).values())
        actor.shared = sum(counted.get((figures.PARTNER, actor.pk), {}).values())
        actor.owned_counts = _bucket_counts(owned)
    actors.sort(key=lambda actor: (-actor.owned, actor.name))
    return [(actor, actor.owned_counts) for actor in actors]


def _bucket_counts(status_counts: dict[str, int]) -> dict[str, int]:
    return figures.bucket_counts(status_counts)


# /charts/
@require_safe
def chart_list(request: HttpRequest) -> HttpResponse:
    """Every chart on one page: by status, by bucket, per theme and per owner."""
    list_url = reverse("tracker:commitment-list") + "?"
    counted = figures.read(figures.SITE, figures.THEME, figures.MEMBER, *ACTOR_SCOPES)
    status_counts = counted.get((figures.SITE, 0), {})
    bucket_counts = _bucket_counts(status_counts)
    theme_rows = [
        (t.translated("name")[0], t.get_absolute_url(), f"{list_url}theme={t.slug}&", counts)
        for t, counts in _theme_rows(counted)
    ]
    owner_rows = [
        (a.translated("name")[0], a.get_absolute_url(), f"{list_url}owner={a.slug}&", counts)
        for a, counts in _actor_rows(counted)
        if a.owned
    ]
    ctx = {
        "total": sum(status_counts.values()),
        "status_chart": charts.status_chart(
            "chart-status", gettext("Commitments by status"), status_counts, list_url
        ),
        "bucket_chart": charts.bucket_chart(
            "chart-bucket", gettext("Commitments by progress"), bucket_counts, list_url
        ),
        "theme_chart": charts.stacked_chart(
            "chart-themes", gettext("Progress per theme"), gettext("Theme"), theme_rows
        ),
        "owner_chart": charts.stacked_chart(
            "chart-owners", gettext("Progress per lead owner"), gettext("Lead owner"), owner_rows
        ),
        "member_chart": charts.score_chart(
            "chart-members",
            gettext("Compliance score per member state"),
            _members_with_scores(counted),
        ),
    }
    return render(request, "tracker/chart_list.html", ctx)


def _the_version_read_once():
    """A block in which every figure and kept choice is read under one content version, read
    once: uncached, each of them would read the version again (a query apiece)."""
    token = ContentVersion.token_now()
    return ContentVersion.seen(token) if token is not None else contextlib.nullcontext()


class IdsFirstPaginator(Paginator):
    """Cuts a page of results from their ids, then reads the page's rows.

    For a search the database ranks every match before it can cut a page; with the cards'
    owners, proposers and groups joined to each match first, PostgreSQL spent 30 ms more on a
    word found in all of 10,000 commitments (issue 22). Ranked on the ids alone, it joins 25.
    """

    def __init__(self, object_list, *args, read, **kwargs):
        super().__init__(object_list, *args, **kwargs)
        self.read = read  # the rows of some ids, as the page shows them

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        # Read by id alone: with the search's condition again, PostgreSQL matched every
        # document before it looked at the ids.
        rows = self.read(ids).in_bulk()
        return self._get_page([rows[pk] for pk in ids], number, self)


class CommitmentListView(FilterView):
    """The filterable list. Invalid filter values are reported, with a 400, not ignored."""

    filterset_class = CommitmentFilter
    template_name = "tracker/commitment_list.html"
    context_object_name = "commitments"

    def get_filterset(self, filterset_class) -> CommitmentFilter:
        return list_filterset(self.request)

    def get_paginate_by(self, queryset) -> int:
        return settings.TRACKER_PAGE_SIZE

    def get_paginator(self, queryset, *args, **kwargs):
        if self.filterset.is_bound and self.filterset.form.cleaned_data.get("q"):
            read = lambda ids: _cards(Commitment.objects.filter(pk__in=ids))  # noqa: E731
            return IdsFirstPaginator(queryset, *args, read=read, **kwargs)
        paginator = super().get_paginator(queryset, *args, **kwargs)
        if not _is_filtered(self.request):
            # Every published commitment: the tallies know how many, without a count.
            site = figures.read(figures.SITE).get((figures.SITE, 0), {})
            paginator.count = sum(site.values())
        return paginator

    def get(self, request, *args, **kwargs):
        # Blank and repeated parameters are redirected before this (tracker.caching); cards are
        # the list without ?view=, so any other view but the table is too: each spelling would
        # be one more copy of the same page.
        if request.GET.get("view", "table") != "table":
            query = request.GET.copy()
            del query["view"]
            return HttpResponsePermanentRedirect(
                f"{request.path}?{query.urlencode()}" if query else request.path
            )
        with _the_version_read_once():
            response = super().get(request, *args, **kwargs)
            if self.filterset.is_bound and not self.filterset.is_valid():
                self.filterset.keep_invalid_values()
                response.status_code = 400
            # Drawn here, not on the way out, so the drop-downs' choices are read under the
            # same version.
            return response.render()

    def get_context_data(self, **kwargs):
        if kwargs.get("object_list") is not None:
            # The filters' rows, loaded as the other lists load theirs: the exports' sources
            # and partners are not on a card, and the sources' full texts made PostgreSQL sort
            # wide rows for a filtered page (issue 20).
            kwargs["object_list"] = _cards(
                kwargs["object_list"].select_related(None).prefetch_related(None)
            )
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_without_page"] = query.urlencode()
        # Cards or a compact table: kept in the filters and the pages, not in the downloads.
        as_table = query.pop("view", None) == ["table"]
        ctx["view"] = "table" if as_table else "cards"
        ctx["export_query"] = query.urlencode()
        ctx["cards_query"] = query.urlencode()
        query["view"] = "table"
        ctx["table_query"] = query.urlencode()
        ctx["is_filtered"] = _is_filtered(self.request)
        ctx["search_query"] = None
        if not self.filterset.form.errors and ctx.get("page_obj") is not None:
            page = ctx["page_obj"]
            page.object_list = figures.with_member_figures(page.object_list)
            ctx["commitments"] = ctx["object_list"] = page.object_list
            if self.filterset.is_bound and (searched := self.filterset.form.cleaned_data["q"]):
                # What matched, and where, for the page's cards: one query.
                ctx["search_query"] = search.parse(searched)
                search.found_elsewhere(page.object_list, ctx["search_query"])
        return ctx


def _is_filtered(request: HttpRequest) -> bool:
    """Whether the list's address narrows it (paging, sorting and the view do not)."""
    return any(value for key, value in request.GET.items() if key not in ("page", "order", "view"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _applied_filters(filterset: CommitmentFilter) -> list[tuple[str, str]]:
    """The filters in effect, in words, e.g. ("Theme", "Innovation"), without a query."""
    applied = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", []):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, list):  # the sort order
            choices = dict(field.choices)
            value = ", ".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, str) and isinstance(field, ChoiceField):
            value = dict(field.choices).get(value, value)
        # Anything else is a search string or a model instance (a theme, an actor, a source).
        applied.append((filterset.form[name].label, str(value)))
    return applied


# /commitments/print/
@require_safe
def commitment_print(request: HttpRequest) -> HttpResponse:
    """Every commitment the list's filters select, on one page, laid out for printing."""
    filterset = list_filterset(request)
    query = _query_without_page(request)
    invalid = filterset.is_bound and not filterset.is_valid()
    commitments = [] if invalid else list(filterset.qs.with_latest_note())
    # Each per-member commitment with its members' statuses, from one query.
    grid = MemberProgress.objects.filter(
        commitment__in=[c.pk for c in commitments if c.member_group_id is not None]
    ).select_related("member")
    members: dict[int, list[MemberProgress]] = {}
    for row in grid.order_by("commitment_id", "member__position", "member__name"):
        members.setdefault(row.commitment_id, []).append(row)
    for commitment in commitments:
        commitment.member_rows = members.get(commitment.pk, [])
        commitment.member_statuses = [row.status for row in commitment.member_rows]
    ctx = {
        "filter": filterset,
        "invalid": invalid,
        "commitments": commitments,
        "applied": [] if invalid or not filterset.is_bound else _applied_filters(filterset),
        "bucket_counts": count_buckets(c.status for c in commitments),
        "list_query": query,
        # The printed address keeps the filters, so a reader can find the same list.
        "page_url": request.build_absolute_uri(),
        "filter_query": _filter_query_for_buckets(request),
    }
    return render(request, "tracker/commitment_print.html", ctx, status=400 if invalid else 200)


def _filter_query_for_buckets(request: HttpRequest) -> str:
    """The filters in effect as the start of a list address that names one bucket, e.g.
    "theme=innovation&": a bucket already chosen is left out, replaced rather than repeated."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("bucket", None)
    return f"{query.urlencode()}&" if query else ""


@require_safe
def commitment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    commitment = get_object_or_404(
        Commitment.objects.public().with_related().select_related("member_group"), slug=slug
    )
    (commitment,) = figures.with_member_figures([commitment])
    updates = (
        StatusUpdate.objects.filter(commitment=commitment, is_public=True)
        .for_timeline()
        # A member state's update is on the timeline too, labelled with the member.
        .select_related("member")
    )
    # A page at a time: a history of thousands of updates would otherwise make a page of
    # megabytes.
    page = _page_or_404(request, updates, per_page=HISTORY_PAGE_SIZE)
    span = find_passage(commitment.source.full_text, commitment.quote)
    passage_url = commitment.source.get_absolute_url()
    if span:
        passage_url += "#" + passage_anchor(*span)
    page_url = request.build_absolute_uri(commitment.get_absolute_url())
    badge_url = request.build_absolute_uri(
        reverse("tracker:commitment-badge", args=[commitment.slug])
    )
    member_rows = []
    if commitment.member_group_id is not None:
        member_rows = list(
            MemberProgress.objects.filter(commitment=commitment)
            .select_related("member")
            .with_latest_update()
            .order_by("member__position", "member__name")
        )
    member_statuses = [row.status for row in member_rows]
    ctx = {
        "commitment": commitment,
        "admin_object": commitment,  # base.html's "Edit in admin" link, for staff
        "member_rows": member_rows,
        "member_statuses": member_statuses,
        "status_words": status_in_words(commitment, member_statuses),
        "kind_definition": COMMITMENT_KIND_DEFINITIONS[CommitmentKind(commitment.kind)],
        "updates": page.object_list,
        "page_obj": page,
        "passage_url": passage_url,
        "badge_path": reverse("tracker:commitment-badge", args=[commitment.slug]),
        "embed_code": format_html(
            '<a href="{}"><img src="{}" alt="{}"></a>',
            page_url,
            badge_url,
            gettext("Status of “%(title)s”, from %(site)s")
            % {"title": commitment.translated("title")[0], "site": settings.TRACKER_SITE_NAME},
        ),
    }
    return render(request, "tracker/commitment_detail.html", ctx)


# How long browsers and the pages that embed a badge may reuse it before asking again.
BADGE_MAX_AGE = 60 * 60
BADGE_FILL = {
    Bucket.PENDING: "#545e69",
    Bucket.ACTIVE: "#1f6fb2",
    Bucket.DONE: "#1e7b45",
    Bucket.CLOSED: "#8a4b08",
}


def _text_width(text: str) -> int:
    # Roughly Verdana at 11px; the SVG's textLength makes the real text fit exactly.
    return round(6.8 * len(text))


def _badge_commitment(request: HttpRequest, slug: str) -> Commitment | None:
    """The commitment a badge shows: read once per request, for its validators and itself."""
    if not hasattr(request, "badge_commitment"):
        fields = ("slug", "title", "title_vi", "title_id", "status", "status_date", "updated")
        request.badge_commitment = (
            Commitment.objects.public().only(*fields, "member_group").filter(slug=slug).first()
        )
    return request.badge_commitment


def _badge_etag(request: HttpRequest, slug: str) -> str | None:
    # The exact time, where Last-Modified has whole seconds: two changes in one second differ.
    commitment = _badge_commitment(request, slug)
    return commitment and f"{commitment.pk}-{commitment.updated.timestamp()}"


# Validated per commitment, not per content version: an embedding page revalidates a badge
# only when its commitment changes (from the page cache too, which answers with this ETag).
# Only the ETag answers 304, as for every page (docs/deploy.md): Last-Modified is sent, but
# HTTP dates have whole seconds, so If-Modified-Since alone could call a badge changed within
# the same second current.
# /commitments/<slug>/badge.svg
@require_safe
@allow_embedding
@condition(etag_func=_badge_etag)
def commitment_badge(request: HttpRequest, slug: str) -> HttpResponse:
    """A small SVG with a commitment's current status, for articles and reports to embed."""
    commitment = _badge_commitment(request, slug)
    if commitment is None:
        raise Http404("No published commitment has this address.")
    info = STATUS_INFO[Status(commitment.status)]
    status_text = str(commitment.get_status_display())
    # Only a per-member commitment's badge costs a second query: its members' figures.
    (commitment,) = figures.with_member_figures([commitment])
    if commitment.members_tracked:
        # The word is worked out from the members: the badge says how many have delivered.
        status_text += " · " + gettext("%(done)s/%(tracked)s members done") % {
            "done": commitment.members_done,
            "tracked": commitment.members_tracked,
        }
    label, value = gettext("status"), f"{info.symbol} {status_text}"
    label_width, value_width = _text_width(label) + 12, _text_width(value) + 12
    ctx = {
        "commitment": commitment,
        # SVG is XML: a legacy title may hold a character XML 1.0 forbids.
        "title": xml_safe(commitment.translated("title")[0]),
        "label": label,
        "value": value,
        "status_text": status_text,
        "fill": BADGE_FILL[info.bucket],
        "label_width": label_width,
        "value_width": value_width,
        "width": label_width + value_width,
        "label_text_width": label_width - 12,
        "value_text_width": value_width - 12,
        "label_x": label_width / 2,
        "value_x": label_width + value_width / 2,
    }
    response = HttpResponse(
        render_to_string("tracker/badge.svg", ctx, request=request),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Last-Modified"] = http_date(commitment.updated.timestamp())
    # Browsers keep it for an hour; shared caches revalidate every time.
    patch_cache_control(
        response, public=True, max_age=BADGE_MAX_AGE, s_maxage=0, must_revalidate=True
    )
    return response


@require_safe
def status_list(request: HttpRequest) -> HttpResponse:
    buckets = [
        (bucket, BUCKET_DEFINITIONS[bucket], [Status(s) for s in statuses_in(bucket)])
        for bucket in Bucket
    ]
    return render(request, "tracker/status_list.html", {"buckets": buckets})


def _page_or_404(
    request: HttpRequest, items, total: int | None = None, per_page: int | None = None
):
    """The page `?page=` asks for, `per_page` items long (TRACKER_PAGE_SIZE), or 404.

    A page number that is not a whole number from 1 to the last page (0, -1, "abc", a
    number of twenty digits) is not found: a clear answer, never the wrong page, never a 500.
    (One written otherwise, ?page=01 or ?page=1, never gets here: the page cache's middleware
    redirects it to the address the site writes, tracker.caching.canonical_query().)
    `total`, when the tallies know it, spares the count query.
    """
    paginator = Paginator(items, per_page or settings.TRACKER_PAGE_SIZE)
    if total is not None:
        paginator.count = total  # a cached_property: set, it is never queried
    try:
        return paginator.page(request.GET.get("page", 1))
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from None


def _cards(commitments):
    """What a commitment card shows, in three queries for a page of any length; the members'
    figures come from figures.with_member_figures() once the page is cut."""
    return commitments.select_related("owner", "proposer", "member_group").prefetch_related(
        "themes"
    )


# /themes/
@require_safe
def theme_list(request: HttpRequest) -> HttpResponse:
    theme_rows = _theme_rows()
    # The bars share one scale, as on the front page: a longer bar means more commitments.
    largest = max((theme.total for theme, _ in theme_rows), default=0)
    return render(
        request, "tracker/theme_list.html", {"theme_rows": theme_rows, "largest": largest}
    )


@require_safe
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.public(), slug=slug)
    commitments = Commitment.objects.public().filter(themes=theme)
    # Figures for the whole theme from its tallies; the cards come a page at a time, so a
    # theme with thousands of commitments costs no more than one with ten.
    status_counts = figures.read(figures.THEME, key=theme.pk).get((figures.THEME, theme.pk), {})
    total = sum(status_counts.values())
    page = _page_or_404(request, _cards(commitments), total)
    page.object_list = figures.with_member_figures(page.object_list)
    ctx = {
        "theme": theme,
        "admin_object": theme,  # base.html's "Edit in admin" link, for staff
        "latest_updates": _latest_updates(StatusUpdate.objects.on_theme(theme, total)),
        "commitments": page.object_list,
        "page_obj": page,
        "total": total,
        "bucket_counts": _bucket_counts(status_counts),
        "status_chart": charts.status_chart(
            "chart-status",
            gettext("%(theme)s: commitments by status") % {"theme": theme.translated("name")[0]},
            status_counts,
            f"{reverse('tracker:commitment-list')}?theme={theme.slug}&",
        ),
    }
    return render(request, "tracker/theme_detail.html", ctx)


# /actors/
@require_safe
def actor_list(request: HttpRequest) -> HttpResponse:
    actor_rows = _actor_rows()
    # The bars of what each owns share one scale, as the front page's themes do.
    largest = max((actor.owned for actor, _ in actor_rows), default=0)
    return render(
        request, "tracker/actor_list.html", {"actor_rows": actor_rows, "largest": largest}
    )


def _role_chart_title(role: str, name: str) -> str:
    titles = {
        "owner": gettext("%(name)s: commitments it owns, by status"),
        "partner": gettext("%(name)s: commitments it shares, by status"),
        "proposer": gettext("%(name)s: commitments it proposed, by status"),
    }
    return titles[role] % {"name": name}


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor, slug=slug)
    counted = figures.read(*ACTOR_SCOPES, key=actor.pk)
    owns, proposed, shares = (counted.get((scope, actor.pk), {}) for scope in ACTOR_SCOPES)
    if not (owns or shares or proposed):
        # Known only from drafts: the public site does not know it yet.
        raise Http404("No published commitment involves this actor.")
    # Progress is shown for what it is accountable for: what it owns, else what it shares;
    # a speaker is followed on what it proposed. Each can be opened as a filtered list.
    role, followed = (
        ("owner", owns) if owns else ("partner", shares) if shares else ("proposer", proposed)
    )
    filter_query = f"{role}={actor.slug}&"
    commitments = Commitment.objects.public().involving(actor)
    page = _page_or_404(request, _cards(commitments))
    page.object_list = figures.with_member_figures(page.object_list)
    ctx = {
        "actor": actor,
        "admin_object": actor,  # base.html's "Edit in admin" link, for staff
        "owns": sum(owns.values()),
        "proposed": sum(proposed.values()),
        "shares": sum(shares.values()),
        "role": role,
        "followed": sum(followed.values()),
        "followed_counts": _bucket_counts(followed),
        "filter_query": filter_query,
        "commitments": page.object_list,
        "page_obj": page,
        "total": page.paginator.count,
        "latest_updates": _latest_updates(
            StatusUpdate.objects.involving(
                actor, sum(owns.values()) + sum(shares.values()) + sum(proposed.values())
            )
        ),
        "status_chart": charts.status_chart(
            "chart-status",
            _role_chart_title(role, actor.translated("name")[0]),
            followed,
            f"{reverse('tracker:commitment-list')}?{filter_query}",
        ),
    }
    return render(request, "tracker/actor_detail.html", ctx)


@require_safe
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source.objects.public(), slug=slug)
    status_counts = figures.read(figures.SOURCE, key=source.pk).get((figures.SOURCE, source.pk), {})
    total = sum(status_counts.values())
    commitments = source.commitments.public().order_by("position", "pk")
    # The highlighted text needs every quote, but only what a passage's link shows; the
    # cards, with their owners and themes, come a page at a time.
    quoting = commitments.only(
        "slug", "title", "title_vi", "title_id", "status", "quote", "heading", "source_id"
    )
    page = _page_or_404(request, _cards(commitments), total)
    page.object_list = figures.with_member_figures(page.object_list)
    ctx = {
        "source": source,
        "admin_object": source,  # base.html's "Edit in admin" link, for staff
        "annotated": annotate(source.full_text, quoting),
        "total": total,
        "bucket_counts": _bucket_counts(status_counts),
        "commitments": page.object_list,
        "page_obj": page,
    }
    return render(request, "tracker/source_detail.html", ctx)


# /favicon.ico
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for /favicon.ico whatever the page says: send them the icon.

    A temporary redirect, since the static file's address changes with its content hash.
    """
    return HttpResponseRedirect(static("favicon.svg"))


# /robots.txt
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be indexed; the admin may not; the sitemap lists every page."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not.

    One query and nothing else: no session, no user, no cookie, so probes stay cheap.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logging.getLogger(__name__).warning("Health check: database unreachable: %s", error)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


# Member states: the scorecard, its methodology, and a page per member state (issue 9).

# Commitments per page of the scorecard: 50 rows × 11 members is 550 cells.
SCORECARD_PAGE_SIZE = 50
# Commitments per page of a member state's page.
MEMBER_PAGE_SIZE = 50


def _members_with_scores(counted: dict | None = None) -> list[MemberState]:
    """Every public member state with its record on all published commitments, from the
    tallies: one query for the members (and one for the tallies unless `figures` has them)."""
    if counted is None:
        counted = figures.read(figures.MEMBER)
    per_member = figures.of(counted, figures.MEMBER)
    members = (
        MemberState.objects.filter(pk__in=per_member)
        .select_related("group")
        .order_by("group__name", "position", "name")
    )
    return [figures.score_member(member, per_member[member.pk]) for member in members]


# /scorecard/
@require_safe
def scorecard(request: HttpRequest) -> HttpResponse:
    """Per-member commitments × member states: each member's status and the scores."""
    with _the_version_read_once():
        return _scorecard(request)


def _scorecard(request: HttpRequest) -> HttpResponse:
    filterset = scorecard_filterset(request)
    invalid = filterset.is_bound and not filterset.is_valid()
    query = _query_without_page(request)
    ctx = {"filter": filterset, "invalid": invalid, "query": query, "rows": [], "members": []}
    if not invalid:
        commitments = filterset.qs
        is_filtered = filterset.is_bound and any(filterset.form.cleaned_data.values())
        if is_filtered:
            page = _page_or_404(request, commitments, per_page=SCORECARD_PAGE_SIZE)
            rows = list(page.object_list)
        else:
            # Every published per-member commitment, in order: their keys kept under the
            # content version, so a page is read by key, neither counted nor sorted out of
            # all of them (a thousand rows sorted on every scorecard; issue 20).
            order = figures.kept(
                "scorecard-order", lambda: list(commitments.values_list("pk", flat=True))
            )
            page = _page_or_404(request, order, per_page=SCORECARD_PAGE_SIZE)
            by_pk = commitments.in_bulk(page.object_list)
            rows = page.object_list = [by_pk[pk] for pk in page.object_list]
        # Each row's figures from the grid's own statuses: annotated in SQL, they were
        # computed for every filtered commitment before the sort, not for the page's 50.
        grid = MemberProgress.objects.filter(commitment__in=[c.pk for c in rows]).grid()
        statuses: dict[int, dict[str, int]] = {c.pk: {} for c in rows}
        for (commitment_pk, _member_pk), progress in grid.items():
            counts = statuses[commitment_pk]
            counts[progress.status] = counts.get(progress.status, 0) + 1
        for commitment in rows:
            figures.score_commitment(commitment, statuses[commitment.pk])
        # The columns: the members of the groups the filtered rows belong to, each scored
        # over every filtered commitment (all pages), not only this page's. Unfiltered, that
        # is every public member on every published commitment: the tallies have it.
        if not is_filtered:
            members = _members_with_scores()
        else:
            members = list(
                MemberState.objects.public()
                .filter(group__in=commitments.order_by().values("member_group"))
                .order_by("group__name", "position", "name")
            )
            counts = MemberProgress.objects.filter(
                commitment__in=commitments.order_by().values("pk")
            ).status_counts("member")
            for member in members:
                figures.score_member(member, counts.get(member.pk, {}))
        ctx |= {
            "page_obj": page,
            "total": page.paginator.count,
            "members": members,
            "rows": [(c, [grid.get((c.pk, m.pk)) for m in members]) for c in rows],
            # The table is drawn turned round: a row per member state (eleven fit any screen),
            # a column per commitment, headed by its number in the key below the table.
            "numbered": list(enumerate(rows, start=page.start_index())),
            "member_rows": [(m, [grid.get((c.pk, m.pk)) for c in rows]) for m in members],
            "is_filtered": is_filtered,
            "download_query": f"?{query}" if query else "",
        }
    return render(request, "tracker/scorecard.html", ctx, status=400 if invalid else 200)


# /scorecard/methodology/
@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    """How the compliance score is computed; the scale is read from STATUS_SCORE itself."""
    scale = [
        (score, [Status(s) for s, value in STATUS_SCORE.items() if value == score])
        for score in (1, 0, -1, None)
    ]
    # The rule's examples are worked out by derive_status() itself: page and code agree.
    examples = [
        (statuses, derive_status(statuses))
        for statuses in (
            ["completed"] * 11,
            ["completed"] * 10 + ["partially_completed"],
            ["completed"] + ["in_progress"] + ["not_assessed"] * 9,
            ["not_started"] * 2 + ["not_assessed"] * 9,
            ["not_assessed"] * 11,
        )
    ]
    kinds = list(COMMITMENT_KIND_DEFINITIONS.items())
    return render(
        request,
        "tracker/methodology.html",
        {"scale": scale, "examples": examples, "kinds": kinds},
    )


# /about/
@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """Who publishes the tracker, how to reach them and ask for a correction, how it works,
    and the licence of its data with a line to credit it by."""
    email = settings.TRACKER_CONTACT_EMAIL
    correction_url = ""
    if email:
        # A message half written: the subject sorts it, the body asks for what a correction
        # needs, in the visitor's language, so nobody has to write twice.
        subject = gettext("Correction request")
        body = gettext(
            "Page address (copy it from the address bar):\n\n"
            "What is wrong:\n\n"
            "Your evidence (a link to a public document, or attach it):\n"
        )
        correction_url = (
            f"mailto:{email}?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}"
        )
    home = site_url(request)
    ctx = {
        "contact_email": email,
        "correction_url": correction_url,
        "site_url": home,
        "attribution": attribution(home),
        "today": timezone.localdate(),
    }
    return render(request, "tracker/about.html", ctx)


# /members/
@require_safe
def member_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tracker/member_list.html", {"members": _members_with_scores()})


# /members/<slug>/
@require_safe
def member_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A member state's status on every published commitment it carries out, and its score."""
    member = get_object_or_404(MemberState.objects.public().select_related("group"), slug=slug)
    counted = figures.read(figures.MEMBER, key=member.pk)
    figures.score_member(member, counted.get((figures.MEMBER, member.pk), {}))
    progress = (
        MemberProgress.objects.public()
        .filter(member=member)
        .select_related("commitment")
        .with_latest_update()
        .order_by(*(f"commitment__{field}" for field in SCORECARD_ORDER))
    )
    page = _page_or_404(request, progress, per_page=MEMBER_PAGE_SIZE)
    # What the member state's own government or bodies must deliver on their own, e.g. Viet
    # Nam's ministry's offer: not carried out by every member, so not in the table above.
    owned = figures.with_member_figures(
        _cards(
            Commitment.objects.public()
            .filter(owner__member_state=member)
            .order_by(*SCORECARD_ORDER)
        )
    )
    ctx = {
        "member": member,
        "owned": owned,
        "admin_object": member,  # base.html's "Edit in admin" link, for staff
        "rows": page.object_list,
        "page_obj": page,
        "latest_updates": _latest_updates(StatusUpdate.objects.filter(member=member)),
    }
    return render(request, "tracker/member_detail.html", ctx)
