"""The language an article is written in: English by a cheap test of its commonest words, else by py3langid.

Any language is read and indexed (as evidence); the claims stage checks English articles only for now.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import LanguageError
from ..models import loaded_once

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
_TOO_FEW_WORDS = 4
_MIN_SHARE = 0.12


def count_words(text: str) -> int:
    """Return about how many words ``text`` holds: its spaced words, plus a word a Chinese or Japanese character."""
    return len(text.split()) + len(_UNSPACED.findall(text))


#: The languages twosource names in its reports (ISO 639-1); others are shown by their code.
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "fr": "French",
    "ru": "Russian",
    "tr": "Turkish",
    "fa": "Persian",
    "es": "Spanish",
    "de": "German",
    "it": "Italian",
    "zh": "Chinese",
    "he": "Hebrew",
    "uk": "Ukrainian",
    "ku": "Kurdish",
    "ur": "Urdu",
    "pt": "Portuguese",
    "nl": "Dutch",
}
#: Languages written right to left (the HTML report sets ``dir="rtl"`` on their text).
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ug", "ckb"})


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


@loaded_once
def _classify() -> Callable[[str], tuple[str, float]]:
    import py3langid

    py3langid.classify("")  # loads its model now, under the model lock, not in two threads at once
    return py3langid.classify


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the language ``text`` is written in.

    Text that reads as English by its function words is English without a model: the cheap test decides nearly
    every English article, and py3langid is loaded only for the others (and for a short text with fewer than two
    of those words: "a" and "on" are French words too). Fewer than four words in Latin script tell nothing: English.
    """
    words, latin, english = _english_words(text)
    if not words:
        return "en"
    if latin >= 0.5 and (words < _TOO_FEW_WORDS or english >= max(2, _MIN_SHARE * words)):
        return "en"
    code, _ = _classify()(text[:_SAMPLE_CHARS])
    return _MACROLANGUAGES.get(str(code), str(code))


#: py3langid names some varieties apart from their language: Egyptian Arabic is Arabic to a reader.
_MACROLANGUAGES = {"arz": "ar"}
#: py3langid reads this much of a text: a few paragraphs decide, and a book would cost its length.
_SAMPLE_CHARS = 5000


def require_english(language: str, origin: str) -> None:
    """Refuse, in one line, to find claims in an article that is not English."""
    if language != "en":
        raise LanguageError(
            origin,
            f"the text is {language_name(language)}, not English; twosource checks English articles only for now "
            "(it can index them as evidence: twosource ingest)",
        )


def reads_as_english(text: str) -> bool:
    """True when ``text`` reads as English by its function words, short texts given the benefit of the doubt (the
    reprints benchmark's choice of English pages)."""
    words, latin, english = _english_words(text)
    return words < _MIN_WORDS or (latin >= 0.5 and english / words >= _MIN_SHARE)


def _english_words(text: str) -> tuple[int, float, int]:
    """How many words ``text`` has, the share of them in ASCII (Latin script), and how many are English function
    words."""
    words = _WORD.findall(text.lower())
    latin = sum(1 for w in words if w.isascii()) / max(len(words), 1)
    return len(words), latin, sum(1 for w in words if w in _ENGLISH)
