"""The tracker's domain: sources, actors, themes, commitments and their status history.

A commitment's current status lives on its row; every change of it is also written, in the
same transaction, as an append-only StatusUpdate. `Commitment.save_edit()` is the only code
that does either (`record_update()` is its short form for a status update alone).

The timeline rule, which every write path gets because it lives here: a status change is
always public (an internal update is a note that keeps the status), and no update is dated
before the latest one. So the newest public update is always the head of the public timeline,
and its status is the commitment's status.

Member states. A commitment may be carried out by each member of a group (ASEAN's eleven
member states, say): then each member that belonged to the group when the commitment was made
has a MemberProgress row, its current status on that commitment, and its own chain of
StatusUpdates (those with `member` set). The timeline rule holds per chain: per commitment and
member, with member NULL for the commitment's own. save_edit() writes these too, in the same
transaction and under the same version check as the commitment's own update.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.languages import Translatable, active_language
from tracker.validators import WEB_URL_MESSAGE, WebURLFormField, validate_plain_text


class Bucket(models.TextChoices):
    """Coarse groups of statuses, used for summaries and progress bars."""

    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")


class Status(models.TextChoices):
    NOT_ASSESSED = "not_assessed", _("Not yet assessed")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    STALLED = "stalled", _("Stalled")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    PARTIALLY_COMPLETED = "partially_completed", _("Partially completed")
    DISCONTINUED = "discontinued", _("Discontinued")
    SUPERSEDED = "superseded", _("Superseded")


@dataclass(frozen=True)
class StatusInfo:
    bucket: Bucket
    # Translated when shown: a lazy string.
    definition: str
    # A text symbol shown beside the label, so status never relies on colour alone.
    symbol: str


STATUS_INFO: dict[Status, StatusInfo] = {
    Status.NOT_ASSESSED: StatusInfo(
        Bucket.PENDING,
        _("No evidence has been reviewed yet. This is not a finding that nothing has been done."),
        "?",
    ),
    Status.NOT_STARTED: StatusInfo(
        Bucket.PENDING, _("Evidence has been reviewed and shows no action taken yet."), "○"
    ),
    Status.IN_PROGRESS: StatusInfo(
        Bucket.ACTIVE, _("Work has begun and is moving towards delivery."), "◔"
    ),
    Status.DELAYED: StatusInfo(
        Bucket.ACTIVE, _("Work is under way but behind the timetable that was announced."), "◷"
    ),
    Status.STALLED: StatusInfo(
        Bucket.ACTIVE, _("Work began but has not advanced for a sustained period."), "‖"
    ),
    Status.ONGOING: StatusInfo(
        Bucket.ACTIVE,
        _("A continuing commitment with no end date, on which action has been taken."),
        "↻",
    ),
    Status.COMPLETED: StatusInfo(Bucket.DONE, _("Delivered as announced."), "✓"),
    Status.PARTIALLY_COMPLETED: StatusInfo(
        Bucket.DONE, _("Delivered, but in a reduced or modified form."), "◑"
    ),
    Status.DISCONTINUED: StatusInfo(
        Bucket.CLOSED, _("Abandoned or formally dropped before delivery."), "✕"
    ),
    Status.SUPERSEDED: StatusInfo(
        Bucket.CLOSED, _("Replaced by a later commitment or decision."), "→"
    ),
}

BUCKET_DEFINITIONS: dict[Bucket, str] = {
    Bucket.PENDING: _("Not yet assessed, or assessed and not started."),
    Bucket.ACTIVE: _("Under way: in progress, delayed, stalled or ongoing."),
    Bucket.DONE: _("Delivered in full or in part."),
    Bucket.CLOSED: _("Discontinued or superseded."),
}


# A commitment in these buckets has nothing left to deliver, so it cannot be overdue.
FINISHED_BUCKETS = (Bucket.DONE, Bucket.CLOSED)


# The G20 Research Group's compliance scale, applied to each member's status on a commitment:
# +1 full compliance, 0 partial compliance or work in progress, -1 no compliance. None means
# not scored: "not yet assessed" is missing data, never a failure, and "superseded" leaves
# nothing to comply with. Averages are taken over scored statuses only (docs/data.md,
# "Compliance scores").
STATUS_SCORE: dict[Status, int | None] = {
    Status.COMPLETED: 1,
    Status.PARTIALLY_COMPLETED: 0,
    Status.IN_PROGRESS: 0,
    Status.ONGOING: 0,
    Status.DELAYED: 0,
    Status.STALLED: 0,
    Status.NOT_STARTED: -1,
    Status.DISCONTINUED: -1,
    Status.NOT_ASSESSED: None,
    Status.SUPERSEDED: None,
}

# The statuses that count towards a score.
SCORED_STATUSES = [status.value for status, score in STATUS_SCORE.items() if score is not None]


def score_of(status: str) -> int | None:
    """A status on the compliance scale: +1, 0 or -1; None when it is not scored."""
    return STATUS_SCORE[Status(status)]


def _score_expression(field: str = "status") -> Case:
    """The compliance score of `field`'s status in SQL: NULL when not scored, so Avg skips it."""
    return Case(
        *[
            When(**{field: status.value}, then=score)
            for status, score in STATUS_SCORE.items()
            if score is not None
        ],
        default=None,
        output_field=IntegerField(),
    )


class Basis(models.TextChoices):
    """What a status assessment rests on: who says so."""

    SELF_REPORTED = "self_reported", _("Self-reported by the owner")
    SECRETARIAT_VERIFIED = "secretariat_verified", _("Verified by the secretariat")
    INDEPENDENT = "independent", _("Independent assessment")


class EditConflict(Exception):
    """A commitment was saved by somebody else after the editor loaded the version they edited."""

    def __init__(self, commitment: Commitment, expected_version: int, title: str = ""):
        self.commitment = commitment
        self.expected_version = expected_version
        super().__init__(
            gettext(
                "“%(title)s” was changed by somebody else while you were editing it, so nothing "
                "was saved. Open it again to see the latest version, then make your change again."
            )
            % {"title": title or commitment}
        )


class WebURLField(models.URLField):
    """A URL field that accepts only web addresses (http and https), which a browser opens."""

    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)]

    def formfield(self, **kwargs):
        # Every form refuses an address without its scheme, with the same message.
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


def bucket_of(status: str) -> Bucket:
    return STATUS_INFO[Status(status)].bucket


