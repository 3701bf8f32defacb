"""Text as every output format can carry it."""

from __future__ import annotations

import re

# XML 1.0 allows no C0 control character but tab, newline and carriage return, no lone
# surrogate, and neither U+FFFE nor U+FFFF. Text pasted from PDFs and word processors brings
# vertical tabs, form feeds and escapes; rows saved before input was checked may hold them.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, so feeds and SVG stay well formed."""
    return _XML_FORBIDDEN.sub("", text)
