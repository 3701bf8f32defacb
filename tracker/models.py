"""The tracker's domain: sources, actors, themes, commitments and their status history.

A commitment's current status lives on its row; every change of it is also written, in the
same transaction, as an append-only StatusUpdate. `Commitment.record_update()` is the only
code that does either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Bucket(models.TextChoices):
    """Coarse groups of statuses, used for summaries and progress bars."""

    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    DONE = "done", "Done"
    CLOSED = "closed", "Closed"


class Status(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DELAYED = "delayed", "Delayed"
    STALLED = "stalled", "Stalled"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    PARTIALLY_COMPLETED = "partially_completed", "Partially completed"
    DISCONTINUED = "discontinued", "Discontinued"
    SUPERSEDED = "superseded", "Superseded"


@dataclass(frozen=True)
class StatusInfo:
    bucket: Bucket
    definition: str
    # A text symbol shown beside the label, so status never relies on colour alone.
    symbol: str


STATUS_INFO: dict[Status, StatusInfo] = {
    Status.NOT_ASSESSED: StatusInfo(
        Bucket.PENDING,
        "No evidence has been reviewed yet. This is not a finding that nothing has been done.",
        "?",
    ),
    Status.NOT_STARTED: StatusInfo(
        Bucket.PENDING, "Evidence has been reviewed and shows no action taken yet.", "○"
    ),
    Status.IN_PROGRESS: StatusInfo(
        Bucket.ACTIVE, "Work has begun and is moving towards delivery.", "◔"
    ),
    Status.DELAYED: StatusInfo(
        Bucket.ACTIVE, "Work is under way but behind the timetable that was announced.", "◷"
    ),
    Status.STALLED: StatusInfo(
        Bucket.ACTIVE, "Work began but has not advanced for a sustained period.", "‖"
    ),
    Status.ONGOING: StatusInfo(
        Bucket.ACTIVE,
        "A continuing commitment with no end date, on which action has been taken.",
        "↻",
    ),
    Status.COMPLETED: StatusInfo(Bucket.DONE, "Delivered as announced.", "✓"),
    Status.PARTIALLY_COMPLETED: StatusInfo(
        Bucket.DONE, "Delivered, but in a reduced or modified form.", "◑"
    ),
    Status.DISCONTINUED: StatusInfo(
        Bucket.CLOSED, "Abandoned or formally dropped before delivery.", "✕"
    ),
    Status.SUPERSEDED: StatusInfo(
        Bucket.CLOSED, "Replaced by a later commitment or decision.", "→"
    ),
}

BUCKET_DEFINITIONS: dict[Bucket, str] = {
    Bucket.PENDING: "Not yet assessed, or assessed and not started.",
    Bucket.ACTIVE: "Under way: in progress, delayed, stalled or ongoing.",
    Bucket.DONE: "Delivered in full or in part.",
    Bucket.CLOSED: "Discontinued or superseded.",
}


def bucket_of(status: str) -> Bucket:
    return STATUS_INFO[Status(status)].bucket


def statuses_in(*buckets: Bucket) -> list[str]:
    """The status values that fall in the given buckets."""
    return [status.value for status, info in STATUS_INFO.items() if info.bucket in buckets]


class SlugManager(models.Manager):
    """Natural keys by slug, so fixtures carry no primary keys and load twice safely."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class Source(models.Model):
    """A document that commitments are drawn from, such as a report on a summit."""

    slug = models.SlugField(
        unique=True, max_length=100, help_text="Used in addresses, e.g. adgmin-2026-hanoi."
    )
    title = models.CharField(
        max_length=300,
        help_text="The document's title, e.g. “ASEAN digital ministers meet in Hanoi”.",
    )
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Who published it, e.g. Viet Nam News Agency."
    )
    author = models.CharField(max_length=200, blank=True, help_text="e.g. Du Lam.")
    url = models.URLField(
        "URL", blank=True, max_length=500, help_text="Where the document is published."
    )
    published_on = models.DateField(
        "publication date", null=True, blank=True, help_text="e.g. 2026-01-15."
    )
    event_name = models.CharField(
        max_length=300, help_text="e.g. 6th ASEAN Digital Ministers’ Meeting (ADGMIN)."
    )
    event_place = models.CharField(max_length=200, help_text="e.g. Hanoi, Viet Nam.")
    event_date = models.DateField(
        help_text="When the commitments were made, e.g. 2026-01-15. Status histories start here."
    )
    full_text = models.TextField(
        help_text="The document's complete text; each commitment quotes a passage of it verbatim."
    )

    objects = SlugManager()

    class Meta:
        ordering = ["-event_date", "title"]

    def __str__(self) -> str:
        return f"{self.event_name} ({self.event_date:%-d %B %Y})"

    def get_absolute_url(self) -> str:
        return reverse("tracker:source-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"
    GOVERNMENT = "government", "Government or ministry"
    GROUP = "group", "Group of organisations or states"


class Actor(models.Model):
    """A person or a body that proposes commitments or is accountable for them."""

    slug = models.SlugField(unique=True, max_length=100, help_text="e.g. pham-minh-chinh.")
    name = models.CharField(
        max_length=200, help_text="e.g. Pham Minh Chinh, or ASEAN member states."
    )
    kind = models.CharField(max_length=20, choices=ActorKind, default=ActorKind.PERSON)
    role = models.CharField(
        "role or title", max_length=200, blank=True, help_text="e.g. Prime Minister of Viet Nam."
    )
    affiliation = models.CharField(
        "country or affiliation", max_length=200, blank=True, help_text="e.g. Viet Nam, or ASEAN."
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[kind.value for kind in ActorKind]), name="actor_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:actor-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Theme(models.Model):
    """A focus area that commitments are grouped under."""

    slug = models.SlugField(unique=True, max_length=100, help_text="e.g. trust-and-safety.")
    name = models.CharField(max_length=100, unique=True, help_text="e.g. Trust and safety.")
    description = models.TextField(blank=True, help_text="One or two plain sentences.")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Themes are listed in this order, lowest first."
    )

    objects = SlugManager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:theme-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class CommitmentQuerySet(models.QuerySet):
    def public(self) -> CommitmentQuerySet:
        """Commitments the public may see: published ones only."""
        return self.filter(is_published=True)

    def with_related(self) -> CommitmentQuerySet:
        """Everything a list row shows, in a fixed number of queries."""
        return self.select_related("source", "proposer", "owner").prefetch_related(
            "themes", "partners"
        )

    def in_bucket(self, *buckets: Bucket) -> CommitmentQuerySet:
        return self.filter(status__in=statuses_in(*buckets))


