"""A claim's parts: the clauses of a compound sentence, each judged on its own.

"Unofficially the number of dead in the Syrian War is 200,000, most of them civilians" holds a toll and a
qualifier; a source can confirm one and contradict the other. A part is a stretch between commas, semicolons and
the words that join clauses ("and", "but", "which", "who", "while", "whereas") holding at least one content word.
"""

from __future__ import annotations

import re

from ..types import ClaimPart
from ..words import content_words, words

_PART_BREAK = re.compile(r",\s+|;\s+|\s+(?:and|but|which|who|while|whereas)\s+")
_END = re.compile(r"(?<=[a-z0-9)])[.!?]+$")


def split_parts(text: str) -> tuple[ClaimPart, ...]:
    """The parts of ``text`` with their offsets in it; the whole text as one part when nothing splits it."""
    parts = []
    start = 0
    for end, after in [(m.start(), m.end()) for m in _PART_BREAK.finditer(text)] + [(len(text), len(text))]:
        piece = text[start:end]
        stripped = _END.sub("", piece.strip())  # the sentence's full stop is not the part's
        if content_words(words(stripped)):
            at = start + piece.index(stripped)
            parts.append(ClaimPart(stripped, at, at + len(stripped)))
        start = after
    return tuple(parts) or (ClaimPart(text, 0, len(text)),)
