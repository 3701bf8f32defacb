"""The admin's own pages: "Update status", the member grid, the bulk status change, and the
page that adds translations to an update's note.

The first three record status updates through Commitment.save_edit(); the last changes an
existing update's translations and nothing else. Each uses the admin only through its public
API (permissions, messages, the admin site's context), which the model admin passes in:
CommitmentAdmin.get_urls() registers two pages and its actions the bulk status change,
StatusUpdateAdmin.get_urls() the translation page.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.forms import (
    NOTE_TRANSLATIONS,
    BulkStatusForm,
    MemberGridForm,
    NoteTranslationForm,
    SingleStatusForm,
)
from tracker.models import (
    NOTE_LANGUAGES,
    TIMELINE_ORDER,
    Commitment,
    EditConflict,
    MemberUpdatesInvalid,
    StatusUpdate,
)
from tracker.versions import ContentVersion

# How many of a commitment's latest updates the "Update status" page shows beside its form.
UPDATES_BESIDE_FORM = 5


def describe_status_change(update: StatusUpdate) -> str:
    if update.is_status_change:
        return f"{update.get_previous_status_display()} → {update.get_status_display()}"
    return gettext("%(status)s (unchanged)") % {"status": update.get_status_display()}


def update_fieldsets(fields, title=None) -> list[tuple]:
    """An update form's fields laid out as the admin lays out a change form: the note's
    translations in a section of their own, collapsed (an HTML <details>), as they are
    optional and often written later, on the update's translation page."""
    fields = list(fields)
    main = [name for name in fields if name not in NOTE_TRANSLATIONS]
    translations = [name for name in fields if name in NOTE_TRANSLATIONS]
    fieldsets = [(title, {"fields": main})]
    if translations:
        fieldsets.append(
            (
                gettext("Translations of the note"),
                {
                    "fields": translations,
                    "classes": ["collapse"],
                    "description": gettext(
                        "Optional: the note in the site's other languages. Leave the note's own "
                        "language empty. Translations can also be added later."
                    ),
                },
            )
        )
    return fieldsets


def log_changes(request: HttpRequest, commitments: list[Commitment], message: str) -> None:
    """One entry per commitment in the admin's history, as Django logs its own edits."""
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=commitments,
        action_flag=CHANGE,
        change_message=message,
    )


def next_to_review(exclude: int | None = None) -> Commitment | None:
    """The commitment that has waited longest for a review (never reviewed first)."""
    waiting = Commitment.objects.needs_review().exclude(pk=exclude).only("pk", "title")
    return waiting.order_by(
        models.F("last_reviewed").asc(nulls_first=True), "source_id", "position", "pk"
    ).first()


# /admin/tracker/commitment/<pk>/update-status/: the editors' daily task