def statuses_in(*buckets: Bucket) -> list[str]:
    """The status values that fall in the given buckets."""
    return [status.value for status, info in STATUS_INFO.items() if info.bucket in buckets]


def derive_status(statuses: Iterable[str]) -> str:
    """The one status word of a commitment carried out by each member of a group.

    The rule (docs/methodology.md, and the public page /scorecard/methodology/):
    1. every member has the same status: that status;
    2. every member has delivered, some only in part: partially completed;
    3. every member is discontinued or superseded, not all the same: discontinued;
    4. some member has begun or delivered, and not every member has delivered: in progress;
    5. otherwise, some member has been assessed (not started, discontinued…): not started;
    6. no member has been assessed, or there are no members: not yet assessed.
    A single word always hides the spread, so every page that shows it shows the members'
    counts beside it.
    """
    present = set(statuses)
    if len(present) == 1:
        return present.pop()
    buckets = {bucket_of(status) for status in present}
    if buckets == {Bucket.DONE}:
        return Status.PARTIALLY_COMPLETED.value
    if buckets == {Bucket.CLOSED}:
        return Status.DISCONTINUED.value
    if buckets & {Bucket.ACTIVE, Bucket.DONE}:
        return Status.IN_PROGRESS.value
    if present - {Status.NOT_ASSESSED.value}:
        return Status.NOT_STARTED.value
    return Status.NOT_ASSESSED.value


def members_status(rows: Iterable[tuple[str, datetime.date]]) -> tuple[str, datetime.date]:
    """The status and date of a commitment from its members' (status, status date) rows, of
    which there is at least one: derive_status(), as of the latest member's date."""
    rows = list(rows)
    return derive_status(status for status, _date in rows), max(date for _status, date in rows)


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


def validate_language_code(value: str) -> None:
    """A language tag such as en, vi, id or zh-Hant (BCP 47, checked loosely)."""
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", value or ""):
        raise ValidationError(
            _("Enter a language code such as en, vi or id."), code="invalid_language"
        )


def _tallies():
    """tracker.tallies, which imports this module: the precomputed figures' bookkeeping."""
    from tracker import tallies

    return tallies


