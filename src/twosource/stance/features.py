"""Features of a claim–evidence pair for the stance model: how related they are, and how the evidence speaks.

Relatedness comes from word, n-gram, TF-IDF and embedding overlap; stance from cue words (refuting, hedging,
confirming, negation) counted where they matter: in the sentences closest to the claim, in the lead, and in
the whole text. Texts are analysed once (``analyse``) and paired many times, since FNC-1 pairs every body
with about thirty headlines and ``check`` every claim with many passages.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ..sentences import split_sentences
from ..words import STOPWORDS, content_words, words

_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]+")
_NUMBER = re.compile(r"\d[\d,.]*")

#: Cue lexicons, "|"-separated: FNC-1's refuting words, extended; hedging from the discuss-heavy reporting
#: style; confirming words; negation. Each is a word start ("fabricat" matches "fabricated"), except
#: _WHOLE_WORDS; "n't" ends a word.
_LEXICONS = {
    "refute": "fake|fraud|hoax|false|deny|denie|denied|despite|nope|doubt|bogus|debunk|prank|retract|untrue|fabricat|"
    "misleading|satir|rumour|rumor|myth|phony|lie|lies|incorrect|baseless|dismiss|refut|not true|no evidence|spoof|"
    "parody|photoshop|scam|inaccurate|contrary|disput|reject",
    "hedge": "alleged|apparent|appear|claim|could|purported|supposedly|unconfirmed|unverified|may|might|possibl|"
    "perhaps|likely|suggest|seem|accord|if true|believed|report",
    "confirm": "confirm|announc|official|verified|prove|revealed|admit|acknowledg|indeed|statement|told",
    "negation": "not|no|never|nothing|none|n't|neither|nor|without",
}
CUES: dict[str, tuple[str, ...]] = {name: tuple(words.split("|")) for name, words in _LEXICONS.items()}
_WHOLE_WORDS = frozenset({"no", "not", "may", "lie", "lies", "nor"})


def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = []
    for cue in cues:
        start = "" if cue.startswith("n'") else r"\b"
        end = r"\b" if cue in _WHOLE_WORDS or cue.startswith("n'") else r"\w*"
        alternatives.append(start + re.escape(cue) + end)
    return re.compile("|".join(alternatives), re.I)


_CUE_PATTERNS = {name: _cue_pattern(cues) for name, cues in CUES.items()}
#: How many of the sentences closest to the claim count as "the relevant part" of the evidence.
TOP_SENTENCES = 3
LEAD_SENTENCES = 2


@dataclass(frozen=True)
class TextView:
    """One text analysed for pairing: per sentence its words and cue counts; for the whole, words and n-grams."""

    sentence_tokens: tuple[tuple[str, ...], ...]  # every word, lower-cased (the lexical model reads these)
    sentence_words: tuple[frozenset[str], ...]  # content words, stemmed
    sentence_cues: np.ndarray  # sentences × len(CUES)
    words: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    trigrams: frozenset[tuple[str, str, str]]
    term_counts: Counter[str]
    numbers: frozenset[str]
    names: frozenset[str]
    word_count: int
    question: bool


def analyse(text: str) -> TextView:
    """Return the analysis of one text (claim, headline, passage or body)."""
    spans = split_sentences(text) or [(0, len(text))]
    sentences = [text[s:e] for s, e in spans]
    tokens_per_sentence = [words(s) for s in sentences]
    words_per_sentence = [content_words(ts) for ts in tokens_per_sentence]
    flat = [w for ws in words_per_sentence for w in ws]
    cues = np.array([[len(p.findall(s)) for p in _CUE_PATTERNS.values()] for s in sentences], dtype=np.float32)
    return TextView(
        sentence_tokens=tuple(tuple(ts) for ts in tokens_per_sentence),
        sentence_words=tuple(frozenset(ws) for ws in words_per_sentence),
        sentence_cues=cues.reshape(len(sentences), len(CUES)),
        words=frozenset(flat),
        bigrams=frozenset(pairwise(flat)),
        trigrams=frozenset(zip(flat, flat[1:], flat[2:], strict=False)),
        term_counts=Counter(flat),
        numbers=frozenset(n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)),
        names=frozenset(w.lower() for w in _CAPITALISED.findall(text) if w.lower() not in STOPWORDS),
        word_count=len(text.split()),
        question="?" in text,
    )


def sentence_relevance(claim: TextView, evidence: TextView, idf: Idf) -> np.ndarray:
    """Return, per evidence sentence, the IDF-weighted share of the claim's content words it contains."""
    weight, total = _claim_weights(claim, idf)
    return np.array(
        [sum(weight[w] for w in claim.words & ws) / total for ws in evidence.sentence_words], dtype=np.float32
    )


def _claim_weights(claim: TextView, idf: Idf) -> tuple[dict[str, float], float]:
    # Each claim word weighs its IDF (unknown words the most), and the total they weigh.
    weight = {w: idf.get(w, idf.unseen) for w in claim.words}
    return weight, sum(weight.values()) or 1.0


