"""Forms for editors. The public site has no forms: it only reads."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    NOTE_LANGUAGES,
    TIMELINE_ORDER,
    Basis,
    Commitment,
    MemberState,
    Status,
    StatusUpdate,
)
from tracker.validators import validate_plain_text

# How many of a commitment's latest updates the change form offers to correct.
CORRECTABLE_UPDATES = 50

# The hidden fields a versioned form carries from the page the editor loaded.
TOKEN_FIELDS = ("loaded_version", "loaded_snapshot")
SNAPSHOT_SALT = "tracker.forms.commitment-snapshot"


class CommitmentForm(forms.ModelForm):
    """A commitment's own fields. Status is not among them: only record_update() writes it."""

    class Meta:
        model = Commitment
        # Listed, not excluded, so a field added to the model is not editable until chosen here.
        fields = [
            "title",
            "slug",
            "source",
            "heading",
            "position",
            "summary",
            "quote",
            "kind",
            "target_date",
            "proposer",
            "owner",
            "partners",
            "member_group",
            "themes",
            "is_published",
            # The editors' Vietnamese and Indonesian texts, and translations of the quote
            # (docs/languages.md); the quote itself is never translated in place.
            "title_vi",
            "summary_vi",
            "quote_translation_vi",
            "title_id",
            "summary_id",
            "quote_translation_id",
            "quote_translation_en",
        ]


class SourceForm(forms.ModelForm):
    """A source's form, posted as multipart/form-data, which carries text as it is.

    Its full text can run to 2,000,000 characters. The admin posts a form without a file
    urlencoded, which writes each byte of a non-ASCII character as three ("%E0%B8%81"): a Thai
    report would post 18 MB rather than 6, over DATA_UPLOAD_MAX_MEMORY_SIZE.
    """

    def is_multipart(self) -> bool:
        return True


