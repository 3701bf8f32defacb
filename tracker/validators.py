"""Rules for text typed or pasted into the tracker, shared by every model and so every path."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import capfirst, format_lazy
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


# Length limits (docs/data.md). A limit holds in three places: full_clean() (so the admin and
# every importer), every form built from the field (its widget gets maxlength, so a browser
# stops at the limit), and a CheckConstraint in the database, so a write behind their backs
# (the shell, SQL) is refused too. The message names the field and both numbers.


def too_long_message(label: str, limit: int, length: int) -> str:
    """ "Note: at most 5,000 characters; this one has 5,210." in the active language."""
    return gettext("%(field)s: at most %(limit)s characters; this one has %(length)s.") % {
        "field": capfirst(label),
        "limit": number_format(limit, force_grouping=True),
        "length": number_format(length, force_grouping=True),
    }


class CharacterLimit(MaxLengthValidator):
    """At most `limit_value` characters, refused with too_long_message() naming `label`."""

    def __init__(self, limit_value: int, label: str) -> None:
        super().__init__(limit_value)
        self.label = label

    def __call__(self, value) -> None:
        if isinstance(value, str) and len(value) > self.limit_value:
            raise ValidationError(
                too_long_message(str(self.label), self.limit_value, len(value)), code=self.code
            )


def _limit_in_words(limit: int) -> str:
    return gettext("At most %(limit)s characters.") % {
        "limit": number_format(limit, force_grouping=True)
    }


_limit_in_words_lazy = lazy(_limit_in_words, str)


class LimitedTextFormField(forms.CharField):
    """A form's text field with a length limit, counted as the browser counts it.

    Browsers post a line break typed in a textarea as CRLF but count it as one character
    against maxlength; kept as CRLF, a note the browser let through could be refused here.
    Line breaks are stored as LF (which every page, feed and export writes alike).
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class LengthLimited:
    """A CharField or TextField whose max_length is checked with too_long_message() by the
    model and by every form built from it, and stated in the form's help text."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is None:
            raise TypeError(f"{type(self).__name__} needs a max_length.")

    def _limit(self) -> CharacterLimit:
        return CharacterLimit(self.max_length, self.verbose_name)

    @property
    def validators(self) -> list:
        # Django's own MaxLengthValidator (CharField's) says neither the field nor the number
        # with grouping; TextField has none at all.
        kept = [v for v in super().validators if not isinstance(v, MaxLengthValidator)]
        return [*kept, self._limit()]

    def formfield(self, **kwargs):
        field = super().formfield(**{"form_class": LimitedTextFormField, **kwargs})
        field.validators = [
            *(v for v in field.validators if not isinstance(v, MaxLengthValidator)),
            CharacterLimit(self.max_length, field.label or self.verbose_name),
        ]
        limit = _limit_in_words_lazy(self.max_length)
        field.help_text = format_lazy("{} {}", field.help_text, limit) if field.help_text else limit
        return field


class LimitedCharField(LengthLimited, models.CharField):
    """A CharField whose limit is stated and refused in the tracker's words (LengthLimited)."""


class LimitedTextField(LengthLimited, models.TextField):
    """A TextField with a limit (Django enforces a TextField's max_length nowhere)."""


# `field__length__lte=N` in a CheckConstraint: the limit in the database.
models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)


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
        # A check that a field holds one of its choices, or no more than its max_length,
        # says in the database what clean_fields() has checked already; validated again, each
        # costs three queries (a savepoint and a SELECT) per record saved.
        # Likewise a constraint the model's clean() checks field by field (CHECKED_BY_CLEAN).
        checked = set(getattr(self, "CHECKED_BY_CLEAN", ()))
        return [
            (
                model,
                [c for c in constraints if not _restates_field(model, c) and c.name not in checked],
            )
            for model, constraints in super().get_constraints()
        ]


def _restates_field(model, constraint) -> bool:
    if not isinstance(constraint, models.CheckConstraint):
        return False
    children = constraint.condition.children
    if len(children) != 1 or not isinstance(children[0], tuple):
        return False
    lookup, value = children[0]
    name, _, kind = lookup.partition("__")
    field = model._meta.get_field(name)
    if kind == "length__lte":
        return isinstance(field, LengthLimited) and field.max_length == value
    return kind == "in" and bool(field.choices)