def top_sentences(relevance: np.ndarray) -> np.ndarray:
    """Return the indices of the evidence sentences closest to the claim, best first."""
    return np.argsort(-relevance, kind="stable")[:TOP_SENTENCES]


def feature_names() -> list[str]:
    """Return the names of the columns ``pair_features`` returns, in order."""
    names = [
        "claim_words",
        "evidence_words_log",
        "sentences_log",
        "overlap",
        "overlap_idf",
        "overlap_lead",
        "best_sentence_overlap",
        "top_sentences_overlap",
        "best_sentence_position",
        "bigram_overlap",
        "trigram_overlap",
        "tfidf_cosine",
        "tfidf_best_sentence",
        "dense_best",
        "dense_mean",
        "dense_lead",
        "number_overlap",
        "name_overlap",
        "claim_question",
        "polarity_flip",
    ]
    for cue in CUES:
        names += [f"{cue}_claim", f"{cue}_rate", f"{cue}_top", f"{cue}_lead", f"{cue}_near", f"{cue}_best"]
    return names


def pair_features(
    claim: TextView,
    evidence: TextView,
    idf: Idf,
    relevance: np.ndarray,
    dense: np.ndarray,
) -> np.ndarray:
    """Return the feature row of one pair.

    ``relevance`` is ``sentence_relevance(claim, evidence, idf)``; ``dense`` holds the claim's embedding cosine
    with each evidence passage, the lead passage first.
    """
    weight, total = _claim_weights(claim, idf)
    shared = claim.words & evidence.words
    top = top_sentences(relevance)
    best = int(top[0])
    lead_words = frozenset().union(*evidence.sentence_words[:LEAD_SENTENCES])
    n_claim = len(claim.words) or 1
    cues = evidence.sentence_cues
    near = relevance >= 0.3
    negation = list(CUES).index("negation")
    claim_negated = bool(claim.sentence_cues[:, negation].sum())
    row = [
        len(claim.words),
        math.log1p(evidence.word_count),
        math.log1p(len(evidence.sentence_words)),
        len(shared) / n_claim,
        sum(weight[w] for w in shared) / total,
        len(claim.words & lead_words) / n_claim,
        float(relevance[best]),
        float(relevance[top].mean()),
        best / max(len(relevance) - 1, 1),
        len(claim.bigrams & evidence.bigrams) / (len(claim.bigrams) or 1),
        len(claim.trigrams & evidence.trigrams) / (len(claim.trigrams) or 1),
        _tfidf_cosine(claim.term_counts, evidence.term_counts, idf),
        _tfidf_cosine(claim.term_counts, Counter(evidence.sentence_words[best]), idf),
        float(dense.max()) if dense.size else 0.0,
        float(dense.mean()) if dense.size else 0.0,
        float(dense[0]) if dense.size else 0.0,
        len(claim.numbers & evidence.numbers) / len(claim.numbers) if claim.numbers else -1.0,
        len(claim.names & evidence.names) / len(claim.names) if claim.names else -1.0,
        float(claim.question),
        float(claim_negated != bool(cues[best, negation])),
    ]
    rate = 100.0 / max(evidence.word_count, 1)
    for k in range(len(CUES)):
        row += [
            float(claim.sentence_cues[:, k].sum()),
            float(cues[:, k].sum()) * rate,
            float(cues[top, k].sum()),
            float(cues[:LEAD_SENTENCES, k].sum()),
            float(cues[near, k].sum()),
            float(cues[best, k]),
        ]
    return np.asarray(row, dtype=np.float32)


def _tfidf_cosine(a: Counter[str], b: Counter[str], idf: Idf) -> float:
    dot = sum(a[w] * b[w] * idf.get(w, idf.unseen) ** 2 for w in a.keys() & b.keys())
    if not dot:
        return 0.0
    norm_a = math.sqrt(sum((c * idf.get(w, idf.unseen)) ** 2 for w, c in a.items()))
    norm_b = math.sqrt(sum((c * idf.get(w, idf.unseen)) ** 2 for w, c in b.items()))
    return dot / (norm_a * norm_b)


class Idf(dict[str, float]):
    """Smoothed inverse document frequencies of words; ``unseen`` is what a word they lack weighs (the most)."""

    @functools.cached_property
    def unseen(self) -> float:
        # Read for every pair: found once (the model's table holds tens of thousands of words).
        return max(self.values(), default=1.0)


def inverse_document_frequency(documents: list[TextView], min_count: int = 2) -> Idf:
    """Return smoothed IDF for every word in at least ``min_count`` documents."""
    counts: Counter[str] = Counter()
    for d in documents:
        counts.update(d.words)
    n = len(documents)
    return Idf({w: round(math.log((1 + n) / (1 + c)) + 1, 4) for w, c in counts.items() if c >= min_count})
