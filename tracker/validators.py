"""Rules for text typed or pasted into the tracker, shared by every model and so every path."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

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
