"""Cross-lingual matching (Tatoeba, ../shared/data/tatoeba): for each line of a source file, the line of a target
file that the embedder retrieval uses puts nearest (cosine); the accuracy, both directions averaged, when the
files are aligned (line n of one the translation of line n of the other)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FormatError
from ..models import embed
from ..types import Progress
from .files import write_csv_rows

#: Texts embedded at a time (for progress), and rows of the similarity matrix held at once (for memory).
_BATCH = 256


@dataclass(frozen=True)
class CrosslingualScores:
    source_lines: int
    target_lines: int
    #: Sentences (of both files) embedded a second, embedding alone.
    sentences_per_second: float
    #: None when the files are not aligned (their line counts differ).
    source_to_target: float | None = None
    target_to_source: float | None = None

    @property
    def accuracy(self) -> float | None:
        if self.source_to_target is None or self.target_to_source is None:
            return None
        return (self.source_to_target + self.target_to_source) / 2

    def as_dict(self) -> dict[str, float | int | None]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "source_lines": self.source_lines,
            "target_lines": self.target_lines,
            "accuracy": rounded(self.accuracy),
            "source_to_target": rounded(self.source_to_target),
            "target_to_source": rounded(self.target_to_source),
            "sentences_per_second": round(self.sentences_per_second, 1),
        }


def evaluate_crosslingual(
    source: str | Path, target: str | Path, *, predictions: str | Path | None = None, progress: Progress | None = None
) -> CrosslingualScores:
    """Match every line of ``source`` to its nearest line of ``target``; write ``source_line,target_line,score``
    (1-based lines) to ``predictions`` when given; score both directions when the files are aligned."""
    sources, targets = read_lines(source), read_lines(target)
    embed(sources[:1])  # the model loaded before the clock starts: the speed is the embedding's
    began = time.perf_counter()
    source_vectors = _embedded(sources, progress, 0, len(sources) + len(targets))
    target_vectors = _embedded(targets, progress, len(sources), len(sources) + len(targets))
    speed = (len(sources) + len(targets)) / max(time.perf_counter() - began, 1e-9)
    best, scores = nearest(source_vectors, target_vectors)
    if predictions:
        rows = ([i + 1, int(j) + 1, float(s)] for i, (j, s) in enumerate(zip(best, scores, strict=True)))
        write_csv_rows(predictions, ["source_line", "target_line", "score"], rows)
    if len(sources) != len(targets):
        return CrosslingualScores(len(sources), len(targets), speed)
    back, _ = nearest(target_vectors, source_vectors)
    expected = np.arange(len(sources))
    return CrosslingualScores(
        len(sources),
        len(targets),
        speed,
        source_to_target=float((best == expected).mean()),
        target_to_source=float((back == expected).mean()),
    )


def read_lines(path: str | Path) -> list[str]:
    """The lines of a text file, one sentence each, decoded as an article is (its encoding detected, never
    mojibake; ``$TWOSOURCE_MAX_BYTES`` at most)."""
    from ..read.decode import decode_bytes
    from ..settings import default_max_bytes

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(str(path), exc.strerror or "cannot be read") from exc
    return decode_bytes(data, str(path), max_bytes=default_max_bytes()).splitlines()


def nearest(queries: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``queries``, the index of the nearest row of ``candidates`` (unit vectors: the highest
    inner product; the first on a tie) and its cosine, a block of rows at a time."""
    best = np.empty(len(queries), dtype=np.int64)
    scores = np.empty(len(queries), dtype=np.float32)
    for start in range(0, len(queries), _BATCH):
        similarities = queries[start : start + _BATCH] @ candidates.T
        best[start : start + _BATCH] = similarities.argmax(axis=1)
        scores[start : start + _BATCH] = similarities.max(axis=1)
    return best, scores


def _embedded(texts: list[str], progress: Progress | None, done: int, total: int) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), _BATCH):
        parts.append(embed(texts[start : start + _BATCH]))
        if progress:
            progress("embedding", done + min(start + _BATCH, len(texts)), total)
    return np.concatenate(parts)
