"""The editors' admin. Every changelist runs a fixed number of queries, whatever its length.

Status is never edited directly: the commitment change page records a status update through
Commitment.record_update(), and the history it writes is read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest
from django.utils.html import format_html

from tracker.forms import CommitmentChangeForm, CommitmentForm
from tracker.models import Actor, Commitment, Source, StatusUpdate, Theme

# Bare "example.org" becomes https://; Django 6 makes this the default.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def _status_change(update: StatusUpdate) -> str:
    if update.is_status_change:
        return f"{update.get_previous_status_display()} → {update.get_status_display()}"
    return f"{update.get_status_display()} (unchanged)"


def _evidence_link(update: StatusUpdate) -> str:
    if not update.evidence_url:
        return ""
    return format_html(
        '<a href="{}" rel="noopener noreferrer">{}</a>', update.evidence_url, update.evidence_url
    )


# /admin/tracker/source/
@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("title", "event_name", "event_date", "commitment_count")
    list_filter = ("event_date",)
    search_fields = ("title", "event_name", "publisher")
    # Meta.ordering is ignored once a Count() groups the query; say it again here.
    ordering = ("-event_date", "title")
    prepopulated_fields = {"slug": ("title",)}
    formfield_overrides = URL_FIELD_OVERRIDES

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(commitment_count=Count("commitments"))

    @admin.display(description="commitments", ordering="commitment_count")
    def commitment_count(self, obj: Source) -> int:
        return obj.commitment_count


# /admin/tracker/actor/
@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "role", "affiliation", "owned_count", "proposed_count")
    list_filter = ("kind",)
    # Also what the commitment form's proposer, owner and partner autocompletes search.
    search_fields = ("name", "role", "affiliation")
    # Meta.ordering is ignored once a Count() groups the query, and the autocomplete pages
    # through this queryset: without an explicit order, pages could repeat or skip actors.
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest):
        # Two joins in one query multiply rows, so each count must be distinct.
        return (
            super()
            .get_queryset(request)
            .annotate(
                owned_count=Count("owned_commitments", distinct=True),
                proposed_count=Count("proposed_commitments", distinct=True),
            )
        )

    @admin.display(description="owns", ordering="owned_count")
    def owned_count(self, obj: Actor) -> int:
        return obj.owned_count

    @admin.display(description="proposed", ordering="proposed_count")
    def proposed_count(self, obj: Actor) -> int:
        return obj.proposed_count


# /admin/tracker/theme/
@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "commitment_count")
    list_display_links = ("name",)
    list_editable = ("position",)
    search_fields = ("name",)
    # Meta.ordering is ignored once a Count() groups the query; say it again here.
    ordering = ("position", "name")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(commitment_count=Count("commitments"))

    @admin.display(description="commitments", ordering="commitment_count")
    def commitment_count(self, obj: Theme) -> int:
        return obj.commitment_count


class StatusUpdateInline(admin.TabularInline):
    """A commitment's history, newest first. Read-only: it is only ever appended to."""

    model = StatusUpdate
    fields = ("as_of", "status_change", "note", "evidence", "author", "is_public", "created")
    readonly_fields = fields
    ordering = ("-as_of", "-created", "-pk")
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "status history"

    def get_queryset(self, request: HttpRequest):
        # str(update) names its commitment: the tabular inline prints it above every row.
        return super().get_queryset(request).select_related("commitment", "author")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="status")
    def status_change(self, obj: StatusUpdate) -> str:
        return _status_change(obj)

    @admin.display(description="evidence")
    def evidence(self, obj: StatusUpdate) -> str:
        return _evidence_link(obj)


# /admin/tracker/commitment/
@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    form = CommitmentChangeForm
    list_display = ("title", "status", "owner", "theme_names", "last_update", "is_published")
    list_filter = (
        "status",
        "themes",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "source",
        "is_published",
    )
    list_select_related = ("owner",)
    # Matches on partners can't duplicate rows: Django filters m2m searches with EXISTS.
    search_fields = (
        "title",
        "summary",
        "quote",
        "proposer__name",
        "owner__name",
        "partners__name",
    )
    search_help_text = "Searches titles, summaries, quotes and the names of the actors involved."
    autocomplete_fields = ("proposer", "owner", "partners", "themes")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("status", "status_date")
    # Only Django's delete for now. Bulk actions added later must also call record_update().
    actions = ["delete_selected"]

    fieldsets = (
        (None, {"fields": ("title", "slug", "source", "heading", "position")}),
        ("What was promised", {"fields": ("summary", "quote", "target_date")}),
        ("Who", {"fields": ("proposer", "owner", "partners")}),
        ("Themes and publication", {"fields": ("themes", "is_published")}),
        (
            "Current status",
            {
                "fields": ("status", "status_date"),
                "description": "To change the status, record a status update below.",
            },
        ),
    )
    update_fieldset = (
        "Record a status update",
        {
            "fields": ("new_status", "as_of", "note", "evidence_url", "is_public"),
            "description": "Leave “New status” empty to save the commitment without an update. "
            "Updates are added to the history below and cannot be edited afterwards.",
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
            .prefetch_related("themes")
        )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        # A new commitment starts "Not yet assessed"; updates are recorded once it exists.
        if obj is None:
            return self.fieldsets
        return (*self.fieldsets, self.update_fieldset)

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CommitmentForm
        return super().get_form(request, obj, change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj):
        return [StatusUpdateInline] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Commitment, form, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Leave status alone: this instance was read before the lock record_update() takes,
        # so saving it whole could overwrite a status another editor has just recorded.
        obj.save(
            update_fields=[
                field.name
                for field in obj._meta.concrete_fields
                if not field.primary_key and field.name not in ("status", "status_date")
            ]
        )
        update_kwargs = form.status_update()
        if update_kwargs is None:
            return
        update = obj.record_update(**update_kwargs, author=request.user)
        if update.is_status_change:
            message = (
                f"Status changed from {update.get_previous_status_display()} to "
                f"{update.get_status_display()}, as of {update.as_of:%-d %B %Y}."
            )
        else:
            message = (
                f"Progress note recorded; the status stays {update.get_status_display()}, "
                f"as of {update.as_of:%-d %B %Y}."
            )
        self.message_user(request, message)

    @admin.display(description="themes")
    def theme_names(self, obj: Commitment) -> str:
        return ", ".join(theme.name for theme in obj.themes.all())

    @admin.display(description="last update", ordering="last_update", empty_value="—")
    def last_update(self, obj: Commitment):
        return obj.last_update


# /admin/tracker/statusupdate/
@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    """The whole history, for reading. Updates are recorded from a commitment's change page."""

    list_display = (
        "commitment",
        "previous_status",
        "status",
        "as_of",
        "author",
        "is_public",
        "created",
    )
    list_filter = ("status", "is_public", "as_of")
    search_fields = ("note", "commitment__title")
    list_select_related = ("commitment", "author")
    date_hierarchy = "as_of"
    fields = (
        "commitment",
        "status_change",
        "as_of",
        "note",
        "evidence",
        "author",
        "is_public",
        "created",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="status")
    def status_change(self, obj: StatusUpdate) -> str:
        return _status_change(obj)

    @admin.display(description="evidence")
    def evidence(self, obj: StatusUpdate) -> str:
        return _evidence_link(obj)
