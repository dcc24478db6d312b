"""The SQLite index's word indexes (index/lexical.py): BM25 that ranks as FTS5's did, and word indexes that a crash, a
stale copy, another index's folder, a torn file or a folder that cannot be written never make answer wrongly."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from twosource import ingest, open_index
from twosource.index.sql import query_words
from twosource.index.sqlite import SQLiteIndex
from twosource.models import EMBEDDER

from ..conftest import fakes_rows, write_fakes_slice
from ..crash_helpers import word_holdings


def fts5_passages(path: Path, query: str, limit: int) -> list[int]:
    """The passages FTS5's BM25 ranks first, as schema 2 searched them: the reference for the word index."""
    db = sqlite3.connect(":memory:")
    db.execute(f"ATTACH '{path}' AS stored")
    db.execute("CREATE VIRTUAL TABLE words USING fts5 (text, tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO words (rowid, text) SELECT id, text FROM stored.passages")
    match = " OR ".join(f'"{w}"' for w in query_words(query))
    rows = db.execute("SELECT rowid FROM words WHERE words MATCH ? ORDER BY bm25(words) LIMIT ?", (match, limit))
    return [r[0] for r in rows]


def test_the_word_index_ranks_as_fts5_did(fakes_index_path: Path, tmp_path: Path):
    path = tmp_path / "fakes.sqlite"
    shutil.copy(fakes_index_path, path)
    titles = [row["article_title"] for row in fakes_rows()[:80:2]]
    with SQLiteIndex(path, EMBEDDER) as index:
        found = [[pid for pid, _ in index.lexical_passages(title, 10)] for title in titles]
    expected = [fts5_passages(path, title, 10) for title in titles]
    overlap = [len(set(f) & set(e)) / len(e) for f, e in zip(found, expected, strict=True)]
    assert sum(overlap) / len(overlap) >= 0.8, overlap
    assert sum(f[0] == e[0] for f, e in zip(found, expected, strict=True)) >= 0.8 * len(titles)


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of 20 FA-KES articles, its database and word indexes copied aside as ``older.sqlite(-words)``, then
    grown to 40; and ``other.sqlite``, another index with its own word indexes."""
    folder = tmp_path_factory.mktemp("grown")
    rows = fakes_rows()
    with SQLiteIndex(folder / "index.sqlite", EMBEDDER) as index:
        ingest([write_fakes_slice(folder / "first.csv", rows[:20])], index, encoding="latin-1")
    shutil.copy(folder / "index.sqlite", folder / "older.sqlite")
    shutil.copytree(folder / "index.sqlite-words", folder / "older.sqlite-words")
    with SQLiteIndex(folder / "index.sqlite", EMBEDDER) as index:
        ingest([write_fakes_slice(folder / "second.csv", rows[20:40])], index, encoding="latin-1")
    with SQLiteIndex(folder / "other.sqlite", EMBEDDER) as index:
        ingest([write_fakes_slice(folder / "other.csv", rows[100:130])], index, encoding="latin-1")
    return folder


def stored_ids(path: Path, table: str) -> list[int]:
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute(f"SELECT id FROM {table} ORDER BY id")]
    finally:
        db.close()


def searched_whole(path: Path) -> None:
    """Every passage is found first by its own words, and nothing outside the database is found at all."""
    db = sqlite3.connect(path)
    passages = db.execute("SELECT id, text FROM passages ORDER BY id").fetchall()
    titles = db.execute("SELECT id, title FROM articles WHERE title != '' ORDER BY id").fetchall()
    db.close()
    with SQLiteIndex(path, EMBEDDER) as index:
        assert index.check_integrity() == []
        best = {pid: index.lexical_passages(text, 50) for pid, text in passages[::7]}
        by_title = {aid: index.lexical_articles(title, 50) for aid, title in titles[::3]}
    known = {pid for pid, _ in passages}
    for pid, hits in best.items():
        assert pid in [h for h, _ in hits[:3]], (pid, hits[:3])
        assert {h for h, _ in hits} <= known
    assert all(aid in [h for h, _ in hits[:3]] for aid, hits in by_title.items())
    for table in ("passages", "articles"):
        assert word_holdings(path, table) == stored_ids(path, table)


@pytest.mark.parametrize("damage", ["missing", "behind", "stale", "foreign", "torn"])
def test_damaged_word_indexes_are_mended_and_never_trusted(grown: Path, tmp_path: Path, damage: str):
    path, words = tmp_path / "index.sqlite", tmp_path / "index.sqlite-words"
    shutil.copy(grown / "index.sqlite", path)
    if damage == "behind":  # killed between the database's commit and the word index's: caught up
        shutil.copytree(grown / "older.sqlite-words", words)
    elif damage == "stale":  # the database restored from an older copy, the newer word indexes left beside it
        shutil.copy(grown / "older.sqlite", path)
        shutil.copytree(grown / "index.sqlite-words", words)
    elif damage == "foreign":  # another index's
        shutil.copytree(grown / "other.sqlite-words", words)
    elif damage == "torn":  # a file cut short
        shutil.copytree(grown / "index.sqlite-words", words)
        for meta in words.glob("*/meta.json"):
            meta.write_bytes(meta.read_bytes()[: meta.stat().st_size // 2])
    searched_whole(path)


def test_another_index_on_the_same_file_sees_what_one_adds(grown: Path, tmp_path: Path):
    path = tmp_path / "index.sqlite"
    shutil.copy(grown / "older.sqlite", path)
    rows = fakes_rows()
    with SQLiteIndex(path, EMBEDDER) as reader, SQLiteIndex(path, EMBEDDER) as writer:
        title = rows[30]["article_title"]
        before = {aid for aid, _ in reader.lexical_articles(title, 5)}
        ingest([write_fakes_slice(tmp_path / "more.csv", rows[30:31])], writer, encoding="latin-1")
        added = max(stored_ids(path, "articles"))
        assert added not in before
        assert reader.lexical_articles(title, 5)[0][0] == added


def test_word_indexes_that_cannot_be_written_are_kept_in_memory(grown: Path, tmp_path: Path):
    # As on a read-only folder or a full disk (a directory where the lock file goes fails even for root).
    path = tmp_path / "index.sqlite"
    shutil.copy(grown / "index.sqlite", path)
    (tmp_path / "index.sqlite-words").mkdir()
    (tmp_path / "index.sqlite-words" / "passages.lock").mkdir()
    (tmp_path / "index.sqlite-words" / "articles.lock").mkdir()
    db = sqlite3.connect(path)
    pid, text = db.execute("SELECT id, text FROM passages ORDER BY id DESC LIMIT 1").fetchone()
    db.close()
    with SQLiteIndex(path, EMBEDDER) as index:
        assert index.lexical_passages(text, 3)[0][0] == pid
        assert index.check_integrity() == []
    assert not any((tmp_path / "index.sqlite-words" / "passages").glob("*.store"))


def test_an_index_of_schema_2_drops_fts5_and_searches_its_words(grown: Path, tmp_path: Path):
    path = tmp_path / "index.sqlite"
    shutil.copy(grown / "older.sqlite", path)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE passages_fts USING fts5 (text, content='passages', content_rowid='id')")
    db.execute("INSERT INTO passages_fts (passages_fts) VALUES ('rebuild')")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    searched_whole(path)
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "passages_fts" not in tables
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("4",)
    db.close()


def test_a_new_index_discards_word_indexes_left_by_an_old_file(grown: Path, tmp_path: Path):
    path = tmp_path / "index.sqlite"
    shutil.copytree(grown / "other.sqlite-words", tmp_path / "index.sqlite-words")
    with open_index(path) as index:
        assert index.lexical_passages("Syria", 5) == []
    assert word_holdings(path, "passages") == []
