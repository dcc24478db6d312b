"""Benchmark: claim detector throughput, printed as figures (not a test).

Sentences per second with the model loaded, on the held-out ClaimBuster debates and on BBC news sentences,
against a baseline measured in the same run: embedding the same sentences with the whole all-MiniLM-L6-v2,
what ``check`` pays for each claim anyway. Then the claims stage on the seed article: the detector's share of
``find_claims`` (the rest is spaCy, typing and normalising).

    .venv/bin/python bench/bench_claims.py [SENTENCES]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from twosource.claims import find_claims
from twosource.claims.detector import default_detector, held_out
from twosource.evaluate.files import read_csv_rows
from twosource.models import embed
from twosource.read import read_article
from twosource.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED = DATA / "seed" / "qalamoun-2015-05-13.txt"


def rate(texts: list[str], read) -> float:
    start = time.perf_counter()
    read(texts)
    return len(texts) / (time.perf_counter() - start)


def main(count: int) -> None:
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}")
    debates = [
        r["Text"]
        for r in read_csv_rows(DATA / "checkworthy" / "claimbuster" / "crowdsourced.csv", ("Text", "File_id"))
        if held_out(r["File_id"])
    ][:count]
    news = []
    for row in read_csv_rows(DATA / "news" / "bbc" / "bbc_news.csv", ("text",)):
        news += [row["text"][s:e] for s, e in split_sentences(row["text"])]
        if len(news) >= count:
            break
    news = news[:count]
    detector = default_detector()
    detector.predict_proba(["warm up"])
    embed(["warm up"])
    for name, texts in (("held-out debate", debates), ("BBC news", news)):
        words = statistics.mean(len(t.split()) for t in texts)
        baseline = rate(texts, embed)
        detected = rate(texts, detector.predict_proba)
        print(
            f"{name} sentences ({len(texts)}, {words:.0f} words on average): detector {detected:.0f}/s, "
            f"baseline (embedding them) {baseline:.0f}/s: {detected / baseline:.1f}× the baseline"
        )

    article = read_article(SEED)
    sentences = [c.text for c in find_claims(article)]
    stage, detection = [], []
    for _ in range(5):
        start = time.perf_counter()
        find_claims(article)
        stage.append(time.perf_counter() - start)
        start = time.perf_counter()
        detector.predict_proba(sentences)
        detection.append(time.perf_counter() - start)
    print(
        f"seed article ({len(sentences)} sentences read by the detector): "
        f"claims stage {statistics.median(stage):.3f} s, "
        f"of which detection {statistics.median(detection):.3f} s (median of 5)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
