"""Benchmark: what a person waits for from a fresh process, printed as figures (not a test).

A cold ``twosource check`` of the seed against a FA-KES index, as the default install runs it (the training-only
libraries, torch among them, refused as if not installed), is reported against the naive floor measured in the
same run: a fresh process that imports sentence-transformers and embeds the seed's sentences once with
all-MiniLM-L6-v2. Also timed: ``import twosource`` and ``twosource --help``. Medians of RUNS fresh processes.
The floor needs the [train] extra (``make test`` installs it).

    .venv/bin/python bench/bench_cold.py [--index FAKES.sqlite]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.lean: the refusal the tests use too
from tests.lean import LEAN_CLI, REFUSE_TRAINING_ONLY

DATA = Path(os.environ.get("TWOSOURCE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FAKES = DATA / "fakes" / "FA-KES-Dataset.csv"
SEED = DATA / "seed" / "qalamoun-2015-05-13.txt"
RUNS = 5
FLOOR = (
    "from sentence_transformers import SentenceTransformer\n"
    "from twosource.models import minilm_folder\n"
    "from twosource.read import read_article\n"
    "from twosource.sentences import split_sentences\n"
    f"text = read_article({str(SEED)!r}).text\n"
    "model = SentenceTransformer(str(minilm_folder()), device='cpu')\n"
    "model.encode([text[s:e] for s, e in split_sentences(text)])\n"
)


def median_seconds(command: list[str]) -> float:
    """The median wall time of RUNS fresh processes running ``command``; each must succeed."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, help="a FA-KES index to check against (built when not given)")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "fakes.sqlite"
        if not index.exists():
            print(f"building a FA-KES index in {index} ...", flush=True)
            ingest = ["ingest", str(FAKES), "--encoding", "latin-1", "--index", str(index)]
            done = subprocess.run([python, "-c", LEAN_CLI, *ingest], stdout=subprocess.DEVNULL)
            if done.returncode not in (0, 1):  # 1: some rows were refused, and said so
                sys.exit(f"ingest failed ({done.returncode})")
        subprocess.run([python, "-c", FLOOR], check=True)  # once, so every timed run reads warm files
        floor = median_seconds([python, "-c", FLOOR])
        cold = median_seconds([python, "-c", LEAN_CLI, "check", str(SEED), "--index", str(index), "--format", "json"])
        library = median_seconds([python, "-c", REFUSE_TRAINING_ONLY + "import twosource"])
        bare = median_seconds([python, "-c", "pass"])
        helped = median_seconds([python, "-c", LEAN_CLI, "--help"])
    print(f"floor (import sentence-transformers, embed the seed's sentences once): {floor:.2f} s")
    print(f"cold `twosource check` of the seed, default install: {cold:.2f} s = {cold / floor:.2f}x the floor")
    print(f"`import twosource`: {library:.2f} s ({library - bare:.2f} s over a bare interpreter's {bare:.2f} s)")
    print(f"`twosource --help`: {helped:.2f} s")


if __name__ == "__main__":
    main()
