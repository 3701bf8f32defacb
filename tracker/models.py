"""The tracker's domain: sources, actors, themes, commitments and their status history.

A commitment's current status lives on its row; every change of it is also written, in the
same transaction, as an append-only StatusUpdate. `Commitment.save_edit()` is the only code
that does either (`record_update()` is its short form for a status update alone).

The timeline rule, which every write path gets because it lives here: a status change is
always public (an internal update is a note that keeps the status), and no update is dated
before the latest one. So the newest public update is always the head of the public timeline,
and its status is the commitment's status.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from tracker.validators import validate_plain_text


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


# A commitment in these buckets has nothing left to deliver, so it cannot be overdue.
FINISHED_BUCKETS = (Bucket.DONE, Bucket.CLOSED)


class Basis(models.TextChoices):
    """What a status assessment rests on: who says so."""

    SELF_REPORTED = "self_reported", "Self-reported by the owner"
    SECRETARIAT_VERIFIED = "secretariat_verified", "Verified by the secretariat"
    INDEPENDENT = "independent", "Independent assessment"


class EditConflict(Exception):
    """A commitment was saved by somebody else after the editor loaded the version they edited."""

    def __init__(self, commitment: Commitment, expected_version: int, title: str = ""):
        self.commitment = commitment
        self.expected_version = expected_version
        super().__init__(
            f"“{title or commitment}” was changed by somebody else while you were editing it, so "
            "nothing was saved. Open it again to see the latest version, then make your "
            "change again."
        )


WEB_URL_MESSAGE = (
    "Enter a web address starting with http:// or https://, e.g. https://asean.org/communique."
)


class WebURLField(models.URLField):
    """A URL field that accepts only web addresses (http and https), which a browser opens."""

    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)]


def bucket_of(status: str) -> Bucket:
    return STATUS_INFO[Status(status)].bucket


def statuses_in(*buckets: Bucket) -> list[str]:
    """The status values that fall in the given buckets."""
    return [status.value for status, info in STATUS_INFO.items() if info.bucket in buckets]


class PlainTextModel(models.Model):
    """Refuses control characters in every text field, however the record is written."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            if isinstance(field, (models.CharField, models.TextField)):
                try:
                    validate_plain_text(getattr(self, field.attname))
                except ValidationError as error:
                    errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)


def _attached(obj: models.Model, name: str):
    """The related object `name`, saved or not yet, or None: so a record's rules run before
    the records it names are saved (an importer checking a whole file first)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _event_date(commitment) -> datetime.date | None:
    source = _attached(commitment, "source") if commitment is not None else None
    return source.event_date if source is not None else None


class SlugManager(models.Manager):
    """Natural keys by slug, so fixtures carry no primary keys and load twice safely."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class Source(PlainTextModel):
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


class Actor(PlainTextModel):
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


class Theme(PlainTextModel):
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

    def overdue(self, today: datetime.date | None = None) -> CommitmentQuerySet:
        """Commitments whose target date has passed with delivery still outstanding."""
        today = today or timezone.localdate()
        return self.filter(target_date__lt=today).exclude(status__in=statuses_in(*FINISHED_BUCKETS))

    def needs_review(
        self, days: int | None = None, today: datetime.date | None = None
    ) -> CommitmentQuerySet:
        """Never reviewed, or last reviewed more than `days` (TRACKER_REVIEW_DAYS) ago."""
        days = settings.TRACKER_REVIEW_DAYS if days is None else days
        cutoff = (today or timezone.localdate()) - datetime.timedelta(days=days)
        return self.filter(Q(last_reviewed__isnull=True) | Q(last_reviewed__lt=cutoff))

    # Bulk writes. Each moves the version on, so an editor's form loaded before it is refused
    # instead of quietly writing the old values back.

    def set_published(self, published: bool, user=None) -> int:
        """Publish or unpublish; returns how many commitments changed."""
        return self.exclude(is_published=published).update(
            is_published=published,
            version=F("version") + 1,
            updated=timezone.now(),
            updated_by=user,
        )

    def mark_reviewed(self, user=None) -> int:
        """Record that an editor checked these commitments today; returns how many."""
        return self.update(
            last_reviewed=timezone.localdate(),
            version=F("version") + 1,
            updated=timezone.now(),
            updated_by=user,
        )


class CommitmentManager(SlugManager.from_queryset(CommitmentQuerySet)):
    pass


# Written only by Commitment.save_edit(), together with the history.
STATUS_FIELDS = frozenset({"status", "status_date", "last_reviewed"})

# Addresses under /commitments/ that are pages of their own, not commitments.
RESERVED_COMMITMENT_SLUGS = frozenset({"print"})


def validate_commitment_slug(value: str) -> None:
    if value in RESERVED_COMMITMENT_SLUGS:
        raise ValidationError(
            f"“{value}” is the address of another page; choose another slug.", code="reserved"
        )