def update_status(
    request: HttpRequest, object_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Status, as of, note, evidence, basis and public, with the quote and the latest
    updates beside them; saved through Commitment.save_edit(), version-checked."""
    commitment = get_object_or_404(
        Commitment.objects.select_related("source", "owner", "proposer"), pk=object_id
    )
    if not model_admin.has_record_permission(request, commitment):
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
                return _after_update(request, model_admin, commitment, update)
    else:
        form = SingleStatusForm(initial={"loaded_version": commitment.version})
    updates = list(
        commitment.updates.filter(member__isnull=True)
        .select_related("author")
        .order_by(*TIMELINE_ORDER)[:UPDATES_BESIDE_FORM]
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Update the status of “%(title)s”") % {"title": commitment.title},
        "subtitle": None,
        "opts": model_admin.opts,
        "original": commitment,
        "commitment": commitment,
        "updates": updates,
        "form": form,
        "adminform": admin.helpers.AdminForm(
            form, update_fieldsets(n for n in form.fields if n != "loaded_version"), {}
        ),
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/tracker/commitment/update_status.html", context)


def _after_update(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    commitment: Commitment,
    update: StatusUpdate,
) -> HttpResponse:
    """Back to the list, saying what was recorded, with the next commitment to review."""
    model_admin.log_change(
        request, commitment, f"Recorded a status update: {describe_status_change(update)}."
    )
    recorded = (
        gettext("Recorded “%(status)s” on “%(title)s”, as of %(date)s.")
        if update.is_public
        else gettext("Recorded “%(status)s” on “%(title)s”, as of %(date)s, as an internal note.")
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
    model_admin.message_user(request, recorded, messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:tracker_commitment_changelist") + "?review=needed")


# /admin/tracker/commitment/<pk>/members/: several member states at once


def member_grid(
    request: HttpRequest, object_id: str, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Record several member states' statuses on one commitment, all at once or none."""
    try:
        pk = int(object_id)
    except ValueError:
        raise Http404 from None
    commitment = get_object_or_404(Commitment.objects.select_related("source"), pk=pk)
    if not model_admin.has_record_permission(request, commitment):
        raise PermissionDenied
    rows = list(commitment.member_progress.select_related("member"))
    if request.method != "POST":
        form = MemberGridForm(rows=rows, initial={"version": commitment.version})
        return _member_grid_page(request, model_admin, commitment, form)
    form = MemberGridForm(request.POST, rows=rows)
    if not form.is_valid():
        return _member_grid_page(request, model_admin, commitment, form)
    try:
        recorded = commitment.record_member_updates(
            form.member_updates(),
            expected_version=form.cleaned_data["version"],
            user=request.user,
        )
    except EditConflict:
        # Nothing was written. Show what is there now, and carry the latest version.
        commitment = Commitment.objects.select_related("source", "updated_by").get(pk=pk)
        who = str(commitment.updated_by) if commitment.updated_by_id else gettext("Somebody else")
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
        return _member_grid_page(request, model_admin, commitment, form)
    except MemberUpdatesInvalid as invalid:
        form.add_member_errors(invalid.by_member)
        return _member_grid_page(request, model_admin, commitment, form)
    names = ", ".join(f"{update.member} ({update.get_status_display()})" for update in recorded)
    # The admin's history is a shared record: its entries are written in English.
    model_admin.log_change(
        request,
        commitment,
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
    model_admin.message_user(
        request,
        recorded_message
        % {"count": len(recorded), "date": date_format(recorded[0].as_of), "names": names},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:tracker_commitment_change", args=[commitment.pk]))


def _member_grid_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    commitment: Commitment,
    form: MemberGridForm,
) -> HttpResponse:
    shared = ["as_of", "note", "note_language", *NOTE_TRANSLATIONS, "evidence_url", "basis"]
    shared.append("is_public")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Member states’ statuses on “%(title)s”") % {"title": commitment},
        "opts": model_admin.opts,
        "commitment": commitment,
        "form": form,
        "adminform": admin.helpers.AdminForm(
            form, update_fieldsets(shared, gettext("For every row given a status")), {}
        ),
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/tracker/commitment/member_grid.html", context)


# The changelist's action "Record a status update on the selected commitments"


@admin.action(
    description=_("Record a status update on the selected commitments"),
    permissions=["record"],
)
def change_status(model_admin: admin.ModelAdmin, request: HttpRequest, queryset):
    """Ask for one status, date, note and basis; record it on each commitment, atomically."""
    # The page lists titles and statuses only: no themes, but each source's event date.
    commitments = list(
        queryset.prefetch_related(None).select_related("source").order_by("source_id", "position")
    )
    if "apply" not in request.POST:
        versions = {c.pk: c.version for c in commitments}
        return _change_status_page(request, model_admin, BulkStatusForm(), commitments, versions)

    form = BulkStatusForm(request.POST)
    versions = {c.pk: _posted_version(request, c.pk) for c in commitments}
    if not form.is_valid():
        return _change_status_page(request, model_admin, form, commitments, versions)
    update, updates = form.update(), []
    try:
        # One update per commitment, all or none, each on the version the editor saw. A version
        # missing from the page is refused as changed: no commitment has version 0.
        with transaction.atomic():
            for commitment in commitments:
                updates.append(
                    commitment.save_edit(
                        update=update,
                        expected_version=versions[commitment.pk] or 0,
                        user=request.user,
                    )
                )
    except (EditConflict, Commitment.DoesNotExist):
        # Nothing was recorded. Show the latest state and carry the latest versions: the editor
        # has been told. Every commitment that moved on is named, not only the first one found.
        commitments = _as_saved(commitments)
        moved = [c for c in commitments if c.version != versions[c.pk]]
        form.add_error(
            None,
            gettext(
                "Changed by somebody else since you opened this page: %(names)s. Nothing has "
                "been recorded. Their current statuses are listed below; check them, then "
                "record again."
            )
            % {"names": ", ".join(f"“{c}”" for c in moved)},
        )
        versions = {c.pk: c.version for c in commitments}
        return _change_status_page(request, model_admin, form, commitments, versions)
    except ValidationError as error:
        # `commitment` is the one that broke a rule: leaving the block undid the others.
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(
                    field if field in form.fields else None, f"“{commitment}”: {message}"
                )
        return _change_status_page(request, model_admin, form, _as_saved(commitments), versions)
    first = updates[0]
    log_changes(
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
    model_admin.message_user(
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


def _as_saved(commitments: list[Commitment]) -> list[Commitment]:
    """The commitments as the database has them, after save_edit() has changed some in memory."""
    return list(
        Commitment.objects.filter(pk__in=[c.pk for c in commitments])
        .select_related("source")
        .order_by("source_id", "position")
    )


def _posted_version(request: HttpRequest, pk: int) -> int | None:
    try:
        return int(request.POST.get(f"version-{pk}", ""))
    except ValueError:
        return None


def _change_status_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    form: BulkStatusForm,
    commitments: list[Commitment],
    versions: dict[int, int | None],
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Record a status update on several commitments"),
        "opts": model_admin.opts,
        "form": form,
        # Laid out like the change form, so the page looks and reads like the rest.
        "adminform": admin.helpers.AdminForm(
            form, update_fieldsets(form.fields, gettext("The update")), {}
        ),
        "commitments": [(c, versions.get(c.pk)) for c in commitments],
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/tracker/commitment/change_status.html", context)


# /admin/tracker/statusupdate/<pk>/translate/: translations of an update's note


def translate_note(
    request: HttpRequest, object_id: int, *, model_admin: admin.ModelAdmin
) -> HttpResponse:
    """Add or improve the translations of an update's note, and change nothing else of it.

    Saved with the row locked and checked against the translations the form was loaded with
    (NoteTranslationForm.save()), in one write that moves the content version on; logged in
    the admin's history with the languages changed.
    """
    update = get_object_or_404(
        StatusUpdate.objects.select_related("commitment", "member", "author"), pk=object_id
    )
    if not model_admin.has_translate_permission(request, update):
        raise PermissionDenied
    back = reverse("admin:tracker_statusupdate_change", args=[update.pk])
    if not update.note.strip():
        model_admin.message_user(
            request, gettext("This update has no note to translate."), messages.WARNING
        )
        return HttpResponseRedirect(back)
    if request.method != "POST":
        form = NoteTranslationForm(update)
        return _translate_note_page(request, model_admin, update, form)
    form = NoteTranslationForm(update, request.POST)
    if not form.is_valid():
        return _translate_note_page(request, model_admin, update, form)
    with ContentVersion.one_write():
        current = StatusUpdate.objects.select_for_update().get(pk=update.pk)
        changed = form.save(current)
    if form.errors:
        return _translate_note_page(request, model_admin, current, form)
    if not changed:
        model_admin.message_user(
            request, gettext("No translation was changed, so nothing was saved."), messages.INFO
        )
        return HttpResponseRedirect(back)
    names = dict(NOTE_LANGUAGES)
    # The admin's history is a shared record: its entries are written in English.
    with translation.override("en"):
        languages = ", ".join(
            str(names[name.removeprefix("note_translation_")]) for name in changed
        )
    model_admin.log_change(request, current, f"Changed the note's translations: {languages}.")
    model_admin.message_user(
        request,
        gettext("Saved the translations of the note of “%(update)s”.") % {"update": current},
        messages.SUCCESS,
    )
    return HttpResponseRedirect(back)


def _translate_note_page(
    request: HttpRequest,
    model_admin: admin.ModelAdmin,
    update: StatusUpdate,
    form: NoteTranslationForm,
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Translations of the note of “%(update)s”") % {"update": update},
        "subtitle": None,
        "opts": model_admin.opts,
        "original": update,
        "update": update,
        "form": form,
        "adminform": admin.helpers.AdminForm(form, [(None, {"fields": form.names})], {}),
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/tracker/statusupdate/translate_note.html", context)
