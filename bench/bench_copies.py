"""Benchmark: ingest and check speed of this tree against a baseline version of twosource, in one run.

The baseline (by default the last commit before winnowed fingerprints replaced MinHash LSH in copy detection) is
checked out into a temporary git worktree and run from there. The two versions alternate, each round in fresh
processes on the same data: FA-KES ingested into a new index, then the seed article checked five times with the
models loaded. Printed: articles/s and the median check latency of each, and the ratios, this tree over the
baseline. The baseline needs the packages it was written for (datasketch, which the dev extra installs).

    .venv/bin/python bench/bench_copies.py [--baseline REF] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
#: The last commit whose copy detection was MinHash LSH with shingle containment.
BASELINE = "f4f9acd"

# Run in a fresh process with PYTHONPATH at one version's src/: the calls both versions share.
_WORKER = """
import json, statistics, sys, time
from pathlib import Path
from twosource import check, ingest, open_index, read_article
from twosource.models import embed, spacy_pipeline
data, index_path = Path(sys.argv[1]), Path(sys.argv[2])
embed(["warm up"])
spacy_pipeline()
index = open_index(index_path)
start = time.perf_counter()
summary = ingest([data / "fakes" / "FA-KES-Dataset.csv"], index, encoding="latin-1")
ingest_seconds = time.perf_counter() - start
article = read_article(data / "seed" / "qalamoun-2015-05-13.txt")
check(article, index)
latencies = []
for _ in range(5):
    start = time.perf_counter()
    check(article, index)
    latencies.append(time.perf_counter() - start)
import twosource
print(json.dumps({"articles": summary.added, "ingest_seconds": ingest_seconds, "copies": summary.copies,
                  "check_seconds": statistics.median(latencies), "code": twosource.__file__}))
"""


def run_version(src: Path, folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(DATA), str(folder / "index.sqlite")],
        env={**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"the run from {src} failed:\n{result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if not figures["code"].startswith(str(src)):
        sys.exit(f"the run from {src} imported twosource from {figures['code']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the git revision to compare against")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (baseline, this tree)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        worktree = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.baseline], check=True
        )
        try:
            runs: dict[str, list[dict]] = {"baseline": [], "this tree": []}
            for n in range(args.rounds):
                for name, src in (("baseline", worktree / "src"), ("this tree", ROOT / "src")):
                    folder = Path(tmp) / f"{name.replace(' ', '-')}-{n}"
                    folder.mkdir()
                    figures = run_version(src, folder)
                    runs[name].append(figures)
                    print(
                        f"round {n + 1} {name:<9}: ingest FA-KES {figures['articles']} articles "
                        f"({figures['copies']} copies) in {figures['ingest_seconds']:.1f} s "
                        f"= {figures['articles'] / figures['ingest_seconds']:.1f} articles/s; "
                        f"check seed median {figures['check_seconds']:.2f} s",
                        flush=True,
                    )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
    speed = {k: statistics.median(r["articles"] / r["ingest_seconds"] for r in v) for k, v in runs.items()}
    latency = {k: statistics.median(r["check_seconds"] for r in v) for k, v in runs.items()}
    print(
        f"ingest: this tree {speed['this tree']:.1f} articles/s, baseline {speed['baseline']:.1f}: ratio "
        f"{speed['this tree'] / speed['baseline']:.2f}"
    )
    print(
        f"check:  this tree {latency['this tree']:.2f} s, baseline {latency['baseline']:.2f} s: ratio "
        f"{latency['this tree'] / latency['baseline']:.2f} (below 1 is faster)"
    )


if __name__ == "__main__":
    main()
