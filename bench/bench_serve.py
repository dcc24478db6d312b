"""Benchmark: 50 concurrent checks against ``twosource serve`` on loopback, printed as figures (not a test).

Builds an index of FA-KES (or uses ``--index``), starts the API in this process on a free loopback port, and
posts 50 BBC News articles at once. Every answer must be 201. Reported against a baseline measured in the
same run: the same articles checked one after another through the library, without HTTP.

    .venv/bin/python bench/bench_serve.py [--index FILE] [--checks N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from twosource import check, ingest, open_index
from twosource.evaluate.files import read_csv_rows
from twosource.read import article_from_text
from twosource.web import create_app, in_background

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(index_path: Path | None, count: int) -> None:
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}")
    if index_path is None:
        index_path = Path(tempfile.mkdtemp()) / "fakes.sqlite"
        index = open_index(index_path)
        ingest([DATA / "fakes" / "FA-KES-Dataset.csv"], index, encoding="latin-1")
        index.close()
    texts = [r["text"] for r in read_csv_rows(DATA / "news" / "bbc" / "bbc_news.csv", ("text",))][:count]

    index = open_index(index_path, create=False)
    check(article_from_text(texts[0], "warm-up"), index)  # load the models before timing
    start = time.perf_counter()
    for n, text in enumerate(texts):
        check(article_from_text(text, f"bbc {n}"), index)
    sequential = time.perf_counter() - start
    index.close()
    print(f"baseline: {count} checks one after another through the library: {sequential:.1f} s")

    def post(url: str, text: str) -> tuple[int, float]:
        began = time.perf_counter()
        answer = httpx.post(f"{url}/api/check", json={"text": text}, timeout=900)
        return answer.status_code, time.perf_counter() - began

    with in_background(create_app(index_path)) as url:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=count) as pool:
            results = list(pool.map(lambda text: post(url, text), texts))
        wall = time.perf_counter() - start
    statuses = [s for s, _ in results]
    latencies = sorted(t for _, t in results)
    print(
        f"{count} concurrent checks over HTTP: {wall:.1f} s, statuses {dict(sorted(Counter(statuses).items()))}, "
        f"latency median {statistics.median(latencies):.1f} s, slowest {latencies[-1]:.1f} s"
    )
    print(f"ratio: concurrent over HTTP / sequential through the library = {wall / sequential:.2f}×")
    if any(s != 201 for s in statuses):
        sys.exit("some checks failed")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--checks", type=int, default=50)
    options = parser.parse_args()
    main(options.index, options.checks)