def _plain(value):
    """A value reduced to what a snapshot stores and compares: pks, ISO dates, tidy text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, models.QuerySet)):
        return sorted(_plain(item) for item in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        # Browsers post textareas with CRLF; the database may hold LF.
        return value.replace("\r\n", "\n").strip()
    return value


def _when(moment: datetime.datetime) -> str:
    moment = timezone.localtime(moment)
    # Translators: a moment, e.g. “15 January 2026 at 14:30”.
    return gettext("%(date)s at %(time)s") % {
        "date": date_format(moment),
        "time": date_format(moment, "TIME_FORMAT"),
    }


def _describe_update(update: StatusUpdate) -> str:
    change = (
        f"{update.get_previous_status_display()} → {update.get_status_display()}"
        if update.is_status_change
        else gettext("progress note, status stays %(status)s")
        % {"status": update.get_status_display()}
    )
    values = {"change": change, "date": date_format(update.as_of), "author": update.author}
    if update.author_id:
        return gettext("%(change)s, as of %(date)s by %(author)s") % values
    return gettext("%(change)s, as of %(date)s") % values


class VersionedForm(forms.ModelForm):
    """Refuses to save over what somebody else saved after this form was loaded.

    The page carries the commitment's version and a signed snapshot of what it showed. If the
    row's version has moved on when the form comes back, the snapshot says what changed: those
    fields get an error naming the new value and nothing is saved. Fields the editor had left
    alone now show the other editor's values and the editor's own changes stay in the form, so
    saving again loses nobody's work. When only things the form neither shows nor writes moved
    on (say, "Mark reviewed"), there is nothing to overwrite and the save goes ahead.
    """

    # Not named "version": a model form may not name the model's non-editable field.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    loaded_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            self.initial["loaded_version"] = self.instance.version
            self.initial["loaded_snapshot"] = self._sign(self._current_values(use_initial=True))

    @property
    def changed_data(self) -> list[str]:
        # The tokens differ whenever the row moved on; that is not the editor's change.
        return [name for name in super().changed_data if name not in TOKEN_FIELDS]

    def model_fields(self) -> list[models.Field]:
        """The commitment's fields this form edits (not those shown read-only)."""
        opts = self._meta.model._meta
        fields = []
        for name in self.fields:
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            # The changelist's rows carry the primary key as a field; it is never edited.
            if (field.concrete and not field.primary_key) or field.many_to_many:
                fields.append(field)
        return fields

    def _current_values(self, use_initial: bool = False) -> dict:
        """What the page shows of the row as it is in the database now."""
        values = {}
        for field in self.model_fields():
            if field.many_to_many:
                # On a fresh page the form has already fetched these for its initial values.
                items = (
                    self.initial.get(field.name, [])
                    if use_initial
                    else getattr(self.instance, field.name).all()
                )
                values[field.name] = _plain(list(items))
            else:
                values[field.name] = _plain(field.value_from_object(self.instance))
        values.update(self._watched_values())
        return values

    def _watched_values(self) -> dict:
        """Things the page shows beside its fields whose change the editor must be told of."""
        return {}

    def _sign(self, values: dict) -> str:
        return signing.dumps(
            {"version": self.instance.version, "values": values}, salt=SNAPSHOT_SALT, compress=True
        )

    def _loaded_values(self, version: int) -> dict | None:
        try:
            loaded = signing.loads(
                self.data.get(self.add_prefix("loaded_snapshot"), ""), salt=SNAPSHOT_SALT
            )
        except signing.BadSignature:
            return None
        return loaded["values"] if loaded.get("version") == version else None

    def _is_recording_update(self) -> bool:
        return False

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("loaded_version")
        if self.instance.pk is None or version == self.instance.version:
            return cleaned
        # A form without a readable version or snapshot (tampered with, or from an older page)
        # cannot show what changed: it is refused like any other stale form.
        loaded = None if version is None else self._loaded_values(version)
        current = self._current_values()
        if loaded is None:
            self.add_error(
                None,
                gettext(
                    "This form cannot tell whether somebody else changed the commitment since you "
                    "opened it, so nothing has been saved. It now carries the latest version: "
                    "check the current values, then save again."
                ),
            )
            self._refresh_tokens(current)
            return cleaned
        changed = [name for name in current if current[name] != loaded.get(name)]
        if not changed:
            cleaned["loaded_version"] = self.instance.version
            return cleaned
        self._report_conflict(changed, loaded, current, cleaned)
        return cleaned

    def _report_conflict(self, changed: list[str], loaded: dict, current: dict, cleaned) -> None:
        instance = self.instance
        who = str(instance.updated_by) if instance.updated_by_id else gettext("Somebody else")
        labels = []
        for name in changed:
            if name not in self.fields:
                continue
            field = instance._meta.get_field(name)
            labels.append(str(field.verbose_name))
            shown = self._display(field)
            mine = _plain(cleaned[name]) if name in cleaned else None
            if name in cleaned and mine == loaded.get(name):
                # The editor left this field alone: take the other editor's value.
                self._set_data(field)
                self.add_error(
                    name,
                    gettext(
                        "%(who)s changed this to %(value)s while you were editing; it shows "
                        "their value now."
                    )
                    % {"who": who, "value": shown},
                )
            else:
                self.add_error(
                    name,
                    gettext(
                        "%(who)s changed this to %(value)s while you were editing. Your value is "
                        "kept here: saving again replaces theirs."
                    )
                    % {"who": who, "value": shown},
                )
        news = self._history_news(loaded, current)
        if news:
            labels.append(gettext("status history"))
            if self._is_recording_update():
                self.add_error(
                    "new_status",
                    gettext(
                        "A status update was recorded while you were editing: %(news)s. Check "
                        "that yours still applies, then save again."
                    )
                    % {"news": news},
                )
        summary = gettext(
            "%(who)s saved this commitment on %(when)s, after you opened it. Nothing has been "
            "saved. Changed since you opened it: %(fields)s."
        ) % {"who": who, "when": _when(instance.updated), "fields": ", ".join(labels)}
        if news:
            summary += " " + gettext("New in the history: %(news)s.") % {"news": news}
        self.add_error(
            None,
            summary
            + " "
            + gettext("Your own changes are still in the form: check them, then save again."),
        )
        self._refresh_tokens(current)

    def _history_news(self, loaded: dict, current: dict) -> str:
        return ""

    def _display(self, field: models.Field) -> str:
        """The row's current value of `field`, as an editor reads it."""
        value = getattr(self.instance, field.name)
        if field.many_to_many:
            names = [str(item) for item in value.all()]
            return f"“{', '.join(names)}”" if names else gettext("nothing")
        if value is None or value == "":
            return gettext("nothing")
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, datetime.date):
            return date_format(value)
        if field.choices:
            value = getattr(self.instance, f"get_{field.name}_display")()
        text = str(value)
        return f"“{text if len(text) <= 200 else text[:199] + '…'}”"

    def _set_data(self, field: models.Field) -> None:
        """Put the row's current value of `field` into the form, as a browser would post it."""
        key = self.add_prefix(field.name)
        self._ensure_mutable_data()
        if field.many_to_many:
            self.data.setlist(
                key, [str(item.pk) for item in getattr(self.instance, field.name).all()]
            )
            return
        value = field.value_from_object(self.instance)
        if isinstance(value, bool):
            if value:
                self.data[key] = "on"
            else:
                self.data.pop(key, None)
        elif isinstance(value, datetime.date):
            self.data[key] = value.isoformat()
        else:
            self.data[key] = "" if value is None else str(value)

    def _refresh_tokens(self, current: dict) -> None:
        """Carry the latest version in the form: the editor has now been told what changed."""
        self._ensure_mutable_data()
        self.data[self.add_prefix("loaded_version")] = str(self.instance.version)
        self.data[self.add_prefix("loaded_snapshot")] = self._sign(current)

    def _ensure_mutable_data(self) -> None:
        if not getattr(self.data, "_mutable", True):
            self.data = self.data.copy()


