"""Sentence splitting by rule: fast, deterministic, and aware of news abbreviations and quotes."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    [
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "pres",
        "dr",
        "prof",
        "mr",
        "mrs",
        "ms",
        "st",
        "jr",
        "sr",
        "mt",
        "ft",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "corp",
        "co",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.n",
        "u.k",
        "e.g",
        "i.e",
        "al",
        "approx",
        "dept",
        "est",
    ]
)
# End of a sentence: . ! or ? (Arabic's ؟, Urdu's ۔; any closing quotes or brackets), then space, then what
# opens the next (a quote, then a word's first character: ``_opens_sentence``); or Chinese and Japanese stops,
# which need no space after them.
_BOUNDARY = re.compile(
    r"""(?:(?P<stop>[.!?؟۔]+["”’')\]»]*)\s+|(?P<wide>[。！？]+["”’」』)]*)\s*)(?=["“‘'(\[«「]?(?P<next>\w))"""
)
_ASIDE = re.compile(r"\s*\(([^()]{25,})\)\s*$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the sentences in ``text``, never crossing a paragraph.

    A long parenthetical aside closing a sentence ("... (Kahwagi was wise enough to ...)") is a
    statement of its own and gets its own span.
    """
    spans: list[tuple[int, int]] = []
    for para_start, para_end in _paragraph_spans(text):
        start = para_start
        for m in _BOUNDARY.finditer(text, para_start, para_end):
            stop = "stop" if m.group("stop") else "wide"
            end = m.end(stop)
            if stop == "stop" and (
                not _opens_sentence(m.group("next")) or _is_abbreviation(text, start, m.start(stop))
            ):
                continue
            spans.extend(_split_aside(text, start, end))
            start = m.end()
        if start < para_end:
            spans.extend(_split_aside(text, start, para_end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def _opens_sentence(first: str) -> bool:
    """A sentence opens with a capital or a digit, or with any letter of a script without case (Arabic, Hebrew,
    Chinese); a lower-case letter after a stop continues the sentence ("approx. five", "1.5 m. dollars")."""
    return not first.islower() and first != "_"


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[start:dot])
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    # Single capitals are initials ("George W. Bush"); listed words are titles and abbreviations.
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _split_aside(text: str, start: int, end: int) -> list[tuple[int, int]]:
    m = _ASIDE.search(text, start, end)
    if not m or m.start() == start or len(m.group(1).split()) < 5:
        return [(start, end)]
    return [(start, m.start()), (m.start(1) - 1, m.end(1) + 1)]
