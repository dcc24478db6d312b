"""The support judge: does a page back the whole of a claim, a part of it, or none of it?

The claim is cut into parts (its clauses: at commas, semicolons, "and", "but", "which", "who", "while"), and each
part, like the whole, is looked for in the page: by meaning (the all-MiniLM-L6-v2 cosine of its nearest sentences)
and by its words (content words, figures and names the page holds, in its nearest sentences or anywhere). A
multinomial logistic regression over those measures, trained on WiCE's real claims against the pages they cite
(``twosource train support``), gives the probability of each label. The clause the page backs least counts on
its own, so a missing part pulls a claim away from "supported" however well the rest matches.

A second judge marks the words of a claim the page leaves unbacked (WiCE's non-supported tokens): a logistic
regression over whether the page, its sentences sharing most of the claim's words, and the word's neighbours hold
each word.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..claims.parts import split_parts
from ..errors import ModelError
from ..words import STOPWORDS, content_words, stem, words

LABELS = ("supported", "partially_supported", "not_supported")
FEATURES = (
    "cosine_best",
    "cosine_top2",
    "cosine_top3",
    "cosine_best_over_median",
    "words_in_page",
    "words_in_top3",
    "words_in_best",
    "figures_in_page",
    "figures",
    "names_in_page",
    "names",
    "part_cosine_min",
    "part_cosine_mean",
    "part_words_min",
    "part_words_mean",
    "parts",
    "claim_words",
    "page_sentences",
)
DEFAULT_MODEL = Path(__file__).parents[1] / "data" / "support" / "model.json"
WORD_LABELS = ("backed", "not_backed")
WORD_FEATURES = (
    "content_word",
    "in_page",
    "in_best_sentence",
    "in_top3_sentences",
    "neighbours_in_page",
    "neighbours_in_best_sentence",
    "capitalised",
    "figure",
    "position",
    "claim_words_in_best_sentence",
)
DEFAULT_WORD_MODEL = Path(__file__).parents[1] / "data" / "support" / "words.json"
_WORDS = re.compile(r"\w+")
# Words as WiCE's (spaCy's) tokens split them: hyphens, "'s" and "n't" apart, decimals and thousands kept whole.
_TOKENS = re.compile(r"\d+(?:[.,]\d+)+|\w+(?=n't)|n't|['’]s\b|\w+|[^\w\s]")
_PUNCTUATION = ".,;:()[]\"'“”‘’!?"
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")


def claim_parts(claim: str) -> list[str]:
    """The claim's clauses that hold a content word ("most of them civilians"; the whole claim when it has one)."""
    return [part.text for part in split_parts(claim, finest=True)]


def texts_to_embed(claim: str, sentences: list[str]) -> list[str]:
    """What ``support_features`` needs embedded, in its order: the claim, its parts, the page's sentences."""
    return [claim, *claim_parts(claim), *sentences]


def support_features(claim: str, sentences: list[str], vectors: np.ndarray) -> list[float]:
    """The measures of FEATURES for a claim against a page's sentences (``vectors``: the embeddings of
    ``texts_to_embed``, normalised)."""
    parts = claim_parts(claim)
    claim_vector, part_vectors, sentence_vectors = vectors[0], vectors[1 : 1 + len(parts)], vectors[1 + len(parts) :]
    cosines = sentence_vectors @ claim_vector if sentences else np.zeros(1)
    ranked = np.sort(cosines)[::-1]
    held = [_stems(s) for s in sentences]
    nearest = [held[i] for i in np.argsort(-cosines)[:3]] if sentences else []
    wanted = _stems(claim) or {""}
    page = set().union(*held)
    top3 = set().union(*nearest)
    best = nearest[0] if nearest else set()
    page_text = " ".join(sentences)
    page_figures = {f.replace(",", "") for f in _FIGURE.findall(page_text)}
    figures = {f.replace(",", "") for f in _FIGURE.findall(claim)}
    names = set(_NAME.findall(claim))
    part_cosines = [float((sentence_vectors @ v).max()) if sentences else 0.0 for v in part_vectors]
    part_words = [len(stems & page) / max(1, len(stems)) for stems in map(_stems, parts)]
    return [
        float(ranked[0]),
        float(ranked[:2].mean()),
        float(ranked[:3].mean()),
        float(ranked[0] - np.median(cosines)),
        len(wanted & page) / len(wanted),
        len(wanted & top3) / len(wanted),
        len(wanted & best) / len(wanted),
        len(figures & page_figures) / len(figures) if figures else 1.0,
        float(len(figures)),
        sum(n in page_text for n in names) / len(names) if names else 1.0,
        float(len(names)),
        min(part_cosines),
        float(np.mean(part_cosines)),
        min(part_words),
        float(np.mean(part_words)),
        float(len(parts)),
        float(len(wanted)),
        float(len(sentences)),
    ]


def _stems(text: str) -> set[str]:
    return set(content_words(words(text)))


