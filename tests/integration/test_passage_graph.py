"""The SQLite index's passage graph (index/vectors.py): approximate search that agrees with exact search, and a
graph file that a torn write, a stale copy or another index's file never makes answer wrongly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from twosource import ingest, open_index
from twosource.index.sqlite import SQLiteIndex
from twosource.models import EMBEDDER, embed

from ..conftest import fakes_rows, write_fakes_slice
from ..crash_helpers import graph_holdings
from ..crash_helpers import stored_vectors as stored_float16


def stored_vectors(index_path: Path) -> tuple[list[int], np.ndarray]:
    ids, vectors = stored_float16(index_path)
    return ids, vectors.astype(np.float32)


def recall_at(found: list[tuple[int, float]], exact_scores: np.ndarray, k: int) -> float:
    """The share of ``found`` scoring at least the exact k-th best (ties between copies count either way)."""
    kth = np.sort(exact_scores)[-k]
    return sum(score >= kth - 1e-3 for _, score in found[:k]) / k


@pytest.fixture
def fakes_copy(fakes_index_path: Path, tmp_path: Path) -> Path:
    """The session's FA-KES index, copied without its graph."""
    path = tmp_path / "fakes.sqlite"
    shutil.copy(fakes_index_path, path)
    return path


def test_the_graph_finds_what_exact_search_finds(fakes_copy: Path):
    ids, matrix = stored_vectors(fakes_copy)
    queries = embed([row["article_title"] for row in fakes_rows()[:60]])
    with SQLiteIndex(fakes_copy, EMBEDDER, graph_after=256) as index:
        found = [index.dense_passages(q, 20) for q in queries]
        covered = index._vectors._covered
    assert Path(f"{fakes_copy}-vectors").exists()
    assert covered >= len(ids) - 8 * 256  # all but a bounded tail is in the graph
    recalls = [recall_at(hits, matrix @ q, 20) for hits, q in zip(found, queries, strict=True)]
    assert np.mean(recalls) >= 0.98, recalls
    assert all(abs(hits[0][1] - float((matrix @ q).max())) < 1e-3 for hits, q in zip(found, queries, strict=True))
    assert all(pid in set(ids) for hits in found for pid, _ in hits)


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 20 FA-KES articles copied aside as ``older.sqlite``, then grown to 40 with a graph folded every 16
    passages; and ``other.sqlite``, another index with its own graph."""
    folder = tmp_path_factory.mktemp("grown")
    rows = fakes_rows()
    with SQLiteIndex(folder / "index.sqlite", EMBEDDER, graph_after=16) as index:
        ingest([write_fakes_slice(folder / "first.csv", rows[:20])], index, encoding="latin-1")
    shutil.copy(folder / "index.sqlite", folder / "older.sqlite")
    with SQLiteIndex(folder / "index.sqlite", EMBEDDER, graph_after=16) as index:
        ingest([write_fakes_slice(folder / "second.csv", rows[20:40])], index, encoding="latin-1")
    with SQLiteIndex(folder / "other.sqlite", EMBEDDER, graph_after=16) as index:
        ingest([write_fakes_slice(folder / "other.csv", rows[100:130])], index, encoding="latin-1")
    return folder


@pytest.mark.parametrize("damage", ["torn", "stale", "foreign"])
def test_a_damaged_graph_is_rebuilt_and_never_trusted(grown: Path, tmp_path: Path, damage: str):
    path, graph = tmp_path / "index.sqlite", tmp_path / "index.sqlite-vectors"
    shutil.copy(grown / "index.sqlite", path)
    shutil.copy(grown / "index.sqlite-vectors", graph)
    if damage == "torn":  # a write cut short (the rename makes this unlikely, a disk can still do it)
        graph.write_bytes(graph.read_bytes()[: graph.stat().st_size // 2])
    elif damage == "stale":  # the database restored from an older copy, the newer graph left beside it
        shutil.copy(grown / "older.sqlite", path)
    else:  # another index's graph
        shutil.copy(grown / "other.sqlite-vectors", graph)
    ids, matrix = stored_vectors(path)
    with SQLiteIndex(path, EMBEDDER, graph_after=16) as index:
        best = [index.dense_passages(v, 1)[0] for v in matrix]
    lost = [(i, hit) for i, hit in zip(ids, best, strict=True) if hit[1] <= 0.999 or hit[0] not in set(ids)]
    assert not lost, lost[:5]  # each passage is found by its own vector
    nodes, node_vectors, aliases = graph_holdings(path)
    assert nodes and sorted([*nodes, *aliases]) == ids  # rebuilt over every passage
    assert np.array_equal(node_vectors.astype(np.float32), matrix[[ids.index(n) for n in nodes]])


def test_a_fold_killed_before_its_rename_leaves_nothing_behind(grown: Path, tmp_path: Path):
    path = tmp_path / "index.sqlite"
    shutil.copy(grown / "older.sqlite", path)
    leftover = tmp_path / "index.sqlite-vectors.4242.tmp"
    leftover.write_bytes(b"half a graph")
    with SQLiteIndex(path, EMBEDDER, graph_after=16) as index:
        index.dense_passages(embed(["Syria"])[0], 5)  # no graph beside it: this search folds one
    assert not leftover.exists() and Path(f"{path}-vectors").exists()


def test_a_new_index_discards_a_graph_left_by_an_old_file(tmp_path: Path):
    path = tmp_path / "index.sqlite"
    graph = Path(f"{path}-vectors")
    graph.write_bytes(b"an old graph")
    with open_index(path):
        pass
    assert not graph.exists()


def test_a_graph_that_cannot_be_written_leaves_search_exact(grown: Path, tmp_path: Path):
    # As on a read-only folder or a full disk (a directory where the lock file goes fails even for root).
    path = tmp_path / "index.sqlite"
    shutil.copy(grown / "index.sqlite", path)
    Path(f"{path}-vectors.lock").mkdir()
    ids, matrix = stored_vectors(path)
    with SQLiteIndex(path, EMBEDDER, graph_after=16) as index:
        best = [index.dense_passages(v, 1)[0] for v in matrix]
    assert all(score > 0.999 for _, score in best) and len(best) == len(ids)
    assert not Path(f"{path}-vectors").exists()
