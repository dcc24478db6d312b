"""The embedded SQLite index: articles, passages (FTS5), embeddings, copy fingerprints, reports.

WAL mode; one transaction per batch, so an interrupted ingest keeps every batch it committed
and a re-run skips them by content hash.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import numpy as np

from ..errors import IndexStoreError
from ..outlets import name_key
from ..types import Embedder, Passage
from . import dedup
from .base import AddResult, IndexStats, PreparedArticle, StoredArticle

SCHEMA_VERSION = 2
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
    credit TEXT NOT NULL DEFAULT ''
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
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5 (
    text, content='passages', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5 (
    title, text, content='articles', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
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
_ARTICLE_COLUMNS = "id, url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit"


class SQLiteIndex:
    """An index in one SQLite file (or ``:memory:``), to be shared by the threads of one process (a server's).

    Each thread gets its own connection, so its transactions stay its own; the passage vectors are loaded once
    and shared. Use it as a context manager, or ``close`` it.
    """

    def __init__(self, path: str | Path, embedder: Embedder) -> None:
        self.location = str(path)
        self.embedder = embedder
        if self.location != ":memory:":
            Path(self.location).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._vectors_lock = threading.Lock()  # one thread reads the passages added since the last search
        self._vectors_loaded = (np.zeros((0, embedder.dim), dtype=np.float32), np.zeros(0, dtype=np.int64))
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise IndexStoreError(f"{self.location}: cannot open the index ({exc})") from exc
        except IndexStoreError:
            self.close()
            raise

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (in memory, the one connection: a second would be another database)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            with self._connections_lock:
                if self.location == ":memory:" and self._connections:
                    db = self._connections[0]
                else:
                    db = sqlite3.connect(self.location, isolation_level=None, check_same_thread=False, timeout=30)
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("PRAGMA synchronous=NORMAL")
                    db.execute("PRAGMA foreign_keys=ON")
                    self._connections.append(db)
            self._local.db = db
        return db

    def __enter__(self) -> SQLiteIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------------
    def _migrate(self) -> None:
        self._db.executescript(_SCHEMA)
        found = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not found:
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

        self._db.execute("BEGIN IMMEDIATE")
        try:
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
                self._join(article_id, dedup.clusters_to_join(self._copies(copy, outlet, url)))
                self._add_fingerprints(article_id, copy)
                self._db.execute("UPDATE articles SET credit = ? WHERE id = ?", (find_credit(text), article_id))
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close every thread's connection."""
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    # -- writing ----------------------------------------------------------------------------------
    def contains(self, content_hash: str) -> bool:
        return self._db.execute("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash,)).fetchone() is not None

    def has_url(self, url: str) -> bool:
        return bool(url) and self._db.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None

    def add_batch(self, batch: list[PreparedArticle]) -> AddResult:
        """Add a batch in one transaction: all of it lands, or (on any error or interruption) none of it."""
        result = AddResult()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                if self.contains(item.content_hash):
                    result.duplicates += 1
                    continue
                copies = self._copies(item.copy, item.article.outlet, item.article.url)
                article_id = self._insert(item)
                self._join(article_id, dedup.clusters_to_join(copies))
                result.added += 1
                result.copies += bool(copies)
                result.ids.append(article_id)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return result

    def _insert(self, item: PreparedArticle) -> int:
        a = item.article
        cur = self._db.execute(
            "INSERT INTO articles"
            " (url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (a.url, a.outlet, a.title, a.author, a.published, a.text, item.content_hash, a.origin, a.credit),
        )
        article_id = int(cur.lastrowid or 0)
        self._db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", (article_id, article_id))
        self._db.execute(
            "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", (article_id, a.title, a.text)
        )
        for position, ((start, end), vector) in enumerate(zip(item.passage_spans, item.embeddings, strict=True)):
            text = a.text[start:end]
            cur = self._db.execute(
                "INSERT INTO passages (article_id, position, start, end, text, vector) VALUES (?, ?, ?, ?, ?, ?)",
                (article_id, position, start, end, text, vector.astype(np.float16).tobytes()),
            )
            self._db.execute("INSERT INTO passages_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, text))
        self._add_fingerprints(article_id, item.copy)
        return article_id

    def _add_fingerprints(self, article_id: int, copy: dedup.CopyText) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO fingerprints (hash, article_id) VALUES (?, ?)",
            [(h, article_id) for h in copy.fingerprints],
        )

    def _join(self, article_id: int, copies: list[int]) -> None:
        # An article joins its copies' clusters, which merge under the oldest cluster's id: an excerpt and its
        # original end up together whichever arrived first, and so do two excerpts once their original comes.
        if not copies:
            return
        marks = ",".join("?" * len(copies))
        clusters = {r[0] for r in self._db.execute(f"SELECT cluster_id FROM articles WHERE id IN ({marks})", copies)}
        clusters.add(int(self._db.execute("SELECT cluster_id FROM articles WHERE id = ?", (article_id,)).fetchone()[0]))
        target = min(clusters)
        marks = ",".join("?" * len(clusters))
        self._db.execute(f"UPDATE articles SET cluster_id = ? WHERE cluster_id IN ({marks})", [target, *clusters])

    def _copies(self, copy: dedup.CopyText, outlet: str, url: str) -> list[tuple[int, dedup.CopyMatch]]:
        return dedup.find_copies(copy, self._postings, self._texts, name_key(outlet or url))

    def _postings(self, fingerprint: int) -> list[int]:
        rows = self._db.execute(
            "SELECT article_id FROM fingerprints WHERE hash = ? ORDER BY article_id LIMIT ?",
            (fingerprint, dedup.POSTINGS),
        )
        return [r[0] for r in rows]

    def _texts(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT id, text, outlet, url FROM articles WHERE id IN ({marks})", ids)
        return {i: (text, name_key(outlet or url)) for i, text, outlet, url in rows}

    def find_copies(self, text: str, outlet: str = "", url: str = "") -> list[tuple[StoredArticle, dedup.CopyMatch]]:
        """Return the stored articles that are ``text`` (published by ``outlet`` at ``url``) or a copy of it, or
        that it copies, with what they share."""
        copy = dedup.copy_text(text)
        rows = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE content_hash = ?", (dedup.content_hash(text),)
        )
        same = dedup.CopyMatch(len(copy.words), 1.0, 1.0, len(copy.words), 1.0, contained=True)
        found = {a.id: (a, same) for a in map(_stored, rows.fetchall())}
        for article_id, match in self._copies(copy, outlet, url):
            stored = self.article(article_id)
            if stored and article_id not in found:
                found[article_id] = (stored, match)
        return list(found.values())

    # -- searching --------------------------------------------------------------------------------
    def lexical_passages(self, query: str, limit: int) -> list[tuple[int, float]]:
        return self._fts("passages_fts", "bm25(passages_fts)", query, limit)

    def lexical_articles(self, query: str, limit: int) -> list[tuple[int, float]]:
        # The title counts double: it states the story in the fewest words.
        return self._fts("articles_fts", "bm25(articles_fts, 2.0, 1.0)", query, limit)

    def _fts(self, table: str, rank: str, query: str, limit: int) -> list[tuple[int, float]]:
        match = fts_query(query)
        if not match:
            return []
        rows = self._db.execute(
            f"SELECT rowid, {rank} AS r FROM {table} WHERE {table} MATCH ? ORDER BY r LIMIT ?", (match, limit)
        ).fetchall()
        return [(int(rowid), -float(score)) for rowid, score in rows]  # FTS5's bm25 is negative: lower is better

    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        matrix, ids = self._vectors()
        if not len(ids):
            return []
        scores = matrix @ vector.astype(np.float32)
        top = np.argpartition(-scores, min(limit, len(scores) - 1))[:limit]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        # All passage vectors in one matrix, shared by the process's threads. Passages are only ever added, with
        # ascending ids: those committed since the last call, by any connection or process, are read and appended.
        with self._vectors_lock:
            matrix, ids = self._vectors_loaded
            rows = self._db.execute(
                "SELECT id, vector FROM passages WHERE id > ? ORDER BY id", (int(ids[-1]) if len(ids) else 0,)
            ).fetchall()
            if rows:
                added = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16)
                matrix = np.concatenate([matrix, added.reshape(len(rows), self.embedder.dim).astype(np.float32)])
                ids = np.concatenate([ids, np.array([r[0] for r in rows], dtype=np.int64)])
                self._vectors_loaded = (matrix, ids)
            return matrix, ids

    def passage_vectors(self, ids: list[int]) -> np.ndarray:
        wanted = np.asarray(ids, dtype=np.int64)
        matrix, all_ids = self._vectors()
        positions = np.searchsorted(all_ids, wanted)
        if not len(wanted) or ((positions < len(all_ids)).all() and (all_ids[positions] == wanted).all()):
            return matrix[positions]
        missing = sorted(set(ids) - set(all_ids.tolist()))[:5]
        raise IndexStoreError(f"{self.location}: passages {missing} have no vector")

    def passages(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            "SELECT p.id, p.article_id, a.outlet, a.published, a.title, a.url, p.text, a.cluster_id, a.credit"
            f" FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN ({marks})",
            ids,
        ).fetchall()
        return {
            r[0]: Passage(
                article_id=r[1],
                passage_id=r[0],
                outlet=r[2],
                published=r[3],
                title=r[4],
                url=r[5],
                text=r[6],
                cluster_id=r[7],
                credit=r[8],
            )
            for r in rows
        }

    def article_passages(self, article_ids: list[int]) -> dict[int, list[int]]:
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        out: dict[int, list[int]] = {}
        for pid, aid in self._db.execute(
            f"SELECT id, article_id FROM passages WHERE article_id IN ({marks}) ORDER BY id", article_ids
        ):
            out.setdefault(aid, []).append(pid)
        return out

    # -- reading ----------------------------------------------------------------------------------
    def article(self, article_id: int) -> StoredArticle | None:
        row = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _stored(row) if row else None

    def article_ids(self) -> list[int]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles ORDER BY id")]

    def cluster(self, cluster_id: int) -> list[StoredArticle]:
        rows = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE cluster_id = ? ORDER BY published IS NULL, published, id",
            (cluster_id,),
        )
        return [_stored(r) for r in rows]

    def stats(self) -> IndexStats:
        one = self._db.execute
        outlets = dict(one("SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY count(*) DESC").fetchall())
        earliest, latest = one("SELECT min(published), max(published) FROM articles").fetchone()
        size = 0
        if self.location != ":memory:":
            size = sum(p.stat().st_size for p in Path(self.location).parent.glob(Path(self.location).name + "*"))
        return IndexStats(
            location=self.location,
            articles=one("SELECT count(*) FROM articles").fetchone()[0],
            passages=one("SELECT count(*) FROM passages").fetchone()[0],
            outlets=outlets,
            clusters=one("SELECT count(DISTINCT cluster_id) FROM articles").fetchone()[0],
            multi_article_clusters=one(
                "SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1)"
            ).fetchone()[0],
            earliest=earliest,
            latest=latest,
            undated=one("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0],
            size_bytes=size,
            reports=one("SELECT count(*) FROM reports").fetchone()[0],
        )

    def check_integrity(self) -> list[str]:
        """Return a list of inconsistencies (empty when the index is whole)."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for table in ("passages_fts", "articles_fts"):
            try:
                self._db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                problems.append(f"{table}: {exc}")
        orphans = self._db.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.article_id = a.id)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} articles without passages")
        return problems

    # -- reports ----------------------------------------------------------------------------------
    def save_report(self, report_id: str, document: str) -> None:
        try:
            self._db.execute("INSERT INTO reports (id, document) VALUES (?, ?)", (report_id, document))
        except sqlite3.IntegrityError:
            # A stored report is never replaced: its id is in someone's link.
            raise IndexStoreError(f"a report {report_id} is already stored") from None

    def load_report(self, report_id: str) -> str | None:
        row = self._db.execute("SELECT document FROM reports WHERE id = ?", (report_id,)).fetchone()
        return row[0] if row else None

    # -- watched feeds ----------------------------------------------------------------------------
    def feed_validators(self, url: str) -> tuple[str, str]:
        row = self._db.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else ("", "")

    def save_feed_validators(self, url: str, etag: str, last_modified: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO feeds (url, etag, last_modified, checked) VALUES (?, ?, ?, datetime('now'))",
            (url, etag, last_modified),
        )


_FTS_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "would",
        "who",
        "which",
        "what",
        "when",
        "where",
        "there",
        "been",
        "not",
        "no",
        "said",
        "says",
    ]
)


def fts_query(text: str) -> str:
    """Return an FTS5 query OR-ing the content words of ``text``, each quoted so no user text is syntax."""
    words = dict.fromkeys(w for w in re.findall(r"\w+", text.lower()) if w not in _FTS_STOPWORDS and len(w) > 1)
    return " OR ".join(f'"{w}"' for w in words)


def _stored(row: tuple) -> StoredArticle:
    return StoredArticle(*row)
