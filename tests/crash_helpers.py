"""Crash safety, shared by tests/test_crash.py and bench/bench_crash.py: kill ``twosource ingest`` with SIGKILL,
re-run it, and compare the index with one built without interruption.

The comparison reads the SQLite file itself (a copy of it, so that a half-written index is looked at as the
re-run will find it, never changed by looking): every article (its text hash, fields, passages and fingerprints),
the copy clusters as a partition of articles (cluster ids may differ), the embeddings (close, not bit-equal: a
re-run embeds other batches), ``PRAGMA integrity_check`` and the index's own ``check_integrity``. The ingests
fold their passages into the graph beside the index every 16 passages, so that kills land inside folds too; after
the re-run, the graph must hold the index's first passages and nothing else (``graph_differences``). The word
indexes beside it must hold the first rows of their tables after each kill, and all of them after the re-run
(``word_differences``).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twosource import open_index
from twosource.ingestion import BATCH_SIZE

#: Where a kill landed, from what the index held afterwards.
NO_INDEX = "before the index file existed"
NOTHING_COMMITTED = "before the first commit"
MID_INGEST = "mid-ingest"
ALL_COMMITTED = "after the last commit, before exit"
AFTER_EXIT = "after the ingest had ended"

#: Embeddings of one passage in the reference and after a re-run: the same text embedded in another batch.
MIN_COSINE = 0.99

# An ingest must not reach for a model hub.
_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TWOSOURCE_GRAPH_AFTER": "16"}
_ADDED = re.compile(r"^(\d+) added, ", re.MULTILINE)


@dataclass(frozen=True)
class Snapshot:
    """What an index holds, in a form two indexes of the same input can be compared in."""

    existed: bool
    articles: tuple[tuple, ...]  # one record per article, in the order they were added (by id), ids left out
    clusters: frozenset[frozenset[str]]  # the copy clusters, each the content hashes of its articles
    vectors: dict[str, np.ndarray] = field(repr=False)  # content hash -> its passages' embeddings
    problems: tuple[str, ...]  # integrity problems; empty when the index is whole


@dataclass
class Kill:
    """One SIGKILL: when it was sent, where it landed, and what the index held afterwards."""

    delay: float
    landed: str
    committed: int


@dataclass
class CrashRun:
    """An ingest killed once or more, then re-run to completion, and what differed from the reference."""

    kills: list[Kill]
    differences: list[str]
    seconds: float


def write_corpus(path: Path, fakes: Path, fakes_rows: Iterable[int], bbc: Path, bbc_rows: Iterable[int]) -> Path:
    """Write the chosen FA-KES rows (latin-1, their own column names) and BBC News rows into one UTF-8 CSV with
    the columns twosource guesses (title, text, source, date), so one ``twosource ingest FILE`` reads them all."""
    with open(fakes, encoding="latin-1", newline="") as f:
        fakes_all = list(csv.DictReader(f))
    with open(bbc, encoding="utf-8", newline="") as f:
        bbc_all = list(csv.DictReader(f))
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["title", "text", "source", "date"])
        for n in fakes_rows:
            r = fakes_all[n]
            writer.writerow([r["article_title"], r["article_content"], r["source"], r["date"]])
        for n in bbc_rows:
            r = bbc_all[n]
            writer.writerow([r["title"], r["text"], r["source"], r["date"]])
    return path


def ingest_command(corpus: Path, index_path: Path) -> list[str]:
    """``twosource ingest CORPUS --index FILE``, with the console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("twosource")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "twosource"]
    return [*program, "ingest", str(corpus), "--index", str(index_path)]


@dataclass(frozen=True)
class Finished:
    """An ingest run to its end."""

    status: int
    added: int | None  # what its summary line says, None without one
    seconds: float
    errors: str  # the end of its standard error, for a failure's message


def ingest_to_end(command: Sequence[str], timeout: float = 1800) -> Finished:
    """Run an ingest to its end."""
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=_ENV, check=False)
    seconds = time.perf_counter() - began
    added = _ADDED.search(result.stdout)
    return Finished(result.returncode, int(added.group(1)) if added else None, seconds, result.stderr[-2000:])