def _update_field(name: str, **kwargs) -> forms.Field:
    """A form field built from StatusUpdate's model field, so labels and limits stay in step."""
    return StatusUpdate._meta.get_field(name).formfield(**kwargs)


def _not_in_future(value: datetime.date) -> None:
    # The model says so too, but only once every other field is valid: said by the field, a
    # future date is flagged on the first submit, with whatever else needs correcting.
    if value and value > timezone.localdate():
        raise ValidationError(
            gettext(
                "The as-of date cannot be in the future: record what is true today or earlier."
            ),
            code="future",
        )


def _as_of_field(**kwargs) -> forms.Field:
    """The as-of date of an update: today or earlier."""
    field = _update_field("as_of", **kwargs)
    field.validators.append(_not_in_future)
    return field


# A note's translations, in the order the forms show them.
NOTE_TRANSLATIONS = tuple(f"note_translation_{code}" for code, _name in NOTE_LANGUAGES)


def _editor_language() -> str:
    """The language a new note is taken to be in: the editor's admin language (their language
    cookie, tracker.languages.AdminLanguageMiddleware)."""
    language = get_language()
    return language if language in dict(NOTE_LANGUAGES) else "en"


def _translation_field(name: str) -> forms.Field:
    # Marked with its language, so spelling checkers and screen readers treat it as such.
    language = name.removeprefix("note_translation_")
    field = _update_field(
        name,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "lang": language}),
    )
    # The model refuses control characters too, but in the member grid a shared field's
    # error would land on each row: said by the field, it is said once, where it was typed.
    field.validators.append(validate_plain_text)
    return field


def translation_errors(note: str, language: str, translations: dict[str, str]) -> dict:
    """StatusUpdate.translation_problems() for a form's values, by field."""
    update = StatusUpdate(note=note or "", note_language=language, **translations)
    return update.translation_problems()


class CorrectsChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StatusUpdate) -> str:
        note = obj.note if len(obj.note) <= 60 else obj.note[:59] + "…"
        return f"{date_format(obj.as_of)}: {obj.get_status_display()}" + (
            f" – {note}" if note else ""
        )


