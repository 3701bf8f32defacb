"""Public pages. Each runs a fixed number of queries, whatever the number of commitments."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_filters.views import FilterView

from tracker.filters import CommitmentFilter
from tracker.models import (
    BUCKET_DEFINITIONS,
    Actor,
    Bucket,
    Commitment,
    Source,
    Status,
    StatusUpdate,
    Theme,
    bucket_of,
    statuses_in,
)
from tracker.templatetags.tracker_tags import count_buckets

LATEST_UPDATES = 10


def _latest_updates(**filters) -> list[StatusUpdate]:
    return list(
        StatusUpdate.objects.public()
        .filter(**filters)
        .select_related("commitment")
        .for_timeline()
        .order_by("-as_of", "-created", "-pk")[:LATEST_UPDATES]
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    public = Commitment.objects.public()
    sources = Source.objects.annotate(
        num_commitments=Count("commitments", filter=Q(commitments__is_published=True))
    ).filter(num_commitments__gt=0)
    status_counts = dict(public.values_list("status").annotate(n=Count("pk")).order_by())
    bucket_counts: dict[str, int] = {}
    for status, n in status_counts.items():
        bucket = bucket_of(status).value
        bucket_counts[bucket] = bucket_counts.get(bucket, 0) + n

    # One query for every theme's figures: a count per bucket, filtered on the join.
    published = Q(commitments__is_published=True)
    themes = Theme.objects.annotate(
        total=Count("commitments", filter=published),
        **{
            bucket.value: Count(
                "commitments",
                filter=published & Q(commitments__status__in=statuses_in(bucket)),
            )
            for bucket in Bucket
        },
    )
    theme_rows = [
        (theme, {bucket.value: getattr(theme, bucket.value) for bucket in Bucket})
        for theme in themes
    ]
    ctx = {
        "sources": sources,
        "total": sum(status_counts.values()),
        "bucket_counts": bucket_counts,
        "theme_rows": theme_rows,
        "latest_updates": _latest_updates(),
    }
    return render(request, "tracker/dashboard.html", ctx)


class CommitmentListView(FilterView):
    """The filterable list. Invalid filter values are reported, with a 400, not ignored."""

    filterset_class = CommitmentFilter
    queryset = Commitment.objects.public().with_related()
    template_name = "tracker/commitment_list.html"
    context_object_name = "commitments"

    def get_paginate_by(self, queryset) -> int:
        return settings.TRACKER_PAGE_SIZE

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query_without_page"] = query.urlencode()
        ctx["is_filtered"] = any(
            value for key, value in self.request.GET.items() if key not in ("page", "order")
        )
        return ctx


@require_GET
def commitment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.public().with_related(), slug=slug)
    updates = (
        StatusUpdate.objects.filter(commitment=commitment, is_public=True)
        .for_timeline()
        .order_by("-as_of", "-created", "-pk")
    )
    ctx = {
        "commitment": commitment,
        "updates": updates,
    }
    return render(request, "tracker/commitment_detail.html", ctx)


@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    buckets = [
        (bucket, BUCKET_DEFINITIONS[bucket], [Status(s) for s in statuses_in(bucket)])
        for bucket in Bucket
    ]
    return render(request, "tracker/status_list.html", {"buckets": buckets})


def _commitments_page(request: HttpRequest, template: str, ctx: dict, commitments) -> HttpResponse:
    commitments = list(commitments)
    ctx["commitments"] = commitments
    ctx["bucket_counts"] = count_buckets(c.status for c in commitments)
    return render(request, template, ctx)


@require_GET
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    ctx = {
        "theme": theme,
        "latest_updates": _latest_updates(commitment__themes=theme),
    }
    commitments = Commitment.objects.public().with_related().filter(themes=theme)
    return _commitments_page(request, "tracker/theme_detail.html", ctx, commitments)


@require_GET
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor, slug=slug)
    involved = Q(owner=actor) | Q(partners=actor) | Q(proposer=actor)
    commitments = (
        Commitment.objects.public()
        .filter(pk__in=Commitment.objects.filter(involved).values("pk"))
        .with_related()
    )
    ctx = {
        "actor": actor,
        "latest_updates": _latest_updates(commitment__owner=actor),
    }
    return _commitments_page(request, "tracker/actor_detail.html", ctx, commitments)


@require_GET
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    commitments = source.commitments.public().with_related()
    return _commitments_page(request, "tracker/source_detail.html", {"source": source}, commitments)