class SlugManager(models.Manager):
    """Natural keys by slug, so fixtures carry no primary keys and load twice safely."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class Source(PlainTextModel):
    """A document that commitments are drawn from, such as a report on a summit."""

    slug = models.SlugField(
        _("slug"),
        unique=True,
        max_length=100,
        help_text=_("Used in addresses, e.g. adgmin-2026-hanoi."),
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("The document's title, e.g. “ASEAN digital ministers meet in Hanoi”."),
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Who published it, e.g. Viet Nam News Agency."),
    )
    author = models.CharField(_("author"), max_length=200, blank=True, help_text=_("e.g. Du Lam."))
    url = models.URLField(
        _("URL"), blank=True, max_length=500, help_text=_("Where the document is published.")
    )
    published_on = models.DateField(
        _("publication date"), null=True, blank=True, help_text=_("e.g. 2026-01-15.")
    )
    retrieved_on = models.DateField(
        _("retrieval date"),
        null=True,
        blank=True,
        help_text=_("When the tracker's copy of the full text was taken, e.g. 2026-01-16."),
    )
    event_name = models.CharField(
        _("event name"),
        max_length=300,
        help_text=_("e.g. 6th ASEAN Digital Ministers’ Meeting (ADGMIN)."),
    )
    event_place = models.CharField(
        _("event place"), max_length=200, help_text=_("e.g. Hanoi, Viet Nam.")
    )
    event_date = models.DateField(
        _("event date"),
        help_text=_(
            "When the commitments were made, e.g. 2026-01-15. Status histories start here."
        ),
    )
    full_text = models.TextField(
        _("full text"),
        help_text=_(
            "The document's complete text; each commitment quotes a passage of it verbatim."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=35,
        default="en",
        validators=[validate_language_code],
        help_text=_(
            "The language the document is written in, as a code: en, vi, id, th… Its quotes "
            "are shown in it, never translated in place."
        ),
    )

    objects = SlugManager()

    class Meta:
        ordering = ["-event_date", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.event_name} ({self.event_date:%-d %B %Y})"

    def get_absolute_url(self) -> str:
        return reverse("tracker:source-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ActorKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    GOVERNMENT = "government", _("Government or ministry")
    GROUP = "group", _("Group of organisations or states")


class CommitmentKind(models.TextChoices):
    """What was said: whether anybody has undertaken to deliver it (docs/methodology.md)."""

    COMMITMENT = "commitment", _("Commitment")
    PROPOSAL = "proposal", _("Proposal")
    ADVICE = "advice", _("Advice")


COMMITMENT_KIND_DEFINITIONS: dict[CommitmentKind, str] = {
    CommitmentKind.COMMITMENT: _(
        "Those who must deliver it have undertaken to, or a speaker affirmed it on their behalf."
    ),
    CommitmentKind.PROPOSAL: _(
        "A speaker proposed or called for it; the meeting's report does not record it as agreed."
    ),
    CommitmentKind.ADVICE: _(
        "Advice from outside the group, addressed to those who would deliver it."
    ),
}


class Actor(Translatable, PlainTextModel):
    """A person or a body that proposes commitments or is accountable for them."""

    slug = models.SlugField(
        _("slug"), unique=True, max_length=100, help_text=_("e.g. pham-minh-chinh.")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. Pham Minh Chinh, or ASEAN member states.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActorKind, default=ActorKind.PERSON)
    role = models.CharField(
        _("role or title"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Prime Minister of Viet Nam."),
    )
    affiliation = models.CharField(
        _("country or affiliation"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Viet Nam, or ASEAN."),
    )
    member_state = models.ForeignKey(
        "MemberState",
        # A label, not history: deleting the member state leaves the actor unlabelled.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actors",
        verbose_name=_("member state"),
        help_text=_(
            "The member state this person or body belongs to, e.g. Viet Nam for Viet Nam's "
            "Ministry of Science and Technology: the member state's page lists what it owns."
        ),
    )
    name_vi = models.CharField(
        _("name (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Phạm Minh Chính; empty: the English name is shown."),
    )
    name_id = models.CharField(
        _("name (Indonesian)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Pham Minh Chinh; empty: the English name is shown."),
    )
    role_vi = models.CharField(
        _("role or title (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Thủ tướng Chính phủ Việt Nam."),
    )
    role_id = models.CharField(
        _("role or title (Indonesian)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Perdana Menteri Vietnam."),
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
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


class Theme(Translatable, PlainTextModel):
    """A focus area that commitments are grouped under."""

    slug = models.SlugField(
        _("slug"), unique=True, max_length=100, help_text=_("e.g. trust-and-safety.")
    )
    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("e.g. Trust and safety.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two plain sentences.")
    )
    name_vi = models.CharField(
        _("name (Vietnamese)"),
        max_length=100,
        blank=True,
        help_text=_("e.g. Niềm tin và an toàn; empty: the English name is shown."),
    )
    name_id = models.CharField(
        _("name (Indonesian)"),
        max_length=100,
        blank=True,
        help_text=_("e.g. Kepercayaan dan keamanan; empty: the English name is shown."),
    )
    description_vi = models.TextField(
        _("description (Vietnamese)"),
        blank=True,
        help_text=_("Empty: the English description is shown."),
    )
    description_id = models.TextField(
        _("description (Indonesian)"),
        blank=True,
        help_text=_("Empty: the English description is shown."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Themes are listed in this order, lowest first.")
    )

    objects = SlugManager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:theme-detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


def count_of(rows: models.QuerySet) -> Coalesce:
    """A subquery counting `rows` (filtered on OuterRef) for each outer row: an index lookup
    per row, never a join that multiplies rows or a GROUP BY over a whole table."""
    counted = rows.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _progress_figures(rows: models.QuerySet, group_by: str, noun: str) -> dict:
    """Counts and average score of MemberProgress `rows` (correlated to the outer row)."""
    rows = rows.order_by().values(group_by)

    def figure(aggregate):
        return Subquery(rows.annotate(figure=aggregate).values("figure"))

    return {
        f"{noun}_tracked": Coalesce(figure(Count("pk")), 0),
        f"{noun}_assessed": Coalesce(figure(Count("pk", filter=Q(status__in=SCORED_STATUSES))), 0),
        f"{noun}_done": Coalesce(
            figure(Count("pk", filter=Q(status__in=statuses_in(Bucket.DONE)))), 0
        ),
        "compliance_score": figure(Avg(_score_expression())),
    }


class MemberGroup(Translatable, PlainTextModel):
    """A group of states whose members each carry out some commitments, e.g. ASEAN."""

    slug = models.SlugField(_("slug"), unique=True, max_length=100, help_text=_("e.g. asean."))
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. ASEAN."))
    name_vi = models.CharField(
        _("name (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. ASEAN; empty: the English name is shown."),
    )
    name_id = models.CharField(
        _("name (Indonesian)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. ASEAN; empty: the English name is shown."),
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("member group")
        verbose_name_plural = _("member groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:scorecard")

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class MemberStateQuerySet(models.QuerySet):
    def with_scores(self, commitments: models.QuerySet | None = None) -> MemberStateQuerySet:
        """Annotate each member with its record on `commitments` (default: published ones).

        Adds `commitments_tracked` (progress rows), `commitments_assessed` (rows with a
        scored status), `commitments_done` (completed or partially completed) and
        `compliance_score`, the average score over assessed rows (None when none is assessed).
        One query for any number of members: each figure is a correlated subquery.
        """
        if commitments is None:
            commitments = Commitment.objects.public()
        rows = MemberProgress.objects.filter(
            member=OuterRef("pk"), commitment__in=commitments.order_by().values("pk")
        )
        return self.annotate(**_progress_figures(rows, "member", "commitments"))


class MemberStateManager(SlugManager.from_queryset(MemberStateQuerySet)):
    pass


class MemberState(Translatable, PlainTextModel):
    """A member of a group, e.g. Viet Nam in ASEAN, which carries out its share of commitments."""

    group = models.ForeignKey(
        MemberGroup, on_delete=models.PROTECT, related_name="members", verbose_name=_("group")
    )
    # Unique across groups, so a member's address and a spreadsheet's "member" column need
    # no group: a second group in the same database gives its members their own slugs.
    slug = models.SlugField(_("slug"), unique=True, max_length=100, help_text=_("e.g. viet-nam."))
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_(
            "As the group writes it in its own lists, e.g. Viet Nam, Lao PDR, Philippines."
        ),
    )
    name_vi = models.CharField(
        _("name (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_("As ASEAN writes it in Vietnamese, e.g. Việt Nam, Lào, Phi-líp-pin."),
    )
    name_id = models.CharField(
        _("name (Indonesian)"),
        max_length=200,
        blank=True,
        help_text=_("As ASEAN writes it in Indonesian, e.g. Vietnam, Laos, Filipina."),
    )
    joined_on = models.DateField(
        _("joined on"),
        help_text=_(
            "When it became a member, e.g. 1995-07-28. It is tracked on the commitments "
            "made from that date on."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("position"),
        default=0,
        help_text=_("Members are listed in this order, lowest first (the group's own order)."),
    )

    objects = MemberStateManager()

    class Meta:
        ordering = ["group_id", "position", "name"]
        verbose_name = _("member state")
        verbose_name_plural = _("member states")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tracker:member-detail", args=[self.slug])

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

    def with_member_scores(self) -> CommitmentQuerySet:
        """Annotate each commitment with its member states' record, for "assessed 4 of 11".

        Adds `members_tracked` (members with a progress row; 0 for a commitment that is not
        carried out member by member), `members_assessed` (with a scored status),
        `members_done` (completed or partially completed) and `compliance_score`, the average
        score over assessed members (None when none is assessed). Subqueries rather than a
        join, so the figures stay right under any filter and cost no extra query.
        """
        rows = MemberProgress.objects.filter(commitment=OuterRef("pk"))
        return self.annotate(**_progress_figures(rows, "commitment", "members"))

    def tracked_by_member(self) -> CommitmentQuerySet:
        """Commitments carried out by each member of a group."""
        return self.filter(member_group__isnull=False)

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
        changing = list(self.exclude(is_published=published).values_list("pk", flat=True))
        with transaction.atomic(using=self.db), _tallies().tracking(changing):
            changed = (
                self.filter(pk__in=changing)
                .exclude(is_published=published)
                .update(
                    is_published=published,
                    version=F("version") + 1,
                    updated=timezone.now(),
                    updated_by=user,
                )
            )
            if changed:
                # update() sends no signal: the public pages' version is moved on here.
                ContentVersion.bump(using=self.db)
        return changed

    def mark_reviewed(self, user=None) -> int:
        """Record that an editor checked these commitments today; returns how many."""
        with transaction.atomic(using=self.db):
            changed = self.update(
                last_reviewed=timezone.localdate(),
                version=F("version") + 1,
                updated=timezone.now(),
                updated_by=user,
            )
            if changed:
                # Public pages show `updated` (the sitemap's lastmod): move their version on.
                ContentVersion.bump(using=self.db)
        return changed


class CommitmentManager(SlugManager.from_queryset(CommitmentQuerySet)):
    pass


# Written only by Commitment.save_edit(), together with the history.
STATUS_FIELDS = frozenset({"status", "status_date", "last_reviewed"})

# Addresses under /commitments/ that are pages of their own, not commitments.
RESERVED_COMMITMENT_SLUGS = frozenset({"print"})


def validate_commitment_slug(value: str) -> None:
    if value in RESERVED_COMMITMENT_SLUGS:
        raise ValidationError(
            gettext("“%(slug)s” is the address of another page; choose another slug.")
            % {"slug": value},
            code="reserved",
        )


class Commitment(Translatable, PlainTextModel):
    """One thing that somebody promised, with its owner and current status."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("source")
    )
    slug = models.SlugField(
        _("slug"),
        unique=True,
        max_length=100,
        validators=[validate_commitment_slug],
        help_text=_("Used in the public address, e.g. connect-national-data-centres."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_(
            "Short and action-first, e.g. “Connect national data centres across the region”."
        ),
    )
    summary = models.TextField(
        _("summary"),
        help_text=_("What was promised, in plain language, in one to three sentences."),
    )
    quote = models.TextField(
        _("quote"),
        help_text=_("The passage of the source that makes the commitment, copied verbatim."),
    )
    title_vi = models.CharField(
        _("title (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. “Kết nối các trung tâm dữ liệu quốc gia trong khu vực”; empty: the English "
            "title is shown."
        ),
    )
    title_id = models.CharField(
        _("title (Indonesian)"),
        max_length=200,
        blank=True,
        help_text=_(
            "e.g. “Menghubungkan pusat data nasional di kawasan”; empty: the English title is "
            "shown."
        ),
    )
    summary_vi = models.TextField(
        _("summary (Vietnamese)"), blank=True, help_text=_("Empty: the English summary is shown.")
    )
    summary_id = models.TextField(
        _("summary (Indonesian)"), blank=True, help_text=_("Empty: the English summary is shown.")
    )
    # The quote itself is never translated: these are editors' translations, shown beside it
    # and labelled as translations, for readers of a language the source is not in.
    quote_translation_en = models.TextField(
        _("translation of the quote (English)"),
        blank=True,
        help_text=_("For a source that is not in English: the quote in English, shown beside it."),
    )
    quote_translation_vi = models.TextField(
        _("translation of the quote (Vietnamese)"),
        blank=True,
        help_text=_(
            "The quote in Vietnamese, shown beside the verbatim quote and labelled as a "
            "translation."
        ),
    )
    quote_translation_id = models.TextField(
        _("translation of the quote (Indonesian)"),
        blank=True,
        help_text=_(
            "The quote in Indonesian, shown beside the verbatim quote and labelled as a "
            "translation."
        ),
    )
    heading = models.CharField(
        _("heading"),
        max_length=200,
        blank=True,
        help_text=_("The heading the source groups it under, e.g. “Digital infrastructure”."),
    )
    position = models.PositiveIntegerField(
        _("position"),
        default=0,
        help_text=_("Order within the source, e.g. 1 for its first commitment."),
    )
    proposer = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="proposed_commitments",
        help_text=_("Who made the proposal, e.g. the Prime Minister."),
        verbose_name=_("proposer"),
    )
    owner = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="owned_commitments",
        verbose_name=_("lead owner"),
        help_text=_("The body accountable for delivery, e.g. ASEAN member states."),
    )
    partners = models.ManyToManyField(
        Actor,
        blank=True,
        related_name="partner_commitments",
        help_text=_("Other bodies that share delivery."),
        verbose_name=_("partners"),
    )
    themes = models.ManyToManyField(
        Theme, related_name="commitments", blank=True, verbose_name=_("themes")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=CommitmentKind,
        default=CommitmentKind.COMMITMENT,
        help_text=_(
            "Commitment: those who must deliver it undertook to. Proposal: a speaker proposed "
            "or called for it. Advice: an outsider advised it."
        ),
    )
    member_group = models.ForeignKey(
        MemberGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("carried out by each member of"),
        help_text=_(
            "Choose a group (e.g. ASEAN) when each of its member states must carry the "
            "commitment out at home, e.g. “each nation develop domestic data centres”: each member "
            "then gets a status of its own. Leave empty for a commitment carried out jointly."
        ),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status, default=Status.NOT_ASSESSED
    )
    status_date = models.DateField(
        _("status as of"),
        default=timezone.localdate,
        help_text=_("The date the current status describes."),
    )
    target_date = models.DateField(
        _("target date"),
        null=True,
        blank=True,
        help_text=_("The delivery date announced, if any, e.g. 2030-12-31."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Only published commitments appear on the public site."),
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When an editor last checked the status against the evidence. Recording an "
            "update or the “Mark reviewed” action sets it to today."
        ),
    )
    # Optimistic locking: every write adds one, and a form saved with an older version than
    # the row's is refused, so two editors never silently overwrite each other.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("last saved by"),
    )

    objects = CommitmentManager()

    class Meta:
        ordering = ["source_id", "position", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        permissions = [("publish_commitment", _("Can publish and unpublish commitments"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in Status]),
                name="commitment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CommitmentKind.values), name="commitment_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            # The lists' and the admin's order (Meta.ordering): read in index order and
            # stopped after a page, not 10,000 rows sorted (issue 10).
            models.Index(fields=["source", "position"], name="commitment_order_idx"),
            # What is overdue: only commitments with a target date are read.
            models.Index(fields=["target_date"], name="commitment_target_idx"),
            # The sitemap's latest change per owner and proposer, from an index. (An index
            # whose first column is `updated`, or `is_published` then `updated`, made SQLite
            # and PostgreSQL read it whole for each actor that proposed nothing.)
            models.Index(fields=["owner", "updated"], name="commitment_owner_upd_idx"),
            models.Index(fields=["proposer", "updated"], name="commitment_proposer_upd_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            if self.status != Status.NOT_ASSESSED:
                raise ValueError(
                    "A new commitment starts as not yet assessed: create it, then record its "
                    "status with save_edit() or record_update(), so its history backs it."
                )
            with transaction.atomic(), _tallies().tracking() as tracked:
                super().save(*args, **kwargs)
                tracked.add_new(self.pk)
                if self.member_group_id is not None:
                    self.sync_member_progress()
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
        # Publication, source, owner or proposer may change what it counts towards.
        with transaction.atomic(), _tallies().tracking([self.pk]):
            super().save(*args, **kwargs)
            if "member_group" in update_fields:
                self.sync_member_progress()
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
            errors["quote"] = gettext(
                "Is not a passage of the full text of “%(source)s”: copy the quote verbatim "
                "from the source."
            ) % {"source": source}
        if source is not None and self.status_date is not None:
            if self.status_date < source.event_date:
                errors["status_date"] = gettext(
                    "Cannot be before the commitment was made, on %(date)s."
                ) % {"date": date_format(source.event_date)}
            elif self.status_date > timezone.localdate():
                errors["status_date"] = gettext("Cannot be in the future.")
        if self.pk is not None and (problem := self._member_group_change_problem()):
            errors["member_group"] = problem
        # Once saved, only save_edit() changes the status, with the update that says why.
        if self.pk is None and self.status != Status.NOT_ASSESSED:
            errors["status"] = gettext(
                "Is “%(status)s”, but a new commitment starts as “%(initial)s”: its status "
                "changes only through updates, which record why."
            ) % {"status": self.status, "initial": Status.NOT_ASSESSED.value}
        if errors:
            raise ValidationError(errors)

    def _member_group_change_problem(self) -> str:
        """Why the member group cannot be what it is now set to, or "" (one query).

        Members outside the group would lose their progress row; that is refused once any of
        them has a history, which is never removed.
        """
        assessed = (
            StatusUpdate.objects.filter(commitment_id=self.pk, member__isnull=False)
            .exclude(member__group_id=self.member_group_id)
            .select_related("member")
            .order_by("member__position", "pk")
            .first()
        )
        if assessed is None:
            return ""
        return gettext(
            "Cannot change: %(member)s already has a status history on this commitment, which "
            "is never removed. Record a status such as “%(superseded)s” for the members "
            "instead, or make a new commitment."
        ) % {"member": assessed.member, "superseded": Status.SUPERSEDED.label}

    def sync_member_progress(self) -> int:
        """Give each member of the group a progress row; returns how many rows were created.

        A commitment carried out by each member of a group has one MemberProgress row per
        member that had joined by the day the commitment was made, starting as not yet assessed
        on that day. Rows of members outside the group (after the group was changed) are
        removed, unless they have a history, in which case ValidationError is raised. Called
        by save() and save_edit() whenever the group changes, and by the fixture loader.
        """
        if problem := self._member_group_change_problem():
            raise ValidationError({"member_group": problem})
        created = []
        # bulk_create() sends no signal: the member states' tallies are kept here.
        with _tallies().tracking([self.pk]):
            self.member_progress.exclude(member__group_id=self.member_group_id).delete()
            if self.member_group_id is not None:
                made = Source.objects.values_list("event_date", flat=True).get(pk=self.source_id)
                missing = MemberState.objects.filter(
                    group_id=self.member_group_id, joined_on__lte=made
                ).exclude(progress__commitment=self)
                created = MemberProgress.objects.bulk_create(
                    MemberProgress(
                        commitment=self,
                        member=member,
                        status=Status.NOT_ASSESSED,
                        status_date=made,
                    )
                    for member in missing
                )
            # Tracked per member, the status is the members'; no longer, it is the
            # commitment's own timeline's again.
            self.status, self.status_date = self.current_status()
            type(self).objects.filter(pk=self.pk).update(
                status=self.status, status_date=self.status_date
            )
            self._loaded_status = self.status
        return len(created)

    def current_status(self) -> tuple[str, datetime.date]:
        """The status and its date as the database's history says now (one or two queries).

        Carried out by each member of a group: derived from the members' statuses by
        derive_status(), as of the latest member status. Otherwise: the newest public update
        of the commitment's own timeline, or not yet assessed as of the day it was made.
        Only the write path calls it, to store the result on the row.
        """
        if self.member_group_id is not None:
            rows = list(
                MemberProgress.objects.filter(commitment_id=self.pk)
                .order_by()
                .values_list("status", "status_date")
            )
            if rows:
                return members_status(rows)
        else:
            head = (
                StatusUpdate.objects.filter(
                    commitment_id=self.pk, member__isnull=True, is_public=True
                )
                .order_by(*TIMELINE_ORDER)
                .values_list("status", "as_of")
                .first()
            )
            if head is not None:
                return head
        made = Source.objects.values_list("event_date", flat=True).get(pk=self.source_id)
        return Status.NOT_ASSESSED.value, made

    @property
    def bucket(self) -> Bucket:
        return bucket_of(self.status)

    def quote_translation(self, language: str | None = None) -> str:
        """An editor's translation of the quote into `language` (default: the active one); ""
        when there is none, or when the source is in that language. Reads the source: fetch
        it with select_related("source")."""
        language = language or active_language()
        if language == self.source.language:
            return ""
        return getattr(self, f"quote_translation_{language}", "")

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
        member_updates: Iterable[dict] = (),
        expected_version: int | None = None,
        user=None,
    ) -> StatusUpdate | None:
        """Save an editor's changes to `fields` and record optional status updates, at once.

        The one write path for an existing commitment: the admin's change form, the member
        grid, the bulk status change and the importers all call it. One transaction, one
        version check, one UPDATE of the row: if anybody saved the commitment after the editor
        loaded `expected_version`, nothing is written and EditConflict is raised. `update` holds
        StatusUpdate's fields (status, as_of, note, basis, evidence_url, is_public,
        corrects); the update is checked against StatusUpdate's rules and appended to the
        history, and a public one sets the status. Every save marks the commitment reviewed
        when it records an update. Raises ValidationError, writing nothing, on a broken rule.

        `member_updates` are the same fields plus "member" (a MemberState), one per member:
        each is checked against that member's own history and appended to it, and a public one
        sets the member's MemberProgress. A member outside the commitment's group, one that
        joined after the commitment was made, or a member given twice is refused with a
        MemberUpdatesInvalid (a ValidationError) that names each member and its problems.
        The member updates recorded are left in `self.recorded_member_updates`.
        """
        fields = [name for name in fields if name not in STATUS_FIELDS]
        member_updates = list(member_updates)
        # The precomputed figures move with the status, publication, owner… in this transaction.
        with transaction.atomic(), _tallies().tracking([self.pk]):
            # Lock the row so two editors saving at once are serialised: the second one sees
            # the first one's version, and each update records the status it really replaced.
            current = (
                type(self)
                .objects.select_for_update()
                .only("status", "status_date", "version", "title", "member_group")
                .get(pk=self.pk)
            )
            if expected_version is not None and current.version != expected_version:
                # Name it as the database has it, not with the editor's unsaved title.
                raise EditConflict(self, expected_version, current.title)
            self.status, self.status_date = current.status, current.status_date
            self._loaded_status = current.status
            if "member_group" not in fields:
                self.member_group_id = current.member_group_id
            if fields:
                # The whole record is checked, as the admin form checks it.
                self.full_clean(validate_unique=True)
            values = {name: getattr(self, self._meta.get_field(name).attname) for name in fields}
            if "member_group" in fields and self.member_group_id != current.member_group_id:
                self.sync_member_progress()
            recorded = None
            if update is not None:
                recorded = StatusUpdate(
                    commitment=self, previous_status=current.status, author=user, **update
                )
                recorded.full_clean()
                recorded.save()
                if recorded.is_public and self.member_group_id is None:
                    values["status"], values["status_date"] = recorded.status, recorded.as_of
            self.recorded_member_updates = self._record_member_updates(member_updates, user)
            if self.recorded_member_updates:
                # The status of a commitment carried out member by member is the members'.
                # (A change of group has set it already, in sync_member_progress().)
                values["status"], values["status_date"] = self.current_status()
            if recorded is not None or self.recorded_member_updates:
                values["last_reviewed"] = timezone.localdate()
            now = timezone.now()
            type(self).objects.filter(pk=self.pk).update(
                **values, version=F("version") + 1, updated=now, updated_by=user
            )
            # In the same transaction: the public pages go stale exactly when this commits.
            ContentVersion.bump()
            # The edited fields are this instance's own; the status fields come from the update.
            for name in STATUS_FIELDS & set(values):
                setattr(self, name, values[name])
            self._loaded_status = self.status
            self.version, self.updated, self.updated_by = current.version + 1, now, user
        return recorded

    def _record_member_updates(self, member_updates: list[dict], user) -> list[StatusUpdate]:
        """Check every member update, then append them all; part of save_edit()'s transaction.

        All are checked before any is written, so the error names every member with a
        problem, not only the first. Each member has its own chain, so one member's update
        never affects the check of another's.
        """
        if not member_updates:
            return []
        problems: dict[MemberState | None, ValidationError] = {}
        if self.member_group_id is None:
            raise MemberUpdatesInvalid(
                {
                    None: ValidationError(
                        gettext(
                            "“%(title)s” is not carried out member state by member state, so it "
                            "has no member statuses to record. Choose the group under “Carried "
                            "out by each member of” first."
                        )
                        % {"title": self.title}
                    )
                }
            )
        rows = {
            row.member_id: row
            for row in MemberProgress.objects.select_for_update().filter(commitment=self).order_by()
        }
        checked: list[tuple[StatusUpdate, MemberProgress]] = []
        seen: set[int] = set()
        for data in member_updates:
            data = dict(data)
            member = data.pop("member")
            if member.pk in seen:
                problems[member] = ValidationError(
                    gettext(
                        "%(member)s is given more than once: give each member state one status."
                    )
                    % {"member": member}
                )
                continue
            seen.add(member.pk)
            row = rows.get(member.pk)
            entry = StatusUpdate(
                commitment=self,
                member=member,
                previous_status=row.status if row else Status.NOT_ASSESSED,
                author=user,
                **data,
            )
            try:
                entry.full_clean()
            except ValidationError as error:
                problems[member] = error
                continue
            if row is None:
                # clean() accepted the member, so its row is missing: created on first use.
                row = MemberProgress(
                    commitment=self,
                    member=member,
                    status=Status.NOT_ASSESSED,
                    status_date=self.source.event_date,
                )
            checked.append((entry, row))
        if problems:
            raise MemberUpdatesInvalid(problems)
        for entry, row in checked:
            entry.save()
            if entry.is_public:
                row.status, row.status_date = entry.status, entry.as_of
                # save_edit() derives the commitment's status once, after every member's.
                row.save(derive_commitment_status=False)
        return [entry for entry, _row in checked]

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
        member: MemberState | None = None,
        expected_version: int | None = None,
    ) -> StatusUpdate:
        """Record one status update and nothing else: save_edit() with no field edits.

        With `member`, the update is that member state's, on its own chain.
        """
        update = {
            "status": status,
            "as_of": as_of,
            "note": note,
            "basis": basis,
            "evidence_url": evidence_url,
            "is_public": is_public,
            "corrects": corrects,
        }
        if member is not None:
            self.save_edit(
                member_updates=[{**update, "member": member}],
                expected_version=expected_version,
                user=author,
            )
            return self.recorded_member_updates[0]
        return self.save_edit(update=update, expected_version=expected_version, user=author)

    def record_member_updates(
        self, updates: Iterable[dict], *, expected_version: int | None = None, user=None
    ) -> list[StatusUpdate]:
        """Record several member states' updates at once: save_edit() with member_updates."""
        self.save_edit(member_updates=updates, expected_version=expected_version, user=user)
        return self.recorded_member_updates


class MemberUpdatesInvalid(ValidationError):
    """Member updates refused by save_edit(): `by_member` maps each member to its errors.

    The key None holds a problem of the whole call (the commitment is not tracked per member).
    As a ValidationError its messages name the member, e.g. "Viet Nam: as_of: …".
    """

    def __init__(self, by_member: dict[MemberState | None, ValidationError]):
        self.by_member = by_member
        messages = []
        for member, error in by_member.items():
            prefix = f"{member}: " if member is not None else ""
            if hasattr(error, "error_dict"):
                for field, field_messages in error.message_dict.items():
                    where = "" if field == "__all__" else f"{field}: "
                    messages.extend(f"{prefix}{where}{m}" for m in field_messages)
            else:
                messages.extend(f"{prefix}{m}" for m in error.messages)
        super().__init__(messages)


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

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="updates", verbose_name=_("commitment")
    )
    # Empty for the commitment's own history; set, the update is that member state's own.
    member = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("member state"),
        help_text=_(
            "The member state this update is about, e.g. Viet Nam; empty for the "
            "commitment as a whole."
        ),
    )
    status = models.CharField(_("new status"), max_length=30, choices=Status)
    previous_status = models.CharField(_("previous status"), max_length=30, choices=Status)
    as_of = models.DateField(
        _("as of"), help_text=_("The date the status describes, e.g. 2026-06-30.")
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_(
            "Why the status is what it is, in plain text, e.g. “Ministers adopted the "
            "framework at their June meeting.”"
        ),
    )
    evidence_url = WebURLField(
        _("evidence URL"),
        blank=True,
        max_length=500,
        help_text=_(
            "A public document that supports the note, e.g. https://asean.org/joint-statement."
        ),
    )
    # Blank only on updates recorded before the basis was asked for; full_clean() requires it.
    basis = models.CharField(
        _("basis of the assessment"),
        max_length=30,
        choices=Basis,
        error_messages={
            "blank": "Choose what this assessment rests on: the owner's own report, the "
            "secretariat's verification or an independent assessment."
        },
        help_text=_(
            "Who says so, e.g. “Verified by the secretariat” when the secretariat has "
            "checked the owner's report."
        ),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
        help_text=_(
            "Updates cannot be edited. If an earlier update of this commitment was wrong, "
            "choose it here and say in the note what was wrong."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_updates",
        verbose_name=_("author"),
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Untick for an internal note that only staff can see."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-created", "-pk"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
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
        indexes = [
            # The head of one chain (the timeline rule) and a member's latest updates.
            models.Index(fields=["commitment", "member", "-as_of"], name="statusupdate_chain_idx"),
            # A member's latest updates in the timeline's whole order, so a page of them is
            # read from the index (on 0008's shorter index SQLite preferred the site's timeline
            # and read 10,000 updates for a member's ten).
            models.Index(
                fields=["member", "-as_of", "-created", "-id"], name="statusupdate_member_idx"
            ),
            # The public timelines, newest first (the dashboard's, a theme's, an actor's) and
            # the feeds' order: read in index order and stopped after a page, instead of
            # sorting 100,000 updates (issue 10; EXPLAIN in docs/benchmarks.md).
            models.Index(fields=["-as_of", "-created", "-id"], name="statusupdate_timeline_idx"),
            models.Index(fields=["-created", "-id"], name="statusupdate_recent_idx"),
        ]

    def __str__(self) -> str:
        """Names the commitment (and member): queries them unless fetched with select_related()."""
        who = f" ({self.member})" if self.member_id is not None else ""
        return f"{self.commitment}{who}: {self.get_status_display()} as of {self.as_of:%-d %B %Y}"

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
                gettext("Say in the note what the earlier update got wrong.")
                if self.corrects_id is not None
                else gettext("Write a note saying why: it is shown with the update.")
            )
        if self.is_status_change and not self.is_public:
            errors["is_public"] = gettext(
                "A change of status is always public. Tick “public”, or keep the current "
                "status (%(status)s) to record an internal note."
            ) % {"status": self.get_previous_status_display()}
        if (
            self.member_id is not None
            and self.commitment_id is not None
            and (problem := self._member_problem())
        ):
            errors["member"] = problem
        if (
            self.member_id is None
            and self.commitment_id is not None
            and self.commitment.member_group_id is not None
            and self.is_status_change
        ):
            errors["status"] = gettext(
                "“%(title)s” is carried out by each member of %(group)s, so its status is worked "
                "out from the member states’ statuses (now “%(status)s”) and cannot be set for "
                "the whole commitment. Record each member state’s status in the member states’ "
                "table instead, or keep “%(status)s” to record this as a progress note."
            ) % {
                "title": self.commitment.title,
                "group": self.commitment.member_group,
                "status": self.get_previous_status_display(),
            }
        latest = None
        if self.commitment_id is not None:
            # Each member's history is a timeline of its own, as is the commitment's.
            latest = (
                StatusUpdate.objects.filter(
                    commitment_id=self.commitment_id, member_id=self.member_id
                )
                .exclude(pk=self.pk)
                .order_by(*TIMELINE_ORDER)
                .only("as_of")
                .first()
            )
        if self.as_of is not None:
            if self.as_of > timezone.localdate():
                errors["as_of"] = gettext(
                    "The as-of date cannot be in the future: record what is true today or earlier."
                )
            elif (made := _event_date(_attached(self, "commitment"))) and self.as_of < made:
                errors["as_of"] = gettext(
                    "The as-of date cannot be before the commitment was made, on %(date)s."
                ) % {"date": date_format(made)}
            elif latest is not None and self.as_of < latest.as_of:
                errors["as_of"] = gettext(
                    "The as-of date cannot be before that of the latest update, %(date)s: the "
                    "timeline must end with the current status. To put an earlier update right, "
                    "record a correction dated %(date)s or later that says what was wrong."
                ) % {"date": date_format(latest.as_of)}
        if self.corrects_id is not None:
            if self.corrects.commitment_id != self.commitment_id:
                errors["corrects"] = gettext("Choose an earlier update of this same commitment.")
            elif self.corrects.member_id != self.member_id:
                errors["corrects"] = (
                    gettext(
                        "Choose an earlier update of %(member)s’s own status on this commitment."
                    )
                    % {"member": self.member}
                    if self.member_id is not None
                    else gettext(
                        "Choose an earlier update of the commitment as a whole, not one of a "
                        "member state's."
                    )
                )
            elif self.is_public and not self.corrects.is_public:
                errors["corrects"] = gettext(
                    "A public update cannot correct an internal note, which the public never "
                    "saw: untick “public”, or choose a public update."
                )
        if errors:
            raise ValidationError(errors)

    def _member_problem(self) -> str:
        """Why this member state cannot have a status on this commitment, or ""."""
        commitment, member = self.commitment, self.member
        if commitment.member_group_id is None:
            return gettext(
                "“%(title)s” is not carried out member state by member state, so %(member)s has "
                "no status of its own on it."
            ) % {"title": commitment.title, "member": member}
        if member.group_id != commitment.member_group_id:
            return gettext(
                "%(member)s is not a member of the group that carries out “%(title)s”."
            ) % {"member": member, "title": commitment.title}
        made = commitment.source.event_date
        if member.joined_on > made:
            return gettext(
                "%(member)s joined on %(joined)s, after “%(title)s” was made on %(made)s, so it "
                "is not tracked on it."
            ) % {
                "member": member,
                "joined": date_format(member.joined_on),
                "title": commitment.title,
                "made": date_format(made),
            }
        return ""


class MemberProgressQuerySet(models.QuerySet):
    def public(self) -> MemberProgressQuerySet:
        """Rows the public may see: those of published commitments. Every row is public data:
        only public updates change it."""
        return self.filter(commitment__is_published=True)

    def grid(self) -> dict[tuple[int, int], MemberProgress]:
        """The rows by (commitment pk, member pk), for a commitments × members table: one query."""
        return {(row.commitment_id, row.member_id): row for row in self.order_by()}


class MemberProgress(PlainTextModel):
    """A member state's current status on a commitment it carries out; history in StatusUpdate.

    Written only by Commitment.save_edit() (created as not yet assessed by
    sync_member_progress()), like Commitment.status.
    """

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="member_progress",
        verbose_name=_("commitment"),
    )
    member = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="progress",
        verbose_name=_("member state"),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status, default=Status.NOT_ASSESSED
    )
    status_date = models.DateField(_("status as of"), help_text=_("The date the status describes."))

    objects = MemberProgressQuerySet.as_manager()

    class Meta:
        ordering = ["commitment_id", "member__position", "member_id"]
        verbose_name = _("member progress")
        verbose_name_plural = _("member progress")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "member"], name="memberprogress_one_per_member"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in Status]),
                name="memberprogress_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="memberprogress_member_idx")]

    def __str__(self) -> str:
        """Names the member and the commitment: queries them unless select_related()."""
        return f"{self.member} on “{self.commitment}”: {self.get_status_display()}"

    def save(self, *args, derive_commitment_status: bool = True, **kwargs) -> None:
        # The member state's precomputed figures move with its status (tracker.tallies), and
        # so does the commitment's status, which is derived from its members' (a shell save
        # included: the headline and the members never disagree).
        with transaction.atomic(), _tallies().tracking([self.commitment_id]):
            super().save(*args, **kwargs)
            if derive_commitment_status:
                commitment = Commitment.objects.only(
                    "member_group", "source", "status", "status_date"
                ).get(pk=self.commitment_id)
                status, status_date = commitment.current_status()
                Commitment.objects.filter(pk=self.commitment_id).update(
                    status=status,
                    status_date=status_date,
                    version=F("version") + 1,
                    updated=timezone.now(),
                )
                ContentVersion.bump()

    def get_absolute_url(self) -> str:
        """The member's row on its commitment's page; queries both unless select_related()."""
        return f"{self.commitment.get_absolute_url()}#member-{self.member.slug}"

    @property
    def bucket(self) -> Bucket:
        return bucket_of(self.status)

    @property
    def score(self) -> int | None:
        """The status on the compliance scale (+1, 0, -1), or None when it is not scored."""
        return score_of(self.status)


