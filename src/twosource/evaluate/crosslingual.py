"""Cross-lingual matching (Tatoeba, ../shared/data/tatoeba): for each line of a source file, the line of a target
file that the embedder retrieval uses puts nearest (cosine); the accuracy, both directions averaged, when the
files are aligned (line n of one the translation of line n of the other).

Each file is embedded as retrieval embeds text in its language: an English file as claims are when passages in
other languages are searched (multilingual-e5-small, as queries), a file in another language as those passages
are (as passages); two English files as English passages and claims are (all-MiniLM-L6-v2).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FormatError
from ..models import CROSSLINGUAL_NAME, EMBEDDER_NAME, embed, embed_crosslingual
from ..read.language import detect_language
from ..types import Progress
from .files import write_csv_rows

#: Texts embedded at a time (for progress), and rows of the similarity matrix held at once (for memory).
_BATCH = 256
#: A file's language is told from its first lines.
_SAMPLE_LINES = 200


@dataclass(frozen=True)
class CrosslingualScores:
    source_lines: int
    target_lines: int
    #: Sentences (of both files) embedded a second, embedding alone.
    sentences_per_second: float
    source_language: str
    target_language: str
    embedder: str
    #: None when the files are not aligned (their line counts differ).
    source_to_target: float | None = None
    target_to_source: float | None = None

    @property
    def accuracy(self) -> float | None:
        if self.source_to_target is None or self.target_to_source is None:
            return None
        return (self.source_to_target + self.target_to_source) / 2

    def as_dict(self) -> dict[str, float | int | str | None]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "source_lines": self.source_lines,
            "target_lines": self.target_lines,
            "accuracy": rounded(self.accuracy),
            "source_to_target": rounded(self.source_to_target),
            "target_to_source": rounded(self.target_to_source),
            "source_language": self.source_language,
            "target_language": self.target_language,
            "embedder": self.embedder,
            "sentences_per_second": round(self.sentences_per_second, 1),
        }


def evaluate_crosslingual(
    source: str | Path, target: str | Path, *, predictions: str | Path | None = None, progress: Progress | None = None
) -> CrosslingualScores:
    """Match every line of ``source`` to its nearest line of ``target``; write ``source_line,target_line,score``
    (1-based lines) to ``predictions`` when given; score both directions when the files are aligned."""
    sources, targets = read_lines(source), read_lines(target)
    languages = [detect_language("\n".join(lines[:_SAMPLE_LINES])) for lines in (sources, targets)]
    english = languages == ["en", "en"]
    embedders = [_embedder(language, english) for language in languages]
    for embedder, lines in zip(embedders, (sources, targets), strict=True):
        embedder(lines[:1])  # the model loaded before the clock starts: the speed is the embedding's
    began = time.perf_counter()
    total = len(sources) + len(targets)
    source_vectors = _embedded(sources, embedders[0], progress, 0, total)
    target_vectors = _embedded(targets, embedders[1], progress, len(sources), total)
    speed = total / max(time.perf_counter() - began, 1e-9)
    described = (speed, *languages, EMBEDDER_NAME if english else CROSSLINGUAL_NAME)
    best, scores = nearest(source_vectors, target_vectors)
    if predictions:
        rows = ([i + 1, int(j) + 1, float(s)] for i, (j, s) in enumerate(zip(best, scores, strict=True)))
        write_csv_rows(predictions, ["source_line", "target_line", "score"], rows)
    if len(sources) != len(targets):
        return CrosslingualScores(len(sources), len(targets), *described)
    back, _ = nearest(target_vectors, source_vectors)
    expected = np.arange(len(sources))
    return CrosslingualScores(
        len(sources),
        len(targets),
        *described,
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


def _embedder(language: str, english_only: bool) -> Callable[[list[str]], np.ndarray]:
    if english_only:
        return embed
    return functools.partial(embed_crosslingual, query=language == "en")


def _embedded(
    texts: list[str], embedder: Callable[[list[str]], np.ndarray], progress: Progress | None, done: int, total: int
) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), _BATCH):
        parts.append(embedder(texts[start : start + _BATCH]))
        if progress:
            progress("embedding", done + min(start + _BATCH, len(texts)), total)
    return np.concatenate(parts)