@dataclass(frozen=True)
class SupportModel:
    """A logistic regression over standardised measures, stored as plain numbers: the claim judge (FEATURES to
    LABELS) or the word judge (WORD_FEATURES to WORD_LABELS)."""

    features: tuple[str, ...]
    labels: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # one row per label
    intercept: np.ndarray
    card: dict[str, Any]  # how it was trained and what it scored

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """One row of label probabilities (in the labels' order) per row of features."""
        logits = ((np.atleast_2d(features) - self.mean) / self.scale) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def save(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        numbers = {k: getattr(self, k).round(6).tolist() for k in ("mean", "scale", "coef", "intercept")}
        stored = {"features": self.features, "labels": self.labels, **numbers, "card": self.card}
        Path(path).write_text(json.dumps(stored))

    @classmethod
    def load(cls, path: str | Path, features: tuple[str, ...], labels: tuple[str, ...]) -> SupportModel:
        try:
            stored = json.loads(Path(path).read_text(encoding="utf-8"))
            if tuple(stored["features"]) != features or tuple(stored["labels"]) != labels:
                raise ValueError("it was trained on other features or labels")
            arrays = [np.asarray(stored[k], dtype=float) for k in ("mean", "scale", "coef", "intercept")]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(str(path), f"cannot load the support model ({exc})") from exc
        return cls(features, labels, *arrays, card=stored.get("card", {}))


def fit_support_model(
    features: np.ndarray,
    labels: list[str],
    card: dict[str, Any] | None = None,
    *,
    names: tuple[str, ...] = FEATURES,
    classes: tuple[str, ...] = LABELS,
    balanced: bool = False,
) -> SupportModel:
    """Fit a judge on rows of measures (``names``) and their labels (``classes``); ``balanced`` weighs each class
    as if all were equally frequent."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    # Strong regularisation: a few hundred claims, and it must hold on pages it never saw.
    model = LogisticRegression(C=0.1, max_iter=2000, class_weight="balanced" if balanced else None)
    model.fit((features - mean) / scale, labels)
    # One row per class; a class the training rows lack is never given. With two classes scikit-learn keeps one
    # row, for the second: the first's is zero in the same softmax.
    coef, intercept = np.zeros((len(classes), features.shape[1])), np.full(len(classes), -50.0)
    seen = list(model.classes_)
    rows = model.coef_ if len(seen) > 2 else np.vstack([np.zeros_like(model.coef_), model.coef_])
    biases = model.intercept_ if len(seen) > 2 else np.concatenate([[0.0], model.intercept_])
    for row, label in enumerate(seen):
        coef[classes.index(label)], intercept[classes.index(label)] = rows[row], biases[row]
    return SupportModel(names, classes, mean, scale, coef, intercept, card or {})


def word_features(words: list[str], sentences: list[str]) -> np.ndarray:
    """The measures of WORD_FEATURES for each of a claim's words (tokens, punctuation included) against a page."""
    pages = [{word_form(w) for w in claim_words(s.casefold())} for s in sentences]
    page = set().union(*pages)
    found = [word_form(w.casefold()) for w in words]
    content = [bool(_WORDS.match(w)) and w.casefold() not in STOPWORDS for w in words]
    wanted = {f for f, c in zip(found, content, strict=True) if c}
    overlap = [len(wanted & s) for s in pages] or [0]
    order = np.argsort(overlap)[::-1]
    best = pages[int(order[0])] if sentences else set()
    top = set().union(*(pages[int(i)] for i in order[:3])) if sentences else set()
    in_page, in_best, in_top = ([f in held for f in found] for held in (page, best, top))
    rows = []
    for i, word in enumerate(words):
        near = [j for j in range(max(0, i - 3), min(len(words), i + 4)) if j != i and content[j]]
        near_page = float(np.mean([in_page[j] for j in near])) if near else 1.0
        near_best = float(np.mean([in_best[j] for j in near])) if near else 1.0
        # A function word takes what its neighbours say: "of" in "one of five trades" is backed as they are.
        own = (in_page[i], in_best[i], in_top[i]) if content[i] else (near_page, near_best, near_page)
        rows.append(
            [
                float(content[i]),
                *map(float, own),
                near_page,
                near_best,
                float(word[:1].isupper()),
                float(any(c.isdigit() for c in word)),
                i / len(words),
                max(overlap) / max(1, len(wanted)),
            ]
        )
    return np.array(rows).reshape(len(words), len(WORD_FEATURES))


def word_form(word: str) -> str:
    """A word as the word judge matches it: stemmed, and a figure without its thousands separators (200,000 is
    200000)."""
    word = word.strip(_PUNCTUATION)
    return word.replace(",", "") if word[:1].isdigit() else stem(word)


def claim_words(claim: str) -> list[str]:
    """A claim's words and punctuation marks, split as WiCE's tokens are (for 93 % of its sub-claims exactly)."""
    return _TOKENS.findall(claim)


def unsupported_words(claim: str, sentences: list[str], model: SupportModel | None = None) -> list[str]:
    """The words of ``claim`` the page's ``sentences`` do not back, in order."""
    words = claim_words(claim)
    if not words:
        return []
    probabilities = (model or default_word_model()).probabilities(word_features(words, sentences))
    return [w for w, p in zip(words, probabilities[:, 1], strict=True) if p >= 0.5]


@functools.cache
def default_support_model() -> SupportModel:
    return SupportModel.load(DEFAULT_MODEL, FEATURES, LABELS)


@functools.cache
def default_word_model() -> SupportModel:
    return SupportModel.load(DEFAULT_WORD_MODEL, WORD_FEATURES, WORD_LABELS)
