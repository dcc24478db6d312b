"""What the SQL backends share: the same tables and the same queries, whatever the database.

A backend subclass gives each thread its connection (``_db``), its placeholder style, and what differs between
databases: creating the schema, inserting an article with its passages, lexical and dense search, integrity.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..centres import centre
from ..errors import IndexStoreError
from ..models import CROSSLINGUAL
from ..outlets import name_key
from ..types import Embedder, Passage
from . import dedup
from .base import AddResult, IndexStats, PreparedArticle, StoredArticle

ARTICLE_COLUMNS = "id, url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit, language"


class SQLIndex:
    """The queries every SQL backend runs alike, written with ``?`` for parameters (``_sql`` translates them).

    Each thread gets its own connection (``_connect``), so its transactions stay its own: one index is shared by
    the threads of a process (a server's). Use it as a context manager, or ``close`` it.
    """

    #: The parameter mark the driver takes in place of ``?``.
    placeholder = "?"
    #: The driver's error for a broken unique constraint (a report stored twice).
    unique_violation: type[Exception] = Exception
    #: How a query reads a passage's vector: as bytes that ``_decode_vectors`` reads back.
    _VECTOR = "vector"

    def __init__(self, location: str, embedder: Embedder) -> None:
        self.location = location
        self.embedder = embedder
        self._local = threading.local()
        self._connections: list[Any] = []
        self._connections_lock = threading.Lock()
        self._crosslingual = _Crosslingual()

    # -- what a backend provides --------------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self) -> None:
        """Open a write transaction on this thread's connection."""
        raise NotImplementedError

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction on this thread's connection: it lands whole, or (on any error or interruption) not
        at all."""
        self._begin()
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _insert(self, item: PreparedArticle) -> int:
        """Insert an article, its passages (text, vector, searchable words) and its fingerprints; its id."""
        raise NotImplementedError

    def _decode_vectors(self, stored: bytes, count: int) -> np.ndarray:
        """``count`` passage vectors as ``_VECTOR`` reads them, one after another, as a float32 matrix."""
        raise NotImplementedError

    # -- connections --------------------------------------------------------------------------------
    @property
    def _db(self) -> Any:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            with self._connections_lock:
                if all(db is not known for known in self._connections):
                    self._connections.append(db)
            self._local.db = db
        return db

    def _sql(self, query: str) -> str:
        return query if self.placeholder == "?" else query.replace("?", self.placeholder)

    def _run(self, query: str, params: Any = ()) -> Any:
        return self._db.execute(self._sql(query), params)

    def _run_for_vectors(self, query: str, params: Any = ()) -> Any:
        """``_run`` for a query returning vectors: a backend may have them sent in a form faster to decode."""
        return self._run(query, params)

    def _in(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """SQL for ``column`` being one of ``values``, and its parameters."""
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def __enter__(self) -> SQLIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's connection."""
        with self._connections_lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    # -- writing ------------------------------------------------------------------------------------
    def contains(self, content_hash: str) -> bool:
        return self._run("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash,)).fetchone() is not None

    def has_url(self, url: str) -> bool:
        return bool(url) and self._run("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None

    def add_batch(self, batch: list[PreparedArticle]) -> AddResult:
        """Add a batch in one transaction: all of it lands, or (on any error or interruption) none of it."""
        result = AddResult()
        with self._transaction():
            for item in batch:
                if self.contains(item.content_hash):
                    result.duplicates += 1
                    continue
                joins = self._ids(item.joins) if item.joins is not None else self._joins(item)
                article_id = self._insert(item)
                self._join(article_id, joins)
                result.added += 1
                result.copies += bool(joins)
                result.ids.append(article_id)
        return result

    def _add_fingerprints(self, article_id: int, copy: dedup.CopyText) -> None:
        self._db.cursor().executemany(
            self._sql("INSERT INTO fingerprints (hash, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING"),
            [(h, article_id) for h in copy.fingerprints],
        )

    def _add_crosslingual(self, passage_ids: list[int], vectors: np.ndarray | None) -> None:
        if vectors is None:
            return
        self._db.cursor().executemany(
            self._sql("INSERT INTO crosslingual (passage_id, vector) VALUES (?, ?)"),
            [(pid, v.astype(np.float16).tobytes()) for pid, v in zip(passage_ids, vectors, strict=True)],
        )

    def _join(self, article_id: int, copies: list[int]) -> None:
        # An article joins its copies' clusters, which merge under the oldest cluster's id: an excerpt and its
        # original end up together whichever arrived first, and so do two excerpts once their original comes.
        if not copies:
            return
        where, params = self._in("id", copies)
        clusters = {r[0] for r in self._run(f"SELECT cluster_id FROM articles WHERE {where}", params)}
        clusters.add(int(self._run("SELECT cluster_id FROM articles WHERE id = ?", (article_id,)).fetchone()[0]))
        where, params = self._in("cluster_id", sorted(clusters))
        self._run(f"UPDATE articles SET cluster_id = ? WHERE {where}", [min(clusters), *params])

    def _joins(self, item: PreparedArticle) -> list[int]:
        found = self.look_up(item.copy, item.article.outlet, item.article.url).copies
        return dedup.clusters_to_join(found)

    def _ids(self, content_hashes: list[str]) -> list[int]:
        if not content_hashes:
            return []
        where, params = self._in("content_hash", content_hashes)
        return [r[0] for r in self._run(f"SELECT id FROM articles WHERE {where}", params)]

    def look_up(self, copy: dedup.CopyText, outlet: str = "", url: str = "") -> dedup.Lookup:
        """Look a text (published by ``outlet`` at ``url``) up among the stored ones (``dedup.look_up``)."""
        return dedup.look_up(copy, self._postings, self._texts, name_key(outlet or url))

    def _postings(self, fingerprint: int) -> list[int]:
        rows = self._run(
            "SELECT article_id FROM fingerprints WHERE hash = ? ORDER BY article_id LIMIT ?",
            (fingerprint, dedup.POSTINGS),
        )
        return [r[0] for r in rows]

    def _texts(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        where, params = self._in("id", ids)
        rows = self._run(f"SELECT id, text, outlet, url FROM articles WHERE {where}", params)
        return {i: (text, name_key(outlet or url)) for i, text, outlet, url in rows}

    def find_copies(self, text: str, outlet: str = "", url: str = "") -> list[tuple[StoredArticle, dedup.CopyMatch]]:
        """Return the stored articles that are ``text`` (published by ``outlet`` at ``url``) or a copy of it, or
        that it copies, with what they share."""
        copy = dedup.copy_text(text)
        rows = self._run(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE content_hash = ?", (dedup.content_hash(text),))
        same = dedup.CopyMatch(len(copy.words), 1.0, 1.0, len(copy.words), 1.0, contained=True)
        found = {a.id: (a, same) for a in map(_stored, rows.fetchall())}
        for article_id, match in self.look_up(copy, outlet, url).copies:
            stored = self.article(article_id)
            if stored and article_id not in found:
                found[article_id] = (stored, match)
        return list(found.values())

    # -- searching ----------------------------------------------------------------------------------
    def lexical_passages(self, query: str, limit: int) -> list[tuple[int, float]]:
        return self._lexical("passages", query, limit)

    def lexical_articles(self, query: str, limit: int) -> list[tuple[int, float]]:
        return self._lexical("articles", query, limit)

    def _lexical(self, table: str, query: str, limit: int) -> list[tuple[int, float]]:
        """BM25 of the rows of ``table`` (passages, or articles with their titles counting twice: a title states
        the story in the fewest words) holding any of the query's words, best first."""
        raise NotImplementedError

    # -- reading what a search found ----------------------------------------------------------------
    def passages(self, ids: list[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        where, params = self._in("p.id", ids)
        rows = self._run(
            "SELECT p.id, p.article_id, a.outlet, a.published, a.title, a.url, p.text, a.cluster_id, a.credit,"
            " a.language"
            f" FROM passages p JOIN articles a ON a.id = p.article_id WHERE {where}",
            params,
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
                language=r[9],
            )
            for r in rows
        }

    def article_passages(self, article_ids: list[int]) -> dict[int, list[int]]:
        if not article_ids:
            return {}
        out: dict[int, list[int]] = {}
        where, params = self._in("article_id", article_ids)
        for pid, aid in self._run(f"SELECT id, article_id FROM passages WHERE {where} ORDER BY id", params):
            out.setdefault(aid, []).append(pid)
        return out

    def passage_vectors(self, ids: list[int]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        where, params = self._in("id", ids)
        rows = dict(self._run_for_vectors(f"SELECT id, {self._VECTOR} FROM passages WHERE {where}", params).fetchall())
        missing = [i for i in ids if i not in rows][:5]
        if missing:
            raise IndexStoreError(f"{self.location}: passages {missing} have no vector")
        return self._decode_vectors(b"".join(rows[i] for i in ids), len(ids))

    # -- passages not in English, by their cross-lingual embeddings -----------------------------------
    def crosslingual_size(self) -> int:
        return len(self._crosslingual_loaded()[0])

    def crosslingual_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` passages nearest ``vector`` (a claim's cross-lingual embedding), searched exactly."""
        ids, matrix = self._crosslingual_loaded()
        if not len(ids):
            return []
        scores = matrix @ vector.astype(np.float32)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def crosslingual_vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        known, matrix = self._crosslingual_loaded()  # ids ascending
        rows = np.minimum(np.searchsorted(known, ids), max(len(known) - 1, 0))
        return {
            pid: matrix[row] for pid, row in zip(ids, rows.tolist(), strict=True) if len(known) and known[row] == pid
        }

    def _crosslingual_loaded(self) -> tuple[np.ndarray, np.ndarray]:
        """Every cross-lingual embedding, held in memory and caught up with what other writers added: they are
        the passages of the articles not in English, a small share of an index (384 float32s, 1.5 kB, each)."""
        cache = self._crosslingual
        with cache.lock:
            count = int(self._run("SELECT count(*) FROM crosslingual").fetchone()[0])
            if count != len(cache.ids):
                after = int(cache.ids[-1]) if len(cache.ids) else 0
                rows = self._run(_CROSSLINGUAL_ROWS.format(after="WHERE c.passage_id > ?"), (after,)).fetchall()
                if len(cache.ids) + len(rows) != count:  # a writer committed below the last id seen: read all
                    cache.ids, cache.matrix = np.zeros(0, dtype=np.int64), cache.matrix[:0]
                    rows = self._run(_CROSSLINGUAL_ROWS.format(after="")).fetchall()
                if rows:
                    added = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float16)
                    added = added.reshape(len(rows), -1).astype(np.float32)
                    # Kept as the model gave them; searched less their language's centre (``centres``).
                    languages = np.array([r[2] for r in rows])
                    for language in set(languages.tolist()):
                        of_language = languages == language
                        added[of_language] = centre(added[of_language], language)
                    cache.ids = np.concatenate([cache.ids, np.array([r[0] for r in rows], dtype=np.int64)])
                    cache.matrix = np.concatenate([cache.matrix, added])
            return cache.ids, cache.matrix

    # -- reading ------------------------------------------------------------------------------------
    def article(self, article_id: int) -> StoredArticle | None:
        row = self._run(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _stored(row) if row else None

    def article_ids(self) -> list[int]:
        return [r[0] for r in self._run("SELECT id FROM articles ORDER BY id")]

    def is_empty(self) -> bool:
        return self._run("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def cluster(self, cluster_id: int) -> list[StoredArticle]:
        rows = self._run(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE cluster_id = ? ORDER BY published IS NULL, published, id",
            (cluster_id,),
        )
        return [_stored(r) for r in rows]

    def _size_bytes(self) -> int:
        return 0

    def stats(self) -> IndexStats:
        def one(query: str) -> Any:
            return self._run(query).fetchone()

        outlets = dict(self._run("SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY count(*) DESC"))
        earliest, latest = one("SELECT min(published), max(published) FROM articles")
        return IndexStats(
            location=self.location,
            articles=one("SELECT count(*) FROM articles")[0],
            passages=one("SELECT count(*) FROM passages")[0],
            outlets=outlets,
            clusters=one("SELECT count(DISTINCT cluster_id) FROM articles")[0],
            multi_article_clusters=one(
                "SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY cluster_id HAVING count(*) > 1) AS c"
            )[0],
            earliest=earliest,
            latest=latest,
            undated=one("SELECT count(*) FROM articles WHERE published IS NULL")[0],
            size_bytes=self._size_bytes(),
            reports=one("SELECT count(*) FROM reports")[0],
        )

    def _orphans(self) -> list[str]:
        orphans = self._run(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.article_id = a.id)"
        ).fetchone()[0]
        return [f"{orphans} articles without passages"] if orphans else []

    # -- reports ------------------------------------------------------------------------------------
    def save_report(self, report_id: str, document: str) -> None:
        try:
            self._run("INSERT INTO reports (id, document) VALUES (?, ?)", (report_id, document))
        except self.unique_violation:
            # A stored report is never replaced: its id is in someone's link.
            raise IndexStoreError(f"a report {report_id} is already stored") from None

    def load_report(self, report_id: str) -> str | None:
        row = self._run("SELECT document FROM reports WHERE id = ?", (report_id,)).fetchone()
        return row[0] if row else None

    # -- watched feeds ------------------------------------------------------------------------------
    def feed_validators(self, url: str) -> tuple[str, str]:
        row = self._run("SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else ("", "")

    def save_feed_validators(self, url: str, etag: str, last_modified: str) -> None:
        self._run(
            "INSERT INTO feeds (url, etag, last_modified) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "etag = excluded.etag, last_modified = excluded.last_modified, checked = CURRENT_TIMESTAMP",
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


def query_words(text: str) -> list[str]:
    """The words of ``text`` a lexical search looks for: content words, each once."""
    return list(dict.fromkeys(w for w in re.findall(r"\w+", text.lower()) if w not in _FTS_STOPWORDS and len(w) > 1))


#: The cross-lingual embeddings with their articles' languages, in passage order.
_CROSSLINGUAL_ROWS = (
    "SELECT c.passage_id, c.vector, a.language FROM crosslingual c JOIN passages p ON p.id = c.passage_id"
    " JOIN articles a ON a.id = p.article_id {after} ORDER BY c.passage_id"
)


class _Crosslingual:
    """The cross-lingual embeddings an index holds, as read so far (``SQLIndex._crosslingual_loaded``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, CROSSLINGUAL.dim), dtype=np.float32)


def _stored(row: tuple) -> StoredArticle:
    return StoredArticle(*row)
