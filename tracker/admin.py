"""The editors' admin. Every changelist runs a fixed number of queries, whatever its length.

Status is never edited directly: the commitment change page and the pages of admin_pages.py
(the "Update status" page, the member grid, the bulk status change) record status updates
through Commitment.save_edit(), and the history it writes is read-only here, for
administrators too. Every write to a commitment is version-checked (see VersionedForm), so
two editors never silently overwrite each other.

Who may do what: the "Editors" group (migration 0003) edits and publishes commitments, records
updates (the status update "add" permission), and adds and edits actors and themes; it deletes
nothing. Administrators are superusers.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker import admin_pages
from tracker.forms import (
    NOTE_TRANSLATIONS,
    CommitmentChangeForm,
    CommitmentEditForm,
    CommitmentForm,
    CommitmentRowForm,
    SourceForm,
)
from tracker.models import (
    NOTE_LANGUAGES,
    TIMELINE_ORDER,
    Actor,
    Commitment,
    EditConflict,
    MemberGroup,
    MemberProgress,
    MemberState,
    Source,
    Status,
    StatusUpdate,
    Theme,
    count_of,
)
from tracker.statuses import SCORED_STATUSES, Record
from tracker.templatetags.tracker_tags import web_link
from tracker.validators import WebURLFormField
from tracker.versions import ContentVersion
from tracker.widgets import AutocompleteSelect, AutocompleteSelectMultiple

# The sidebar repeats the home page's list of models and takes 280 px from every changelist:
# without it the commitment changelist fits 1280 px. Home is one click away in the breadcrumbs.
admin.site.enable_nav_sidebar = False

# A source's address is a plain URLField (its own migration): given the same form field as
# every WebURLField, so a bare "example.org" is refused here too, with the same message.
URL_FIELD_OVERRIDES = {models.URLField: {"form_class": WebURLFormField}}


def _evidence_link(update: StatusUpdate) -> str:
    if not update.evidence_url:
        return ""
    # As every page writes a stored address: a link only if it is a web address.
    return web_link(update.evidence_url, rel="noopener noreferrer")


def _corrected(update: StatusUpdate) -> str:
    """Which update this one corrects. Select the `corrects` relation, or this queries."""
    if update.corrects_id is None:
        return ""
    corrected = update.corrects
    return gettext("The update of %(date)s (%(status)s)") % {
        "date": date_format(corrected.as_of),
        "status": corrected.get_status_display(),
    }


# Django's own message for the action checkbox: translated by Django's catalogue, as on
# Django's checkbox, so not written as a literal that makemessages copies into ours.
DJANGO_ACTION_LABEL = "Select this object for an action - {}"


def _search_words(search_term: str) -> list[str]:
    """The words of an admin search, as Django splits them: "quoted words" stay together."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        words.append(bit)
    return words


