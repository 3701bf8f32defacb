"""Forms for editors. The public site has no forms: it only reads."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tracker.models import Commitment, Status, StatusUpdate


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
            "target_date",
            "proposer",
            "owner",
            "partners",
            "themes",
            "is_published",
        ]


def _update_field(name: str, **kwargs) -> forms.Field:
    """A form field built from StatusUpdate's model field, so labels and limits stay in step."""
    return StatusUpdate._meta.get_field(name).formfield(**kwargs)


class CommitmentChangeForm(CommitmentForm):
    """The change form: a commitment's fields plus an optional status update to record."""

    new_status = forms.ChoiceField(
        label="New status",
        choices=[("", "— no update —"), *Status.choices],
        required=False,
        help_text="Choose the current status again to add a progress note that keeps it.",
    )
    as_of = _update_field("as_of", required=False, initial=timezone.localdate)
    note = _update_field(
        "note", required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )
    # Bare "example.org" becomes https://; Django 6 makes this the default.
    evidence_url = _update_field("evidence_url", required=False, assume_scheme="https")
    is_public = _update_field("is_public", required=False, initial=True)

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of and as_of > timezone.localdate():
            raise forms.ValidationError(
                "The as-of date cannot be in the future: record what is true today or earlier."
            )
        return as_of

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_status"):
            if not cleaned.get("note"):
                self.add_error("note", "Write a note saying why: it is shown with the update.")
            # A future date has already been refused by clean_as_of(); only report a missing one.
            if not cleaned.get("as_of") and "as_of" not in self.errors:
                self.add_error("as_of", "Give the date the new status describes.")
        else:
            # An orphan note would be silently dropped; say so rather than lose the editor's work.
            filled = [
                name
                for field, name in (("note", "note"), ("evidence_url", "evidence URL"))
                if cleaned.get(field)
            ]
            if filled:
                self.add_error(
                    "new_status",
                    f"Choose a new status to record the {' and '.join(filled)} with, or clear "
                    "them. To keep the current status, choose it again.",
                )
        return cleaned

    def status_update(self) -> dict | None:
        """The keyword arguments for Commitment.record_update(), or None if none was asked for."""
        data = self.cleaned_data
        if not data.get("new_status"):
            return None
        return {
            "status": data["new_status"],
            "as_of": data["as_of"],
            "note": data["note"],
            "evidence_url": data["evidence_url"],
            "is_public": data["is_public"],
        }