class StatusUpdateForm(forms.Form):
    """A status update's fields, declared once for every admin page that records updates.

    The change form, the "Update status" page, the bulk status change and each row of the member
    grid use it: each drops the fields it does not ask for (`name = None`) and says what its page
    needs said. update() is what Commitment.save_edit() takes.
    """

    # StatusUpdate's field → this form's field, in the order the pages show them.
    FIELD_NAMES = {
        name: name
        for name in (
            "status",
            "as_of",
            "note",
            "note_language",
            *NOTE_TRANSLATIONS,
            "evidence_url",
            "basis",
            "is_public",
            "corrects",
        )
    }

    status = forms.ChoiceField(
        label=_("New status"), choices=[("", _("— choose —")), *Status.choices]
    )
    as_of = _as_of_field(initial=timezone.localdate, widget=admin_widgets.AdminDateWidget)
    note = _update_field(
        "note",
        required=True,
        # The change form's words too, so every page explains a missing note the same way.
        error_messages={"required": _("Write a note saying why: it is shown with the update.")},
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )
    # Offered in the editor's own language; a form posted without it (a script) is English,
    # the model's default.
    note_language = forms.ChoiceField(
        # Not "Language of the note:", which a label lookup for "Note:" also finds.
        label=_("The note's language"),
        choices=NOTE_LANGUAGES,
        required=False,
        initial=_editor_language,
        help_text=StatusUpdate._meta.get_field("note_language").help_text,
    )
    note_translation_en = _translation_field("note_translation_en")
    note_translation_vi = _translation_field("note_translation_vi")
    note_translation_id = _translation_field("note_translation_id")
    evidence_url = _update_field(
        "evidence_url", required=False, widget=admin_widgets.AdminURLFieldWidget
    )
    basis = forms.ChoiceField(
        label=_("Basis of the assessment"),
        choices=Basis.choices,
        widget=admin_widgets.AdminRadioSelect(attrs={"class": "radiolist"}),
        help_text=StatusUpdate._meta.get_field("basis").help_text,
        # A missing basis explained in the model's own words, as on the change form.
        error_messages={"required": StatusUpdate._meta.get_field("basis").error_messages["blank"]},
    )
    is_public = _update_field("is_public", required=False, initial=True)
    corrects = CorrectsChoiceField(
        queryset=StatusUpdate.objects.none(),
        required=False,
        empty_label=_("— not a correction —"),
        help_text=StatusUpdate._meta.get_field("corrects").help_text,
    )

    def __init__(self, *args, member: MemberState | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_note_language(self) -> str:
        return self.cleaned_data.get("note_language") or "en"

    def clean(self):
        cleaned = super().clean()
        if "note_language" in self.fields:
            translations = {
                name: cleaned.get(name) or "" for name in NOTE_TRANSLATIONS if name in self.fields
            }
            problems = translation_errors(
                cleaned.get("note"), cleaned.get("note_language") or "en", translations
            )
            for name, message in problems.items():
                if name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def update(self) -> dict:
        """save_edit()'s `update`, or one of its `member_updates` for a member's form."""
        update = {
            model: self.cleaned_data[form]
            for model, form in self.FIELD_NAMES.items()
            if form in self.fields
        }
        if self.member is not None:
            update["member"] = self.member
        return update


class CommitmentEditForm(VersionedForm, CommitmentForm):
    """The change form for an editor who may change a commitment but not record updates."""

    def _watched_values(self) -> dict:
        # The page shows the current status and the history; an update recorded meanwhile
        # changes what the editor based their edit on.
        return {
            "status": self.instance.status,
            "status_date": _plain(self.instance.status_date),
            "updates": self.instance.updates.count(),
        }

    def _history_news(self, loaded: dict, current: dict) -> str:
        new = current["updates"] - loaded.get("updates", 0)
        if new <= 0:
            return ""
        updates = self.instance.updates.select_related("author").order_by("-created", "-pk")
        return "; ".join(_describe_update(update) for update in updates[:new])


class CommitmentChangeForm(StatusUpdateForm, CommitmentEditForm):
    """The change form: a commitment's fields plus an optional status update to record."""

    # Here "status" is the commitment's own, shown read-only: the update's is "new_status".
    FIELD_NAMES = {**StatusUpdateForm.FIELD_NAMES, "status": "new_status"}
    status = None
    new_status = StatusUpdateForm.base_fields["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.FIELD_NAMES.values():
            # After the commitment's own fields, in the update's order: the admin's history
            # names the changed fields in this order.
            self.fields[name] = self.fields.pop(name)
            # Optional: leaving "New status" empty saves the commitment alone (see clean()).
            self.fields[name].required = False
        new_status = self.fields["new_status"]
        new_status.choices = [("", _("— no update —")), *Status.choices]
        new_status.help_text = _(
            "Choose the current status again to add a progress note that keeps it."
        )
        # Plain inputs, as this page has always had, not the admin's date and link widgets.
        for name, widget in (("as_of", forms.DateInput()), ("evidence_url", forms.URLInput())):
            widget.attrs.update(self.fields[name].widget_attrs(widget))
            self.fields[name].widget = widget
        if self.instance.pk is not None:
            # The latest ones only: a long history must not make the page huge. A correction
            # is dated on or after the latest update, and mistakes are put right soon after.
            latest = self.instance.updates.order_by(*TIMELINE_ORDER).values("pk")
            self.fields["corrects"].queryset = StatusUpdate.objects.filter(
                pk__in=latest[:CORRECTABLE_UPDATES]
            ).order_by(*TIMELINE_ORDER)
            if self.instance.member_group_id is not None:
                # Said before the editor tries, not only in the error after.
                new_status.help_text = _(
                    "Carried out by each member state: the status is worked out from the member "
                    "states’ statuses (record them with “Record member states’ statuses”). Choose "
                    "the current status again to add a progress note on the commitment as a whole."
                )

    def _is_recording_update(self) -> bool:
        return bool(self.cleaned_data.get("new_status"))

    def clean(self):
        # Read first: an edit conflict reported on "new_status" removes it from cleaned_data.
        new_status = self.cleaned_data.get("new_status")
        cleaned = super().clean()
        if new_status:
            if not cleaned.get("as_of") and "as_of" not in self.errors:
                self.add_error("as_of", gettext("Give the date the new status describes."))
            if not cleaned.get("note") and "note" not in self.errors:
                self.add_error(
                    "note", gettext("Write a note saying why: it is shown with the update.")
                )
            if not cleaned.get("basis") and "basis" not in self.errors:
                self.add_error(
                    "basis", StatusUpdate._meta.get_field("basis").error_messages["blank"]
                )
            self._validate_update(cleaned)
        else:
            # An orphan note would be silently dropped; say so rather than lose the editor's work.
            filled = [
                str(label)
                for field, label in (
                    ("note", _("note")),
                    ("evidence_url", _("evidence URL")),
                    ("basis", _("basis")),
                    ("corrects", _("correction")),
                )
                if cleaned.get(field)
            ]
            if any(cleaned.get(name) for name in NOTE_TRANSLATIONS):
                filled.append(str(_("translation of the note")))
            if filled:
                listed = (
                    filled[0]
                    if len(filled) == 1
                    else gettext("%(items)s and %(last)s")
                    % {"items": ", ".join(filled[:-1]), "last": filled[-1]}
                )
                self.add_error(
                    "new_status",
                    ngettext(
                        "Choose a new status to record the %(fields)s with, or clear it. To keep "
                        "the current status, choose it again.",
                        "Choose a new status to record the %(fields)s with, or clear them. To "
                        "keep the current status, choose it again.",
                        len(filled),
                    )
                    % {"fields": listed},
                )
        return cleaned

    def _validate_update(self, cleaned) -> None:
        """Run the model's own rules now, so their errors land on this form's fields."""
        failed = set(self.errors)
        update = StatusUpdate(
            commitment=self.instance,
            previous_status=self.instance.status,
            **{model: cleaned.get(form) for model, form in self.FIELD_NAMES.items()},
        )
        update.note = update.note or ""
        update.evidence_url = update.evidence_url or ""
        update.basis = update.basis or ""
        update.note_language = update.note_language or "en"
        for name in NOTE_TRANSLATIONS:
            setattr(update, name, getattr(update, name) or "")
        update.is_public = bool(update.is_public)
        exclude = [model for model, form in self.FIELD_NAMES.items() if form in failed]
        try:
            update.full_clean(exclude=["commitment", "author", *exclude])
        except forms.ValidationError as error:
            for model_field, messages in error.message_dict.items():
                form_field = self.FIELD_NAMES.get(model_field)
                if form_field in failed:
                    continue
                for message in messages:
                    self.add_error(form_field, message)

    def update(self) -> dict | None:
        """The update to record, or None if none was asked for."""
        return super().update() if self.cleaned_data.get("new_status") else None


class CommitmentRowForm(VersionedForm):
    """One row of the commitments changelist, with its list-editable fields."""

    class Meta:
        model = Commitment
        fields = ["target_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django gives list-editable inputs no label (Django ticket #36509), and points them at
        # a help text the changelist never shows: name each after its row instead.
        target_date = self.fields["target_date"]
        target_date.help_text = ""
        target_date.widget.attrs["aria-label"] = gettext("Target date of “%(title)s”") % {
            "title": self.instance.title
        }


class BulkStatusForm(StatusUpdateForm):
    """One status, date, note and basis, recorded as its own update on each chosen commitment."""

    # A correction names one commitment's update.
    corrects = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].help_text = _(
            "Shown with each commitment's update, e.g. “Ministers endorsed the work plan "
            "covering these commitments.”"
        )


class SingleStatusForm(StatusUpdateForm):
    """The focused "Update status" form for one commitment, carrying the version it was opened
    at, so a save over somebody else's newer update is refused."""

    corrects = None
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].help_text = _(
            "The date the status describes: pick it from the calendar or type it as 2026-06-30."
        )
        self.fields["note"].help_text = _(
            "Shown with the update on the public page, e.g. “Ministers adopted the framework "
            "at their June meeting.”"
        )


class MemberStatusForm(StatusUpdateForm):
    """One member state's row of the member grid: a new status and a note of its own."""

    # Asked once for every row, by MemberGridForm. A row's own note is in the language chosen
    # there; translations are given there for the shared note, and later for a row's own note
    # on the update's translation page.
    as_of = evidence_url = basis = is_public = corrects = None
    note_language = note_translation_en = note_translation_vi = note_translation_id = None

    def __init__(self, data=None, *, member: MemberState):
        super().__init__(data, prefix=member.slug, member=member)
        name = member.translated("name")[0]
        status, note = self.fields["status"], self.fields["note"]
        status.label = gettext("New status for %(member)s") % {"member": name}
        status.choices = [("", _("— no change —")), *Status.choices]
        status.required = False
        note.label = gettext("Note for %(member)s") % {"member": name}
        note.help_text = ""
        note.required = False
        note.widget.attrs.update(rows=2, cols=40)

    def add_prefix(self, field_name: str) -> str:
        # "status-viet-nam", as the grid has always named its inputs.
        return f"{field_name}-{self.prefix}"


class MemberGridForm(StatusUpdateForm):
    """Several member states' statuses on one commitment, each recorded as its own update.

    One MemberStatusForm per member: a new status (or none, to leave that member alone) and an
    optional note of its own. This form's as-of date, note, evidence, basis and public flag
    apply to every row given a status; a row's own note replaces the shared one. `version` is
    the commitment's version when the page was loaded: save_edit() refuses the whole form if it
    moved on.
    """

    status = corrects = None
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data=None, *, rows, **kwargs):
        """`rows` are the commitment's MemberProgress rows, with their members."""
        super().__init__(data, **kwargs)
        note = self.fields["note"]
        note.label = _("Note for every row")
        note.help_text = _(
            "Used for each member state given a status without a note of its own, e.g. "
            "“National reports to the ministers’ June meeting.”"
        )
        note.required = False
        note.widget.attrs["rows"] = 3
        self.rows = list(rows)
        self.member_forms = [MemberStatusForm(data, member=row.member) for row in self.rows]

    @property
    def errors(self) -> ErrorDict:
        """The shared fields' errors and every row's, under the names the page posts."""
        errors = ErrorDict(super().errors, renderer=self.renderer)
        for form in self.member_forms:
            errors.update((form.add_prefix(name), error) for name, error in form.errors.items())
        return errors

    def full_clean(self):
        # The rows first: clean() reads which were given a status.
        for form in self.member_forms:
            form.full_clean()
        super().full_clean()

    def row_fields(self):
        """(progress row, its status field, its note field), for the template."""
        return [
            (row, form["status"], form["note"])
            for row, form in zip(self.rows, self.member_forms, strict=True)
        ]

    def chosen(self) -> list[MemberStatusForm]:
        """The rows given a new status."""
        return [form for form in self.member_forms if form.cleaned_data.get("status")]

    def clean(self):
        cleaned = super().clean()
        chosen = self.chosen()
        if not chosen:
            raise forms.ValidationError(
                gettext(
                    "Choose a new status for at least one member state: rows left at “no change” "
                    "are not recorded."
                )
            )
        for form in chosen:
            if not form.cleaned_data.get("note") and not cleaned.get("note"):
                form.add_error(
                    "note",
                    gettext(
                        "Write a note for %(member)s, or a note for every row above: it is shown "
                        "with the update."
                    )
                    % {"member": form.member.translated("name")[0]},
                )
        return cleaned

    def member_updates(self) -> list[dict]:
        """The `member_updates` for Commitment.save_edit(): one per row given a status."""
        shared = self.update()
        updates = []
        for form in self.chosen():
            update = {**shared, **form.update()}
            if form.cleaned_data["note"]:
                # The shared translations translate the shared note, not a row's own.
                update.update(dict.fromkeys(NOTE_TRANSLATIONS, ""), note=form.cleaned_data["note"])
            else:
                update["note"] = shared["note"]
            updates.append(update)
        return updates

    def add_member_errors(self, by_member: dict) -> None:
        """Put save_edit()'s errors on each member's row, naming the field they are about."""
        rows = {form.member: form for form in self.member_forms}
        for member, error in by_member.items():
            if member is None:
                self.add_error(None, error)
                continue
            items = error.message_dict.items() if hasattr(error, "error_dict") else [("", error)]
            for field, messages in items:
                label = ""
                if field not in ("", "__all__", "note", "status", "member"):
                    label = f"{capfirst(StatusUpdate._meta.get_field(field).verbose_name)}: "
                for message in messages:
                    rows[member].add_error(
                        "note" if field == "note" else "status", f"{label}{message}"
                    )