class CommitmentManager(SlugManager.from_queryset(CommitmentQuerySet)):
    pass


class Commitment(models.Model):
    """One thing that somebody promised, with its owner and current status."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="commitments")
    slug = models.SlugField(
        unique=True,
        max_length=100,
        help_text="Used in the public address, e.g. connect-national-data-centres.",
    )
    title = models.CharField(
        max_length=200,
        help_text="Short and action-first, e.g. “Connect national data centres across the region”.",
    )
    summary = models.TextField(
        help_text="What was promised, in plain language, in one to three sentences."
    )
    quote = models.TextField(
        help_text="The passage of the source that makes the commitment, copied verbatim."
    )
    heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="The heading the source groups it under, e.g. “Digital infrastructure”.",
    )
    position = models.PositiveIntegerField(
        default=0, help_text="Order within the source, e.g. 1 for its first commitment."
    )
    proposer = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="proposed_commitments",
        help_text="Who made the proposal, e.g. the Prime Minister.",
    )
    owner = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="owned_commitments",
        verbose_name="lead owner",
        help_text="The body accountable for delivery, e.g. ASEAN member states.",
    )
    partners = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="partner_commitments",
        help_text="Other bodies that share delivery.",
    )
    themes = models.ManyToManyField(Theme, related_name="commitments", blank=True)
    status = models.CharField(max_length=30, choices=Status, default=Status.NOT_ASSESSED)
    status_date = models.DateField(
        "status as of",
        default=timezone.localdate,
        help_text="The date the current status describes.",
    )
    target_date = models.DateField(
        null=True, blank=True, help_text="The delivery date announced, if any, e.g. 2030-12-31."
    )
    is_published = models.BooleanField(
        "published",
        default=False,
        help_text="Only published commitments appear on the public site.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CommitmentManager()

    class Meta:
        ordering = ["source_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in Status]),
                name="commitment_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tracker:commitment-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def bucket(self) -> Bucket:
        return bucket_of(self.status)

    def record_update(
        self,
        *,
        status: str,
        as_of: datetime.date,
        note: str,
        author=None,
        evidence_url: str = "",
        is_public: bool = True,
    ) -> StatusUpdate:
        """Set the current status and append it to the history, atomically.

        This is the only code that changes `status`: the admin, bulk actions and commands all
        call it, so the row and its history never disagree.
        """
        with transaction.atomic():
            # Lock the row so two editors recording at once both land in the history,
            # each with the status it really replaced.
            current = type(self).objects.select_for_update().only("status").get(pk=self.pk)
            update = StatusUpdate(
                commitment=self,
                status=status,
                previous_status=current.status,
                as_of=as_of,
                note=note,
                evidence_url=evidence_url,
                author=author,
                is_public=is_public,
            )
            update.full_clean()
            update.save()
            self.status = status
            self.status_date = as_of
            type(self).objects.filter(pk=self.pk).update(
                status=status, status_date=as_of, updated=timezone.now()
            )
        return update


class StatusUpdateQuerySet(models.QuerySet):
    def public(self) -> StatusUpdateQuerySet:
        """Updates the public may see: public notes on published commitments."""
        return self.filter(is_public=True, commitment__is_published=True)


class StatusUpdate(models.Model):
    """An entry in a commitment's history: a status as of a date, with the reason. Append-only."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField("new status", max_length=30, choices=Status)
    previous_status = models.CharField(max_length=30, choices=Status)
    as_of = models.DateField("as of", help_text="The date the status describes, e.g. 2026-06-30.")
    note = models.TextField(
        blank=True,
        help_text="Why the status is what it is, in plain text, e.g. “Ministers adopted the "
        "framework at their June meeting.”",
    )
    evidence_url = models.URLField(
        "evidence URL",
        blank=True,
        max_length=500,
        help_text="A public document that supports the note, e.g. a communiqué.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_updates",
    )
    is_public = models.BooleanField(
        "public",
        default=True,
        help_text="Untick for an internal note that only staff can see.",
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-created", "-pk"]
        get_latest_by = "created"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in Status]),
                name="statusupdate_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(previous_status__in=[status.value for status in Status]),
                name="statusupdate_previous_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.get_status_display()} as of {self.as_of:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return f"{self.commitment.get_absolute_url()}#update-{self.pk}"

    @property
    def is_status_change(self) -> bool:
        return self.status != self.previous_status
