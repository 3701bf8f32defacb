"""The annotated source: a document's text cut into paragraphs, headings and highlighted passages.

Several commitments may quote one passage (the eight focus areas share a sentence) and quotes
may overlap. So the text is cut at every paragraph break and at every passage's start and end;
each resulting piece knows which passages cover it. Pieces are never nested, so the page's HTML
stays valid however the quotes overlap, and the template escapes every piece of text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tracker.statuses import STATUS_INFO, Status
from tracker.text import find_passage, passage_anchor

if TYPE_CHECKING:
    from tracker.models import Commitment


@dataclass
class QuotingCommitment:
    commitment: Commitment
    symbol: str
    status_label: str


@dataclass
class Passage:
    start: int
    end: int
    quoted_by: list[QuotingCommitment] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return passage_anchor(self.start, self.end)


@dataclass
class Piece:
    text: str
    passages: list[Passage]
    # Ids of the passages that begin here: the first on the <mark>, any others just before it.
    anchors: list[str] = field(default_factory=list)
    # Passages that end here; their links to the commitments follow this piece.
    ends: list[Passage] = field(default_factory=list)

    @property
    def is_overlap(self) -> bool:
        return len(self.passages) > 1


@dataclass
class Block:
    pieces: list[Piece]
    heading: str = ""
    anchor: str = ""
    # A line that is only an image's file name, scraped with the article ("1501 bo truong
    # 2.jpg"): shown as a note that a picture stood here, not read out as part of the text.
    image: str = ""


IMAGE_LINE = re.compile(r"[^\r\n/\\]{1,120}\.(?:jpe?g|png|gif|webp|svg|tiff?)", re.IGNORECASE)
# A source is plain text, so its headings are found by their look: a short line that starts
# with a capital and ends without the punctuation that closes a sentence or leads into a list.
HEADING_WORDS = 12
HEADING_CHARS = 100
NOT_HEADING_ENDINGS = tuple('.!?:;,…"”’)')


def looks_like_heading(line: str) -> bool:
    return (
        len(line) <= HEADING_CHARS
        and len(line.split()) <= HEADING_WORDS
        and line[0].isupper()
        and not line.endswith(NOT_HEADING_ENDINGS)
    )


@dataclass
class AnnotatedText:
    blocks: list[Block]
    passages: list[Passage]
    # (heading, anchor, number of commitments filed under it), every heading of the text, in
    # the order they occur: those no commitment is filed under too, so the contents show the
    # whole document.
    headings: list[tuple[str, str, int]]
    # Commitments whose quote is not in the text: listed, never silently dropped.
    not_found: list[Commitment]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line: blank lines and single line breaks both separate."""
    return [
        (match.start(), match.end())
        for match in re.finditer(r"[^\r\n]+", text)
        if match.group().strip()
    ]


def annotate(text: str, commitments: Iterable[Commitment]) -> AnnotatedText:
    """Cut a source's text into blocks, highlighting every passage the commitments quote."""
    commitments = list(commitments)
    by_span: dict[tuple[int, int], Passage] = {}
    not_found = []
    for commitment in commitments:
        span = find_passage(text, commitment.quote)
        if span is None:
            not_found.append(commitment)
            continue
        info = STATUS_INFO[Status(commitment.status)]
        passage = by_span.setdefault(span, Passage(*span))
        passage.quoted_by.append(
            QuotingCommitment(commitment, info.symbol, Status(commitment.status).label)
        )
    passages = sorted(by_span.values(), key=lambda p: (p.start, -p.end))

    heading_counts: dict[str, int] = {}
    for commitment in commitments:
        if commitment.heading:
            heading_counts[commitment.heading] = heading_counts.get(commitment.heading, 0) + 1

    blocks: list[Block] = []
    headings: list[tuple[str, str, int]] = []
    paragraphs = _paragraphs(text)
    for n, (start, end) in enumerate(paragraphs):
        line = text[start:end].strip()
        touched = [p for p in passages if p.start < end and p.end > start]
        if not touched and IMAGE_LINE.fullmatch(line):
            blocks.append(Block(pieces=[], image=line))
            continue
        # A heading that commitments are filed under, or a line that looks like one: not the
        # caption under a picture, nor the last line (a byline; a heading introduces text).
        after_image = bool(blocks) and bool(blocks[-1].image)
        is_last = n == len(paragraphs) - 1
        if not touched and (
            line in heading_counts or (looks_like_heading(line) and not after_image and not is_last)
        ):
            anchor = f"heading-{len(headings) + 1}"
            headings.append((line, anchor, heading_counts.get(line, 0)))
            blocks.append(Block(pieces=[], heading=line, anchor=anchor))
            continue
        cuts = sorted(
            {start, end}
            | {p.start for p in touched if p.start > start}
            | {p.end for p in touched if p.end < end}
        )
        pieces = [
            Piece(text[a:b], [p for p in touched if p.start <= a and p.end >= b])
            for a, b in zip(cuts, cuts[1:], strict=False)
        ]
        blocks.append(Block(pieces=pieces))

    # Each passage's anchor goes on the first piece it covers and its links after the last,
    # found across paragraphs, since a quote may run over a line break.
    first: dict[int, Piece] = {}
    last: dict[int, Piece] = {}
    for block in blocks:
        for piece in block.pieces:
            for passage in piece.passages:
                first.setdefault(id(passage), piece)
                last[id(passage)] = piece
    for passage in passages:
        if id(passage) in first:
            first[id(passage)].anchors.append(passage.anchor)
            last[id(passage)].ends.append(passage)
    return AnnotatedText(blocks, passages, headings, not_found)
