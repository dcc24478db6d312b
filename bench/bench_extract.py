"""Benchmark: the reader's extraction speed on AEB's 181 pages, printed as figures (not a test).

Pages per second for twosource's reader (``read_bytes``: trafilatura's precision mode, its fallback, the
furniture rules) against a baseline measured in the same run: bare ``trafilatura.extract`` on the same pages.
Only the extractors are timed, not reading the benchmark's files; the quality of both is ``eval extract``'s.

    .venv/bin/python bench/bench_extract.py [PAGES]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from twosource.evaluate.extract import load_aeb, reader_text, score_extractor, trafilatura_text

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(limit: int | None) -> None:
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}")
    pages = load_aeb(DATA / "aeb", limit)
    reader = score_extractor(pages, reader_text, stage="reader")["all"]
    baseline = score_extractor(pages, trafilatura_text, stage="trafilatura")["all"]
    print(f"baseline: bare trafilatura on {baseline.pages} AEB pages: {baseline.pages_per_second:.1f} pages/s")
    print(f"twosource's reader on the same pages: {reader.pages_per_second:.1f} pages/s")
    print(f"ratio: reader / bare trafilatura = {reader.pages_per_second / baseline.pages_per_second:.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