class ContentVersion(PlainTextModel):
    """The version of everything the public site shows: one row, moved on by every write.

    Every write path changes it inside the write's own transaction (Commitment.save_edit(),
    the bulk writes, and tracker.caching's signal receivers for plain saves and deletes), so
    the public page cache (tracker.caching) keys pages and ETags on it and a write makes every
    cached page stale at the moment it commits: exact invalidation, never a timeout.

    `token` changes to a fresh random value on every write, not just `number`: a counter can
    repeat (a rolled-back write, a database restored from a backup) and then name cached
    pages of other content; a random token never names two states.

    Updating this one row serialises writers: a second write transaction waits for the first
    to commit. SQLite serialises writers anyway (IMMEDIATE transactions); on PostgreSQL it
    costs only the row lock's wait, a few milliseconds per edit (docs/benchmarks.md). Editors
    write rarely; readers never take the lock.
    """

    number = models.PositiveBigIntegerField(_("number"), default=0)
    token = models.CharField(_("token"), max_length=32, editable=False)
    changed = models.DateTimeField(_("changed"), editable=False)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self) -> str:
        return f"Content version {self.number} ({self.changed:%Y-%m-%d %H:%M:%S})"

    PK = 1

    @classmethod
    def bump(cls, using: str | None = None) -> None:
        """Move the version on; call inside the transaction of the write (one UPDATE)."""
        manager = cls.objects.db_manager(using)
        values = {"token": uuid.uuid4().hex, "changed": timezone.now()}
        if not manager.filter(pk=cls.PK).update(number=F("number") + 1, **values):
            # Only a database emptied behind migrate's back (a test flush) lacks the row.
            manager.get_or_create(pk=cls.PK, defaults={"number": 1, **values})

    @classmethod
    def current(cls) -> ContentVersion | None:
        """The version now (one query); None when the row is missing, so nothing is cached."""
        return cls.objects.filter(pk=cls.PK).only("token", "changed").first()


