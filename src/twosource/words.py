"""Words as twosource compares them: lower-cased, stop words out, lightly stemmed.

One vocabulary for the stance features, the report's marking of shared words, the live services' key terms and
copy detection, so that what counts as "the same word" does not change from one stage to the next.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP_WORDS = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself now of
    off on once only or other our ours out over own same she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours said says say according new one two year years
"""
STOPWORDS = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """Return every word of ``text``, lower-cased (Latin letters and digits; the stance model's vocabulary)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def content_words(all_words: list[str]) -> list[str]:
    """Return the content words among ``all_words``, lightly stemmed (plural and -ed/-ing endings off)."""
    return [stem(w) for w in all_words if w not in STOPWORDS]


def stem(word: str) -> str:
    """Return ``word`` without a plural or -ed/-ing ending, when at least three letters remain."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def plural(count: int, noun: str) -> str:
    """``3 passages``, ``1 passage``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
