"""A claim's parts: the clauses of a compound sentence, each judged on its own.

"Unofficially the number of dead in the Syrian War is 200,000, most of them civilians" holds a toll and a
qualifier; a source can confirm one and contradict the other. A part is a stretch between commas, semicolons and
the words that join clauses ("and", "but", "which", "who", "while", "whereas") that says something checkable by itself.
"""

from __future__ import annotations

import re

from ..types import ClaimPart
from ..words import content_words, words
from .kinds import quoted_spans
from .shares import find_shares

_PART_BREAK = re.compile(r",?\s+(?:and|but|which|who|while|whereas)\s+|[,;]\s+")
_ASIDE = re.compile(r"\([^()]*\)")
_END = re.compile(r"(?<=[a-z0-9)])[.!?]+$")


def split_parts(text: str, *, finest: bool = False) -> tuple[ClaimPart, ...]:
    """The parts of ``text`` with their offsets in it; the whole text as one part when nothing splits it.

    A quotation is never cut (its speaker said it whole), nor an aside in brackets; a piece too slight to be a
    claim of its own ("Hezbollah" in "Hezbollah and the Syrian Army have fought ...") joins the piece after it, or
    the one before when last. ``finest``: every clause with a content word, cut wherever a break is (the measures
    the support judge was trained on, which look for each clause in a page, score better on these).
    """
    whole = [] if finest else quoted_spans(text) + [m.span() for m in _ASIDE.finditer(text)]
    breaks = [(m.start(), m.end()) for m in _PART_BREAK.finditer(text) if not any(a < m.start() < b for a, b in whole)]
    pieces: list[tuple[int, int]] = []
    start = 0
    for end, after in [*breaks, (len(text), len(text))]:
        piece = text[start:end]
        stripped = _END.sub("", piece.strip())  # the sentence's full stop is not the part's
        if content_words(words(stripped)):
            at = start + piece.index(stripped)
            pieces.append((at, at + len(stripped)))
        start = after
    spans: list[tuple[int, int]] = []
    joining: int | None = None
    for begin, end in pieces:
        begin = begin if joining is None else joining
        joining = None if finest or _stands_alone(text[begin:end]) else begin
        if joining is None:
            spans.append((begin, end))
    if joining is not None:
        spans[-1:] = [(spans[-1][0] if spans else joining, pieces[-1][1])]
    return tuple(ClaimPart(text[a:b], a, b) for a, b in spans) or (ClaimPart(text, 0, len(text)),)


def _stands_alone(piece: str) -> bool:
    """Whether a piece says something checkable by itself: two content words, a figure, or a share of a tally."""
    return len(set(content_words(words(piece)))) >= 2 or any(c.isdigit() for c in piece) or bool(find_shares(piece))
