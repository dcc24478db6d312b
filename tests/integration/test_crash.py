"""Crash safety: ``twosource ingest`` killed with SIGKILL at random moments, then re-run, ends with the index an
uninterrupted ingest builds: the same articles, the same copy clusters, nothing broken (bench/bench_crash.py
does the same at length, on a larger corpus)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ..conftest import DATA, FAKES
from ..crash_helpers import crash_run, ingest_command, ingest_to_end, snapshot, write_corpus

pytestmark = pytest.mark.slow

BBC = DATA / "news" / "bbc" / "bbc_news.csv"
#: Short FA-KES articles, so that the test is quick: two batches (32 + 4), with copies inside and across them
#: (rows 3 and 136, 4 and 66 are copy pairs; 136 and 66 come in the second batch).
SHORT = [3, 4, 8, 9, 140, 143, 148, 154, 155, 156, 157, 159, 161, 162, 164, 168, 173, 174, 179, 188, 195, 204, 207]
SHORT += [208, 215, 218, 219, 224, 232, 242, 247, 248, 136, 66, 257, 260]


def test_an_ingest_killed_at_random_moments_and_rerun_gives_the_uninterrupted_index(tmp_path: Path):
    corpus = write_corpus(tmp_path / "corpus.csv", FAKES, SHORT, BBC, [])
    finished = ingest_to_end(ingest_command(corpus, tmp_path / "reference.sqlite"))
    reference = snapshot(tmp_path / "reference.sqlite")
    assert (finished.status, finished.added, reference.problems) == (0, 36, ()), finished.errors
    assert any(len(c) > 1 for c in reference.clusters)
    # Three kills, the first on the fresh index, the others on the re-runs, one drawn from each third of the
    # uninterrupted ingest's time; where each lands depends on the machine's speed, so only the outcome is asserted.
    rng = random.Random(14)
    delays = [rng.uniform(max(0.5, finished.seconds * k / 3), finished.seconds * (k + 1) / 3) for k in range(3)]
    rng.shuffle(delays)
    run = crash_run(corpus, tmp_path / "killed.sqlite", reference, delays)
    assert run.differences == [], (run.kills, run.differences)
