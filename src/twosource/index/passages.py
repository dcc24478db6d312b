"""Articles to passages: runs of whole sentences, the unit that is searched, embedded and quoted."""

from __future__ import annotations

from ..sentences import split_sentences

#: Passage size in words. Swept on FNC-1 retrieval (train bodies): 40-120 words all score within
#: a point of MAP; ~70 keeps a passage quotable in a report.
PASSAGE_WORDS = 70


def split_passages(text: str, max_words: int = PASSAGE_WORDS) -> list[tuple[int, int]]:
    """Return (start, end) spans of consecutive sentences of about ``max_words`` words each."""
    spans: list[tuple[int, int]] = []
    start = end = None
    words = 0
    for s, e in split_sentences(text):
        n = len(text[s:e].split())
        if start is not None and words + n > max_words:
            spans.append((start, end))  # type: ignore[arg-type]
            start, words = None, 0
        if start is None:
            start = s
        end, words = e, words + n
    if start is not None:
        spans.append((start, end))  # type: ignore[arg-type]
    return spans
