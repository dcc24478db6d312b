"""The PostgreSQL index, for an archive a team shares: the SQLite index's tables and copy detection, with
pgvector for dense search (an HNSW index over inner product, the vectors being unit length, stored in half
precision as SQLite stores them) and BM25 in SQL over impact-ordered postings for lexical search
(``postgres_words``).

Needs the ``postgres`` extra (psycopg and pgvector's adapter) and a server with the ``vector`` extension.
Writers take turns (a transaction-scoped advisory lock), as SQLite's do, so that copy detection always sees every
article committed before it: two ingests, a ``watch`` and a ``serve`` may write at once.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..errors import IndexStoreError
from ..types import Embedder
from . import postgres_words as words
from .base import PreparedArticle
from .sql import SQLIndex

SCHEMA_VERSION = 3
#: The advisory lock every writer and the schema's creation hold (any constant the application owns).
_WRITER_LOCK = 0x7477_6F73  # "twos"
_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL DEFAULT '',
    outlet TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    published TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    cluster_id BIGINT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    added TIMESTAMPTZ NOT NULL DEFAULT now(),
    credit TEXT NOT NULL DEFAULT '',
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    length INTEGER NOT NULL DEFAULT 0,
    title_words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', title)) STORED,
    title_length INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles (cluster_id);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE INDEX IF NOT EXISTS articles_words ON articles USING gin (words);
CREATE INDEX IF NOT EXISTS articles_title_words ON articles USING gin (title_words);
CREATE TABLE IF NOT EXISTS passages (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id),
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector HALFVEC({dim}) NOT NULL,
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    length INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS passages_article ON passages (article_id);
CREATE INDEX IF NOT EXISTS passages_words ON passages USING gin (words);
CREATE INDEX IF NOT EXISTS passages_vector ON passages USING hnsw (vector halfvec_ip_ops);
CREATE TABLE IF NOT EXISTS fingerprints (
    hash BIGINT NOT NULL, article_id BIGINT NOT NULL REFERENCES articles (id), PRIMARY KEY (hash, article_id)
);
CREATE TABLE IF NOT EXISTS lexemes (
    lexeme TEXT PRIMARY KEY, passages BIGINT NOT NULL DEFAULT 0, articles BIGINT NOT NULL DEFAULT 0,
    titles BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS postings (
    field SMALLINT NOT NULL, lexeme TEXT NOT NULL, impact REAL NOT NULL, doc BIGINT NOT NULL,
    tf INTEGER NOT NULL, length INTEGER NOT NULL
);
{postings_order};
CREATE TABLE IF NOT EXISTS totals (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    passages BIGINT NOT NULL, passage_words BIGINT NOT NULL, articles BIGINT NOT NULL, article_words BIGINT NOT NULL,
    title_words BIGINT NOT NULL DEFAULT 0
);
INSERT INTO totals VALUES (1, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, created TIMESTAMPTZ NOT NULL DEFAULT now(), document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
    checked TIMESTAMPTZ NOT NULL DEFAULT now()
);
""".replace("{postings_order}", words.POSTINGS_ORDER)
#: Candidates the HNSW graph search keeps (pgvector's ``hnsw.ef_search``): at least the pool retrieval asks for.
_EF_SEARCH = 400
#: Schema 1 held an article's title and text in one tsvector, the title's words weighted A and counted twice.
_FROM_1 = (
    "ALTER TABLE articles DROP COLUMN words",
    "ALTER TABLE articles ADD COLUMN words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "ALTER TABLE articles ADD COLUMN title_words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', title)) STORED",
    "ALTER TABLE articles ADD COLUMN title_length INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE lexemes ADD COLUMN titles BIGINT NOT NULL DEFAULT 0",
    "ALTER TABLE totals ADD COLUMN title_words BIGINT NOT NULL DEFAULT 0",
)
#: What an older schema changes before the schema's own statements run (schema 2 lacked only the postings, which
#: those make); the statistics and postings are then recounted from the texts.
_UPGRADES: dict[str, tuple[str, ...]] = {"1": _FROM_1, "2": ()}