class Commitment(PlainTextModel):
    """One thing that somebody promised, with its owner and current status."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="commitments")
    slug = models.SlugField(
        unique=True,
        max_length=100,
        validators=[validate_commitment_slug],
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
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an editor last checked the status against the evidence. Recording an "
        "update or the “Mark reviewed” action sets it to today.",
    )
    # Optimistic locking: every write adds one, and a form saved with an older version than
    # the row's is refused, so two editors never silently overwrite each other.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="last saved by",
    )

    objects = CommitmentManager()

    class Meta:
        ordering = ["source_id", "position", "pk"]
        permissions = [("publish_commitment", "Can publish and unpublish commitments")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in Status]),
                name="commitment_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            if self.status != Status.NOT_ASSESSED:
                raise ValueError(
                    "A new commitment starts as not yet assessed: create it, then record its "
                    "status with save_edit() or record_update(), so its history backs it."
                )
            super().save(*args, **kwargs)
            self._loaded_status = self.status
            return
        if self.status != getattr(self, "_loaded_status", self.status):
            raise ValueError("Change a commitment's status with record_update(), not save().")
        # Status is save_edit()'s alone: a plain save of an existing row never writes it,
        # so a copy loaded before another editor's update cannot put the old status back.
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            update_fields = {
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in STATUS_FIELDS
            }
        elif STATUS_FIELDS & set(update_fields):
            raise ValueError("Change a commitment's status with record_update(), not save().")
        # A plain save (a command, the shell) moves the version on too, so an editor's form
        # loaded before it is refused. Incremented in SQL, so a stale copy cannot lower it.
        self.version = F("version") + 1
        kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)
        self.refresh_from_db(fields=["version"])

    def get_absolute_url(self) -> str:
        return reverse("tracker:commitment-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row said when loaded: save() refuses a status changed behind save_edit()'s back.
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def clean(self) -> None:
        """The rules a commitment must meet, however it is written."""
        from tracker.annotate import find_passage  # annotate imports this module

        errors: dict[str, str] = {}
        source = _attached(self, "source")
        if source is not None and self.quote and not find_passage(source.full_text, self.quote):
            errors["quote"] = (
                f"Is not a passage of the full text of “{source}”: copy the quote verbatim "
                "from the source."
            )
        if source is not None and self.status_date is not None:
            if self.status_date < source.event_date:
                errors["status_date"] = (
                    f"Cannot be before the commitment was made, on {source.event_date:%-d %B %Y}."
                )
            elif self.status_date > timezone.localdate():
                errors["status_date"] = "Cannot be in the future."
        # Once saved, only save_edit() changes the status, with the update that says why.
        if self.pk is None and self.status != Status.NOT_ASSESSED:
            errors["status"] = (
                f"Is “{self.status}”, but a new commitment starts as "
                f"“{Status.NOT_ASSESSED.value}”: its status changes only through updates, which "
                "record why."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def bucket(self) -> Bucket:
        return bucket_of(self.status)

    @property
    def is_overdue(self) -> bool:
        """The target date has passed and the commitment is neither done nor closed."""
        return (
            self.target_date is not None
            and self.target_date < timezone.localdate()
            and self.bucket not in FINISHED_BUCKETS
        )

    def save_edit(
        self,
        fields: Iterable[str] = (),
        *,
        update: dict | None = None,
        expected_version: int | None = None,
        user=None,
    ) -> StatusUpdate | None:
        """Save an editor's changes to `fields` and record an optional status update, at once.

        The one write path for an existing commitment: the admin's change form, the bulk
        status change and the importers all call it. One transaction, one version check, one
        UPDATE of the row: if anybody saved the commitment after the editor loaded
        `expected_version`, nothing is written and EditConflict is raised. `update` holds
        StatusUpdate's fields (status, as_of, note, basis, evidence_url, is_public,
        corrects); the update is checked against StatusUpdate's rules and appended to the
        history, and a public one sets the status. Every save marks the commitment reviewed
        when it records an update. Raises ValidationError, writing nothing, on a broken rule.
        """
        fields = [name for name in fields if name not in STATUS_FIELDS]
        with transaction.atomic():
            # Lock the row so two editors saving at once are serialised: the second one sees
            # the first one's version, and each update records the status it really replaced.
            current = (
                type(self)
                .objects.select_for_update()
                .only("status", "status_date", "version", "title")
                .get(pk=self.pk)
            )
            if expected_version is not None and current.version != expected_version:
                # Name it as the database has it, not with the editor's unsaved title.
                raise EditConflict(self, expected_version, current.title)
            self.status, self.status_date = current.status, current.status_date
            self._loaded_status = current.status
            if fields:
                # The whole record is checked, as the admin form checks it.
                self.full_clean(validate_unique=True)
            values = {name: getattr(self, self._meta.get_field(name).attname) for name in fields}
            recorded = None
            if update is not None:
                recorded = StatusUpdate(
                    commitment=self, previous_status=current.status, author=user, **update
                )
                recorded.full_clean()
                recorded.save()
                values["last_reviewed"] = timezone.localdate()
                if recorded.is_public:
                    values["status"], values["status_date"] = recorded.status, recorded.as_of
            now = timezone.now()
            type(self).objects.filter(pk=self.pk).update(
                **values, version=F("version") + 1, updated=now, updated_by=user
            )
            # The edited fields are this instance's own; the status fields come from the update.
            for name in STATUS_FIELDS & set(values):
                setattr(self, name, values[name])
            self._loaded_status = self.status
            self.version, self.updated, self.updated_by = current.version + 1, now, user
        return recorded

    def record_update(
        self,
        *,
        status: str,
        as_of: datetime.date,
        note: str,
        basis: str,
        author=None,
        evidence_url: str = "",
        is_public: bool = True,
        corrects: StatusUpdate | None = None,
        expected_version: int | None = None,
    ) -> StatusUpdate:
        """Record a status update and nothing else: save_edit() with no field edits."""
        return self.save_edit(
            update={
                "status": status,
                "as_of": as_of,
                "note": note,
                "basis": basis,
                "evidence_url": evidence_url,
                "is_public": is_public,
                "corrects": corrects,
            },
            expected_version=expected_version,
            user=author,
        )


# Newest first: the head of a commitment's timeline is its latest update (see the module's
# docstring for why that is also the last one recorded).
TIMELINE_ORDER = ("-as_of", "-created", "-pk")


class StatusUpdateQuerySet(models.QuerySet):
    def public(self) -> StatusUpdateQuerySet:
        """Updates the public may see: public notes on published commitments."""
        return self.filter(is_public=True, commitment__is_published=True)

    def for_timeline(self) -> StatusUpdateQuerySet:
        """With the update each one corrects, for "Corrects the update of <date>"."""
        return self.select_related("corrects")


class StatusUpdate(PlainTextModel):
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
    evidence_url = WebURLField(
        "evidence URL",
        blank=True,
        max_length=500,
        help_text="A public document that supports the note, e.g. "
        "https://asean.org/joint-statement.",
    )
    # Blank only on updates recorded before the basis was asked for; full_clean() requires it.
    basis = models.CharField(
        "basis of the assessment",
        max_length=30,
        choices=Basis,
        error_messages={
            "blank": "Choose what this assessment rests on: the owner's own report, the "
            "secretariat's verification or an independent assessment."
        },
        help_text="Who says so, e.g. “Verified by the secretariat” when the secretariat has "
        "checked the owner's report.",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="corrects",
        help_text="Updates cannot be edited. If an earlier update of this commitment was wrong, "
        "choose it here and say in the note what was wrong.",
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
            models.CheckConstraint(
                condition=Q(basis__in=[*Basis.values, ""]), name="statusupdate_basis_valid"
            ),
        ]

    def __str__(self) -> str:
        """Names the commitment: queries it unless it was fetched with select_related()."""
        return f"{self.commitment}: {self.get_status_display()} as of {self.as_of:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        """The update on its commitment's page; queries the commitment unless select_related."""
        return f"{self.commitment.get_absolute_url()}#update-{self.pk}"

    @property
    def is_status_change(self) -> bool:
        return self.status != self.previous_status

    def clean(self) -> None:
        """The rules every new update must meet, however it is recorded (queries the history)."""
        errors: dict[str, str] = {}
        if not self.note.strip():
            errors["note"] = (
                "Say in the note what the earlier update got wrong."
                if self.corrects_id is not None
                else "Write a note saying why: it is shown with the update."
            )
        if self.is_status_change and not self.is_public:
            errors["is_public"] = (
                "A change of status is always public. Tick “public”, or keep the current "
                f"status ({self.get_previous_status_display()}) to record an internal note."
            )
        latest = None
        if self.commitment_id is not None:
            latest = (
                StatusUpdate.objects.filter(commitment_id=self.commitment_id)
                .exclude(pk=self.pk)
                .order_by(*TIMELINE_ORDER)
                .only("as_of")
                .first()
            )
        if self.as_of is not None:
            if self.as_of > timezone.localdate():
                errors["as_of"] = (
                    "The as-of date cannot be in the future: record what is true today or earlier."
                )
            elif (made := _event_date(_attached(self, "commitment"))) and self.as_of < made:
                errors["as_of"] = (
                    f"The as-of date cannot be before the commitment was made, on {made:%-d %B %Y}."
                )
            elif latest is not None and self.as_of < latest.as_of:
                errors["as_of"] = (
                    f"The as-of date cannot be before that of the latest update, "
                    f"{latest.as_of:%-d %B %Y}: the timeline must end with the current status. "
                    "To put an earlier update right, record a correction dated "
                    f"{latest.as_of:%-d %B %Y} or later that says what was wrong."
                )
        if self.corrects_id is not None:
            if self.corrects.commitment_id != self.commitment_id:
                errors["corrects"] = "Choose an earlier update of this same commitment."
            elif self.is_public and not self.corrects.is_public:
                errors["corrects"] = (
                    "A public update cannot correct an internal note, which the public never "
                    "saw: untick “public”, or choose a public update."
                )
        if errors:
            raise ValidationError(errors)
