"""The article's own sources: texts it rewords sentence after sentence (DESIGN.md rule 5).

An article that follows another text's sentences in their order, each closely reworded, is taking that text's word
for it: the text is where its wording comes from, not a second outlet confirming it. Reports of one event share
facts, names and figures, but seldom several sentences in the same order; a rewording shares most of each
sentence's content words, in sequence.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from .index.base import StoredArticle
from .index.dedup import copy_words
from .sentences import split_sentences

#: Sentences of the article that must follow the other text's, in order, each closely reworded.
MIN_SENTENCES = 3
#: A sentence is closely reworded when the two share at least this share of the longer one's content words, and
#: at least MIN_SHARED_WORDS of them. (Looked at on FA-KES and FNC-1 reports of one event: those it finds there
#: are rewrites of one wire story, sentence after sentence.)
SENTENCE_OVERLAP = 0.4
MIN_SHARED_WORDS = 4


@dataclass(frozen=True)
class Rewording:
    """A text the article rewords: its sentences paired with the article's, in order."""

    article: StoredArticle
    pairs: tuple[tuple[str, str], ...]  # (the article's sentence, the text's sentence)


def find_rewordings(text: str, candidates: list[StoredArticle]) -> list[Rewording]:
    """Return the candidates that ``text`` rewords sentence after sentence, the most closely followed first."""
    mine = _sentences(text)
    found = []
    for candidate in candidates:
        theirs = _sentences(candidate.text)
        chain = _in_order([(i, j) for i, a in enumerate(mine) for j, b in enumerate(theirs) if _reworded(a[1], b[1])])
        if len(chain) >= MIN_SENTENCES:
            found.append(Rewording(candidate, tuple((mine[i][0], theirs[j][0]) for i, j in chain)))
    return sorted(found, key=lambda r: -len(r.pairs))


def _sentences(text: str) -> list[tuple[str, frozenset[str]]]:
    return [(text[s:e], frozenset(copy_words(text[s:e])[0])) for s, e in split_sentences(text)]


def _reworded(a: frozenset[str], b: frozenset[str]) -> bool:
    shared = len(a & b)
    return shared >= MIN_SHARED_WORDS and shared >= SENTENCE_OVERLAP * max(len(a), len(b))


def _in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the longest chain of pairs increasing in both places (patience sorting, as for a longest increasing
    subsequence): the article's sentences following the other text's in its order."""
    pairs = sorted(pairs, key=lambda p: (p[0], -p[1]))  # one pair per article sentence can extend a chain
    tails: list[int] = []  # tails[k]: the smallest second place ending a chain of k + 1 pairs
    ends: list[int] = []  # the pair that ends it
    back: list[int] = []  # for each pair, the one before it in its chain
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        back.append(ends[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k] = j
            ends[k] = n
    chain = []
    n = ends[-1] if ends else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    return chain[::-1]
