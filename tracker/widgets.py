"""Django's admin autocomplete widgets, made valid HTML and named for screen readers.

Django's admin draws autocomplete fields with Select2 4.0, which leaves its search box without
an accessible name, and renders a required select without an empty first option and an
optional one with an empty option that has no text: both invalid HTML. docs/accessibility.md
lists what the project fixes here and what it leaves to Django.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.db.models.fields import BLANK_CHOICE_DASH

# Names each autocomplete's search box after the field's label, once Django's autocomplete.js
# has set the fields up: listed after it, so that merging the page's media keeps that order.
MEDIA = forms.Media(
    js=["admin/js/jquery.init.js", "admin/js/autocomplete.js", "js/admin-autocomplete.js"]
)


class AutocompleteSelect(admin_widgets.AutocompleteSelect):
    """One related object. The list starts with an empty choice that has text, required or
    not; Select2 shows it as an empty box, as before."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options[0]["label"] = BLANK_CHOICE_DASH[0][1]
        else:
            options.insert(0, self.create_option(name, "", BLANK_CHOICE_DASH[0][1], False, 0))
        return groups

    @property
    def media(self):
        return super().media + MEDIA


class AutocompleteSelectMultiple(admin_widgets.AutocompleteSelectMultiple):
    """Several related objects, each with its own remove button but without Select2's "remove
    all" button: Select2 4.0 puts that <span> straight inside a <ul>, which a screen reader
    then announces as a broken list."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-allow-clear"] = "false"
        return attrs

    @property
    def media(self):
        return super().media + MEDIA
