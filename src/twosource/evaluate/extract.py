"""Article extraction on the Article Extraction Benchmark (AEB, Scrapinghub/Zyte): 181 real pages, gold body text.

Scored as AEB's own ``evaluate.py`` scores ``articleBody``: the text is tokenised by ``\\w+`` (Unicode), each
page's tokens become a multiset of 4-word shingles (a text of fewer than four tokens is one shingle), and per page
TP = |predicted ∩ gold|, FP = |predicted − gold|, FN = |gold − predicted| as multisets. Per page precision is
TP/(TP+FP) and recall TP/(TP+FN), except, as upstream: a prediction equal to the gold (no FP, no FN, which covers
both being empty) scores 1 and 1, and one sharing no shingle with the gold scores 0 and 0 (so an empty prediction
of a non-empty gold has precision 0, not an undefined 0/0). Precision and recall are averaged over pages, and F1
is the harmonic mean of the two averages.

The pages are split by a hash of their id into a ``dev`` half and a ``test`` half, so that choices tuned on one
half can be reported on the other.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError, TwosourceError
from ..types import Progress
from .metrics import f1_score

_TOKEN = re.compile(r"\w+")
#: Words per shingle, as AEB.
SHINGLE_WORDS = 4
HALVES = ("dev", "test")

Extractor = Callable[["AebPage"], str]


@dataclass(frozen=True)
class AebPage:
    id: str
    url: str
    html: bytes  # as saved, gunzipped: the extractors decode it as they would a downloaded page
    gold: str

    @property
    def half(self) -> str:
        """``dev`` or ``test``: a fixed split of the pages by a hash of their id."""
        return HALVES[int(hashlib.sha256(self.id.encode()).hexdigest(), 16) % 2]


@dataclass(frozen=True)
class PageScore:
    precision: float
    recall: float


@dataclass(frozen=True)
class ExtractionScores:
    pages: int
    precision: float
    recall: float
    seconds: float  # spent in the extractor alone, not in reading the benchmark's files

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pages": self.pages,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "pages_per_second": round(self.pages_per_second, 1),
        }


@dataclass(frozen=True)
class ExtractionReport:
    """The reader's scores over all pages and each half, and bare trafilatura's when it was run as the baseline."""

    reader: dict[str, ExtractionScores]  # "all", "dev", "test"
    baseline: dict[str, ExtractionScores] | None

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = dict(self.reader["all"].as_dict())
        result["halves"] = {half: self.reader[half].as_dict() for half in HALVES}
        if self.baseline:
            result["baseline"] = {
                "extractor": "trafilatura.extract",
                **self.baseline["all"].as_dict(),
                "halves": {half: self.baseline[half].as_dict() for half in HALVES},
            }
            reader_speed, baseline_speed = self.reader["all"].pages_per_second, self.baseline["all"].pages_per_second
            result["speed_ratio"] = round(reader_speed / baseline_speed, 2) if baseline_speed else 0.0
        return result


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(text: str, n: int = SHINGLE_WORDS) -> Counter[str]:
    """Return the multiset of ``n``-word shingles of ``text`` (one shingle when it has fewer than ``n`` words)."""
    words = tokens(text)
    return Counter(" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


def page_score(gold: str, predicted: str) -> PageScore:
    """Return the shingle precision and recall of one page (the empty cases as in the module docstring)."""
    gold_shingles, predicted_shingles = shingles(gold), shingles(predicted)
    tp = (gold_shingles & predicted_shingles).total()
    fp = (predicted_shingles - gold_shingles).total()
    fn = (gold_shingles - predicted_shingles).total()
    if fp == fn == 0:
        return PageScore(1.0, 1.0)
    if tp == 0:
        return PageScore(0.0, 0.0)
    return PageScore(tp / (tp + fp), tp / (tp + fn))


def average_scores(scores: Sequence[PageScore], seconds: float) -> ExtractionScores:
    """Return precision and recall averaged over pages (each page weighs the same, long or short)."""
    n = len(scores)
    return ExtractionScores(
        pages=n,
        precision=sum(s.precision for s in scores) / n if n else 0.0,
        recall=sum(s.recall for s in scores) / n if n else 0.0,
        seconds=seconds,
    )


def load_aeb(folder: str | Path, limit: int | None = None) -> list[AebPage]:
    """Return AEB's pages in id order (the first ``limit`` of them when given) from its folder."""
    root = Path(folder)
    truth_path = root / "ground-truth.json"
    if not truth_path.is_file():
        raise FormatError(str(root), "not an AEB folder: no ground-truth.json")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(AebPage(page_id, truth[page_id].get("url", ""), html, truth[page_id]["articleBody"]))
    return pages


def reader_text(page: AebPage) -> str:
    """Return the article body twosource's reader keeps from the page ('' when it rejects the page).

    The language check is off: it guards the claims stage, not extraction, and AEB is multilingual.
    """
    from ..read import read_bytes
    from ..settings import ReadLimits

    try:
        article = read_bytes(page.html, page.id, url=page.url, html=True, max_bytes=ReadLimits.from_env().max_bytes)
    except TwosourceError:
        return ""
    return article.text


def trafilatura_text(page: AebPage) -> str:
    """Return what bare ``trafilatura.extract`` (its defaults) makes of the page: the baseline."""
    import trafilatura

    return trafilatura.extract(page.html, url=page.url or None) or ""


def score_extractor(
    pages: Sequence[AebPage], extract: Extractor, *, stage: str, progress: Progress | None = None
) -> dict[str, ExtractionScores]:
    """Return an extractor's scores over all pages (``"all"``) and over each half."""
    if pages:
        extract(pages[0])  # a warm-up, so that lazy imports are not counted as the first page's time
    scored: list[tuple[str, PageScore, float]] = []
    for done, page in enumerate(pages):
        if progress:
            progress(stage, done, len(pages))
        start = time.perf_counter()
        text = extract(page)
        seconds = time.perf_counter() - start
        scored.append((page.half, page_score(page.gold, text), seconds))
    if progress:
        progress(stage, len(pages), len(pages))
    result = {"all": average_scores([s for _, s, _ in scored], sum(t for _, _, t in scored))}
    for half in HALVES:
        chosen = [(s, t) for h, s, t in scored if h == half]
        result[half] = average_scores([s for s, _ in chosen], sum(t for _, t in chosen))
    return result


def evaluate_extraction(
    folder: str | Path, *, baseline: bool = False, limit: int | None = None, progress: Progress | None = None
) -> ExtractionReport:
    """Score twosource's reader on AEB, and bare trafilatura in the same run when ``baseline`` is set."""
    pages = load_aeb(folder, limit)
    reader = score_extractor(pages, reader_text, stage="reader", progress=progress)
    base = score_extractor(pages, trafilatura_text, stage="trafilatura", progress=progress) if baseline else None
    return ExtractionReport(reader, base)
