"""Rules for text typed or pasted into the tracker, shared by every model and so every path."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Tab and line breaks are ordinary text; every other control character is invisible, and XML
# (the feeds, the badge, the sitemap) cannot carry most of them at all.
ALLOWED_CONTROLS = frozenset("\t\n\r")
# Not characters at all: XML forbids them and they mean a broken copy.
NONCHARACTERS = frozenset("\ufffe\uffff")


def _forbidden(char: str) -> bool:
    if char in ALLOWED_CONTROLS:
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or char in NONCHARACTERS


def validate_plain_text(value: str) -> None:
    """Refuse control characters, naming the first one and where it is.

    They arrive unseen when text is pasted from a PDF or a word processor, and they would make
    the feeds and the badge invalid XML.
    """
    if not isinstance(value, str):
        return
    for position, char in enumerate(value, 1):
        if _forbidden(char):
            raise ValidationError(
                gettext(
                    "Contains an invisible control character (%(code)s) at character "
                    "%(position)s, often pasted from a PDF or a word processor. Delete it or "
                    "retype the text around it."
                )
                % {"code": f"U+{ord(char):04X}", "position": position},
                code="control_character",
            )


WEB_URL_MESSAGE = _(
    "Enter a web address starting with http:// or https://, e.g. https://asean.org/communique."
)


class WebURLFormField(forms.URLField):
    """A web address typed in full. One without http:// or https:// ("asean.org/x") is refused
    with WEB_URL_MESSAGE, on every form alike, rather than completed with a guessed scheme: the
    editor sees what will be published, and no form quietly differs from another."""

    default_error_messages = {"invalid": WEB_URL_MESSAGE}
    default_validators = [URLValidator(schemes=["http", "https"], message=WEB_URL_MESSAGE)]

    def __init__(self, **kwargs):
        # Never used (to_python refuses a bare address first); given, so that Django 5.x does
        # not warn that its default will change.
        kwargs["assume_scheme"] = "https"
        super().__init__(**kwargs)

    def to_python(self, value):
        text = forms.CharField.to_python(self, value)
        if text and urlsplit(text).scheme.lower() not in ("http", "https"):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def web_address(value: str | None) -> str:
    """`value` if it is a web address a browser may open (http or https), else "".

    The one rule every output applies to a stored address before linking it: the forms and
    importers refuse anything else, but a value written behind their back (the shell, SQL, an
    older row) could be javascript:, data:, vbscript: or //another.site. Its first character
    must be the scheme's: a browser ignores leading spaces and controls in an href, so
    " javascript:" would run.
    """
    if not value or not isinstance(value, str):
        return ""
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and value[0].isalpha():
        return value
    return ""


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

    def get_constraints(self):
        # A check that a field holds one of its choices says in the database what
        # clean_fields() has checked already; validated again, each costs three queries (a
        # savepoint and a SELECT) per record saved.
        return [
            (model, [c for c in constraints if not _restates_choices(model, c)])
            for model, constraints in super().get_constraints()
        ]


def _restates_choices(model, constraint) -> bool:
    if not isinstance(constraint, models.CheckConstraint):
        return False
    children = constraint.condition.children
    if len(children) != 1 or not isinstance(children[0], tuple):
        return False
    lookup, _values = children[0]
    name, _, kind = lookup.partition("__")
    return kind == "in" and bool(model._meta.get_field(name).choices)
