"""The tracker's domain: sources, actors, themes, member states, commitments and their history.

A commitment's status lives on its row and each change of it is also an append-only
StatusUpdate, written together by Commitment.save_edit() (tracker.edits). The timeline rule
lives here, so every write path gets it: a status change is always public (an internal update
is a note) and no update is dated before the latest one, so the newest public update is the
head of the timeline and its status is the commitment's. Carried out by each member of a group,
a commitment has a MemberProgress row and a chain of updates per member, and its own status is
derived from theirs (tracker.statuses.derive_status).
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.edits import STATUS_FIELDS, Editable, EditConflict, MemberUpdatesInvalid  # noqa: F401
from tracker.languages import Translatable, active_language
from tracker.search import SearchDocument  # noqa: F401  (a model of the app: registered here)
from tracker.statuses import (  # noqa: F401  (the vocabulary, re-exported)
    BUCKET_DEFINITIONS,
    FINISHED_BUCKETS,
    SCORED_STATUSES,
    STATUS_INFO,
    STATUS_SCORE,
    Basis,
    Bucket,
    Status,
    StatusInfo,
    bucket_of,
    derive_status,
    members_status,
    score_of,
    statuses_in,
)
from tracker.text import find_passage
from tracker.validators import (
    WEB_URL_MESSAGE,
    LimitedCharField,
    LimitedTextField,
    PlainTextModel,
    WebURLFormField,
)
from tracker.versions import ContentVersion

# The longest text each field takes, in characters (docs/data.md, "Length limits"): roomy for
# what the field is for, and short enough that no text can swell a page, a feed, the page
# cache or a worker's memory (issue 21: a 2 MB note did). A translation of a quote may run
# longer than the quote. The longest values in fixtures/ are a tenth of these or less.
TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 2_000
QUOTE_MAX_LENGTH = 5_000
QUOTE_TRANSLATION_MAX_LENGTH = 10_000
NOTE_MAX_LENGTH = 5_000
NOTE_TRANSLATION_MAX_LENGTH = 10_000
DESCRIPTION_MAX_LENGTH = 1_000
SOURCE_TITLE_MAX_LENGTH = 300
# A source's text can be a long report: 2,000,000 characters is some 700 printed pages.
FULL_TEXT_MAX_LENGTH = 2_000_000


def length_limits(prefix: str, **limits: int) -> list[models.CheckConstraint]:
    """The database's side of each field's max_length (see tracker.validators.LengthLimited),
    so a write behind full_clean()'s back is refused too: SQLite does not enforce a
    varchar's length, and nothing enforces a text's."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__length__lte": limit}), name=f"{prefix}_{name}_length"
        )
        for name, limit in limits.items()
    ]


class WebURLField(models.URLField):
    """A URL field that accepts only web addresses (http and https), which a browser opens."""

    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)]

    def formfield(self, **kwargs):
        # Every form refuses an address without its scheme, with the same message.
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


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


