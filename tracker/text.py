"""Plain text work, no database: text every output format can carry, and finding a quote
in a source's text."""

from __future__ import annotations

import re

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
    spaces, so a second attempt matches the same words with any whitespace between them.
    """
    quote = quote.strip()
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


def passage_anchor(start: int, end: int) -> str:
    """The id of a passage on its source page; it depends only on where the quote is."""
    return f"passage-{start}-{end}"
