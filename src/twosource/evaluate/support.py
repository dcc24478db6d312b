"""WiCE support benchmark: does the page a Wikipedia claim cites support all of it, part of it, or none of it?

Each claim is judged by the support judge (``twosource.stance.support``) against its cited page's sentences, the only
candidate evidence. Scored with accuracy, macro-F1, per-class precision/recall/F1, the precision of "supported",
how often a not-supported claim is called supported, and the expected calibration error of the judge's
confidence in the label it gives. With ``folds``, the judge is trained and scored by cross-validation grouped by
Wikipedia page (no page's claims on both sides), the honest figure on the split it learns from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FormatError
from ..models import require_training_extra
from ..stance.support import (
    LABELS,
    WORD_LABELS,
    SupportModel,
    default_support_model,
    default_word_model,
    fit_support_model,
    support_features,
    texts_to_embed,
    word_features,
)
from ..types import Progress
from .files import write_csv_rows
from .metrics import ClassScores, class_scores, f1_score

_META = "(meta data)"  # WiCE's lines of page metadata (title, date) before the page's sentences


@dataclass(frozen=True)
class WiceClaim:
    id: str
    claim: str
    sentences: tuple[str, ...]
    label: str | None  # None when the file is unlabelled: predictions only
    page_title: str
    # Files of sub-claims with their words marked (non_supported_tokens_*.jsonl): the words, and for each whether
    # the page leaves it unbacked.
    words: tuple[str, ...] = ()
    not_backed: tuple[bool, ...] = ()


@dataclass(frozen=True)
class SupportScores(ClassScores):
    claims: int = 0
    supported_precision: float = 0.0
    false_support_rate: float = 0.0  # share of not-supported claims called supported
    calibration_error: float = 0.0  # expected calibration error of the confidence in the label given

    def as_dict(self) -> dict[str, object]:
        return {
            "claims": self.claims,
            **super().as_dict(),
            "supported_precision": round(self.supported_precision, 4),
            "false_support_rate": round(self.false_support_rate, 4),
            "calibration_error": round(self.calibration_error, 4),
        }


def load_wice(path: str | Path) -> list[WiceClaim]:
    """Return the claims of a WiCE file (``dev.jsonl``'s format, or ``non_supported_tokens_*.jsonl``'s)."""
    claims = list(_rows(Path(path)))
    if not claims:
        raise FormatError(str(path), "no WiCE claim rows in it")
    return claims


def _rows(path: Path) -> Iterator[WiceClaim]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(str(path), f"cannot read it ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            claim = WiceClaim(
                id=str(row["meta"]["id"]),
                claim=str(row["claim"]),
                sentences=tuple(str(s) for s in row["evidence"]),
                label=row.get("label"),
                page_title=str(row["meta"].get("claim_title", "")),
                words=tuple(str(w) for w in row.get("claim_tokens", ())),
                not_backed=tuple(bool(b) for b in row.get("non_supported_spans", ())),
            )
            if len(claim.words) != len(claim.not_backed):
                raise ValueError("claim_tokens and non_supported_spans differ in length")
        except (ValueError, KeyError, TypeError) as exc:
            raise FormatError(f"{path}:{number}", "not a WiCE claim row (claim, evidence, meta.id)") from exc
        if claim.label is not None and claim.label not in LABELS:
            raise FormatError(f"{path}:{number}", f"unknown label {claim.label!r}")
        yield claim


def page_sentences(item: WiceClaim) -> list[str]:
    """The cited page's sentences, its metadata lines left out."""
    return [s for s in item.sentences if s.strip() and not s.startswith(_META)]


def wice_features(items: list[WiceClaim], progress: Progress | None = None) -> np.ndarray:
    """The support judge's features of every claim against its page."""
    from ..models import embed

    step = progress or (lambda stage, done, total: None)
    rows = []
    for done, item in enumerate(items):
        if done % 10 == 0:
            step("reading claims against their pages", done, len(items))
        sentences = page_sentences(item)
        rows.append(support_features(item.claim, sentences, embed(texts_to_embed(item.claim, sentences))))
    step("reading claims against their pages", len(items), len(items))
    return np.array(rows)


def cross_validated(items: list[WiceClaim], features: np.ndarray, folds: int) -> np.ndarray:
    """Label probabilities for every claim from a judge trained on the other folds (grouped by page)."""
    from sklearn.model_selection import GroupKFold

    labels = np.array([item.label for item in items])
    pages = [item.page_title for item in items]
    probabilities = np.zeros((len(items), len(LABELS)))
    for train, test in GroupKFold(folds).split(features, labels, pages):
        model = fit_support_model(features[train], list(labels[train]))
        probabilities[test] = model.probabilities(features[test])
    return probabilities