class SlugManager(models.Manager):
    """Natural keys by slug, so fixtures carry no primary keys and load twice safely."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


def _published(condition: Q) -> Exists:
    return Exists(Commitment.objects.public().filter(condition))


# What the public may see: a source, actor, theme or member state known only from drafts (or
# from nothing) is not public yet. Its page and feed are 404, and no chart, count, filter
# choice, sitemap entry or download names it. Each is an Exists subquery: no extra query.


class SourceQuerySet(models.QuerySet):
    def public(self) -> SourceQuerySet:
        return self.filter(_published(Q(source=OuterRef("pk"))))


class ActorQuerySet(models.QuerySet):
    def public(self) -> ActorQuerySet:
        """Actors that proposed, own or share a published commitment."""
        involved = Q(proposer=OuterRef("pk")) | Q(owner=OuterRef("pk")) | Q(partners=OuterRef("pk"))
        return self.filter(_published(involved))


class ThemeQuerySet(models.QuerySet):
    def public(self) -> ThemeQuerySet:
        return self.filter(_published(Q(themes=OuterRef("pk"))))


class MemberStateQuerySet(models.QuerySet):
    def public(self) -> MemberStateQuerySet:
        """Member states tracked on at least one published commitment."""
        return self.filter(Exists(MemberProgress.objects.public().filter(member=OuterRef("pk"))))


class Source(Translatable, PlainTextModel):
    """A document that commitments are drawn from, such as a report on a summit."""

    slug = models.SlugField(
        _("slug"),
        unique=True,
        max_length=100,
        help_text=_("Used in addresses, e.g. adgmin-2026-hanoi."),
    )
    title = LimitedCharField(
        _("title"),
        max_length=SOURCE_TITLE_MAX_LENGTH,
        help_text=_("The document's title, e.g. “ASEAN digital ministers meet in Hanoi”."),
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Who published it, e.g. Viet Nam News Agency."),
    )
    author = models.CharField(_("author"), max_length=200, blank=True, help_text=_("e.g. Du Lam."))
    url = WebURLField(
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
    full_text = LimitedTextField(
        _("full text"),
        max_length=FULL_TEXT_MAX_LENGTH,
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

    # The project's translations of the document's title and of the event, shown with the
    # original one click away; the full text and the quotes are never translated in place.
    title_vi = LimitedCharField(
        _("title (Vietnamese)"),
        max_length=SOURCE_TITLE_MAX_LENGTH,
        blank=True,
        help_text=_("The tracker's translation of the title. Empty: the original is shown."),
    )
    title_id = LimitedCharField(
        _("title (Indonesian)"),
        max_length=SOURCE_TITLE_MAX_LENGTH,
        blank=True,
        help_text=_("The tracker's translation of the title. Empty: the original is shown."),
    )
    event_name_vi = models.CharField(
        _("event name (Vietnamese)"),
        max_length=300,
        blank=True,
        help_text=_("The event's name in Vietnamese. Empty: the English name is shown."),
    )
    event_name_id = models.CharField(
        _("event name (Indonesian)"),
        max_length=300,
        blank=True,
        help_text=_("The event's name in Indonesian. Empty: the English name is shown."),
    )
    event_place_vi = models.CharField(
        _("event place (Vietnamese)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Hà Nội, Việt Nam. Empty: the English name is shown."),
    )
    event_place_id = models.CharField(
        _("event place (Indonesian)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Hanoi, Vietnam. Empty: the English name is shown."),
    )

    objects = SlugManager.from_queryset(SourceQuerySet)()

    class Meta:
        ordering = ["-event_date", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = length_limits(
            "source",
            title=SOURCE_TITLE_MAX_LENGTH,
            full_text=FULL_TEXT_MAX_LENGTH,
            title_vi=SOURCE_TITLE_MAX_LENGTH,
            title_id=SOURCE_TITLE_MAX_LENGTH,
        )

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

    objects = SlugManager.from_queryset(ActorQuerySet)()

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
    description = LimitedTextField(
        _("description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_("One or two plain sentences."),
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
    description_vi = LimitedTextField(
        _("description (Vietnamese)"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_("Empty: the English description is shown."),
    )
    description_id = LimitedTextField(
        _("description (Indonesian)"),
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_("Empty: the English description is shown."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Themes are listed in this order, lowest first.")
    )

    objects = SlugManager.from_queryset(ThemeQuerySet)()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = length_limits(
            "theme",
            description=DESCRIPTION_MAX_LENGTH,
            description_vi=DESCRIPTION_MAX_LENGTH,
            description_id=DESCRIPTION_MAX_LENGTH,
        )

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

    objects = SlugManager.from_queryset(MemberStateQuerySet)()

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

    def involving(self, actor: Actor) -> CommitmentQuerySet:
        """Commitments an actor proposed, owns or shares: three conditions each answered from
        an index (owner, proposer, the partners' table), not a join with every partner."""
        shared = Commitment.partners.through.objects.filter(actor=actor).values("commitment_id")
        return self.filter(Q(owner=actor) | Q(proposer=actor) | Q(pk__in=shared))

    def with_latest_note(self) -> CommitmentQuerySet:
        """With `latest_note` and `latest_evidence_url` of each one's own latest public update
        ("" when none): subqueries, no query per row."""
        latest = StatusUpdate.objects.filter(commitment=OuterRef("pk"), member__isnull=True)
        return self.annotate(
            **latest.latest_public_note(default=""),
            latest_evidence_url=latest.latest_public("evidence_url", default=""),
        )

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
        with ContentVersion.one_write(using=self.db):
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
                # update() sends no signal.
                ContentVersion.bump(using=self.db)
        return changed

    def mark_reviewed(self, user=None) -> int:
        """Record that an editor checked these commitments today; returns how many."""
        with ContentVersion.one_write(using=self.db):
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


# Addresses under /commitments/ that are pages of their own, not commitments.
RESERVED_COMMITMENT_SLUGS = frozenset({"print"})


def validate_commitment_slug(value: str) -> None:
    if value in RESERVED_COMMITMENT_SLUGS:
        raise ValidationError(
            gettext("“%(slug)s” is the address of another page; choose another slug.")
            % {"slug": value},
            code="reserved",
        )


class Commitment(Editable, Translatable, PlainTextModel):
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
    title = LimitedCharField(
        _("title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_(
            "Short and action-first, e.g. “Connect national data centres across the region”."
        ),
    )
    summary = LimitedTextField(
        _("summary"),
        max_length=SUMMARY_MAX_LENGTH,
        help_text=_("What was promised, in plain language, in one to three sentences."),
    )
    quote = LimitedTextField(
        _("quote"),
        max_length=QUOTE_MAX_LENGTH,
        help_text=_("The passage of the source that makes the commitment, copied verbatim."),
    )
    title_vi = LimitedCharField(
        _("title (Vietnamese)"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "e.g. “Kết nối các trung tâm dữ liệu quốc gia trong khu vực”; empty: the English "
            "title is shown."
        ),
    )
    title_id = LimitedCharField(
        _("title (Indonesian)"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "e.g. “Menghubungkan pusat data nasional di kawasan”; empty: the English title is "
            "shown."
        ),
    )
    summary_vi = LimitedTextField(
        _("summary (Vietnamese)"),
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        help_text=_("Empty: the English summary is shown."),
    )
    summary_id = LimitedTextField(
        _("summary (Indonesian)"),
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        help_text=_("Empty: the English summary is shown."),
    )
    # The quote itself is never translated: these are editors' translations, shown beside it
    # and labelled as translations, for readers of a language the source is not in.
    quote_translation_en = LimitedTextField(
        _("translation of the quote (English)"),
        max_length=QUOTE_TRANSLATION_MAX_LENGTH,
        blank=True,
        help_text=_("For a source that is not in English: the quote in English, shown beside it."),
    )
    quote_translation_vi = LimitedTextField(
        _("translation of the quote (Vietnamese)"),
        max_length=QUOTE_TRANSLATION_MAX_LENGTH,
        blank=True,
        help_text=_(
            "The quote in Vietnamese, shown beside the verbatim quote and labelled as a "
            "translation."
        ),
    )
    quote_translation_id = LimitedTextField(
        _("translation of the quote (Indonesian)"),
        max_length=QUOTE_TRANSLATION_MAX_LENGTH,
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
            *length_limits(
                "commitment",
                title=TITLE_MAX_LENGTH,
                title_vi=TITLE_MAX_LENGTH,
                title_id=TITLE_MAX_LENGTH,
                summary=SUMMARY_MAX_LENGTH,
                summary_vi=SUMMARY_MAX_LENGTH,
                summary_id=SUMMARY_MAX_LENGTH,
                quote=QUOTE_MAX_LENGTH,
                quote_translation_en=QUOTE_TRANSLATION_MAX_LENGTH,
                quote_translation_vi=QUOTE_TRANSLATION_MAX_LENGTH,
                quote_translation_id=QUOTE_TRANSLATION_MAX_LENGTH,
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
            with ContentVersion.one_write():
                super().save(*args, **kwargs)
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
        with ContentVersion.one_write():
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


# Newest first: the head of a commitment's timeline is its latest update (see the module's
# docstring for why that is also the last one recorded).
TIMELINE_ORDER = ("-as_of", "-created", "-pk")
# Updates per page of a commitment's timeline (its page, and the feeds' links into it).
HISTORY_PAGE_SIZE = 50


class StatusUpdateQuerySet(models.QuerySet):
    def public(self) -> StatusUpdateQuerySet:
        """Updates the public may see: public notes on published commitments."""
        return self.filter(is_public=True, commitment__is_published=True)

    def for_timeline(self) -> StatusUpdateQuerySet:
        """Newest first, with the update each one corrects ("Corrects the update of …")."""
        return self.select_related("corrects").order_by(*TIMELINE_ORDER)

    def newest_public(self) -> StatusUpdateQuerySet:
        """The public ones, newest first: the first is a chain's latest public update, which
        sets its status (a draft commitment's too)."""
        return self.filter(is_public=True).order_by(*TIMELINE_ORDER)

    def latest_public(self, field: str, default=None) -> Subquery | Coalesce:
        """`field` of the newest public update among these, correlated with OuterRef."""
        newest = Subquery(self.newest_public().values(field)[:1])
        if default is None:
            return newest
        return Coalesce(newest, Value(default), output_field=models.TextField())

    def latest_public_note(self, default=None) -> dict[str, Subquery | Coalesce]:
        """`latest_note` with its language and translations (`latest_note_language`,
        `latest_note_translation_vi`, …) of the newest public update: annotations, so a page
        shows the note in its reader's language without a query more."""
        fields = ["note", "note_language", *(f"note_translation_{c}" for c, _n in NOTE_LANGUAGES)]
        return {f"latest_{field}": self.latest_public(field, default) for field in fields}

    # Updates on a set of commitments: a small set is read through its own updates and
    # sorted; a large one by reading the site's timeline in index order, testing each update,
    # and stopping after a page. SQLite picks the first plan for a join whatever the size (a
    # theme of 1,250 commitments: sorting 12,500 updates), and the second for an EXISTS, which
    # reads the whole timeline for a set of three. The figures tell the size for free.

    def on_theme(self, theme: Theme, size: int) -> StatusUpdateQuerySet:
        """Updates on commitments filed under `theme`, which has `size` of them."""
        if size <= SMALL_SET:
            return self.filter(commitment__themes=theme)
        linked = Commitment.themes.through.objects.filter(
            theme=theme, commitment=OuterRef("commitment")
        )
        return self.filter(Exists(linked))

    def involving(self, actor: Actor, size: int) -> StatusUpdateQuerySet:
        """Updates on commitments involving `actor` (`size` of them at most)."""
        if size <= SMALL_SET:
            return self.filter(commitment__in=Commitment.objects.public().involving(actor))
        shared = Commitment.partners.through.objects.filter(
            actor=actor, commitment=OuterRef("commitment")
        )
        return self.filter(
            Q(commitment__owner=actor) | Q(commitment__proposer=actor) | Q(Exists(shared))
        )


SMALL_SET = 200


# The languages a note may be written in and translated into: the site's.
NOTE_LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese")), ("id", _("Indonesian"))]


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
    note = LimitedTextField(
        _("note"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Why the status is what it is, in plain text, e.g. “Ministers adopted the "
            "framework at their June meeting.”"
        ),
    )
    # The note as its author wrote it is `note`, in `note_language`; translations into the
    # site's other languages sit beside it. Adding or improving a translation later is not a
    # correction of the facts, so it is the one change an existing update takes.
    note_language = models.CharField(
        _("language of the note"),
        max_length=8,
        choices=NOTE_LANGUAGES,
        default="en",
        help_text=_("The language the note was written in: its original."),
    )
    note_translation_en = LimitedTextField(
        _("translation of the note (English)"),
        max_length=NOTE_TRANSLATION_MAX_LENGTH,
        blank=True,
        help_text=_("The note in English, when it was written in another language."),
    )
    note_translation_vi = LimitedTextField(
        _("translation of the note (Vietnamese)"),
        max_length=NOTE_TRANSLATION_MAX_LENGTH,
        blank=True,
        help_text=_("The note in Vietnamese, when it was written in another language."),
    )
    note_translation_id = LimitedTextField(
        _("translation of the note (Indonesian)"),
        max_length=NOTE_TRANSLATION_MAX_LENGTH,
        blank=True,
        help_text=_("The note in Indonesian, when it was written in another language."),
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

    # Constraints clean() checks already, field by field (see PlainTextModel.get_constraints()).
    CHECKED_BY_CLEAN = ("statusupdate_note_translations_valid",)

    class Meta:
        ordering = list(TIMELINE_ORDER)
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
            *length_limits(
                "statusupdate",
                note=NOTE_MAX_LENGTH,
                note_translation_en=NOTE_TRANSLATION_MAX_LENGTH,
                note_translation_vi=NOTE_TRANSLATION_MAX_LENGTH,
                note_translation_id=NOTE_TRANSLATION_MAX_LENGTH,
            ),
            models.CheckConstraint(
                condition=Q(note_language__in=[code for code, _name in NOTE_LANGUAGES]),
                name="statusupdate_note_language_valid",
            ),
            # A translation translates a note, and never into the note's own language.
            # StatusUpdate.clean() says the same field by field (CHECKED_BY_CLEAN).
            models.CheckConstraint(
                condition=(
                    ~Q(note="")
                    | Q(note_translation_en="", note_translation_vi="", note_translation_id="")
                )
                & Q(
                    *(
                        ~Q(note_language=code) | Q(**{f"note_translation_{code}": ""})
                        for code, _name in NOTE_LANGUAGES
                    )
                ),
                name="statusupdate_note_translations_valid",
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

    def translation_problems(self) -> dict[str, str]:
        """What is wrong with the note's translations, by field: a translation needs a note,
        in another language than the translation's. No query."""
        problems = {}
        for code, name in NOTE_LANGUAGES:
            field = f"note_translation_{code}"
            if not getattr(self, field):
                continue
            if code == self.note_language:
                problems[field] = gettext(
                    "The note is written in %(language)s, so it needs no translation into "
                    "%(language)s: leave this empty."
                ) % {"language": name}
            elif not self.note.strip():
                problems[field] = gettext("There is no note to translate: write the note first.")
        return problems

    def clean(self) -> None:
        """The rules every new update must meet, however it is recorded (queries the history)."""
        errors: dict[str, str] = {}
        if not self.note.strip():
            errors["note"] = (
                gettext("Say in the note what the earlier update got wrong.")
                if self.corrects_id is not None
                else gettext("Write a note saying why: it is shown with the update.")
            )
        errors.update(self.translation_problems())
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

    def with_latest_update(self) -> MemberProgressQuerySet:
        """With the id, note (its language and translations too) and evidence link of each
        row's latest public update."""
        chain = StatusUpdate.objects.filter(
            commitment=OuterRef("commitment"), member=OuterRef("member")
        )
        return self.annotate(
            latest_update_id=chain.latest_public("pk"),
            **chain.latest_public_note(),
            latest_evidence_url=chain.latest_public("evidence_url"),
        )

    def status_counts(self, by: str) -> dict[int, dict[str, int]]:
        """{commitment or member pk: {status: n}} (`by` is "commitment" or "member"), for
        statuses.Record.of(): one GROUP BY query."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.order_by().values_list(f"{by}_id", "status").annotate(n=models.Count("pk"))
        for pk, status, n in rows:
            counts.setdefault(pk, {})[status] = n
        return counts


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
        # The commitment's status is derived from its members', a shell save's included: the
        # headline and the members never disagree.
        with ContentVersion.one_write():
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