# /admin/tracker/source/
class ModelAdmin(admin.ModelAdmin):
    """An editor's POST is one write: the content version moves on once, whatever it saves
    (a record, its inlines, its many-to-many links, the rows of an action)."""

    def changeform_view(self, request: HttpRequest, *args, **kwargs):
        with _one_write(request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request: HttpRequest, *args, **kwargs):
        with _one_write(request):
            return super().changelist_view(request, *args, **kwargs)

    def delete_view(self, request: HttpRequest, *args, **kwargs):
        with _one_write(request):
            return super().delete_view(request, *args, **kwargs)

    def action_checkbox(self, obj) -> str:
        # Django's own checkbox (ModelAdmin.action_checkbox, 5.2), written out: rendering a
        # CheckboxInput's templates for each row was a tenth of a changelist's time.
        label = format_html(gettext(DJANGO_ACTION_LABEL), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """Rows with each word of the search in one of `search_fields` at least.

        Django joins the related tables a search field names (a commitment's actors and
        partners, an update's commitment) and matches each row of the join; a commitment with
        several partners then comes several times, so its changelist went DISTINCT over whole
        rows, annotations included, every match read and sorted for the page and again for the
        count (177 ms on PostgreSQL at 10,000 commitments). Here the related rows a word names
        are looked up in their own table, and a row matches through them by its own column or
        its links: no join, no duplicate, the page read in the list's order again. (Django's
        join also made several words match one partner: "finance works" missed a commitment
        shared by the Ministry of Finance and the Board of Works.)
        """
        search_fields = self.get_search_fields(request)
        if any(name.startswith(("^", "=", "@")) for name in search_fields):
            return super().get_search_results(request, queryset, search_term)
        for word in _search_words(search_term):
            matches = Q()
            for name in search_fields:
                relation, _, field = name.partition("__")
                if not field:
                    matches |= Q(**{f"{name}__icontains": word})
                    continue
                model_field = self.model._meta.get_field(relation)
                named = model_field.related_model._default_manager.filter(
                    **{f"{field}__icontains": word}
                ).values("pk")
                if model_field.many_to_many or model_field.one_to_many:
                    linked = self.model._default_manager.filter(**{f"{relation}__in": named})
                    matches |= Q(pk__in=linked.values("pk"))
                else:
                    matches |= Q(**{f"{relation}__in": named})
            queryset = queryset.filter(matches)
        return queryset, False


def _one_write(request: HttpRequest):
    return ContentVersion.one_write() if request.method == "POST" else nullcontext()


@admin.register(Source)
class SourceAdmin(ModelAdmin):
    list_display = ("title", "event_name", "event_date", "commitment_count")
    list_filter = ("event_date",)
    search_fields = ("title", "event_name", "publisher")
    ordering = ("-event_date", "title")
    prepopulated_fields = {"slug": ("title",)}
    formfield_overrides = URL_FIELD_OVERRIDES
    form = SourceForm
    show_full_result_count = False
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "event_name",
                    "event_place",
                    "event_date",
                    "author",
                    "publisher",
                    "url",
                    "published_on",
                    "retrieved_on",
                    "language",
                    "full_text",
                )
            },
        ),
        (
            _("Translations"),
            {
                "fields": (
                    "title_vi",
                    "event_name_vi",
                    "event_place_vi",
                    "title_id",
                    "event_name_id",
                    "event_place_id",
                ),
                "classes": ("collapse",),
                "description": _(
                    "The title, the event and its place in Vietnamese and Indonesian, shown on "
                    "the pages in those languages as the tracker's translation, with the "
                    "original one click away; where one is empty, the page shows the original. "
                    "The full text is never translated: quotes are passages of it."
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest):
        # A counting subquery per row (an index lookup), not a GROUP BY over every commitment.
        counted = Commitment.objects.filter(source=OuterRef("pk"))
        return super().get_queryset(request).annotate(commitment_count=count_of(counted))

    @admin.display(description=_("commitments"), ordering="commitment_count")
    def commitment_count(self, obj: Source) -> int:
        return obj.commitment_count


# /admin/tracker/actor/
@admin.register(Actor)
class ActorAdmin(ModelAdmin):
    list_display = (
        "name",
        "kind",
        "role",
        "affiliation",
        "member_state",
        "owned_count",
        "proposed_count",
    )
    list_filter = ("kind", "member_state")
    # Also what the commitment form's proposer, owner and partner autocompletes search.
    search_fields = ("name", "role", "affiliation")
    # Meta.ordering is ignored once a Count() groups the query, and the autocomplete pages
    # through this queryset: without an explicit order, pages could repeat or skip actors.
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    show_full_result_count = False
    list_select_related = ("member_state",)

    def get_queryset(self, request: HttpRequest):
        # One counting subquery per column (an index lookup each): two joins in one query
        # would multiply each other's rows.
        return (
            super()
            .get_queryset(request)
            .annotate(
                owned_count=count_of(Commitment.objects.filter(owner=OuterRef("pk"))),
                proposed_count=count_of(Commitment.objects.filter(proposer=OuterRef("pk"))),
            )
        )

    @admin.display(description=_("owns"), ordering="owned_count")
    def owned_count(self, obj: Actor) -> int:
        return obj.owned_count

    @admin.display(description=_("proposed"), ordering="proposed_count")
    def proposed_count(self, obj: Actor) -> int:
        return obj.proposed_count


# /admin/tracker/theme/
@admin.register(Theme)
class ThemeAdmin(ModelAdmin):
    list_display = ("name", "position", "commitment_count")
    list_display_links = ("name",)
    list_editable = ("position",)
    search_fields = ("name",)
    ordering = ("position", "name")
    prepopulated_fields = {"slug": ("name",)}
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        counted = Commitment.themes.through.objects.filter(theme=OuterRef("pk"))
        return super().get_queryset(request).annotate(commitment_count=count_of(counted))

    @admin.display(description=_("commitments"), ordering="commitment_count")
    def commitment_count(self, obj: Theme) -> int:
        return obj.commitment_count


class ReadOnlyHistoryMixin:
    """For every admin view of status updates: the history is read, never written here.

    Updates are recorded from a commitment's page (the "add status update" permission) and are
    never changed or deleted afterwards, by anybody: a correction is a new update.
    """

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("status"))
    def status_change(self, obj: StatusUpdate) -> str:
        return admin_pages.describe_status_change(obj)

    @admin.display(description=_("evidence"))
    def evidence(self, obj: StatusUpdate) -> str:
        return _evidence_link(obj)

    @admin.display(description=_("corrects"))
    def correction(self, obj: StatusUpdate) -> str:
        return _corrected(obj)

    @admin.display(description=_("translations"))
    def translations(self, obj: StatusUpdate) -> str:
        """The languages the note is translated into, linked to the page that adds and
        improves translations (the one change an update takes). No query."""
        if not obj.note.strip():
            return "—"
        done = [
            str(name)
            for code, name in NOTE_LANGUAGES
            if code != obj.note_language and getattr(obj, f"note_translation_{code}")
        ]
        return format_html(
            '{} <a href="{}">{}<span class="visually-hidden"> {}</span></a>',
            ", ".join(done) if done else gettext("none yet"),
            reverse("admin:tracker_statusupdate_translate", args=[obj.pk]),
            gettext("Translate"),
            gettext("the note of the update of %(date)s") % {"date": date_format(obj.as_of)},
        )


# Updates shown on a commitment's change page; the whole history is one link away.
HISTORY_SHOWN = 20


class LatestUpdatesFormSet(BaseInlineFormSet):
    """The newest HISTORY_SHOWN updates only: a history of thousands made the change page take
    seconds and megabytes. The total comes with the rows (a window count, computed before the
    LIMIT), so showing "See all N updates" costs no query."""

    def get_queryset(self):
        if not hasattr(self, "_latest"):
            rows = super().get_queryset().annotate(total=models.Window(Count("pk")))
            self._latest = rows[:HISTORY_SHOWN]
        return self._latest

    @property
    def total(self) -> int:
        rows = self.get_queryset()
        return rows[0].total if rows else 0

    @property
    def shown(self) -> int:
        return HISTORY_SHOWN


class StatusUpdateInline(ReadOnlyHistoryMixin, admin.TabularInline):
    """A commitment's latest updates, newest first. Read-only: it is only ever appended to."""

    model = StatusUpdate
    formset = LatestUpdatesFormSet
    template = "admin/tracker/commitment/status_history_inline.html"
    fields = (
        "as_of",
        "status_change",
        "note",
        "note_language",
        "translations",
        "evidence",
        "basis",
        "correction",
        "author",
        "is_public",
        "created",
    )
    readonly_fields = fields
    ordering = TIMELINE_ORDER
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("status history")

    def get_queryset(self, request: HttpRequest):
        # str(update) names its commitment: the tabular inline prints it above every row.
        return super().get_queryset(request).select_related("commitment", "author", "corrects")


class NeedsReviewFilter(admin.SimpleListFilter):
    """Commitments nobody has checked for TRACKER_REVIEW_DAYS days, or ever."""

    parameter_name = "review"

    def __init__(self, request, params, model, model_admin):
        self.days = settings.TRACKER_REVIEW_DAYS
        self.title = ngettext(
            "review (due every %(days)s day)", "review (due every %(days)s days)", self.days
        ) % {"days": self.days}
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            ("needed", gettext("Needs review")),
            (
                "recent",
                ngettext(
                    "Reviewed in the last %(days)s day",
                    "Reviewed in the last %(days)s days",
                    self.days,
                )
                % {"days": self.days},
            ),
        ]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.needs_review(self.days)
        if self.value() == "recent":
            cutoff = timezone.localdate() - datetime.timedelta(days=self.days)
            return queryset.filter(last_reviewed__gte=cutoff)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """Target date passed with delivery outstanding (not in the done or closed buckets)."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("not_overdue", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "not_overdue":
            return queryset.exclude(pk__in=Commitment.objects.overdue().values("pk"))
        return queryset


def _members(request: HttpRequest) -> list[MemberState]:
    """Every member state, fetched once per request for both member filters."""
    if not hasattr(request, "_tracker_members"):
        request._tracker_members = list(MemberState.objects.select_related("group"))
    return request._tracker_members


class MemberFilter(admin.SimpleListFilter):
    """Commitments a member state carries out (those tracked for it)."""

    title = _("member state")
    parameter_name = "member"

    def lookups(self, request, model_admin):
        return [(m.slug, m.translated("name")[0]) for m in _members(request)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(member_progress__member__slug=self.value())
        return queryset


class NotAssessedForMemberFilter(admin.SimpleListFilter):
    """Commitments on which a member state's status is still "not yet assessed"."""

    title = _("not yet assessed for")
    parameter_name = "not_assessed_for"

    def lookups(self, request, model_admin):
        return [(m.slug, m.translated("name")[0]) for m in _members(request)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                pk__in=MemberProgress.objects.filter(
                    member__slug=self.value(), status=Status.NOT_ASSESSED
                ).values("commitment_id")
            )
        return queryset


