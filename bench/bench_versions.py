"""Benchmark: ingest throughput and warm check latency of this tree against a baseline version, in one run.

The baseline is a git revision, or one of BASELINES by name: ``torch``, the last commit whose models ran on
torch (before the lean runtime), and ``minhash``, the last whose copy detection was MinHash LSH. It is checked
out into a temporary git worktree and run from there. The two versions alternate, each round in fresh processes
on the same data: FA-KES and the first BBC_ARTICLES of BBC News ingested into a new index, then the seed
checked five times with the models loaded. Printed: articles/s for each corpus and the median check latency of
each version, the ratios (this tree over the baseline), and whether the two built the same index: the same
articles, passages and copy clusters, and the least cosine between the two versions' vectors of a passage.
The baselines need the packages they were written for (torch and sentence-transformers, datasketch), which
``make bench`` installs with the dev and train extras.

    .venv/bin/python bench/bench_versions.py [--baseline torch|minhash|REV] [--rounds N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TWOSOURCE_SHARED_DATA", ROOT.parent / "shared" / "data"))
BASELINES = {"torch": "dacccd6", "minhash": "f4f9acd"}
BBC_ARTICLES = 400

# Run in a fresh process with PYTHONPATH at one version's src/: the calls both versions share.
_WORKER = """
import json, statistics, sys, time
from pathlib import Path
from twosource import check, ingest, open_index, read_article
from twosource.models import embed, spacy_pipeline
data, bbc, index_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
embed(["warm up"])
spacy_pipeline()
index = open_index(index_path)
figures = {}
for name, path, options in (("FA-KES", data / "fakes" / "FA-KES-Dataset.csv", {"encoding": "latin-1"}),
                            ("BBC", bbc, {})):
    start = time.perf_counter()
    summary = ingest([path], index, **options)
    figures[name] = {"articles": summary.added, "seconds": time.perf_counter() - start}
article = read_article(data / "seed" / "qalamoun-2015-05-13.txt")
check(article, index)
latencies = []
for _ in range(5):
    start = time.perf_counter()
    check(article, index)
    latencies.append(time.perf_counter() - start)
import twosource
print(json.dumps({"ingest": figures, "check_seconds": statistics.median(latencies), "code": twosource.__file__}))
"""


def run_version(src: Path, bbc: Path, folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(DATA), str(bbc), str(folder / "index.sqlite")],
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


def index_contents(path: Path) -> tuple[list[tuple], list[tuple], np.ndarray]:
    """An index's articles (hash, cluster size), its passages (article hash, position, text) and their vectors,
    in a fixed order: what two versions must agree on."""
    with sqlite3.connect(path) as db:
        dim = int(db.execute("SELECT value FROM meta WHERE key = 'dim'").fetchone()[0])
        articles = db.execute(
            "SELECT a.content_hash, (SELECT count(*) FROM articles b WHERE b.cluster_id = a.cluster_id) "
            "FROM articles a ORDER BY a.content_hash"
        ).fetchall()
        rows = db.execute(
            "SELECT a.content_hash, p.position, p.text, p.vector "
            "FROM passages p JOIN articles a ON a.id = p.article_id ORDER BY a.content_hash, p.position"
        ).fetchall()
    width = len(rows[0][3]) // dim if rows else 4  # bytes per number: half precision, or single in older indexes
    vectors = np.array([np.frombuffer(r[3], dtype=np.float16 if width == 2 else np.float32) for r in rows])
    return articles, [r[:3] for r in rows], vectors.astype(np.float32)


def compare_indexes(mine: Path, theirs: Path) -> str:
    a_articles, a_passages, a_vectors = index_contents(mine)
    b_articles, b_passages, b_vectors = index_contents(theirs)
    same = a_articles == b_articles and a_passages == b_passages
    verdict = (
        f"articles {len(a_articles)} / {len(b_articles)}, passages {len(a_passages)} / {len(b_passages)}, "
        f"same articles, clusters and passages: {'yes' if same else 'NO'}"
    )
    if same and len(a_vectors):
        cosines = (a_vectors * b_vectors).sum(axis=1) / (
            np.linalg.norm(a_vectors, axis=1) * np.linalg.norm(b_vectors, axis=1)
        )
        verdict += f"; vectors: least cosine {cosines.min():.6f}"
    return verdict


def write_bbc(path: Path) -> None:
    """The first BBC_ARTICLES rows of BBC News, as a CSV of their own (the corpus is 2,225)."""
    with open(DATA / "news" / "bbc" / "bbc_news.csv", encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        rows = [row for _, row in zip(range(BBC_ARTICLES), reader, strict=False)]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="torch", help="a git revision, or one of: " + ", ".join(BASELINES))
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (baseline, this tree)")
    args = parser.parse_args()
    revision = BASELINES.get(args.baseline, args.baseline)
    with tempfile.TemporaryDirectory() as tmp:
        bbc = Path(tmp) / "bbc.csv"
        write_bbc(bbc)
        worktree = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), revision], check=True)
        try:
            runs: dict[str, list[dict]] = {"baseline": [], "this tree": []}
            for n in range(args.rounds):
                for name, src in (("baseline", worktree / "src"), ("this tree", ROOT / "src")):
                    folder = Path(tmp) / f"{name.replace(' ', '-')}-{n}"
                    folder.mkdir()
                    figures = run_version(src, bbc, folder)
                    runs[name].append(figures)
                    ingested = "; ".join(
                        f"{corpus} {f['articles']} articles in {f['seconds']:.1f} s = "
                        f"{f['articles'] / f['seconds']:.1f}/s"
                        for corpus, f in figures["ingest"].items()
                    )
                    latency = figures["check_seconds"]
                    print(f"round {n + 1} {name:<9}: ingest {ingested}; check seed median {latency:.2f} s", flush=True)
            print(
                "index built by this tree / by the baseline, round 1:",
                compare_indexes(Path(tmp) / "this-tree-0" / "index.sqlite", Path(tmp) / "baseline-0" / "index.sqlite"),
            )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
    print(f"baseline: {args.baseline} ({revision})")
    for corpus in runs["this tree"][0]["ingest"]:
        speed = {
            k: statistics.median(r["ingest"][corpus]["articles"] / r["ingest"][corpus]["seconds"] for r in v)
            for k, v in runs.items()
        }
        print(
            f"ingest {corpus}: this tree {speed['this tree']:.1f} articles/s, baseline {speed['baseline']:.1f}: "
            f"ratio {speed['this tree'] / speed['baseline']:.2f}"
        )
    latency = {k: statistics.median(r["check_seconds"] for r in v) for k, v in runs.items()}
    print(
        f"check:  this tree {latency['this tree']:.2f} s, baseline {latency['baseline']:.2f} s: ratio "
        f"{latency['this tree'] / latency['baseline']:.2f} (below 1 is faster)"
    )


if __name__ == "__main__":
    main()
