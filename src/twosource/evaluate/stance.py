"""FNC-1 stance benchmark: predict agree / disagree / discuss / unrelated for every headline–body pair.

The headline is the claim and the whole body the evidence, judged by the stance model ``check`` uses. Scored
with the official FNC-1 measure (0.25 for related vs unrelated right, 0.75 more for the exact related label),
accuracy, per-class precision/recall/F1 and the confusion matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError
from ..stance.model import LABELS, RELATED, StanceModel, default_model, text_pairs
from ..types import Progress
from .files import read_csv_rows, write_csv_rows
from .metrics import ClassScores, class_scores


@dataclass(frozen=True)
class StanceScores(ClassScores):
    pairs: int = 0
    fnc_raw: float = 0.0
    fnc_max: float = 0.0

    @property
    def fnc_relative(self) -> float:
        return self.fnc_raw / self.fnc_max if self.fnc_max else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "pairs": self.pairs,
            "fnc_raw": round(self.fnc_raw, 2),
            "fnc_max": round(self.fnc_max, 2),
            "fnc_relative": round(self.fnc_relative, 4),
            **super().as_dict(),
        }


def score_stances(gold: list[str], predicted: list[str]) -> StanceScores:
    """Return the FNC-1 score, accuracy, per-class precision/recall/F1 and the confusion matrix."""
    raw = best = 0.0
    for g, p in zip(gold, predicted, strict=True):
        best += 0.25 if g == "unrelated" else 1.0
        if g == p:
            raw += 0.25 if g == "unrelated" else 1.0
        elif g in RELATED and p in RELATED:
            raw += 0.25
    c = class_scores(gold, predicted, LABELS)
    return StanceScores(c.precision, c.recall, c.f1, c.confusion, c.accuracy, len(gold), raw, best)


def predict_stances(
    bodies: dict[str, str],
    pairs: list[tuple[str, str]],
    *,
    model: StanceModel | None = None,
    progress: Progress | None = None,
) -> list[str]:
    """Return an FNC-1 label for each (headline, body ID) pair, in order, from ``model`` (default: the shipped one)."""
    model = model or default_model()
    return model.predict(text_pairs(bodies, pairs, progress=progress), progress=progress)


def read_fnc_pairs(bodies_path: str | Path, stances_path: str | Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Return the bodies by Body ID and the stance rows of an FNC-1 file pair, checking every Body ID exists."""
    bodies = {b["Body ID"]: b["articleBody"] for b in read_csv_rows(bodies_path, ("Body ID", "articleBody"))}
    stances = read_csv_rows(stances_path, ("Headline", "Body ID"))
    missing = {s["Body ID"] for s in stances} - set(bodies)
    if missing:
        raise FormatError(str(stances_path), f"{len(missing)} Body IDs are not in {bodies_path}")
    return bodies, stances


def evaluate_stance(
    bodies_path: str | Path,
    stances_path: str | Path,
    *,
    predictions: str | Path | None = None,
    model_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> StanceScores | None:
    """Predict every pair; write ``Headline,Body ID,Stance`` if asked; return scores when stances are labelled."""
    bodies, stances = read_fnc_pairs(bodies_path, stances_path)
    model = StanceModel.load(model_dir) if model_dir else None
    predicted = predict_stances(
        bodies, [(s["Headline"], s["Body ID"]) for s in stances], model=model, progress=progress
    )
    if predictions:
        rows = ([s["Headline"], s["Body ID"], label] for s, label in zip(stances, predicted, strict=True))
        write_csv_rows(predictions, ["Headline", "Body ID", "Stance"], rows)
    if not stances or "Stance" not in stances[0]:
        return None
    return score_stances([s["Stance"] for s in stances], predicted)
