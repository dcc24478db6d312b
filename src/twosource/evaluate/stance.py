"""FNC-1 stance benchmark: predict agree / disagree / discuss / unrelated for every headline–body pair.

The headline is the claim and the body the evidence, judged by the stance stage as ``check`` uses it:
the body's passage most similar to the headline is the passage judged. Scored with the official FNC-1
measure (0.25 for related vs unrelated right, 0.75 more for the exact related label) and per-class F1.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..claims import find_claims
from ..errors import FormatError
from ..index.passages import split_passages
from ..stance import judge_stance
from ..types import Article, Claim, ClaimKind, Passage, Stance
from .fnc import LABELS, RELATED, read_fnc_csv

_FNC_LABEL = {
    Stance.SUPPORTS: "agree",
    Stance.REFUTES: "disagree",
    Stance.DISCUSSES: "discuss",
    Stance.UNRELATED: "unrelated",
}


@dataclass(frozen=True)
class StanceScores:
    pairs: int
    fnc_raw: float
    fnc_max: float
    accuracy: float
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]  # gold label -> predicted label -> count

    @property
    def fnc_relative(self) -> float:
        return self.fnc_raw / self.fnc_max if self.fnc_max else 0.0

    @property
    def macro_f1(self) -> float:
        return sum(self.f1.values()) / len(self.f1)

    def as_dict(self) -> dict[str, object]:
        return {
            "pairs": self.pairs,
            "fnc_raw": round(self.fnc_raw, 2),
            "fnc_max": round(self.fnc_max, 2),
            "fnc_relative": round(self.fnc_relative, 4),
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "precision": {k: round(v, 4) for k, v in self.precision.items()},
            "recall": {k: round(v, 4) for k, v in self.recall.items()},
            "f1": {k: round(v, 4) for k, v in self.f1.items()},
            "confusion": self.confusion,
        }


def score_stances(gold: list[str], predicted: list[str]) -> StanceScores:
    """Return the FNC-1 score, accuracy, per-class precision/recall/F1 and the confusion matrix."""
    confusion = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    raw = best = 0.0
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
        best += 0.25 if g == "unrelated" else 1.0
        if g == p:
            raw += 0.25 if g == "unrelated" else 1.0
        elif g in RELATED and p in RELATED:
            raw += 0.25
    precision, recall, f1 = {}, {}, {}
    for label in LABELS:
        hits = confusion[label][label]
        predicted_n = sum(confusion[g][label] for g in LABELS)
        gold_n = sum(confusion[label].values())
        precision[label] = hits / predicted_n if predicted_n else 0.0
        recall[label] = hits / gold_n if gold_n else 0.0
        total = precision[label] + recall[label]
        f1[label] = 2 * precision[label] * recall[label] / total if total else 0.0
    accuracy = sum(confusion[label][label] for label in LABELS) / len(gold) if gold else 0.0
    return StanceScores(len(gold), raw, best, accuracy, precision, recall, f1, confusion)


def predict_stances(
    bodies: dict[str, str],
    pairs: list[tuple[str, str]],
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[str]:
    """Return an FNC-1 label for each (headline, body ID) pair, in order."""
    from ..models import embed

    step = progress or (lambda *_: None)
    used = list(dict.fromkeys(body for _, body in pairs))
    spans = {b: split_passages(bodies[b]) or [(0, len(bodies[b]))] for b in used}
    texts = [bodies[b][s:e] for b in used for s, e in spans[b]]
    vectors = np.zeros((0, 384), dtype=np.float32)
    for start in range(0, len(texts), 512):  # in chunks, to show progress on long runs
        vectors = np.vstack([vectors, embed(texts[start : start + 512])])
        step("embedding body passages", min(start + 512, len(texts)), len(texts))
    rows: dict[str, slice] = {}
    offset = 0
    for b in used:
        rows[b] = slice(offset, offset + len(spans[b]))
        offset += len(spans[b])
    headlines = list(dict.fromkeys(h for h, _ in pairs))
    claims = {h: headline_claim(h) for h in headlines}
    headline_vectors = dict(zip(headlines, embed(headlines), strict=True))
    labels = []
    for n, (headline, body) in enumerate(pairs, start=1):
        cosines = vectors[rows[body]] @ headline_vectors[headline]
        best = int(np.argmax(cosines))
        s, e = spans[body][best]
        passage = Passage(
            article_id=0,
            passage_id=0,
            outlet="",
            published=None,
            title="",
            url="",
            text=bodies[body][s:e],
            cluster_id=0,
        )
        stance, *_ = judge_stance(claims[headline], passage, float(cosines[best]))
        labels.append(_FNC_LABEL[stance])
        if n % 1000 == 0 or n == len(pairs):
            step("judging pairs", n, len(pairs))
    return labels


def headline_claim(headline: str) -> Claim:
    """Return a headline as a claim, analysed like an article sentence (verbless headlines stay plain events)."""
    found = find_claims(Article(text=headline))
    if found:
        return found[0]
    return Claim(text=headline, start=0, end=len(headline), kind=ClaimKind.EVENT, checkworthy=True, score=0.0)


def evaluate_stance(
    bodies_path: str | Path,
    stances_path: str | Path,
    *,
    predictions: str | Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> StanceScores | None:
    """Predict every pair; write ``Headline,Body ID,Stance`` if asked; return scores when stances are labelled."""
    bodies = {b["Body ID"]: b["articleBody"] for b in read_fnc_csv(bodies_path, ("Body ID", "articleBody"))}
    stances = read_fnc_csv(stances_path, ("Headline", "Body ID"))
    missing = {s["Body ID"] for s in stances} - set(bodies)
    if missing:
        raise FormatError(str(stances_path), f"{len(missing)} Body IDs are not in {bodies_path}")
    predicted = predict_stances(bodies, [(s["Headline"], s["Body ID"]) for s in stances], progress=progress)
    if predictions:
        with open(predictions, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["Headline", "Body ID", "Stance"])
            writer.writerows((s["Headline"], s["Body ID"], label) for s, label in zip(stances, predicted, strict=True))
    if not stances or "Stance" not in stances[0]:
        return None
    return score_stances([s["Stance"] for s in stances], predicted)
