"""Check-worthiness benchmarks: ClaimBuster's three classes, and CLEF CheckThat! 2019 Task 1's ranking per debate.

Every line goes through the claims stage as ``check`` runs it, as an article of one line: the line is
check-worthy (CFS) when a sentence of it is, an unimportant factual sentence (UFS) when a sentence of it is of
a checkable kind but scores under the threshold, and non-factual (NFS) otherwise (opinions, predictions, no
verb). Its score is the best check-worthiness score of its checkable sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..claims import find_claims
from ..errors import FormatError
from ..types import CHECKABLE_KINDS, Article, Progress
from .files import read_csv_rows, write_csv_rows
from .metrics import ClassScores, average_precision, class_scores, precision_at

#: ClaimBuster's Verdict values and their names.
VERDICTS = {"-1": "NFS", "0": "UFS", "1": "CFS"}
CUTOFFS = (5, 10, 20, 50)


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


def detect(texts: list[str], *, progress: Progress | None = None) -> list[tuple[str, float]]:
    """Return (Verdict value, check-worthiness score) for each line."""
    results = []
    for n, text in enumerate(texts, start=1):
        claims = [c for c in find_claims(Article(text=text)) if c.kind in CHECKABLE_KINDS]
        score = max((c.score for c in claims), default=0.0)
        label = "1" if any(c.checkworthy for c in claims) else "0" if claims else "-1"
        results.append((label, score))
        if progress and (n % 500 == 0 or n == len(texts)):
            progress("finding claims", n, len(texts))
    return results


def evaluate_claimbuster(
    path: str | Path, *, predictions: str | Path | None = None, progress: Progress | None = None
) -> ClaimBusterScores | None:
    """Label every sentence of a ClaimBuster CSV; write predictions if asked; score it when it has Verdicts."""
    rows = read_csv_rows(path, ("Sentence_id", "Text"))
    labelled = bool(rows) and "Verdict" in rows[0]
    if labelled and (bad := next((r for r in rows if r["Verdict"].strip() not in VERDICTS), None)):
        raise FormatError(str(path), f"Verdict {bad['Verdict']!r} of sentence {bad['Sentence_id']} is not -1, 0 or 1")
    found = detect([r["Text"] for r in rows], progress=progress)
    if predictions:
        lines = ([r["Sentence_id"], *f] for r, f in zip(rows, found, strict=True))
        write_csv_rows(predictions, ["Sentence_id", "label", "score"], lines)
    if not labelled:
        return None
    gold = [VERDICTS[r["Verdict"].strip()] for r in rows]
    predicted = [VERDICTS[label] for label, _ in found]
    return ClaimBusterScores(len(rows), class_scores(gold, predicted, list(VERDICTS.values())))


def evaluate_clef(
    path: str | Path, *, predictions: str | Path | None = None, progress: Progress | None = None
) -> RankingScores | None:
    """Score every line of a CLEF 2019 Task 1 CSV; write predictions if asked; rank each debate when labelled."""
    rows = read_csv_rows(path, ("line_number", "text", "file_name"))
    if bad := next((r for r in rows if not r["line_number"].strip().isdigit()), None):
        raise FormatError(str(path), f"line_number {bad['line_number']!r} in {bad['file_name']} is not a number")
    found = detect([r["text"] for r in rows], progress=progress)
    binary = [("1" if label == "1" else "0", score) for label, score in found]
    if predictions:
        lines = ([r["file_name"], r["line_number"], *f] for r, f in zip(rows, binary, strict=True))
        write_csv_rows(predictions, ["file_name", "line_number", "label", "score"], lines)
    if not rows or "label" not in rows[0]:
        return None
    debates: dict[str, list[tuple[float, int, bool]]] = {}
    for r, (_, score) in zip(rows, binary, strict=True):
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