NOTE_TRANSLATION_SALT = "tracker.forms.note-translations"


class NoteTranslationForm(forms.Form):
    """The translations of an existing update's note, and nothing else of it.

    An update is never edited: a translation is not a correction of the facts, so it is the one
    thing added to it later. The form carries what the translations were when it was loaded
    (`loaded`, signed); save() refuses a translation somebody else changed meanwhile and
    writes only those the editor changed, so nobody's work is overwritten unseen.
    """

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, update: StatusUpdate, data=None):
        super().__init__(data)
        self.update = update
        # No translation into the note's own language: the note is that.
        self.names = [
            name for name in NOTE_TRANSLATIONS if name != f"note_translation_{update.note_language}"
        ]
        for name in self.names:
            self.fields[name] = _translation_field(name)
            self.initial[name] = getattr(update, name)
        if not self.is_bound:
            self.initial["loaded"] = self._sign(update)

    def _sign(self, update: StatusUpdate) -> str:
        return signing.dumps(
            {name: _plain(getattr(update, name)) for name in self.names},
            salt=NOTE_TRANSLATION_SALT,
        )

    def _loaded(self) -> dict | None:
        try:
            return signing.loads(self.cleaned_data.get("loaded", ""), salt=NOTE_TRANSLATION_SALT)
        except signing.BadSignature:
            return None

    def save(self, current: StatusUpdate) -> list[str]:
        """Write the translations the editor changed onto `current`, the update as locked in
        the database now; the names of those written. Nothing is written when one of them was
        changed by somebody else since the form was loaded: each such field gets an error
        (the form is then invalid) and the form carries the new state, so saving again
        replaces theirs."""
        loaded = self._loaded()
        if loaded is None:
            self.add_error(
                None,
                gettext(
                    "This form cannot tell whether somebody else changed the translations since "
                    "you opened it, so nothing has been saved. Check the current translations, "
                    "then save again."
                ),
            )
            self._refresh(current, keep=self.names)
            return []
        changed = [
            name for name in self.names if _plain(self.cleaned_data[name]) != loaded.get(name)
        ]
        stale = [name for name in changed if _plain(getattr(current, name)) != loaded.get(name)]
        for name in stale:
            now = getattr(current, name)
            self.add_error(
                name,
                gettext(
                    "Somebody else changed this translation while you were editing it, so "
                    "nothing has been saved. It now reads: %(value)s. Your text is kept here: "
                    "saving again replaces theirs."
                )
                % {"value": f"“{now}”" if now else gettext("nothing")},
            )
        if stale:
            self._refresh(current, keep=changed)
            return []
        for name in changed:
            setattr(current, name, self.cleaned_data[name])
        problems = current.translation_problems()
        try:
            others = [field.name for field in current._meta.fields if field.name not in changed]
            current.clean_fields(exclude=others)
        except ValidationError as error:
            problems.update({name: messages[0] for name, messages in error.message_dict.items()})
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        if problems:
            return []
        if changed:
            current.save(update_fields=changed)
        return changed

    def _refresh(self, current: StatusUpdate, keep: list[str]) -> None:
        """Carry the current translations as loaded (the editor has been told of them) and
        show them in the fields the editor left alone; the editor's own text stays in `keep`."""
        self.data = self.data.copy()
        self.data["loaded"] = self._sign(current)
        for name in self.names:
            if name not in keep:
                self.data[name] = getattr(current, name)
