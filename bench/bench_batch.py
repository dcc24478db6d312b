"""Benchmark: `twosource batch ingest` throughput on Spark's local[1] and local[2] against the single-process
`twosource ingest`, in one run, on the same real input, each into a fresh SQLite index (not a test).

The input is the first ROWS articles of FA-KES. Each figure is a whole command in a fresh process, start-up
included (Spark's JVM and its Python workers, the models' load): what a person running it waits for. Articles/s
counts the articles added.

    .venv/bin/python bench/bench_batch.py [--rows 200]
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # FA-KES's ingest options live in tests/

from tests.conftest import FAKES, FAKES_CLI


def first_rows(rows: int, folder: Path) -> Path:
    with open(FAKES, encoding="latin-1", newline="") as f:
        reader = csv.DictReader(f)
        kept = [row for _, row in zip(range(rows), reader, strict=False)]
    path = folder / f"fakes-{rows}.csv"
    with open(path, "w", encoding="latin-1", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(kept[0]))
        writer.writeheader()
        writer.writerows(kept)
    return path


def timed_ingest(command: list[str], index: Path) -> tuple[float, int]:
    """Seconds the command took, and the articles it added (read from its summary line)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "twosource", *command, "--index", str(index), *FAKES_CLI],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    added = re.search(r"(\d+) added", done.stdout)  # status 1: some rows rejected (FA-KES has a few empty ones)
    if done.returncode not in (0, 1) or not added:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, int(added.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200, help="FA-KES articles to ingest (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = first_rows(args.rows, folder)
        runs = {
            "ingest (one process)": ["ingest", str(source)],
            "batch ingest local[1]": ["batch", "ingest", str(source), "--master", "local[1]"],
            "batch ingest local[2]": ["batch", "ingest", str(source), "--master", "local[2]"],
        }
        rates = {}
        for name, command in runs.items():
            seconds, added = timed_ingest(command, folder / f"{len(rates)}.sqlite")
            rates[name] = added / seconds
            print(f"{name:24} {added} articles in {seconds:6.1f} s: {rates[name]:5.1f} articles/s", flush=True)
    single, local1, local2 = rates.values()
    print(f"local[2] / local[1]: {local2 / local1:.2f}x   local[2] / ingest: {local2 / single:.2f}x")


if __name__ == "__main__":
    main()
