"""The editors' admin. Every changelist runs a fixed number of queries, whatever its length.

Status is never edited directly: the commitment change page and the bulk status change record
status updates through Commitment.save_edit(), and the history it writes is read-only here,
for administrators too. Every write to a commitment is version-checked (see VersionedForm), so
two editors never silently overwrite each other.

Who may do what: the "Editors" group (migration 0003) edits and publishes commitments, records
updates (the status update "add" permission), and adds and edits actors and themes; it deletes
nothing. Administrators are superusers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.forms import (
    BulkStatusForm,
    CommitmentChangeForm,
    CommitmentEditForm,
    CommitmentForm,
    CommitmentRowForm,
    MemberGridForm,
    SingleStatusForm,
)
from tracker.models import (
    Actor,
    Commitment,
    EditConflict,
    MemberGroup,
    MemberProgress,
    MemberState,
    MemberUpdatesInvalid,
    Source,
    Status,
    StatusUpdate,
    Theme,
    count_of,
)
from tracker.validators import WebURLFormField
from tracker.widgets import AutocompleteSelect, AutocompleteSelectMultiple

# The sidebar repeats the home page's list of models and takes 280 px from every changelist:
# without it the commitment changelist fits 1280 px. Home is one click away in the breadcrumbs.
admin.site.enable_nav_sidebar = False

# A source's address is a plain URLField (its own migration): given the same form field as
# every WebURLField, so a bare "example.org" is refused here too, with the same message.
URL_FIELD_OVERRIDES = {models.URLField: {"form_class": WebURLFormField}}


def _status_change(update: StatusUpdate) -> str:
    if update.is_status_change:
        return f"{update.get_previous_status_display()} → {update.get_status_display()}"
    return gettext("%(status)s (unchanged)") % {"status": update.get_status_display()}


def _evidence_link(update: StatusUpdate) -> str:
    if not update.evidence_url:
        return ""
    return format_html(
        '<a href="{}" rel="noopener noreferrer">{}</a>', update.evidence_url, update.evidence_url
    )


def _corrected(update: StatusUpdate) -> str:
    """Which update this one corrects. Select the `corrects` relation, or this queries."""
    if update.corrects_id is None:
        return ""
    corrected = update.corrects
    return gettext("The update of %(date)s (%(status)s)") % {
        "date": date_format(corrected.as_of),
        "status": corrected.get_status_display(),
    }


# /admin/tracker/source/
@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("title", "event_name", "event_date", "commitment_count")
    list_filter = ("event_date",)
    search_fields = ("title", "event_name", "publisher")
    ordering = ("-event_date", "title")
    prepopulated_fields = {"slug": ("title",)}
    formfield_overrides = URL_FIELD_OVERRIDES
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        # A counting subquery per row (an index lookup), not a GROUP BY over every commitment.
        counted = Commitment.objects.filter(source=OuterRef("pk"))
        return super().get_queryset(request).annotate(commitment_count=count_of(counted))

    @admin.display(description=_("commitments"), ordering="commitment_count")
    def commitment_count(self, obj: Source) -> int:
        return obj.commitment_count


# /admin/tracker/actor/
@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
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
class ThemeAdmin(admin.ModelAdmin):
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
        return _status_change(obj)

    @admin.display(description=_("evidence"))
    def evidence(self, obj: StatusUpdate) -> str:
        return _evidence_link(obj)

    @admin.display(description=_("corrects"))
    def correction(self, obj: StatusUpdate) -> str:
        return _corrected(obj)


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
        "evidence",
        "basis",
        "correction",
        "author",
        "is_public",
        "created",
    )
    readonly_fields = fields
    ordering = ("-as_of", "-created", "-pk")
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
class CommitmentAdmin(admin.ModelAdmin):
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
    # Matches on partners can't duplicate rows: Django filters m2m searches with EXISTS.
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
    actions = ["change_status", "mark_reviewed", "publish", "unpublish", "delete_selected"]

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
            "fields": tuple(CommitmentChangeForm.FIELD_NAMES.values()),
            "description": _(
                "Leave “New status” empty to save the commitment without an update. Updates are "
                "added to the history below and cannot be edited afterwards: to put one right, "
                "record a new update that corrects it."
            ),
        },
    )

    def get_queryset(self, request: HttpRequest):
        # The last-update and themes columns cost one subquery and one prefetch per page. A
        # subquery rather than Max() over a join keeps the changelist's counts plain COUNT(*)s.
        latest = StatusUpdate.objects.filter(commitment=OuterRef("pk")).order_by("-as_of")
        return (
            super()
            .get_queryset(request)
            .annotate(last_update=Subquery(latest.values("as_of")[:1]))
            .with_member_scores()
            .prefetch_related("themes")
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
            return (*self.fieldsets, self.update_fieldset)
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
        update = obj.save_edit(
            [field.name for field in form.model_fields() if not field.many_to_many],
            update=form.update() if isinstance(form, CommitmentChangeForm) else None,
            expected_version=form.cleaned_data["loaded_version"],
            user=request.user,
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
        figures = Commitment.objects.with_member_scores().get(pk=obj.pk)
        return format_html(
            '{}. <a href="{}">{}</a>',
            gettext("Assessed %(assessed)s of %(tracked)s")
            % {"assessed": figures.members_assessed, "tracked": figures.members_tracked},
            reverse("admin:tracker_commitment_members", args=[obj.pk]),
            gettext("Record member states’ statuses"),
        )

    def get_urls(self):
        own = [
            # /admin/tracker/commitment/<pk>/members/: several member states at once
            path(
                "<path:object_id>/members/",
                self.admin_site.admin_view(self.member_grid_view),
                name="tracker_commitment_members",
            ),
            # /admin/tracker/commitment/<pk>/update-status/: the editors' daily task
            path(
                "<int:object_id>/update-status/",
                self.admin_site.admin_view(self.update_status_view),
                name="tracker_commitment_update_status",
            ),
        ]
        return own + super().get_urls()

    def member_grid_view(self, request: HttpRequest, object_id: str):
        """Record several member states' statuses on one commitment, all at once or none."""
        try:
            pk = int(object_id)
        except ValueError:
            raise Http404 from None
        commitment = get_object_or_404(Commitment.objects.select_related("source"), pk=pk)
        if not self.has_record_permission(request, commitment):
            raise PermissionDenied
        rows = list(commitment.member_progress.select_related("member"))
        if request.method != "POST":
            form = MemberGridForm(rows=rows, initial={"version": commitment.version})
            return self._member_grid_page(request, commitment, form)
        form = MemberGridForm(request.POST, rows=rows)
        if not form.is_valid():
            return self._member_grid_page(request, commitment, form)
        try:
            recorded = commitment.record_member_updates(
                form.member_updates(),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflict:
            # Nothing was written. Show what is there now, and carry the latest version.
            commitment = Commitment.objects.select_related("source", "updated_by").get(pk=pk)
            who = (
                str(commitment.updated_by) if commitment.updated_by_id else gettext("Somebody else")
            )
            data = request.POST.copy()
            data["version"] = str(commitment.version)
            rows = list(commitment.member_progress.select_related("member"))
            form = MemberGridForm(data, rows=rows)
            form.is_valid()
            when = timezone.localtime(commitment.updated)
            form.add_error(
                None,
                gettext(
                    "%(who)s saved this commitment on %(date)s at %(time)s, after you opened this "
                    "page, so nothing has been recorded. The current statuses are shown below and "
                    "your entries are kept: check them, then record again."
                )
                % {"who": who, "date": date_format(when), "time": date_format(when, "TIME_FORMAT")},
            )
            return self._member_grid_page(request, commitment, form)
        except MemberUpdatesInvalid as invalid:
            form.add_member_errors(invalid.by_member)
            return self._member_grid_page(request, commitment, form)
        names = ", ".join(f"{update.member} ({update.get_status_display()})" for update in recorded)
        # The admin's history is a shared record: its entries are written in English.
        self._log(
            request,
            [commitment],
            f"Recorded member states’ statuses: {names}, as of {recorded[0].as_of:%-d %B %Y}.",
        )
        if recorded[0].is_public:
            recorded_message = ngettext(
                "Recorded %(count)s member state’s status as of %(date)s: %(names)s.",
                "Recorded %(count)s member states’ statuses as of %(date)s: %(names)s.",
                len(recorded),
            )
        else:
            recorded_message = ngettext(
                "Recorded %(count)s member state’s status as of %(date)s, as an internal note: "
                "%(names)s.",
                "Recorded %(count)s member states’ statuses as of %(date)s, as internal notes: "
                "%(names)s.",
                len(recorded),
            )
        self.message_user(
            request,
            recorded_message
            % {"count": len(recorded), "date": date_format(recorded[0].as_of), "names": names},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:tracker_commitment_change", args=[commitment.pk])
        )

    def _member_grid_page(self, request, commitment: Commitment, form: MemberGridForm):
        shared = ["as_of", "note", "evidence_url", "basis", "is_public"]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Member states’ statuses on “%(title)s”") % {"title": commitment},
            "opts": self.model._meta,
            "commitment": commitment,
            "form": form,
            "adminform": admin.helpers.AdminForm(
                form, [(gettext("For every row given a status"), {"fields": shared})], {}
            ),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tracker/commitment/member_grid.html", context)

    @admin.display(description=_("themes"))
    def theme_names(self, obj: Commitment) -> str:
        return ", ".join(theme.name for theme in obj.themes.all())

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

    # The editors' daily task: one commitment's status update, on a page of its own.

    UPDATES_BESIDE_FORM = 5

    def update_status_view(self, request: HttpRequest, object_id: int):
        """Status, as of, note, evidence, basis and public, with the quote and the latest
        updates beside them; saved through Commitment.save_edit(), version-checked."""
        commitment = get_object_or_404(
            Commitment.objects.select_related("source", "owner", "proposer"), pk=object_id
        )
        if not self.has_record_permission(request, commitment):
            raise PermissionDenied
        if request.method == "POST":
            form = SingleStatusForm(request.POST)
            if form.is_valid():
                try:
                    update = commitment.save_edit(
                        update=form.update(),
                        expected_version=form.cleaned_data["loaded_version"],
                        user=request.user,
                    )
                except EditConflict:
                    commitment.refresh_from_db()
                    form = SingleStatusForm(
                        {**request.POST.dict(), "loaded_version": commitment.version}
                    )
                    form.is_valid()
                    who = commitment.updated_by or gettext("Somebody else")
                    when = timezone.localtime(commitment.updated)
                    form.add_error(
                        None,
                        gettext(
                            "%(who)s changed this commitment on %(date)s at %(time)s, after you "
                            "opened this form. Nothing has been saved. Its status is now "
                            "%(status)s, as of %(status_date)s: check the latest updates beside "
                            "the form, then save again."
                        )
                        % {
                            "who": who,
                            "date": date_format(when),
                            "time": date_format(when, "TIME_FORMAT"),
                            "status": commitment.get_status_display(),
                            "status_date": date_format(commitment.status_date),
                        },
                    )
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        for message in errors:
                            form.add_error(field if field in form.fields else None, message)
                else:
                    return self._after_update(request, commitment, update)
        else:
            form = SingleStatusForm(initial={"loaded_version": commitment.version})
        updates = list(
            commitment.updates.filter(member__isnull=True)
            .select_related("author")
            .order_by("-as_of", "-created", "-pk")[: self.UPDATES_BESIDE_FORM]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Update the status of “%(title)s”") % {"title": commitment.title},
            "subtitle": None,
            "opts": self.model._meta,
            "original": commitment,
            "commitment": commitment,
            "updates": updates,
            "form": form,
            "adminform": admin.helpers.AdminForm(
                form,
                [(None, {"fields": [n for n in form.fields if n != "loaded_version"]})],
                {},
            ),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tracker/commitment/update_status.html", context)

    def _after_update(self, request: HttpRequest, commitment: Commitment, update: StatusUpdate):
        """Back to the list, saying what was recorded, with the next commitment to review."""
        self._log(request, [commitment], f"Recorded a status update: {_status_change(update)}.")
        recorded = (
            gettext("Recorded “%(status)s” on “%(title)s”, as of %(date)s.")
            if update.is_public
            else gettext(
                "Recorded “%(status)s” on “%(title)s”, as of %(date)s, as an internal note."
            )
        ) % {
            "status": update.get_status_display(),
            "title": commitment.title,
            "date": date_format(update.as_of),
        }
        following = next_to_review(exclude=commitment.pk)
        if following is not None:
            recorded = format_html(
                '{} {} <a href="{}">{}</a>.',
                recorded,
                gettext("Next that needs review:"),
                reverse("admin:tracker_commitment_update_status", args=[following.pk]),
                gettext("update the status of “%(title)s”") % {"title": following.title},
            )
        self.message_user(request, recorded, messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:tracker_commitment_changelist") + "?review=needed"
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
            self._log(request, changing, "Published." if published else "Unpublished.")
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
            self._log(request, reviewed, "Marked reviewed.")
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

    def _log(self, request: HttpRequest, commitments: list[Commitment], message: str) -> None:
        """One entry per commitment in the admin's history, as Django logs its own edits."""
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=commitments,
            action_flag=CHANGE,
            change_message=message,
        )

    @admin.action(
        description=_("Record a status update on the selected commitments"),
        permissions=["record"],
    )
    def change_status(self, request: HttpRequest, queryset):
        """Ask for one status, date, note and basis; record it on each commitment, atomically."""
        # The page lists titles and statuses only: no themes, but each source's event date.
        commitments = list(
            queryset.prefetch_related(None)
            .select_related("source")
            .order_by("source_id", "position")
        )
        if "apply" not in request.POST:
            form = BulkStatusForm()
            versions = {c.pk: c.version for c in commitments}
            return self._change_status_page(request, form, commitments, versions)

        form = BulkStatusForm(request.POST)
        versions = {c.pk: _posted_version(request, c.pk) for c in commitments}
        if not form.is_valid():
            return self._change_status_page(request, form, commitments, versions)
        try:
            updates = self._record_all(request, form, commitments, versions)
        except _StaleSelection as stale:
            # Show the latest state and carry the latest versions: the editor has been told.
            commitments = stale.current
            versions = {c.pk: c.version for c in commitments}
            names = ", ".join(f"“{c}”" for c in stale.moved)
            form.add_error(
                None,
                gettext(
                    "Changed by somebody else since you opened this page: %(names)s. Nothing has "
                    "been recorded. Their current statuses are listed below; check them, then "
                    "record again."
                )
                % {"names": names},
            )
            return self._change_status_page(request, form, commitments, versions)
        except _InvalidUpdate as invalid:
            for field, errors in invalid.error.message_dict.items():
                for error in errors:
                    form.add_error(
                        field if field in form.fields else None, f"“{invalid.commitment}”: {error}"
                    )
            return self._change_status_page(request, form, commitments, versions)
        first = updates[0]
        self._log(
            request,
            commitments,
            f"Recorded a status update for several commitments: {first.get_status_display()}, "
            f"as of {first.as_of:%-d %B %Y}.",
        )
        if first.is_public:
            recorded = ngettext(
                "Recorded “%(status)s” as of %(date)s on %(count)s commitment: %(titles)s.",
                "Recorded “%(status)s” as of %(date)s on %(count)s commitments: %(titles)s.",
                len(updates),
            )
        else:
            recorded = ngettext(
                "Recorded “%(status)s” as of %(date)s on %(count)s commitment, as an internal "
                "note: %(titles)s.",
                "Recorded “%(status)s” as of %(date)s on %(count)s commitments, as an internal "
                "note: %(titles)s.",
                len(updates),
            )
        self.message_user(
            request,
            recorded
            % {
                "status": first.get_status_display(),
                "date": date_format(first.as_of),
                "count": len(updates),
                "titles": ", ".join(str(c) for c in commitments),
            },
            messages.SUCCESS,
        )
        return None

    def _record_all(self, request, form, commitments, versions) -> list[StatusUpdate]:
        """One update per commitment, all or none, on the versions the editor saw."""
        pks = [c.pk for c in commitments]
        with transaction.atomic():
            locked = {
                c.pk: c
                for c in Commitment.objects.select_for_update(of=("self",))
                .select_related("source")
                .filter(pk__in=pks)
            }
            current = [locked[pk] for pk in pks if pk in locked]
            moved = [c for c in current if c.version != versions.get(c.pk)]
            if moved or len(current) != len(pks):
                raise _StaleSelection(moved, current)
            updates = []
            for commitment in current:
                try:
                    updates.append(
                        commitment.save_edit(
                            update=form.update(),
                            expected_version=versions[commitment.pk],
                            user=request.user,
                        )
                    )
                except ValidationError as error:
                    # Leaving the block rolls back the updates already recorded.
                    raise _InvalidUpdate(commitment, error) from None
        return updates

    def _change_status_page(self, request, form, commitments, versions):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Record a status update on several commitments"),
            "opts": self.model._meta,
            "form": form,
            # Laid out like the change form, so the page looks and reads like the rest.
            "adminform": admin.helpers.AdminForm(
                form, [(gettext("The update"), {"fields": list(form.fields)})], {}
            ),
            "commitments": [(c, versions.get(c.pk)) for c in commitments],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tracker/commitment/change_status.html", context)


def next_to_review(exclude: int | None = None) -> Commitment | None:
    """The commitment that has waited longest for a review (never reviewed first)."""
    waiting = Commitment.objects.needs_review().exclude(pk=exclude).only("pk", "title")
    return waiting.order_by(
        models.F("last_reviewed").asc(nulls_first=True), "source_id", "position", "pk"
    ).first()


class _StaleSelection(Exception):
    def __init__(self, moved: list[Commitment], current: list[Commitment]):
        self.moved, self.current = moved, current


class _InvalidUpdate(Exception):
    def __init__(self, commitment: Commitment, error: ValidationError):
        self.commitment, self.error = commitment, error


def _posted_version(request: HttpRequest, pk: int) -> int | None:
    try:
        return int(request.POST.get(f"version-{pk}", ""))
    except ValueError:
        return None


# /admin/tracker/statusupdate/
@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyHistoryMixin, admin.ModelAdmin):
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
    )
    list_filter = ("status", "basis", "is_public", "as_of")
    search_fields = ("note", "commitment__title")
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
        "evidence",
        "basis",
        "correction",
        "author",
        "is_public",
        "created",
    )
    readonly_fields = fields


class MemberStateInline(admin.TabularInline):
    model = MemberState
    fields = ("name", "name_vi", "name_id", "slug", "joined_on", "position")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0


# /admin/tracker/membergroup/
@admin.register(MemberGroup)
class MemberGroupAdmin(admin.ModelAdmin):
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
class MemberStateAdmin(admin.ModelAdmin):
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
