"""tracker.addresses: many objects' addresses from one reverse() per language, the same as
reverse() gives for each (the sitemap and the downloads rely on it)."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tracker.addresses import SlugAddresses

VIEWS = [
    "tracker:commitment-detail",
    "tracker:theme-detail",
    "tracker:actor-detail",
    "tracker:source-detail",
    "tracker:member-detail",
]
LANGUAGES = ["en", "vi", "id"]
SLUG_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


def _reversed(view: str, slug: str, language: str) -> str:
    with translation.override(language):
        return reverse(view, args=[slug])


@given(slug=st.text(SLUG_CHARACTERS, min_size=1, max_size=30))
def test_an_address_is_what_reverse_gives_in_each_language(slug):
    for view in VIEWS:
        addresses = SlugAddresses(view, LANGUAGES)
        for language in LANGUAGES:
            assert addresses.get(slug, language) == _reversed(view, slug, language)


@pytest.mark.parametrize(
    "slug", ["en", "vi", "id", "commitments", "slug-stand-in", "feed", "-", "_", "x" * 100]
)
def test_slugs_that_look_like_parts_of_the_path_are_put_in_place_as_reverse_does(slug):
    addresses = SlugAddresses("tracker:commitment-detail", LANGUAGES)
    for language in LANGUAGES:
        assert addresses.get(slug, language) == _reversed(
            "tracker:commitment-detail", slug, language
        )


def test_without_a_language_it_uses_the_active_one():
    addresses = SlugAddresses("tracker:theme-detail")
    with translation.override("vi"):
        assert addresses.get("roads") == "/vi/themes/roads/"
    assert addresses.get("roads") == reverse("tracker:theme-detail", args=["roads"])


@pytest.mark.parametrize("slug", ["hai phòng", "a/b", "a b", "", "a\n", "ü"])
def test_what_no_slug_can_be_is_left_to_reverse(slug):
    addresses = SlugAddresses("tracker:commitment-detail", LANGUAGES)
    with pytest.raises(NoReverseMatch):
        _reversed("tracker:commitment-detail", slug, "en")
    with pytest.raises(NoReverseMatch):
        addresses.get(slug, "en")
