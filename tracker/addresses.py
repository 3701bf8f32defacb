"""Many objects' addresses at once: reverse() once per language, then put each slug in place.

reverse() costs some 20 µs, and the language switch around it as much again. The sitemap asks
for five addresses per entry (its own, three alternates and x-default), a thousand entries a
page; a download asks for one per row, ten thousand rows. Reversed once with a stand-in slug,
the address of every other slug is the same string with the slug in the stand-in's place:
reverse() puts a slug in the path as it is, since a slug's characters ([-a-zA-Z0-9_], the
`slug` converter's) are never quoted. Anything else is left to reverse() itself.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

# The `slug` path converter's pattern (django.urls.converters.SlugConverter).
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_STAND_IN = "slug-stand-in"


class SlugAddresses:
    """The address of `view_name` for a slug, in each of `languages` or the active one."""

    def __init__(self, view_name: str, languages: list[str] | None = None):
        self.view_name = view_name
        self._parts: dict[str, tuple[str, str]] = {}
        # Slugs already checked: a sitemap asks for each one five times.
        self._slugs: set[str] = set()
        for language in languages or []:
            self._reverse_stand_in(language)

    def _reverse_stand_in(self, language: str) -> tuple[str, str]:
        with translation.override(language):
            path = reverse(self.view_name, args=[_STAND_IN])
        before, found, after = path.partition(_STAND_IN)
        assert found and _STAND_IN not in after, path
        self._parts[language] = (before, after)
        return before, after

    def _is_slug(self, slug) -> bool:
        if slug not in self._slugs:
            if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
                return False
            self._slugs.add(slug)
        return True

    def get(self, slug: str, language: str | None = None) -> str:
        """What reverse(view_name, args=[slug]) gives with `language` active."""
        language = language or translation.get_language()
        if language is None or not self._is_slug(slug):
            with translation.override(language):
                return reverse(self.view_name, args=[slug])
        parts = self._parts.get(language) or self._reverse_stand_in(language)
        return parts[0] + slug + parts[1]