# /admin/tracker/commitment/
@admin.register(Commitment)
class CommitmentAdmin(ModelAdmin):
    form = CommitmentChangeForm
    list_display = (
        "title",
        "current_status",
        "owner",
        "target_date",
        "last_update",
        "last_reviewed",
        "members",
        "is_published",
        "update_link",
    )
    # Version-checked like the change form: see CommitmentRowForm.
    list_editable = ("target_date",)
    list_filter = (
        "status",
        "kind",
        NeedsReviewFilter,
        OverdueFilter,
        "themes",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "source",
        "is_published",
        MemberFilter,
        NotAssessedForMemberFilter,
    )
    list_select_related = ("owner",)
    # A page of a changelist with a date field and hidden version fields per row renders in
    # ~0.3 ms a row: 25 rows keep a page fast at any size (issue 10). The filters and the
    # search find the rest. No second count of every commitment under a filter.
    list_per_page = 25
    show_full_result_count = False
    # Each word of a search is looked for in these: see ModelAdmin.get_search_results().
    search_fields = (
        "title",
        "summary",
        "quote",
        "proposer__name",
        "owner__name",
        "partners__name",
    )
    search_help_text = _("Searches titles, summaries, quotes and the names of the actors involved.")
    # With the project's widgets (see formfield_for_foreignkey), valid and named for all.
    autocomplete_fields = ("proposer", "owner", "partners", "themes", "member_group")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("status", "status_date", "last_reviewed", "member_statuses")
    # Every action writes through a model method that moves the commitments' versions on.
    actions = [
        admin_pages.change_status,
        "mark_reviewed",
        "publish",
        "unpublish",
        "delete_selected",
    ]

    fieldsets = (
        (None, {"fields": ("title", "slug", "source", "heading", "position")}),
        (_("What was promised"), {"fields": ("summary", "quote", "kind", "target_date")}),
        (_("Who"), {"fields": ("proposer", "owner", "partners", "member_group")}),
        (_("Themes and publication"), {"fields": ("themes", "is_published")}),
        (
            _("Translations"),
            {
                "fields": (
                    "title_vi",
                    "summary_vi",
                    "quote_translation_vi",
                    "title_id",
                    "summary_id",
                    "quote_translation_id",
                    "quote_translation_en",
                ),
                "classes": ("collapse",),
                "description": _(
                    "The title and summary in Vietnamese and Indonesian; where one is empty, "
                    "the page shows the English text. The quote is never translated in its "
                    "place: a translation of it is shown beside it, labelled as a translation."
                ),
            },
        ),
        (
            _("Current status"),
            {
                "fields": ("status", "status_date", "last_reviewed", "member_statuses"),
                "description": _("To change the status, record a status update below."),
            },
        ),
    )
    update_fieldset = (
        _("Record a status update"),
        {
            "fields": tuple(
                name
                for name in CommitmentChangeForm.FIELD_NAMES.values()
                if name not in NOTE_TRANSLATIONS
            ),
            "description": _(
                "Leave “New status” empty to save the commitment without an update. Updates are "
                "added to the history below and cannot be edited afterwards: to put one right, "
                "record a new update that corrects it."
            ),
        },
    )

    def get_queryset(self, request: HttpRequest):
        # The last-update and members columns are subqueries of the page's one query, rather
        # than Max() or Count() over a join: the changelist's counts stay plain COUNT(*)s.
        latest = StatusUpdate.objects.filter(commitment=OuterRef("pk")).order_by("-as_of")
        progress = MemberProgress.objects.filter(commitment=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_update=Subquery(latest.values("as_of")[:1]),
                members_tracked=count_of(progress),
                members_assessed=count_of(progress.filter(status__in=SCORED_STATUSES)),
            )
        )

    # Permissions beyond Django's four, used by actions (`permissions=[...]`) and the forms.

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tracker.publish_commitment")

    def has_record_permission(self, request: HttpRequest, obj=None) -> bool:
        """Recording a status update: the status update "add" permission, on a commitment."""
        return request.user.has_perm("tracker.add_statusupdate") and self.has_change_permission(
            request, obj
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # New commitments are drafts until somebody allowed to publish publishes them.
            readonly += ("is_published",)
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj=None):
        # A new commitment starts "Not yet assessed"; updates are recorded once it exists.
        if obj is None or not self.has_change_permission(request, obj):
            return self.fieldsets
        # The version and snapshot the page was loaded with, checked when it is saved, are
        # hidden inputs outside the fieldsets (admin/tracker/commitment/change_form.html).
        if self.has_record_permission(request, obj):
            return (
                *self.fieldsets,
                self.update_fieldset,
                *admin_pages.update_fieldsets(NOTE_TRANSLATIONS)[1:],
            )
        return self.fieldsets

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CommitmentForm
        elif not self.has_record_permission(request, obj):
            kwargs["form"] = CommitmentEditForm
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        kwargs.setdefault("form", CommitmentRowForm)
        return super().get_changelist_form(request, **kwargs)

    def get_inlines(self, request: HttpRequest, obj):
        return [StatusUpdateInline] if obj is not None else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            # Somebody saved between this form's check and its save: nothing was written.
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except EditConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Commitment, form, change: bool) -> None:
        if not change:
            obj.updated_by = request.user
            super().save_model(request, obj, form, change)
            return
        # One model call: the fields this form edits and the optional status update, in one
        # transaction, refused whole if anybody saved the commitment since the form was loaded.
        # The form ran the model's rules at that version (its clean()), so save_edit() does not.
        update = obj.save_edit(
            [field.name for field in form.model_fields() if not field.many_to_many],
            update=form.update() if isinstance(form, CommitmentChangeForm) else None,
            expected_version=form.cleaned_data["loaded_version"],
            user=request.user,
            validated=True,
        )
        if update is None:
            return
        if update.is_status_change:
            message = gettext("Status changed from %(previous)s to %(status)s, as of %(date)s.") % {
                "previous": update.get_previous_status_display(),
                "status": update.get_status_display(),
                "date": date_format(update.as_of),
            }
        else:
            message = gettext(
                "Progress note recorded; the status stays %(status)s, as of %(date)s."
            ) % {"status": update.get_status_display(), "date": date_format(update.as_of)}
        self.message_user(request, message)

    @admin.display(description=_("member states"), ordering="members_assessed")
    def members(self, obj: Commitment) -> str:
        """“Assessed 4 of 11”, linked to the grid; from the queryset's annotations, no query."""
        if not obj.members_tracked:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:tracker_commitment_members", args=[obj.pk]),
            gettext("Assessed %(assessed)s of %(tracked)s")
            % {"assessed": obj.members_assessed, "tracked": obj.members_tracked},
        )

    @admin.display(description=_("member states"))
    def member_statuses(self, obj: Commitment) -> str:
        """The change page's link to the grid; one query, for commitments tracked per member."""
        if obj is None or obj.pk is None or obj.member_group_id is None:
            return gettext("Not tracked member state by member state.")
        counts = MemberProgress.objects.filter(commitment=obj).status_counts("commitment")
        figures = Record.of(counts.get(obj.pk, {}))
        return format_html(
            '{}. <a href="{}">{}</a>',
            gettext("Assessed %(assessed)s of %(tracked)s")
            % {"assessed": figures.assessed, "tracked": figures.tracked},
            reverse("admin:tracker_commitment_members", args=[obj.pk]),
            gettext("Record member states’ statuses"),
        )

    def get_urls(self):
        pages = [
            # /admin/tracker/commitment/<pk>/members/: several member states at once
            path(
                "<path:object_id>/members/",
                self.admin_site.admin_view(partial(admin_pages.member_grid, model_admin=self)),
                name="tracker_commitment_members",
            ),
            # /admin/tracker/commitment/<pk>/update-status/: the editors' daily task
            path(
                "<int:object_id>/update-status/",
                self.admin_site.admin_view(partial(admin_pages.update_status, model_admin=self)),
                name="tracker_commitment_update_status",
            ),
        ]
        return pages + super().get_urls()

    @admin.display(description=_("last update"), ordering="last_update", empty_value="—")
    def last_update(self, obj: Commitment):
        return obj.last_update

    @admin.display(description=_("status"), ordering="status")
    def current_status(self, obj: Commitment) -> str:
        # Not named "status": the model's field would win over this column. Overdue is said
        # beside the status, in words and a symbol, only where it matters: a "deadline" column
        # of its own beside "target date" read as two different dates.
        if obj.is_overdue:
            return f"{obj.get_status_display()} · ⚠ {gettext('Overdue')}"
        return obj.get_status_display()

    @admin.display(description=_("status update"))
    def update_link(self, obj: Commitment) -> str:
        return format_html(
            '<a class="update-status-link" href="{}">{}'
            '<span class="visually-hidden"> {}</span></a>',
            reverse("admin:tracker_commitment_update_status", args=[obj.pk]),
            # Translators: a link in each row of the commitments list; the status of “title”
            # follows, read by screen readers only.
            gettext("Update"),
            gettext("the status of “%(title)s”") % {"title": obj.title},
        )

    # Bulk actions

    @admin.action(description=_("Publish the selected commitments"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish the selected commitments"), permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset) -> None:
        self._set_published(request, queryset, False)

    def _set_published(self, request: HttpRequest, queryset, published: bool) -> None:
        with transaction.atomic():
            selected = queryset.count()
            changing = list(queryset.prefetch_related(None).exclude(is_published=published))
            changed = Commitment.objects.filter(pk__in=[c.pk for c in changing]).set_published(
                published, user=request.user
            )
            admin_pages.log_changes(
                request, changing, "Published." if published else "Unpublished."
            )
        already = selected - changed
        if published:
            message = ngettext(
                "Published %(count)s commitment.", "Published %(count)s commitments.", changed
            ) % {"count": changed}
            if already:
                message += " " + ngettext(
                    "%(count)s was already published.", "%(count)s were already published.", already
                ) % {"count": already}
        else:
            message = ngettext(
                "Unpublished %(count)s commitment.", "Unpublished %(count)s commitments.", changed
            ) % {"count": changed}
            if already:
                message += " " + ngettext(
                    "%(count)s was already unpublished.",
                    "%(count)s were already unpublished.",
                    already,
                ) % {"count": already}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(
        description=_("Mark the selected commitments reviewed today"), permissions=["change"]
    )
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        with transaction.atomic():
            reviewed = list(queryset.prefetch_related(None))
            count = Commitment.objects.filter(pk__in=[c.pk for c in reviewed]).mark_reviewed(
                user=request.user
            )
            admin_pages.log_changes(request, reviewed, "Marked reviewed.")
        self.message_user(
            request,
            ngettext(
                "Marked %(count)s commitment reviewed on %(date)s.",
                "Marked %(count)s commitments reviewed on %(date)s.",
                count,
            )
            % {"count": count, "date": date_format(timezone.localdate())},
            messages.SUCCESS,
        )


# /admin/tracker/statusupdate/
@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyHistoryMixin, ModelAdmin):
    """The whole history, for reading. Updates are recorded from a commitment's change page."""

    list_display = (
        "commitment",
        "previous_status",
        "status",
        "as_of",
        "basis",
        "author",
        "is_public",
        "created",
        "translations",
    )
    list_filter = ("status", "basis", "is_public", "note_language", "as_of")
    # The commitments a word names are found first, in their own table; then each update
    # whose commitment is not among them is read for its note.
    search_fields = ("commitment__title", "note")
    list_select_related = ("commitment", "author", "corrects")
    # No date_hierarchy: its month links ran a date function over all 100,000 updates on
    # every page (one second); the "as of" filter offers today, 7 days, month and year.
    list_per_page = 50
    show_full_result_count = False
    fields = (
        "commitment",
        "status_change",
        "as_of",
        "note",
        "note_language",
        "note_translation_en",
        "note_translation_vi",
        "note_translation_id",
        "translations",
        "evidence",
        "basis",
        "correction",
        "author",
        "is_public",
        "created",
    )
    readonly_fields = fields

    def has_translate_permission(self, request: HttpRequest, obj: StatusUpdate) -> bool:
        """Adding or improving a note's translations: whoever may record updates on its
        commitment (the Editors group), as a translation is not a correction of the facts."""
        return request.user.has_perm("tracker.add_statusupdate") and request.user.has_perm(
            "tracker.change_commitment"
        )

    def get_urls(self):
        pages = [
            # /admin/tracker/statusupdate/<pk>/translate/: the note's translations only
            path(
                "<int:object_id>/translate/",
                self.admin_site.admin_view(partial(admin_pages.translate_note, model_admin=self)),
                name="tracker_statusupdate_translate",
            ),
        ]
        return pages + super().get_urls()


class MemberStateInline(admin.TabularInline):
    model = MemberState
    fields = ("name", "name_vi", "name_id", "slug", "joined_on", "position")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0


# /admin/tracker/membergroup/
@admin.register(MemberGroup)
class MemberGroupAdmin(ModelAdmin):
    list_display = ("name", "slug", "member_count", "commitment_count")
    search_fields = ("name", "slug", "members__name")
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MemberStateInline]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=count_of(MemberState.objects.filter(group=OuterRef("pk"))),
                commitment_count=count_of(Commitment.objects.filter(member_group=OuterRef("pk"))),
            )
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: MemberGroup) -> int:
        return obj.member_count

    @admin.display(description=_("commitments tracked per member"), ordering="commitment_count")
    def commitment_count(self, obj: MemberGroup) -> int:
        return obj.commitment_count


# /admin/tracker/memberstate/
@admin.register(MemberState)
class MemberStateAdmin(ModelAdmin):
    list_display = ("name", "group", "joined_on", "position", "tracked_count")
    list_display_links = ("name",)
    list_filter = ("group",)
    search_fields = ("name", "slug", "group__name")
    list_select_related = ("group",)
    ordering = ("group__name", "position", "name")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest):
        counted = MemberProgress.objects.filter(member=OuterRef("pk"))
        return super().get_queryset(request).annotate(tracked_count=count_of(counted))

    @admin.display(description=_("commitments tracked"), ordering="tracked_count")
    def tracked_count(self, obj: MemberState) -> int:
        return obj.tracked_count