class TallyScope(models.TextChoices):
    """What a Tally counts in: the whole site, or one source, theme, actor or member state."""

    SITE = "site", "Whole site"
    SOURCE = "source", "Source"
    THEME = "theme", "Theme"
    OWNER = "owner", "Lead owner"
    PROPOSER = "proposer", "Proposer"
    PARTNER = "partner", "Partner"
    # MemberProgress rows of published commitments, per member state.
    MEMBER = "member", "Member state"


class Tally(PlainTextModel):
    """How many published commitments have a status, in one scope: a precomputed figure.

    The summaries (the front page, the charts, the theme, actor, source and member pages)
    read these rows instead of counting 10,000 commitments per request (issue 10). They are
    kept exact by tracker.tallies, which every write path goes through inside the write's own
    transaction, and `manage.py` never needs to rebuild them; tracker.tallies.recount()
    computes them afresh (migration 0009, the property tests). Drafts never count.

    `key` is the primary key of the source, theme, actor or member state (0 for the site), not
    a foreign key: one table serves every scope. Rows of a deleted theme or actor are removed
    with it (tracker.tallies' signal receivers).
    """

    scope = models.CharField(_("scope"), max_length=10, choices=TallyScope)
    key = models.PositiveBigIntegerField(_("key"))
    status = models.CharField(_("status"), max_length=30, choices=Status)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["scope", "key", "status"]
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "status"], name="tally_one_per_status"),
            models.CheckConstraint(
                condition=Q(scope__in=[scope.value for scope in TallyScope]),
                name="tally_scope_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}: {self.count} {self.get_status_display()}"
