"""Benchmark: the passage graph alone at 1M distinct vectors (not a test).

bench_growth.py grows its indexes with reprints, whose vectors are their originals': past the pool's 35,646
passages the graph keeps one node per distinct vector, so its recall there is a 35k-node graph's. This bench asks
what a graph of N distinct vectors does. There are not a million real passages to embed on two cores (60 a
second), so the vectors are the pool's real ones, each repeated with Gaussian noise added and renormalised (a
rewrite's passage, near its original; the mean cosine to the original is printed). The graph is built with
twosource's settings (index/vectors.py), single-threaded as twosource builds it, saved, and searched through a
memory-mapped view, as a check searches it. Baseline in the same run: the exact scan over the vectors in memory.

    .venv/bin/python bench/bench_graph.py --pool /tmp/twosource-growth/pool.sqlite [--size 1000000] [--noise 0.03]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
from usearch.index import Index

from twosource.index.vectors import CONNECTIVITY, EXPANSION_ADD, EXPANSION_SEARCH


def pool_vectors(pool: Path) -> np.ndarray:
    db = sqlite3.connect(pool)
    rows = db.execute("SELECT vector FROM passages ORDER BY id").fetchall()
    db.close()
    return np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float16).reshape(len(rows), -1).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, required=True, help="an index whose passage vectors seed the graph")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--noise", type=float, default=0.03, help="the noise's standard deviation per dimension")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}", flush=True)
    rng = np.random.default_rng(17)
    real = pool_vectors(args.pool)
    vectors = real[np.arange(args.size) % len(real)]
    vectors[len(real) :] += rng.normal(0, args.noise, (args.size - len(real), real.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cosine = float(np.mean(np.sum(vectors[len(real) :] * real[np.arange(len(real), args.size) % len(real)], axis=1)))
    vectors = vectors.astype(np.float16).astype(np.float32)  # as the index stores them
    print(f"{args.size:,} vectors from {len(real):,} real ones; mean cosine of a copy to its original {cosine:.3f}")

    began = time.perf_counter()
    graph = Index(
        ndim=vectors.shape[1], metric="ip", dtype="f16", connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD
    )
    for start in range(0, args.size, 100_000):
        graph.add(
            np.arange(start, min(start + 100_000, args.size), dtype=np.uint64),
            vectors[start : start + 100_000],
            threads=1,
        )
        print(f"  built {min(start + 100_000, args.size):,} ({time.perf_counter() - began:.0f} s)", flush=True)
    path = Path(tempfile.mkdtemp()) / "graph"
    graph.save(str(path))
    del graph
    print(f"built in {time.perf_counter() - began:.0f} s; the file: {path.stat().st_size / 1e6:.0f} MB")

    # Queries: held-out real vectors moved off their passages (claims are near passages, not on them).
    queries = real[rng.choice(len(real), args.queries, replace=False)]
    queries = queries + rng.normal(0, 0.05, queries.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    began = time.perf_counter()
    exact = [np.argpartition(-(vectors @ q), 20)[:20] for q in queries]
    exact_seconds = (time.perf_counter() - began) / len(queries)
    kth = np.array([np.sort(vectors[e] @ q)[0] for e, q in zip(exact, queries, strict=True)])
    del vectors
    view = Index.restore(str(path), view=True)
    view.expansion_search = EXPANSION_SEARCH
    began = time.perf_counter()
    found = [view.search(q, 20) for q in queries]
    graph_seconds = (time.perf_counter() - began) / len(queries)
    recall = np.mean([np.mean(1 - f.distances >= k - 1e-3) for f, k in zip(found, kth, strict=True)])
    print(
        f"recall@20 {recall:.4f}; a search {graph_seconds * 1000:.2f} ms against the exact scan's "
        f"{exact_seconds * 1000:.1f} ms ({exact_seconds / graph_seconds:.0f}×)"
    )
    path.unlink()


if __name__ == "__main__":
    main()
