"""Check-worthiness and claim types on news: the project's own annotations of FA-KES and BBC sentences.

The annotation file holds references, never text: dataset, article id, sentence position (in
``split_sentences`` of the article's text as the CSV holds it) and the first ten hex digits of the sentence's
SHA-1, so that a change of splitter or data is caught instead of scoring the wrong sentence. Each article is
run through the claims stage whole, as ``check`` runs it, and its claims matched to the annotated sentences.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..claims import find_claims
from ..errors import FormatError
from ..sentences import split_sentences
from ..types import Article, ClaimKind, Progress
from .files import read_csv_rows
from .metrics import ClassScores, class_scores

#: Where each annotated dataset lives under the shared data folder: file, encoding, id column, text column.
DATASETS = {
    "bbc": ("news/bbc/bbc_news.csv", "utf-8", "id", "text"),
    "fakes": ("fakes/FA-KES-Dataset.csv", "latin-1", "unit_id", "article_content"),
}
TYPES = tuple(k.value for k in ClaimKind)
#: What a sentence without a verb (which the claims stage skips) is predicted as.
NO_CLAIM = "none"


@dataclass(frozen=True)
class NewsScores:
    sentences: int
    checkworthy: ClassScores  # labels "yes", "no"
    types: ClassScores

    def as_dict(self) -> dict[str, object]:
        c, t = self.checkworthy, self.types
        return {
            "sentences": self.sentences,
            "precision": round(c.precision["yes"], 4),
            "recall": round(c.recall["yes"], 4),
            "f1": round(c.f1["yes"], 4),
            "type_accuracy": round(t.accuracy, 4),
            "type_f1": {k: round(v, 4) for k, v in t.f1.items() if k != NO_CLAIM},
            "type_confusion": t.confusion,
        }


def annotated_sentences(path: str | Path, data: str | Path) -> tuple[list[dict[str, str]], dict[tuple[str, str], str]]:
    """Return the usable annotation rows and the text of every article they refer to, checking each reference."""
    columns = ("dataset", "id", "sentence", "sha1", "usable", "checkworthy", "type")
    rows = [r for r in read_csv_rows(path, columns) if r["usable"] == "1"]
    wanted = {(r["dataset"], r["id"]) for r in rows}
    texts: dict[tuple[str, str], str] = {}
    for name, (file, encoding, id_column, text_column) in DATASETS.items():
        if not any(d == name for d, _ in wanted):
            continue
        try:
            with open(Path(data) / file, encoding=encoding, newline="") as f:
                for row in csv.DictReader(f):
                    if (name, row[id_column]) in wanted:
                        texts[name, row[id_column]] = row[text_column]
        except OSError as exc:
            raise FormatError(str(Path(data) / file), exc.strerror or "cannot be read") from exc
    for r in rows:
        key = r["dataset"], r["id"]
        spans = split_sentences(texts.get(key, ""))
        position = int(r["sentence"])
        if key not in texts or position >= len(spans):
            raise FormatError(str(path), f"no sentence {position} in {key[0]} article {key[1]}")
        start, end = spans[position]
        if hashlib.sha1(texts[key][start:end].encode()).hexdigest()[:10] != r["sha1"]:
            raise FormatError(str(path), f"sentence {position} of {key[0]} article {key[1]} is not the annotated one")
    return rows, texts


def evaluate_news(path: str | Path, data: str | Path, *, progress: Progress | None = None) -> NewsScores:
    """Run the claims stage over every annotated article; score check-worthiness and type sentence by sentence."""
    rows, texts = annotated_sentences(path, data)
    found: dict[tuple[str, str, int], tuple[bool, str]] = {}
    for n, ((dataset, article_id), text) in enumerate(texts.items(), start=1):
        starts = {s: i for i, (s, _) in enumerate(split_sentences(text))}
        for claim in find_claims(Article(text=text)):
            if claim.start in starts:
                found[dataset, article_id, starts[claim.start]] = (claim.checkworthy, claim.kind.value)
        if progress:
            progress("finding claims", n, len(texts))
    gold_worthy, predicted_worthy, gold_types, predicted_types = [], [], [], []
    for r in rows:
        worthy, kind = found.get((r["dataset"], r["id"], int(r["sentence"])), (False, NO_CLAIM))
        gold_worthy.append("yes" if r["checkworthy"] == "1" else "no")
        predicted_worthy.append("yes" if worthy else "no")
        gold_types.append(r["type"])
        predicted_types.append(kind)
    return NewsScores(
        len(rows),
        class_scores(gold_worthy, predicted_worthy, ["yes", "no"]),
        class_scores(gold_types, predicted_types, [*TYPES, NO_CLAIM]),
    )
