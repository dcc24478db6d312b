"""Dense search over an SQLite index's passage vectors without loading them all.

The passages committed up to some id lie in an HNSW graph on disk (usearch, memory-mapped: a search touches a few
thousand of its pages, never the whole file); the later ones, the tail, are searched exactly in memory. When the
tail outgrows its bound, the process that sees it folds it into a new graph file, written aside and renamed over
the old one, so the file is always whole. The database stays the truth: a graph is checked against it when opened
(its passage count and its last vector) and is rebuilt when they differ, so a crash, a torn or stale file, or a
database restored from a copy costs a rebuild, never a wrong answer.

Each distinct vector is one node of the graph: a passage whose vector equals one already there (a syndicated copy's
passage, word for word) is kept as an alias of that node, in a file beside the graph, and found with it. Exact
duplicates break HNSW's neighbour selection: with every passage of a 9,000-passage index present twice, recall@20
fell to 0.92.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: Graph quality: links per node, and the candidates weighed when adding and when searching. Over FA-KES's
#: passages, 100 BBC headlines (far from every passage: cosine 0.31 at best, on average) find their exact top 20
#: at recall 0.970 with 256 candidates, 0.997 with 1,024 (0.44 ms a query); the seed's sentences at 0.995 and
#: 0.9995. bench/bench_growth.py measures it at 1M passages.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 1024
#: Rows read from the database at a time, so that building a graph never holds every vector in memory.
CHUNK = 8192

#: Reads ``(id, float16 bytes)`` of up to ``limit`` passages with an id above ``after``, in id order.
RowsAfter = Callable[[int, int], list[tuple[int, bytes]]]
#: Reads one passage's float16 bytes, or None.
VectorOf = Callable[[int], bytes | None]
#: Counts the passages with an id up to and including the one given.
CountThrough = Callable[[int], int]


class PassageVectors:
    """The passage vectors of one index file, searched through its graph plus an exact tail; shared by threads."""

    def __init__(
        self,
        graph_path: Path | None,
        dim: int,
        *,
        rows_after: RowsAfter,
        vector_of: VectorOf,
        count_through: CountThrough,
        fold_at: int,
    ) -> None:
        self.graph_path = graph_path  # None: no graph (an in-memory index), every vector in the tail
        self.dim = dim
        self.fold_at = fold_at
        self._rows_after, self._vector_of, self._count_through = rows_after, vector_of, count_through
        self._lock = threading.Lock()
        self._graph: Any = None  # a usearch Index viewing the file, or None
        self._graph_file: tuple[int, int, int] | None = None  # the viewed file's (inode, size, mtime)
        self._covered = 0  # the graph and its aliases hold every passage with an id up to this one
        self._alias_ids = np.zeros(0, dtype=np.int64)  # passages whose vector is a graph node's, ...
        self._alias_nodes = np.zeros(0, dtype=np.int64)  # ... that node's passage id (ascending)
        self._tail = np.zeros((0, dim), dtype=np.float32)
        self._tail_ids = np.zeros(0, dtype=np.int64)
        self._can_fold = graph_path is not None

    # -- searching ----------------------------------------------------------------------------------
    def search(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` passages nearest ``vector`` by inner product, best first, as ``(id, score)``."""
        query = np.asarray(vector, dtype=np.float32)
        with self._lock:
            self._catch_up()
            found = self._search_graph(query, limit) + self._search_tail(query, limit)
        found.sort(key=lambda hit: -hit[1])
        return found[:limit]

    def _search_graph(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if self._graph is None or not len(self._graph):
            return []
        self._graph.expansion_search = max(EXPANSION_SEARCH, limit)
        matches = self._graph.search(query, limit)
        found = []
        for key, distance in zip(matches.keys, matches.distances, strict=True):
            node, score = int(key), 1.0 - float(distance)  # int: an unsigned key would cast the aliases to float
            found.append((node, score))
            first, last = np.searchsorted(self._alias_nodes, [node, node + 1])
            found += [(int(alias), score) for alias in self._alias_ids[first:last]]
        return found

    def _search_tail(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if not len(self._tail_ids):
            return []
        scores = self._tail @ query
        top = np.argpartition(-scores, min(limit, len(scores) - 1))[:limit]
        return [(int(self._tail_ids[i]), float(scores[i])) for i in top]

    # -- keeping in step ----------------------------------------------------------------------------
    def fold_if_due(self) -> None:
        """After a write: fold the tail into the graph once it has outgrown its bound."""
        with self._lock:
            self._catch_up()

    def _catch_up(self) -> None:
        # A graph another process wrote since the last look replaces ours; then the passages committed since
        # (by any connection, with ascending ids) join the tail, and a tail past its bound is folded.
        if self.graph_path is not None and _file_key(self.graph_path) != self._graph_file:
            self._view_graph()
        while True:
            rows = self._rows_after(self._last_id(), CHUNK)
            if not rows:
                return
            self._append(rows)
            if self._can_fold and len(self._tail_ids) >= self._tail_bound():
                try:
                    self._fold()
                except OSError as exc:  # a read-only folder or a full disk: search the tail exactly instead
                    log.warning("%s: cannot write the passage graph (%s); searching exactly", self.graph_path, exc)
                    self._can_fold = False

    def _tail_bound(self) -> int:
        # Folding rewrites the whole graph file: let the tail grow with the graph (an eighth of it) so that the
        # rewrites cost a constant factor of the ingest, but never past 8 × fold_at, which bounds the exact scan.
        graph_size = len(self._graph) if self._graph is not None else 0
        return min(max(self.fold_at, graph_size // 8), 8 * self.fold_at)

    def _last_id(self) -> int:
        return int(self._tail_ids[-1]) if len(self._tail_ids) else self._covered

    def _append(self, rows: list[tuple[int, bytes]]) -> None:
        added = _matrix(rows, self.dim)
        self._tail = np.concatenate([self._tail, added])
        self._tail_ids = np.concatenate([self._tail_ids, np.array([r[0] for r in rows], dtype=np.int64)])

    def _view_graph(self, *, locked: bool = False) -> None:
        """View the graph file if it matches the database; otherwise search without it until it is rebuilt.
        ``locked``: the caller holds the fold lock (a folder), else it is taken shared, so that the graph and its
        aliases are read as one folder wrote them."""
        from usearch.index import Index

        assert self.graph_path is not None
        graph, aliases, covered = None, np.zeros((0, 2), dtype=np.int64), 0
        with held_lock(self._lock_path, fcntl.LOCK_SH) if not locked else nullcontext():
            key = _file_key(self.graph_path)
            if key is not None:
                try:
                    graph = Index.restore(str(self.graph_path), view=True)
                    with open(self._aliases_path, "rb") as stored:
                        header, aliases = _split_aliases(np.load(stored))
                    covered = self._check(graph, header, len(aliases))
                except (RuntimeError, ValueError, OSError) as exc:  # torn, foreign or stale: rebuilt at a fold
                    log.warning("%s: %s; the passage graph will be rebuilt", self.graph_path, exc)
                    graph, aliases, covered = None, np.zeros((0, 2), dtype=np.int64), 0
        # A graph that reaches further keeps the tail past it; one that reaches less (rebuilt, or none) makes the
        # tail start again from where it ends.
        keep = self._tail_ids > covered if covered >= self._covered else np.zeros(len(self._tail_ids), dtype=bool)
        self._graph, self._graph_file, self._covered = graph, key, covered
        # Contiguous copies: a column of the pairs is strided, and searchsorted copies a strided array every call.
        self._alias_ids, self._alias_nodes = np.ascontiguousarray(aliases[:, 0]), np.ascontiguousarray(aliases[:, 1])
        self._tail, self._tail_ids = self._tail[keep], self._tail_ids[keep]

    def _check(self, graph: Any, header: tuple[int, int], aliases: int) -> int:
        """The last passage id the graph and its aliases hold, once the database is seen to hold the same."""
        covered, nodes = header
        if graph is None or graph.ndim != self.dim or nodes != len(graph):
            raise ValueError("not this index's passage graph, or not the one its aliases were written with")
        if not len(graph):
            return 0
        last_node = int(np.asarray(graph.keys, dtype=np.int64).max())
        stored = self._vector_of(last_node)
        if (
            last_node > covered
            or self._count_through(covered) != len(graph) + aliases
            or stored is None
            or not np.array_equal(np.frombuffer(stored, dtype=np.float16), np.asarray(graph.get(last_node)))
        ):
            raise ValueError("the graph does not hold this database's passages")
        return covered

    def _fold(self) -> None:
        """Write a graph holding every passage so far (the current one, the tail and what was committed since),
        with its aliases, aside; then rename the aliases and the graph into place."""
        from usearch.index import Index

        assert self.graph_path is not None
        with held_lock(self._lock_path, fcntl.LOCK_EX):
            for stale in self.graph_path.parent.glob(self.graph_path.name + ".*.tmp"):
                stale.unlink(missing_ok=True)  # a folder killed before its renames
            if _file_key(self.graph_path) != self._graph_file:
                self._view_graph(locked=True)  # another process folded first: start from its graph
            if self._graph is not None and len(self._graph):
                graph = Index.restore(str(self.graph_path), view=False)
            else:
                graph = Index(
                    ndim=self.dim, metric="ip", dtype="f16", connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD
                )
            aliases = [np.stack([self._alias_ids, self._alias_nodes], axis=1)]
            last = self._covered
            for ids, matrix in self._unfolded():
                nodes = _nodes(graph, ids, matrix)
                new = nodes == ids
                # One thread: usearch's concurrent insertion left 1 or 2 of 300 nodes unreachable in our tests
                # (2.21), and one thread makes the graph the same on every run.
                graph.add(ids[new].astype(np.uint64), matrix[new], threads=1)
                aliases.append(np.stack([ids[~new], nodes[~new]], axis=1))
                last = int(ids[-1])
            every = np.concatenate(aliases)
            every = every[np.argsort(every[:, 1], kind="stable")]
            header = np.array([[last, len(graph)]], dtype=np.int64)
            _replace(self._aliases_path, lambda handle: np.save(handle, np.concatenate([header, every])))
            _replace(self.graph_path, lambda handle: graph.save(handle.name))
            self._view_graph(locked=True)

    @property
    def _lock_path(self) -> Path:
        assert self.graph_path is not None
        return self.graph_path.with_name(self.graph_path.name + ".lock")

    @property
    def _aliases_path(self) -> Path:
        assert self.graph_path is not None
        return _aliases_path(self.graph_path)

    def _unfolded(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The tail, then the rest of the database past it, a chunk at a time."""
        if len(self._tail_ids):
            yield self._tail_ids, self._tail
        last = self._last_id()
        while rows := self._rows_after(last, CHUNK):
            last = rows[-1][0]
            yield np.array([r[0] for r in rows], dtype=np.int64), _matrix(rows, self.dim)


def graph_path_for(index_path: str) -> Path:
    """Where the graph of the SQLite file ``index_path`` lies: beside it, as its write-ahead log does."""
    return Path(index_path).expanduser().with_name(Path(index_path).name + "-vectors")


def discard_graph(index_path: str) -> None:
    """Remove a graph left beside a new database (its old file's): it cannot be this one's."""
    graph = graph_path_for(index_path)
    graph.unlink(missing_ok=True)
    _aliases_path(graph).unlink(missing_ok=True)


def _aliases_path(graph_path: Path) -> Path:
    return graph_path.with_name(graph_path.name + ".aliases")


def _matrix(rows: list[tuple[int, bytes]], dim: int) -> np.ndarray:
    return np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), dim).astype(np.float32)


def _file_key(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _nodes(graph: Any, ids: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """For each row, the passage id of the graph node holding its vector: an earlier row's, a node already in the
    graph (its nearest neighbour, when equal to the last bit), or its own."""
    exact = matrix.astype(np.float16)
    rows = np.ascontiguousarray(exact).view(np.dtype((np.void, exact.shape[1] * 2))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    nodes = ids[first]
    if len(graph):
        nearest = graph.search(matrix[first], 1)
        keys = np.asarray(nearest.keys, dtype=np.int64).reshape(len(first), -1)[:, 0]
        found = np.asarray(nearest.counts).reshape(-1) > 0
        held = np.asarray(graph.get(keys[found].astype(np.uint64)), dtype=np.float16).reshape(-1, exact.shape[1])
        equal = np.zeros(len(first), dtype=bool)
        equal[np.flatnonzero(found)] = (held == exact[first][found]).all(axis=1)
        nodes = np.where(equal, keys, nodes)
    return nodes[inverse.reshape(-1)]


def _split_aliases(stored: np.ndarray) -> tuple[tuple[int, int], np.ndarray]:
    """The aliases file: a header row (the last passage id covered, the graph's node count), then (alias, node)."""
    if stored.ndim != 2 or stored.shape[1] != 2 or not len(stored):
        raise ValueError("not an aliases file")
    return (int(stored[0, 0]), int(stored[0, 1])), stored[1:].astype(np.int64)


def _replace(path: Path, write: Callable[[Any], object]) -> None:
    """Write a file aside, flush it to disk, and rename it over ``path``: the file is whole, old or new."""
    aside = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(aside, "wb") as handle:
        write(handle)
    _sync(aside)
    os.replace(aside, path)
    _sync(path.parent)


@contextmanager
def held_lock(lock_path: Path, mode: int) -> Iterator[None]:
    """A lock file beside the database (the graph's fold lock, a word index's writing lock): exclusive for a writer,
    shared for a reader; a killed holder's lock goes with its process."""
    try:
        handle = open(lock_path, "a")  # noqa: SIM115 (closed below; a reader of a read-only folder goes without)
    except OSError:
        if mode == fcntl.LOCK_EX:
            raise
        yield
        return
    with handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
