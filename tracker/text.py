"""Plain text work, no database: text every output format can carry, and finding a quote
in a source's text."""

from __future__ import annotations

import functools
import re
from array import array

# XML 1.0 allows no C0 control character but tab, newline and carriage return, no lone
# surrogate, and neither U+FFFE nor U+FFFF. Text pasted from PDFs and word processors brings
# vertical tabs, form feeds and escapes; rows saved before input was checked may hold them.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, so feeds and SVG stay well formed."""
    return _XML_FORBIDDEN.sub("", text)


def find_passage(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote occurs in a text, as (start, end), or None.

    Quotes are copied verbatim, but a copy often gains or loses line breaks and double
    spaces, so a second attempt matches the same words with any whitespace between them: the
    first verbatim occurrence if there is one, else the first with other whitespace.

    A long text is searched through an index of its words, built once and kept for the last
    few texts: an import checks thousands of quotes against one source, and searching the
    whole text for each would cost the text's length times the number of quotes.
    """
    quote = quote.strip()
    if not quote:
        return None
    words = quote.split()
    if len(text) < INDEXED_LENGTH or len(words) < 3:
        return _search(text, quote, words)
    return _index(text).find(quote, words)


# Texts shorter than this are searched directly: faster than building their index.
INDEXED_LENGTH = 20_000


def _search(text: str, quote: str, words: list[str]) -> tuple[int, int] | None:
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


class _Words:
    """Where each word of a text is. A quote of three words or more, matched with any
    whitespace between its words, has whole words of the text in the middle (its first word
    may end one, its last begin one): the places of its rarest middle word are the only
    candidates."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts, self.ends = array("q"), array("q")
        self.places: dict[str, list[int]] = {}
        for n, match in enumerate(re.finditer(r"\S+", text)):
            self.starts.append(match.start())
            self.ends.append(match.end())
            self.places.setdefault(match.group(), []).append(n)

    def find(self, quote: str, words: list[str]) -> tuple[int, int] | None:
        text, starts, ends, count = self.text, self.starts, self.ends, len(words)
        # The rarest of the quote's middle words, whose places are the fewest candidates.
        k, places = min(
            ((k, self.places.get(words[k], ())) for k in range(1, count - 1)),
            key=lambda item: len(item[1]),
        )
        first = None
        for place in places:
            before, last = place - k, place - k + count - 1
            if before < 0 or last >= len(starts):
                continue
            if not all(
                text[starts[before + j] : ends[before + j]] == words[j] for j in range(1, count - 1)
            ):
                continue
            if not text.startswith(words[0], max(0, ends[before] - len(words[0])), ends[before]):
                continue
            if not text.startswith(words[-1], starts[last]):
                continue
            start, end = ends[before] - len(words[0]), starts[last] + len(words[-1])
            if text[start:end] == quote:
                return start, end  # verbatim: found before any other
            first = first or (start, end)
        return first


@functools.lru_cache(maxsize=4)
def _index(text: str) -> _Words:
    # Keyed by the text itself: a string keeps its hash, so the same source's text is found
    # again at once.
    return _Words(text)


def passage_anchor(start: int, end: int) -> str:
    """The id of a passage on its source page; it depends only on where the quote is."""
    return f"passage-{start}-{end}"
