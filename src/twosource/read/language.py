"""A cheap check that an article is English, the one language the claims stage handles yet."""

from __future__ import annotations

import re

from ..errors import LanguageError

_WORD = re.compile(r"[^\W\d_]+")
# The commonest English function words; running English text is about 40% these.
_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "it",
        "as",
        "was",
        "with",
        "be",
        "by",
        "on",
        "not",
        "he",
        "i",
        "this",
        "are",
        "or",
        "his",
        "from",
        "at",
        "which",
        "but",
        "have",
        "an",
        "they",
        "you",
        "were",
        "her",
        "she",
        "has",
        "had",
        "been",
        "their",
        "will",
        "would",
        "its",
        "there",
        "we",
        "who",
        "more",
        "also",
        "said",
    ]
)
# Kana and CJK ideographs: scripts written without spaces, where a character stands for about a word.
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MIN_WORDS = 25
_MIN_SHARE = 0.12


def count_words(text: str) -> int:
    """Return about how many words ``text`` holds: its spaced words, plus a word a Chinese or Japanese character."""
    return len(text.split()) + len(_UNSPACED.findall(text))


def check_english(text: str, origin: str) -> None:
    """Raise LanguageError unless ``text`` reads as English (short texts are given the benefit of the doubt)."""
    words = _WORD.findall(text.lower())
    if len(words) < _MIN_WORDS:
        return
    latin = sum(1 for w in words if w.isascii())
    share = sum(1 for w in words if w in _ENGLISH) / len(words)
    if latin / len(words) < 0.5 or share < _MIN_SHARE:
        raise LanguageError(origin, "the text is not English; twosource handles English articles only for now")
