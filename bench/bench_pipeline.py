"""Benchmark: ingest speed and check latency, printed as figures (not a test).

Ingests FA-KES and the BBC corpus into a fresh index, then checks the seed article five times with the
models loaded. Speed is reported against a baseline measured in the same run: embedding the seed's
sentences once, since these machines are shared and noisy. One more check runs under the profiler to show the
share of its time spent judging compound claims part by part (and finding the words no passage backs).

    .venv/bin/python bench/bench_pipeline.py
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from twosource import check, ingest, open_index, read_article
from twosource.index.base import Index
from twosource.models import embed, spacy_pipeline
from twosource.sentences import split_sentences
from twosource.types import Article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CORPORA = [
    ("FA-KES", DATA / "fakes" / "FA-KES-Dataset.csv", {"encoding": "latin-1"}),
    ("BBC News", DATA / "news" / "bbc" / "bbc_news.csv", {}),
]
SEED = DATA / "seed" / "qalamoun-2015-05-13.txt"
RUNS = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(Path(tmp) / "bench.sqlite")
        embed(["warm up"])  # load the embedder before timing anything
        spacy_pipeline()
        for name, path, options in CORPORA:
            start = time.perf_counter()
            summary = ingest([path], index, **options)
            seconds = time.perf_counter() - start
            print(
                f"ingest {name}: {summary.added} articles in {seconds:.1f} s = {summary.added / seconds:.1f} articles/s"
                f" ({summary.line()})",
                flush=True,
            )
        stats = index.stats()
        print(f"index: {stats.articles} articles, {stats.passages} passages, {stats.size_bytes / 1e6:.1f} MB")

        article = read_article(SEED)
        sentences = [article.text[s:e] for s, e in split_sentences(article.text)]
        check(article, index)  # first run warms caches (vector matrix, spaCy)
        latencies = []
        for _ in range(RUNS):
            start = time.perf_counter()
            check(article, index)
            latencies.append(time.perf_counter() - start)
        baselines = []
        for _ in range(RUNS):
            start = time.perf_counter()
            embed(sentences)
            baselines.append(time.perf_counter() - start)
        baseline = statistics.median(baselines)
        median = statistics.median(latencies)
        print(
            f"check seed: median {median:.2f} s over {RUNS} runs (min {min(latencies):.2f}, max {max(latencies):.2f})"
        )
        print(
            f"baseline: embedding the seed's {len(sentences)} sentences once: median {baseline:.2f} s over {RUNS} runs"
        )
        print(f"ratio: check latency = {median / baseline:.1f} x embedding the seed's sentences")
        print(f"parts: {_parts_share(article, index):.1%} of a check judges claims part by part")
        index.close()


def _parts_share(article: Article, index: Index) -> float:
    """The share of one check's time spent in the decomposition: each part's stance, and the unbacked words."""
    profile = cProfile.Profile()
    profile.runcall(check, article, index)
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (calls, primitive, total, cumulative, callers)
    total = max(cumulative for *_, cumulative, _ in stats.values())
    parts = sum(
        cumulative
        for (file, _, name), (*_, cumulative, _) in stats.items()
        if (file.endswith("stance/__init__.py") and name == "judge_parts")
        or (file.endswith("verdict.py") and name == "_unbacked_words")
    )
    return parts / total


if __name__ == "__main__":
    sys.exit(main())
