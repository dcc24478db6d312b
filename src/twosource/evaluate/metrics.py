"""The measures the benchmarks share: per-class precision/recall/F1, and average precision over a ranking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ClassScores:
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label -> count
    accuracy: float

    @property
    def macro_f1(self) -> float:
        return sum(self.f1.values()) / len(self.f1)

    def as_dict(self) -> dict[str, object]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "precision": {k: round(v, 4) for k, v in self.precision.items()},
            "recall": {k: round(v, 4) for k, v in self.recall.items()},
            "f1": {k: round(v, 4) for k, v in self.f1.items()},
            "confusion": self.confusion,
        }


def f1_score(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0 when both are 0)."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def class_scores(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> ClassScores:
    """Return precision, recall and F1 per label, the confusion matrix and accuracy."""
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    precision, recall, f1 = {}, {}, {}
    for label in labels:
        hits = confusion[label][label]
        predicted_n = sum(confusion[g][label] for g in labels)
        gold_n = sum(confusion[label].values())
        precision[label] = hits / predicted_n if predicted_n else 0.0
        recall[label] = hits / gold_n if gold_n else 0.0
        f1[label] = f1_score(precision[label], recall[label])
    accuracy = sum(confusion[label][label] for label in labels) / len(gold) if gold else 0.0
    return ClassScores(precision, recall, f1, confusion, accuracy)


def average_precision(hits: Sequence[bool], relevant: int) -> float:
    """Return the average precision of a ranking (``hits[k]``: is the item at rank k+1 relevant)."""
    found, total = 0, 0.0
    for k, hit in enumerate(hits, start=1):
        if hit:
            found += 1
            total += found / k
    return total / relevant if relevant else 0.0


def precision_at(hits: Sequence[bool], k: int) -> float:
    """Return the share of relevant items among the first ``k`` (a shorter ranking counts its gaps as misses)."""
    return sum(hits[:k]) / k


def adjusted_rand_index(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Agreement of two clusterings of the same items, pair by pair, corrected for chance (1 = identical; as
    scikit-learn's adjusted_rand_score computes it, including its 1.0 for two clusterings with no pair to tell)."""
    n = len(gold)
    together = sum(c * c for c in Counter(zip(gold, predicted, strict=True)).values())
    gold_pairs = sum(c * c for c in Counter(gold).values()) - together  # together in gold only
    predicted_pairs = sum(c * c for c in Counter(predicted).values()) - together  # in the prediction only
    both, neither = together - n, n * n - gold_pairs - predicted_pairs - together
    if gold_pairs == predicted_pairs == 0:
        return 1.0
    return (
        2.0
        * (both * neither - gold_pairs * predicted_pairs)
        / ((both + gold_pairs) * (gold_pairs + neither) + (both + predicted_pairs) * (predicted_pairs + neither))
    )
