"""Benchmark: crash safety of ``twosource ingest`` under SIGKILL at random moments, printed as figures.

A fixed corpus of real articles (FA-KES rows and BBC News rows, some of them copies or repeats of others) is
written to one CSV and ingested without interruption into a fresh index: the reference. Then, ``--runs`` times,
the same ingest into a fresh index is killed with SIGKILL after a random delay (0.5 s to the reference's
duration, from a seeded generator), on about a third of the runs killed again during its re-run, and re-run to
its end. After each kill the index must be whole and hold whole batches of the reference's articles; at the end
it must hold exactly the reference's articles (text, fields, passages, fingerprints; embeddings close) and the
same copy clusters (as a partition; ids may differ), with ``PRAGMA integrity_check`` ok. Exits 1 on any
difference. The checks are tests/crash_helpers.py's, shared with tests/integration/test_crash.py.

    .venv/bin/python bench/bench_crash.py [--runs N] [--seed N] [--fakes N] [--bbc N] [--second-kills SHARE]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))  # the checks live in tests/, shared with the test

from tests.crash_helpers import (  # noqa: E402
    AFTER_EXIT,
    MID_INGEST,
    crash_run,
    ingest_command,
    ingest_to_end,
    snapshot,
    write_corpus,
)

FAKES = DATA / "fakes" / "FA-KES-Dataset.csv"
BBC = DATA / "news" / "bbc" / "bbc_news.csv"
#: BBC tech stories from row 1960 on repeat bodies of earlier rows of the slice (1981, 1982, 1985, 1989): duplicates
#: to skip, next to FA-KES's own copies (rows 4 and 66, 7 and 35, 56 and 82 in the first 100).
BBC_FIRST = 1960


def main(runs: int, seed: int, fakes: int, bbc: int, second_kills: float) -> None:
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}")
    began = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="twosource-bench-crash-"))
    corpus = write_corpus(folder / "corpus.csv", FAKES, range(fakes), BBC, range(BBC_FIRST, BBC_FIRST + bbc))
    finished = ingest_to_end(ingest_command(corpus, folder / "reference.sqlite"))
    added, seconds = finished.added, finished.seconds
    reference = snapshot(folder / "reference.sqlite")
    copies = sum(len(c) for c in reference.clusters if len(c) > 1)
    print(
        f"reference: {fakes} FA-KES + {bbc} BBC rows -> {added} articles "
        f"({copies} in {sum(len(c) > 1 for c in reference.clusters)} copy clusters), exit {finished.status}, "
        f"{seconds:.1f} s"
    )
    if reference.problems or not added:
        sys.exit(f"the reference ingest failed: {reference.problems} {finished.errors}")

    rng = random.Random(seed)
    landings: Counter[str] = Counter()
    failed = []
    for n in range(1, runs + 1):
        delays = [rng.uniform(0.5, seconds)]
        if rng.random() < second_kills:
            delays.append(rng.uniform(0.5, seconds))
        index_path = folder / "killed.sqlite"
        run = crash_run(corpus, index_path, reference, delays, finished.status)
        landings.update(k.landed for k in run.kills)
        kills = "; ".join(f"kill at {k.delay:.1f} s: {k.landed}, {k.committed} committed" for k in run.kills)
        print(f"run {n:2d}: {kills} -> {'matched' if not run.differences else 'DIFFERED'} ({run.seconds:.1f} s)")
        for difference in run.differences:
            print(f"        {difference}")
        if run.differences:
            failed.append(n)
            index_path.rename(folder / f"differed-{n}.sqlite")  # kept for a look

    kills = sum(landings.values())
    mid = landings[MID_INGEST]
    print(
        f"{runs} runs, {kills} kills ({kills - runs} during a re-run): {mid} mid-ingest, "
        + ", ".join(f"{count} {where}" for where, count in landings.most_common() if where != MID_INGEST)
    )
    print(f"kills that found the ingest already ended: {landings[AFTER_EXIT]}")
    print(f"{'all runs matched the reference' if not failed else f'runs that differed: {failed}'}")
    print(f"total time: {time.perf_counter() - began:.0f} s")
    if failed:
        sys.exit(f"the indexes that differed are in {folder}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--fakes", type=int, default=100, help="FA-KES rows, from the first")
    parser.add_argument("--bbc", type=int, default=30, help="BBC News rows, from row 1960")
    parser.add_argument("--second-kills", type=float, default=1 / 3, help="share of runs killed again in the re-run")
    options = parser.parse_args()
    main(options.runs, options.seed, options.fakes, options.bbc, options.second_kills)