def kill_after(command: Sequence[str], delay: float) -> bool:
    """Start an ingest and SIGKILL it ``delay`` seconds later; return False when it had ended by then."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def snapshot(index_path: Path) -> Snapshot:
    """Read the index at ``index_path`` through a copy of its files (the database and its write-ahead log)."""
    if not index_path.exists():
        return Snapshot(False, (), frozenset(), {}, ())
    with tempfile.TemporaryDirectory(prefix="twosource-crash-") as folder:
        copy = Path(folder) / index_path.name
        for suffix in ("", "-wal"):  # the shared-memory file is rebuilt from the log, as a re-run would
            if Path(f"{index_path}{suffix}").exists():
                shutil.copyfile(f"{index_path}{suffix}", f"{copy}{suffix}")
        db = sqlite3.connect(copy)
        try:
            problems = [f"PRAGMA integrity_check: {r[0]}" for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            complete = {"articles", "passages", "fingerprints"} <= tables
            articles, clusters, vectors = _contents(db) if complete else ((), frozenset(), {})
        finally:
            db.close()
        # The index's own checks (FTS tables, articles without passages) on the copy: opening it may finish an
        # interrupted schema there, as the re-run would.
        index = open_index(copy, create=False)
        try:
            problems += index.check_integrity()
        finally:
            index.close()
    return Snapshot(True, articles, clusters, vectors, tuple(problems))


def _contents(db: sqlite3.Connection) -> tuple[tuple[tuple, ...], frozenset[frozenset[str]], dict[str, np.ndarray]]:
    passages: dict[int, list[tuple[int, int, str]]] = {}
    vectors: dict[int, list[np.ndarray]] = {}
    for article_id, start, end, text, vector in db.execute(
        "SELECT article_id, start, end, text, vector FROM passages ORDER BY article_id, position"
    ):
        passages.setdefault(article_id, []).append((start, end, text))
        vectors.setdefault(article_id, []).append(np.frombuffer(vector, dtype=np.float16).astype(np.float32))
    fingerprints = dict(db.execute("SELECT article_id, count(*) FROM fingerprints GROUP BY article_id").fetchall())
    records, members, by_hash = [], {}, {}
    for row in db.execute(
        "SELECT id, content_hash, url, outlet, title, author, published, origin, credit, text, cluster_id"
        " FROM articles ORDER BY id"
    ):
        article_id, digest, *fields, text, cluster = row
        records.append((digest, *fields, len(text), tuple(passages.get(article_id, ())), fingerprints.get(article_id)))
        members.setdefault(cluster, set()).add(digest)
        by_hash[digest] = np.stack(vectors[article_id]) if article_id in vectors else np.zeros((0, 0))
    return tuple(records), frozenset(frozenset(m) for m in members.values()), by_hash


def compare(reference: Snapshot, got: Snapshot) -> list[str]:
    """What ``got`` (a completed re-run) has that differs from ``reference``; empty when they match."""
    differences = [f"integrity: {p}" for p in got.problems]
    if not got.existed:
        return [*differences, "no index file"]
    ours, theirs = set(reference.articles), set(got.articles)
    if ours != theirs:
        differences.append(
            f"articles: {len(theirs)} vs {len(ours)} in the reference; {len(theirs - ours)} not in the reference, "
            f"{len(ours - theirs)} missing (first: {_first(theirs ^ ours)})"
        )
    elif reference.articles != got.articles:
        differences.append("articles: the same set, added in another order")
    if reference.clusters != got.clusters:
        only_got = sorted(sorted(d[:12] for d in c) for c in got.clusters - reference.clusters)
        only_ref = sorted(sorted(d[:12] for d in c) for c in reference.clusters - got.clusters)
        differences.append(f"copy clusters differ: {only_got[:3]} instead of {only_ref[:3]}")
    differences += _embedding_differences(reference, got)
    return differences


def graph_differences(index_path: Path) -> list[str]:
    """What is wrong with the passage graph beside a finished index: its nodes and their aliases (passages whose
    vector is a node's) must be exactly the index's first passages, with the vectors stored, and dense search must
    find each passage by its own vector."""
    ids, vectors = stored_vectors(index_path)
    held = graph_holdings(index_path)
    if held is None:
        return ["no passage graph beside the index"]
    nodes, node_vectors, aliases = held
    covered = sorted([*nodes, *aliases])
    differences = []
    if not nodes or covered != ids[: len(covered)]:
        differences.append(f"the graph holds {len(covered)} passages that are not the index's first {len(covered)}")
    else:
        stored = dict(zip(ids, vectors, strict=True))
        if not np.array_equal(node_vectors, np.array([stored[i] for i in nodes])):
            differences.append("the graph's vectors differ from the index's")
        if any(not np.array_equal(stored[alias], stored[node]) for alias, node in aliases.items()):
            differences.append("an alias's vector differs from its node's")
    with open_index(index_path) as index:
        best = [index.dense_passages(v.astype(np.float32), 1)[0][1] for v in vectors]
    lost = [i for i, score in zip(ids, best, strict=True) if score < 0.999]
    if lost:
        differences.append(f"{len(lost)} passages not found by their own vectors (first: {lost[:3]})")
    return differences


def stored_vectors(index_path: Path) -> tuple[list[int], np.ndarray]:
    """Every passage id of an index and its vector as stored (float16), read from the database itself."""
    db = sqlite3.connect(index_path)
    try:
        rows = db.execute("SELECT id, vector FROM passages ORDER BY id").fetchall()
    finally:
        db.close()
    return [r[0] for r in rows], np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1)


def graph_holdings(index_path: Path) -> tuple[list[int], np.ndarray, dict[int, int]] | None:
    """The graph file beside an index, read without twosource: its nodes (passage ids, ascending), their vectors,
    and its aliases (passage id: node); None without a graph."""
    from usearch.index import Index

    graph = Index.restore(f"{index_path}-vectors", view=True)
    if graph is None:
        return None
    nodes = sorted(int(k) for k in np.asarray(graph.keys))
    stored = np.load(f"{index_path}-vectors.aliases")
    aliases = {int(alias): int(node) for alias, node in stored[1:]}  # the first row is the header
    return nodes, np.asarray(graph.get(nodes), dtype=np.float16).reshape(len(nodes), -1), aliases


def word_holdings(index_path: Path, table: str) -> list[int]:
    """The ids a table's word index beside an index holds, read without twosource (ascending); [] without one."""
    import tantivy

    folder = Path(f"{index_path}-words") / table
    if not (folder / "meta.json").exists():
        return []
    searcher = tantivy.Index.open(str(folder)).searcher()
    hits = searcher.search(tantivy.Query.all_query(), max(1, searcher.num_docs), count=False).hits
    return sorted(searcher.fast_field_values("id", [address for _, address in hits]))


def word_differences(index_path: Path, *, opened: bool = True) -> list[str]:
    """What is wrong with the word indexes beside an index an ingest left (killed or not): each must hold the
    table's first rows and none other (a kill between the two commits leaves it behind); ``opened``: and every row
    once the index is opened."""
    differences = []
    for table, ids in _stored_ids(index_path).items():
        held = word_holdings(index_path, table)
        if held != ids[: len(held)]:
            differences.append(f"the {table} word index holds {len(held)} rows that are not the table's first")
    if not opened or differences:
        return differences
    with open_index(index_path) as index:
        differences += index.check_integrity()
    for table, ids in _stored_ids(index_path).items():
        if word_holdings(index_path, table) != ids:
            differences.append(f"the {table} word index was not caught up when the index was opened")
    return differences


def _stored_ids(index_path: Path) -> dict[str, list[int]]:
    if not index_path.exists():
        return {"passages": [], "articles": []}
    db = sqlite3.connect(index_path)
    try:
        return {t: [r[0] for r in db.execute(f"SELECT id FROM {t} ORDER BY id")] for t in ("passages", "articles")}
    except sqlite3.OperationalError:  # killed before the tables were made
        return {"passages": [], "articles": []}
    finally:
        db.close()


def check_partial(reference: Snapshot, got: Snapshot) -> list[str]:
    """What is wrong with the index a kill left: it must be whole, and hold whole batches of the reference's
    articles in the reference's order (a prefix of it), each copy cluster within one of the reference's."""
    differences = [f"integrity after the kill: {p}" for p in got.problems]
    count = len(got.articles)
    if got.articles != reference.articles[:count]:
        differences.append(f"after the kill: the {count} articles are not the reference's first {count}")
    if count % BATCH_SIZE and count != len(reference.articles):
        differences.append(f"after the kill: {count} articles, not whole batches of {BATCH_SIZE}")
    for cluster in got.clusters:
        if not any(cluster <= whole for whole in reference.clusters):
            members = sorted(d[:12] for d in cluster)
            differences.append(f"after the kill: a copy cluster the reference does not have: {members}")
    differences += [f"after the kill: {d}" for d in _embedding_differences(reference, got)]
    return differences


def _embedding_differences(reference: Snapshot, got: Snapshot) -> list[str]:
    worst, where = 1.0, ""
    for digest, vectors in got.vectors.items():
        expected = reference.vectors.get(digest)
        if expected is None or expected.shape != vectors.shape:
            return [f"embeddings of {digest[:12]}: shape {vectors.shape} vs {getattr(expected, 'shape', None)}"]
        if not len(vectors):
            continue
        norms = np.linalg.norm(expected, axis=1) * np.linalg.norm(vectors, axis=1)
        cosine = float(np.min(np.sum(expected * vectors, axis=1) / np.maximum(norms, 1e-12)))
        if cosine < worst:
            worst, where = cosine, digest
    return [f"embeddings of {where[:12]}: cosine {worst:.4f} to the reference's"] if worst < MIN_COSINE else []


def _first(records: set[tuple]) -> str:
    return ", ".join(f"{r[0][:12]} ({r[3][:40]!r})" for r in sorted(records)[:3])


def landed(existed: bool, running: bool, committed: int, total: int) -> str:
    """Name where a kill landed: whether the ingest was still running, and how much of it was committed."""
    if not running:
        return AFTER_EXIT
    if not existed:
        return NO_INDEX
    if committed == 0:
        return NOTHING_COMMITTED
    return ALL_COMMITTED if committed == total else MID_INGEST


def crash_run(
    corpus: Path, index_path: Path, reference: Snapshot, delays: Sequence[float], status: int = 0
) -> CrashRun:
    """Ingest ``corpus`` into a fresh index at ``index_path``, killing the ingest after each of ``delays`` (the
    second and later kills hit the re-runs), then re-run it to its end (exit status ``status``, the uninterrupted
    ingest's) and compare the index with ``reference``.

    Besides the final index, each kill's leftovers are checked (``check_partial``), and the final re-run must add
    exactly what the kills left out."""
    began = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_path}{suffix}").unlink(missing_ok=True)
    command = ingest_command(corpus, index_path)
    total = len(reference.articles)
    kills, differences = [], []
    for delay in delays:
        running = kill_after(command, delay)
        after = snapshot(index_path)
        kills.append(Kill(delay, landed(after.existed, running, len(after.articles), total), len(after.articles)))
        differences += check_partial(reference, after)
        differences += word_differences(index_path, opened=False)
    rerun = ingest_to_end(command)
    committed = kills[-1].committed if kills else 0
    if rerun.status != status:
        differences.append(f"the re-run exited with {rerun.status}, not {status}: {rerun.errors}")
    if rerun.added != total - committed:
        differences.append(f"the re-run added {rerun.added}, not the {total - committed} the kills left out")
    differences += compare(reference, snapshot(index_path))
    differences += graph_differences(index_path)
    differences += word_differences(index_path)
    return CrashRun(kills, differences, time.perf_counter() - began)