def check_folds(items: list[WiceClaim], folds: int) -> None:
    """Refuse, before any work, a cross-validation the claims cannot take (unlabelled, or fewer pages than folds)
    or this install cannot (without the training extra: it trains a judge per fold)."""
    require_training_extra()
    if any(item.label is None for item in items):
        raise FormatError("WiCE file", "cross-validation needs every claim labelled")
    pages = len({item.page_title for item in items})
    if pages < folds:
        raise FormatError("WiCE file", f"{pages} pages cannot be split into {folds} folds")


def calibration_error(probabilities: np.ndarray, gold: list[str], bins: int = 10) -> float:
    """Expected calibration error of the confidence in the label given (the largest probability)."""
    confidence = probabilities.max(axis=1)
    right = np.array([LABELS[i] == g for i, g in zip(probabilities.argmax(axis=1), gold, strict=True)])
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(right[which == b].mean() - confidence[which == b].mean()) * (which == b).sum()
            for b in range(bins)
            if (which == b).any()
        )
        / len(gold)
    )


def score_support(gold: list[str], predicted: list[str], calibration: float = 0.0) -> SupportScores:
    c = class_scores(gold, predicted, LABELS)
    unsupported = [p for g, p in zip(gold, predicted, strict=True) if g == "not_supported"]
    return SupportScores(
        c.precision,
        c.recall,
        c.f1,
        c.confusion,
        c.accuracy,
        claims=len(gold),
        supported_precision=c.precision["supported"],
        false_support_rate=unsupported.count("supported") / len(unsupported) if unsupported else 0.0,
        calibration_error=calibration,
    )


def evaluate_support(
    path: str | Path,
    *,
    folds: int | None = None,
    predictions_out: str | Path | None = None,
    progress: Progress | None = None,
) -> SupportScores | None:
    """Judge every claim of a WiCE file with the shipped judge, or by cross-validation with ``folds``; return the
    scores (None when the file has no labels)."""
    items = load_wice(path)
    if folds:
        check_folds(items, folds)
    features = wice_features(items, progress)
    if folds:
        probabilities = cross_validated(items, features, folds)
    else:
        probabilities = default_support_model().probabilities(features)
    predicted = [LABELS[i] for i in probabilities.argmax(axis=1)]
    if predictions_out:
        write_csv_rows(
            predictions_out,
            ["id", "label", "score"],
            (
                [item.id, label, round(float(p[0]), 4)]
                for item, label, p in zip(items, predicted, probabilities, strict=True)
            ),
        )
    if any(item.label is None for item in items):
        return None
    gold = [item.label or "" for item in items]
    return score_support(gold, predicted, calibration_error(probabilities, gold))


@dataclass(frozen=True)
class WordScores:
    """How well the words a page leaves unbacked are found (WiCE's non-supported tokens)."""

    claims: int
    words: int
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    def as_dict(self) -> dict[str, object]:
        return {
            "claims": self.claims,
            "words": self.words,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def word_rows(items: list[WiceClaim]) -> tuple[np.ndarray, list[str]]:
    """The word judge's features and labels for every word of every marked sub-claim."""
    marked = [item for item in items if item.words]
    if not marked:
        raise FormatError("WiCE file", "no claim has its words marked (claim_tokens, non_supported_spans)")
    features = np.vstack([word_features(list(item.words), page_sentences(item)) for item in marked])
    labels = [WORD_LABELS[int(b)] for item in marked for b in item.not_backed]
    return features, labels


def evaluate_words(path: str | Path) -> WordScores:
    """Score the shipped word judge on a file of sub-claims with their unbacked words marked."""
    return score_words(load_wice(path), default_word_model())


def score_words(items: list[WiceClaim], model: SupportModel) -> WordScores:
    """Score a word judge on sub-claims with their unbacked words marked."""
    features, labels = word_rows(items)
    called = model.probabilities(features)[:, 1] >= 0.5
    gold = np.array([label == WORD_LABELS[1] for label in labels])
    hits = int((called & gold).sum())
    return WordScores(
        claims=sum(bool(item.words) for item in items),
        words=len(labels),
        precision=hits / called.sum() if called.any() else 0.0,
        recall=hits / gold.sum() if gold.any() else 0.0,
    )
