"""The PostgreSQL index, for an archive a team shares: the SQLite index's tables and copy detection, with
pgvector for dense search (an HNSW index over inner product, the vectors being unit length, stored in half
precision as SQLite stores them) and BM25 in SQL over impact-ordered postings for lexical search
(``postgres_words``).

A passage that repeats an earlier one word for word (a syndicated copy's) is kept as that passage's copy: it has no
node in the HNSW graph and no postings of its own, and each search finds it with its original, at its original's
score. Copies in the graph break its neighbour selection (with every text 28 times, recall@20 fell to 0.63), and
in the postings they make a search read 28 times deeper for the same texts.

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

SCHEMA_VERSION = 5
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
    language TEXT NOT NULL DEFAULT 'en',
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    length INTEGER NOT NULL DEFAULT 0,
    title_words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', title)) STORED,
    title_length INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles (cluster_id);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE TABLE IF NOT EXISTS passages (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id),
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector HALFVEC({dim}) NOT NULL,
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    length INTEGER NOT NULL DEFAULT 0,
    original BIGINT
);
CREATE INDEX IF NOT EXISTS passages_article ON passages (article_id);
CREATE INDEX IF NOT EXISTS passages_text ON passages (md5(text)) WHERE original IS NULL;
CREATE INDEX IF NOT EXISTS passages_copies ON passages (original) WHERE original IS NOT NULL;
CREATE TABLE IF NOT EXISTS crosslingual (
    passage_id BIGINT PRIMARY KEY REFERENCES passages (id), vector BYTEA NOT NULL
);
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
#: The HNSW graph, over the passages that copy no other (``original`` is the first passage with the same text, or
#: null). Made after the schema's tables, and again after a recount, which rewrites every passage row.
_VECTOR_INDEX = (
    "CREATE INDEX IF NOT EXISTS passages_vector ON passages USING hnsw (vector halfvec_ip_ops) WHERE original IS NULL"
)
#: The graph's search: the ``%s`` passages nearest a vector (given twice), among the originals.
DENSE_SEARCH = "SELECT id, -(vector <#> %s) FROM passages WHERE original IS NULL ORDER BY vector <#> %s LIMIT %s"
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
#: Schema 3 held every passage in the HNSW graph and the postings, copies too, and GIN indexes over the words that
#: no search has read since the postings came.
_FROM_3 = (
    "DROP INDEX IF EXISTS passages_vector, passages_words, articles_words, articles_title_words",
    "ALTER TABLE passages ADD COLUMN original BIGINT",
)
#: Schema 4 held English articles only (the cross-lingual table is made by the schema's own statements).
_FROM_4 = ("ALTER TABLE articles ADD COLUMN language TEXT NOT NULL DEFAULT 'en'",)
#: What an older schema changes before the schema's own statements run (schema 2 lacked the postings, which those
#: make, as 3 did the copies).
_UPGRADES: dict[str, tuple[str, ...]] = {
    "1": _FROM_1 + _FROM_3 + _FROM_4,
    "2": _FROM_3 + _FROM_4,
    "3": _FROM_3 + _FROM_4,
    "4": _FROM_4,
}
#: The schemas whose statistics, copies and postings an upgrade recounts from the texts.
_RECOUNTED = ("1", "2", "3")


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
            if older in _RECOUNTED:
                self._recount()  # inside this transaction, so that the upgrade lands whole or not at all
            else:
                db.execute(_VECTOR_INDEX)
            if older in _UPGRADES:
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
                " (url, outlet, title, author, published, text, content_hash, cluster_id, origin, credit, language)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s) RETURNING id",
                (
                    *(a.url, a.outlet, a.title, a.author, a.published, a.text),
                    *(item.content_hash, a.origin, a.credit, a.language),
                ),
            ).fetchone()[0]
        )
        self._db.execute("UPDATE articles SET cluster_id = id WHERE id = %s", (article_id,))
        texts = [a.text[start:end] for start, end in item.passage_spans]
        ids = [int(i) for (i,) in self._db.execute(_NEW_PASSAGE_IDS, (len(texts),))]
        originals = dict(self._db.execute(_ORIGINALS, (texts,)).fetchall())  # each text's first passage
        columns = 'id, article_id, position, start, "end", text, vector, original'
        with self._db.cursor() as cursor, cursor.copy(f"COPY passages ({columns}) FROM STDIN") as copy:
            for position, (pid, text, (start, end), vector) in enumerate(
                zip(ids, texts, item.passage_spans, item.embeddings, strict=True)
            ):
                original = originals.get(text)  # null for the first passage of its text
                originals.setdefault(text, pid)
                copy.write_row((pid, article_id, position, start, end, text, HalfVector(vector), original))
        self._add_crosslingual(ids, item.crosslingual)
        for statement in words.STATISTICS:
            self._db.execute(statement, {"id": article_id})
        self._add_fingerprints(article_id, item.copy)
        return article_id

    # -- searching --------------------------------------------------------------------------------
    def _lexical(self, table: str, query: str, limit: int) -> list[tuple[int, float]]:
        return words.search(self._db, table, query, limit)

    def lexical_passages(self, query: str, limit: int) -> list[tuple[int, float]]:
        return self._with_copies(super().lexical_passages(query, limit), limit)

    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        from pgvector import HalfVector

        rows = self._db.execute(DENSE_SEARCH, (HalfVector(vector), HalfVector(vector), limit)).fetchall()
        return self._with_copies([(int(i), float(score)) for i, score in rows], limit)

    def _with_copies(self, found: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
        """The best ``limit`` of the passages ``found`` (originals, with their scores) and their copies, each copy
        at its original's score, ties in id order: what a search over every passage gives, since an original is
        never ranked below its copies (its id is the smaller)."""
        score = dict(found)
        copies = self._db.execute("SELECT id, original FROM passages WHERE original = ANY(%s)", (list(score),))
        every = found + [(int(pid), score[int(original)]) for pid, original in copies]
        return sorted(every, key=lambda hit: (-hit[1], hit[0]))[:limit]

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
        """Recompute every text's length, the passages' copies, the counts and totals BM25 reads, the postings and the
        HNSW graph, from the texts: after a bulk load that went around ``add_batch`` (bench/bench_growth.py's, a
        restored dump). One transaction."""
        self._begin()
        try:
            self._recount()
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _recount(self) -> None:
        # The graph is made again over the originals once they are known, not kept up row by row.
        self._db.execute("DROP INDEX IF EXISTS passages_vector")
        for statement in words.RECOUNT:
            self._db.execute(statement)
        self._db.execute(_VECTOR_INDEX)

    def check_integrity(self) -> list[str]:
        """Return a list of inconsistencies (empty when the index is whole)."""
        return self._orphans()


#: Ids for an article's passages, taken before they are written so that a copy within the article can name its
#: original.
_NEW_PASSAGE_IDS = "SELECT nextval(pg_get_serial_sequence('passages', 'id')) FROM generate_series(1, %s)"
#: The passages already stored that the texts ``%s`` repeat: (text, the id of its first passage).
_ORIGINALS = """SELECT text, id FROM passages
WHERE md5(text) = ANY(SELECT md5(t) FROM unnest(%s::text[]) AS t) AND original IS NULL"""


def _without_password(address: str) -> str:
    # The address is shown (stats, errors): never its password.
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", address)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