class PostgresIndex(SQLIndex):
    """An index in a PostgreSQL database, at a ``postgresql://`` address."""

    placeholder = "%s"
    #: A halfvec in its binary form: a 4-byte header (the dimension, a word unused), then big-endian float16s.
    _VECTOR = "halfvec_send(vector)"

    def __init__(self, address: str, embedder: Embedder, *, create: bool = True) -> None:
        try:
            import psycopg
        except ImportError as exc:
            needs = "a PostgreSQL index needs the postgres extra: pip install 'twosource[postgres]'"
            raise IndexStoreError(needs) from exc
        super().__init__(_without_password(address), embedder)
        self._address = address
        self.unique_violation = psycopg.errors.UniqueViolation
        try:
            self._migrate(create)
        except psycopg.Error as exc:
            self.close()
            raise IndexStoreError(f"{self.location}: cannot open the index ({_first_line(exc)})") from exc
        except IndexStoreError:
            self.close()
            raise

    def _connect(self) -> Any:
        import psycopg
        from pgvector.psycopg import register_vector

        db = psycopg.connect(self._address, autocommit=True)
        if self._connections or self._has_vector(db):
            register_vector(db)
        db.execute(f"SET hnsw.ef_search = {_EF_SEARCH}")
        return db

    @staticmethod
    def _has_vector(db: Any) -> bool:
        return db.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone() is not None

    def _begin(self) -> None:
        self._db.execute("BEGIN")
        self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITER_LOCK,))

    # -- schema -----------------------------------------------------------------------------------
    def _migrate(self, create: bool) -> None:
        db = self._db
        exists = db.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
        if not exists and not create:
            raise IndexStoreError(f"no index at {self.location}; build one with `twosource ingest`")
        self._begin()
        try:
            older = self._schema_version() if exists else None
            for statement in _UPGRADES.get(older or "", ()):
                db.execute(statement)
            db.execute(_SCHEMA.replace("{dim}", str(self.embedder.dim)))
            if older in _UPGRADES:
                # Inside this transaction, so that the upgrade lands whole or not at all.
                self._recount()
                db.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            found = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if not found:
                db.cursor().executemany(
                    "INSERT INTO meta VALUES (%s, %s)",
                    [
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("embedder", self.embedder.name),
                        ("dim", str(self.embedder.dim)),
                    ],
                )
            elif found.get("schema_version") != str(SCHEMA_VERSION) or found.get("embedder") != self.embedder.name:
                raise IndexStoreError(
                    f"{self.location}: index schema {found.get('schema_version')} / embedder "
                    f"{found.get('embedder')} does not match this twosource (schema {SCHEMA_VERSION}, "
                    f"{self.embedder.name}); ingest into a new index"
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        from pgvector.psycopg import register_vector

        register_vector(db)  # the extension may have been created just now

    def _schema_version(self) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None

    # -- writing ----------------------------------------------------------------------------------
    def _insert(self, item: PreparedArticle) -> int:
        from pgvector import HalfVector

        a = item.article
        article_id = int(
            self._db.execute(
                "INSERT INTO articles"
                " (url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, %s) RETURNING id",
                (a.url, a.outlet, a.title, a.author, a.published, a.text, item.content_hash, a.origin, a.credit),
            ).fetchone()[0]
        )
        self._db.execute("UPDATE articles SET cluster_id = id WHERE id = %s", (article_id,))
        with (
            self._db.cursor() as cursor,
            cursor.copy('COPY passages (article_id, position, start, "end", text, vector) FROM STDIN') as copy,
        ):
            for position, ((start, end), vector) in enumerate(zip(item.passage_spans, item.embeddings, strict=True)):
                copy.write_row((article_id, position, start, end, a.text[start:end], HalfVector(vector)))
        for statement in words.STATISTICS:
            self._db.execute(statement, {"id": article_id})
        self._add_fingerprints(article_id, item.copy)
        return article_id

    # -- searching --------------------------------------------------------------------------------
    def _lexical(self, table: str, query: str, limit: int) -> list[tuple[int, float]]:
        return words.search(self._db, table, query, limit)

    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        from pgvector import HalfVector

        rows = self._db.execute(
            "SELECT id, -(vector <#> %s) FROM passages ORDER BY vector <#> %s LIMIT %s",
            (HalfVector(vector), HalfVector(vector), limit),
        ).fetchall()
        return [(int(i), float(score)) for i, score in rows]

    def _run_for_vectors(self, query: str, params: Any = ()) -> Any:
        # Binary, so that the vectors come as bytes that numpy reads all at once: parsed from pgvector's text form in
        # Python, they took 9 of a warm check's 23 s at 10k passages, and decoded one by one, 1 s in 6.
        return self._db.execute(self._sql(query), params, binary=True)

    def _decode_vectors(self, stored: bytes, count: int) -> np.ndarray:
        rows = np.frombuffer(stored, dtype=">f2").reshape(count, 2 + self.embedder.dim)
        return rows[:, 2:].astype(np.float32)

    def _in(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        # One array parameter: psycopg parses a query anew for each number of placeholders, which took a tenth of a
        # warm check at 10k passages.
        return f"{column} = ANY(?)", [list(values)]

    def _size_bytes(self) -> int:
        return int(self._db.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def recount(self) -> None:
        """Recompute every text's length, the counts and totals BM25 reads and the postings, from the texts: after a
        bulk load that went around ``add_batch`` (bench/bench_growth.py's, a restored dump). One transaction."""
        self._begin()
        try:
            self._recount()
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _recount(self) -> None:
        for statement in words.RECOUNT:
            self._db.execute(statement)

    def check_integrity(self) -> list[str]:
        """Return a list of inconsistencies (empty when the index is whole)."""
        return self._orphans()


def _without_password(address: str) -> str:
    # The address is shown (stats, errors): never its password.
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", address)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
