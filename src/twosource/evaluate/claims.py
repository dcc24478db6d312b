"""Check-worthiness benchmarks: ClaimBuster's three classes, and CLEF CheckThat! 2019 Task 1's ranking per debate.

Every line is read by the claims stage's detector as ``check`` reads a sentence: the line is check-worthy
(CFS) when its probability of CFS reaches ``CHECKWORTHY_FROM``, else the likelier of NFS and UFS. Its score,
which ranks CLEF's lines, is that probability. (On news, ``check`` also needs the sentence to be of a
checkable kind; ``evaluate.news`` scores that whole stage.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..claims import CHECKWORTHY_FROM
from ..errors import FormatError
from ..types import Progress
from .files import read_csv_rows, write_csv_rows
from .metrics import ClassScores, average_precision, class_scores, precision_at

if TYPE_CHECKING:
    from ..claims.detector import ClaimDetector

#: ClaimBuster's Verdict values and their names.
VERDICTS = {"-1": "NFS", "0": "UFS", "1": "CFS"}
CUTOFFS = (5, 10, 20, 50)
#: Lines read per call, so long files show progress.
_CHUNK = 1000


@dataclass(frozen=True)
class ClaimBusterScores:
    sentences: int
    scores: ClassScores  # by class name: NFS, UFS, CFS

    def as_dict(self) -> dict[str, object]:
        return {"sentences": self.sentences, "cfs_f1": round(self.scores.f1["CFS"], 4), **self.scores.as_dict()}


@dataclass(frozen=True)
class RankingScores:
    debates: int
    map: float
    r_precision: float
    p_at: dict[int, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "debates": self.debates,
            "map": round(self.map, 4),
            "r_precision": round(self.r_precision, 4),
            "p_at": {str(k): round(v, 4) for k, v in self.p_at.items()},
        }


def load_detector(model: str | Path | None) -> ClaimDetector:
    """Return the detector in the folder ``model``, or the shipped one."""
    from ..claims.detector import ClaimDetector, default_detector

    return ClaimDetector.load(model) if model else default_detector()


def detect(texts: list[str], detector: ClaimDetector, *, progress: Progress | None = None) -> list[tuple[str, float]]:
    """Return (Verdict value, probability of check-worthy) for each line."""
    results: list[tuple[str, float]] = []
    for start in range(0, len(texts), _CHUNK):
        for nfs, ufs, cfs in detector.predict_proba(texts[start : start + _CHUNK]).tolist():
            label = "1" if cfs >= CHECKWORTHY_FROM else "0" if ufs > nfs else "-1"
            results.append((label, round(cfs, 4)))
        if progress:
            progress("reading sentences", len(results), len(texts))
    return results


def evaluate_claimbuster(
    path: str | Path,
    *,
    model: str | Path | None = None,
    predictions: str | Path | None = None,
    progress: Progress | None = None,
) -> ClaimBusterScores | None:
    """Label every sentence of a ClaimBuster CSV; write predictions if asked; score it when it has Verdicts."""
    rows = read_csv_rows(path, ("Sentence_id", "Text"))
    labelled = bool(rows) and "Verdict" in rows[0]
    if labelled:
        check_verdicts(path, rows)
    found = detect([r["Text"] for r in rows], load_detector(model), progress=progress)
    if predictions:
        lines = ([r["Sentence_id"], *f] for r, f in zip(rows, found, strict=True))
        write_csv_rows(predictions, ["Sentence_id", "label", "score"], lines)
    return score_claimbuster([r["Verdict"] for r in rows], found) if labelled else None


def check_verdicts(path: str | Path, rows: list[dict[str, str]]) -> None:
    """Raise FormatError, naming the sentence, if a row's Verdict is not -1, 0 or 1."""
    if bad := next((r for r in rows if r["Verdict"].strip() not in VERDICTS), None):
        sentence = bad.get("Sentence_id", "?")
        raise FormatError(str(path), f"Verdict {bad['Verdict']!r} of sentence {sentence} is not -1, 0 or 1")


def score_claimbuster(verdicts: list[str], found: list[tuple[str, float]]) -> ClaimBusterScores:
    """Score predicted Verdicts against the gold ones (values -1, 0, 1)."""
    gold = [VERDICTS[v.strip()] for v in verdicts]
    predicted = [VERDICTS[label] for label, _ in found]
    return ClaimBusterScores(len(gold), class_scores(gold, predicted, list(VERDICTS.values())))


def evaluate_clef(
    path: str | Path,
    *,
    model: str | Path | None = None,
    predictions: str | Path | None = None,
    progress: Progress | None = None,
) -> RankingScores | None:
    """Score every line of a CLEF 2019 Task 1 CSV; write predictions if asked; rank each debate when labelled."""
    rows = read_csv_rows(path, ("line_number", "text", "file_name"))
    if bad := next((r for r in rows if not r["line_number"].strip().isdigit()), None):
        raise FormatError(str(path), f"line_number {bad['line_number']!r} in {bad['file_name']} is not a number")
    found = detect([r["text"] for r in rows], load_detector(model), progress=progress)
    binary = [("1" if label == "1" else "0", score) for label, score in found]
    if predictions:
        lines = ([r["file_name"], r["line_number"], *f] for r, f in zip(rows, binary, strict=True))
        write_csv_rows(predictions, ["file_name", "line_number", "label", "score"], lines)
    return score_ranking(rows, binary) if rows and "label" in rows[0] else None


def score_ranking(rows: list[dict[str, str]], found: list[tuple[str, float]]) -> RankingScores:
    """Rank each debate's lines by score (``found``'s second field) and score the ranking against their labels."""
    debates: dict[str, list[tuple[float, int, bool]]] = {}
    for r, (_, score) in zip(rows, found, strict=True):
        # Ties keep transcript order, so a constant score ranks no better than reading the debate.
        debates.setdefault(r["file_name"], []).append((-score, int(r["line_number"]), r["label"].strip() == "1"))
    aps, rps, p_at = [], [], {k: [] for k in CUTOFFS}
    for lines in debates.values():
        hits = [relevant for *_, relevant in sorted(lines)]
        relevant = sum(hits)
        aps.append(average_precision(hits, relevant))
        rps.append(precision_at(hits, relevant) if relevant else 0.0)
        for k in CUTOFFS:
            p_at[k].append(precision_at(hits, k))
    n = len(debates)
    return RankingScores(n, sum(aps) / n, sum(rps) / n, {k: sum(v) / n for k, v in p_at.items()})
