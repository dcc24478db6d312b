"""The embedded SQLite index: articles, passages, embeddings, copy fingerprints, reports.

WAL mode; one transaction per batch, so an interrupted ingest keeps every batch it committed
and a re-run skips them by content hash. Searches go through files beside the database, derived from it and kept in
step: the passage graph (``vectors.py``) and the word indexes (``lexical.py``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from ..errors import IndexStoreError
from ..settings import default_graph_after
from ..types import Embedder
from . import dedup
from .base import AddResult, PreparedArticle
from .lexical import ARTICLES, PASSAGES, Table, WordIndex, discard_words, words_folder_for
from .sql import SQLIndex
from .vectors import PassageVectors, discard_graph, graph_path_for

#: 3: lexical search left FTS5 for the word indexes beside the database. 4: articles in any language, and the
#: cross-lingual embeddings of the passages of those not in English.
SCHEMA_VERSION = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL DEFAULT '',
    outlet TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    published TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    cluster_id INTEGER NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    added TEXT NOT NULL DEFAULT (datetime('now')),
    credit TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'en'
);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles (cluster_id);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_article ON passages (article_id);
CREATE TABLE IF NOT EXISTS crosslingual (
    passage_id INTEGER PRIMARY KEY REFERENCES passages (id), vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS fingerprints (
    hash INTEGER NOT NULL, article_id INTEGER NOT NULL REFERENCES articles (id), PRIMARY KEY (hash, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, created TEXT NOT NULL DEFAULT (datetime('now')), document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
    checked TEXT NOT NULL DEFAULT (datetime('now'))
);
"""


class SQLiteIndex(SQLIndex):
    """An index in one SQLite file (or ``:memory:``, one connection for every thread: a second would be another
    database). Dense search goes through a graph file beside it (``vectors.PassageVectors``), shared by the
    process's threads; an in-memory index searches its vectors exactly."""

    unique_violation = sqlite3.IntegrityError

    def __init__(self, path: str | Path, embedder: Embedder, *, graph_after: int | None = None) -> None:
        super().__init__(str(path), embedder)
        in_memory = self.location == ":memory:"
        if not in_memory:
            Path(self.location).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._vectors = PassageVectors(
            None if in_memory else graph_path_for(self.location),
            embedder.dim,
            rows_after=self._vector_rows_after,
            vector_of=self._vector_of,
            count_through=self._count_through,
            fold_at=graph_after or default_graph_after(),
        )
        words = None if in_memory else words_folder_for(self.location)
        self._words = {
            table.name: WordIndex(
                None if words is None else words / table.name,
                table,
                rows_after=self._rows_after,
                last_id=self._last_row,
                count_through=self._rows_through,
            )
            for table in (PASSAGES, ARTICLES)
        }
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise IndexStoreError(f"{self.location}: cannot open the index ({exc})") from exc
        except IndexStoreError:
            self.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self.location == ":memory:" and self._connections:
            return self._connections[0]
        db = sqlite3.connect(self.location, isolation_level=None, check_same_thread=False, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def _begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    # -- schema -----------------------------------------------------------------------------------
    def _migrate(self) -> None:
        self._db.executescript(_SCHEMA)
        found = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not found:
            if self.location != ":memory:":
                discard_graph(self.location)
                discard_words(self.location)
            self._db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("embedder", self.embedder.name),
                    ("dim", str(self.embedder.dim)),
                ],
            )
            return
        if found.get("schema_version") == "1" and found.get("embedder") == self.embedder.name:
            self._upgrade_from_1()
            found["schema_version"] = "2"
        if found.get("schema_version") == "2" and found.get("embedder") == self.embedder.name:
            self._upgrade_from_2()
            found["schema_version"] = "3"
        if found.get("schema_version") == "3" and found.get("embedder") == self.embedder.name:
            self._upgrade_from_3()
        elif found.get("schema_version") != str(SCHEMA_VERSION) or found.get("embedder") != self.embedder.name:
            raise IndexStoreError(
                f"{self.location}: index schema {found.get('schema_version')} / embedder {found.get('embedder')} "
                f"does not match this twosource (schema {SCHEMA_VERSION}, {self.embedder.name}); "
                "ingest into a new index"
            )

    def _upgrade_from_1(self) -> None:
        # Schema 1 found copies with MinHash LSH, which misses excerpts: fingerprint every article and rebuild the
        # copy clusters in the order the articles came in, as ingest would have. One transaction: all or nothing.
        from ..read.credits import find_credit

        with self._transaction():
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(articles)")}
            if "credit" not in columns:
                self._db.execute("ALTER TABLE articles ADD COLUMN credit TEXT NOT NULL DEFAULT ''")
            self._db.execute("DROP TABLE IF EXISTS lsh")
            self._db.execute("DELETE FROM fingerprints")
            self._db.execute("UPDATE articles SET cluster_id = id")
            for article_id in [r[0] for r in self._db.execute("SELECT id FROM articles ORDER BY id")]:
                text, outlet, url = self._db.execute(
                    "SELECT text, outlet, url FROM articles WHERE id = ?", (article_id,)
                ).fetchone()
                copy = dedup.copy_text(text)
                self._join(article_id, dedup.clusters_to_join(self.look_up(copy, outlet, url).copies))
                self._add_fingerprints(article_id, copy)
                self._db.execute("UPDATE articles SET credit = ? WHERE id = ?", (find_credit(text), article_id))
            self._db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")

    def _upgrade_from_2(self) -> None:
        # Schema 2 searched words with FTS5; the word indexes are built from the tables at the first search.
        with self._transaction():
            for table in ("passages_fts", "articles_fts"):
                self._db.execute(f"DROP TABLE IF EXISTS {table}")
            self._db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")

    def _upgrade_from_3(self) -> None:
        # Schema 3 held English articles only; the cross-lingual table is made by the schema's own statements.
        with self._transaction():
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(articles)")}
            if "language" not in columns:
                self._db.execute("ALTER TABLE articles ADD COLUMN language TEXT NOT NULL DEFAULT 'en'")
            self._db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")

    # -- writing ----------------------------------------------------------------------------------
    def _insert(self, item: PreparedArticle) -> int:
        a = item.article
        cur = self._db.execute(
            "INSERT INTO articles"
            " (url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit, language)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                *(a.url, a.outlet, a.title, a.author, a.published, a.text),
                *(item.content_hash, a.origin, a.credit, a.language),
            ),
        )
        article_id = int(cur.lastrowid or 0)
        self._db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (article_id, article_id))
        passage_ids = []
        for position, ((start, end), vector) in enumerate(zip(item.passage_spans, item.embeddings, strict=True)):
            text = a.text[start:end]
            cur = self._db.execute(
                "INSERT INTO passages (article_id, position, start, end, text, vector) VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, position, start, end, text, vector.astype(np.float16).tobytes()),
            )
            passage_ids.append(int(cur.lastrowid or 0))
        self._add_crosslingual(passage_ids, item.crosslingual)
        self._add_fingerprints(article_id, item.copy)
        return article_id

    # -- searching --------------------------------------------------------------------------------
    def _lexical(self, table: str, query: str, limit: int) -> list[tuple[int, float]]:
        return self._words[table].search(query, limit)

    def add_batch(self, batch: list[PreparedArticle]) -> AddResult:
        result = super().add_batch(batch)
        for words in self._words.values():
            words.catch_up()
        self._vectors.fold_if_due()
        return result

    # What the word indexes read: a table's rows, with the text columns they search.
    def _rows_after(self, table: Table, after: int, limit: int) -> list[tuple]:
        columns = ", ".join(column for column, _ in table.columns)
        return self._db.execute(
            f"SELECT id, {columns} FROM {table.name} WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
        ).fetchall()

    def _last_row(self, table: Table) -> int:
        return int(self._db.execute(f"SELECT coalesce(max(id), 0) FROM {table.name}").fetchone()[0])

    def _rows_through(self, table: Table, row_id: int) -> int:
        return int(
            self._db.execute(
                f"SELECT count(*) FROM {table.name} INDEXED BY {_ID_INDEXES[table.name]} WHERE id <= ?", (row_id,)
            ).fetchone()[0]
        )

    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        return self._vectors.search(vector, limit)

    def _vector_rows_after(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        return self._db.execute(
            "SELECT id, vector FROM passages WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
        ).fetchall()

    def _vector_of(self, passage_id: int) -> bytes | None:
        row = self._db.execute("SELECT vector FROM passages WHERE id = ?", (passage_id,)).fetchone()
        return row[0] if row else None

    def _count_through(self, passage_id: int) -> int:
        return self._rows_through(PASSAGES, passage_id)

    def _decode_vectors(self, stored: bytes, count: int) -> np.ndarray:
        return np.frombuffer(stored, dtype=np.float16).reshape(count, self.embedder.dim).astype(np.float32)

    def _size_bytes(self) -> int:
        return 0 if self.location == ":memory:" else files_bytes(Path(self.location))

    def check_integrity(self) -> list[str]:
        """Return a list of inconsistencies (empty when the index is whole)."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for words in self._words.values():
            problems += words.problems()
        return problems + self._orphans()


def files_bytes(index_path: Path) -> int:
    """The bytes of an SQLite index's files: the database, its log, and what lies beside it (graph, word indexes)."""
    beside = index_path.expanduser().parent.glob(index_path.name + "*")
    return sum(f.stat().st_size for p in beside for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())


#: An index holding each table's ids and little else: counting rows through it reads megabytes where the table's
#: own pages (texts, vectors) are gigabytes at 1M passages.
_ID_INDEXES = {"passages": "passages_article", "articles": "articles_cluster"}
