"""The PostgreSQL index, for an archive a team shares: the SQLite index's tables and copy detection, with
pgvector for dense search (an HNSW index over inner product, the vectors being unit length, stored in half
precision as SQLite stores them) and PostgreSQL's full-text search for lexical search, ranked by BM25 as SQLite's
word index ranks (ts_rank knows no document frequencies): each text's length in words and, per word, how many
passages, article texts and article titles hold it are kept as the texts are added. An article's title and text
are two fields, scored apart and added up with the title weighted, as tantivy scores SQLite's word index.

Needs the ``postgres`` extra (psycopg and pgvector's adapter) and a server with the ``vector`` extension.
Writers take turns (a transaction-scoped advisory lock), as SQLite's do, so that copy detection always sees every
article committed before it: two ingests, a ``watch`` and a ``serve`` may write at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import IndexStoreError
from ..types import Embedder
from .base import PreparedArticle
from .lexical import ARTICLES, PASSAGES
from .sql import SQLIndex, query_words

SCHEMA_VERSION = 2
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
"""
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
#: A text's length in words, as its tsvector ``{}`` holds them (stop words left out).
_WORDS = "(SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest({}))"
#: After an article's row and its passages (one statement each): their lengths, and the counts BM25 reads.
_STATISTICS = (
    f"""UPDATE articles SET length = {_WORDS.format("words")}, title_length = {_WORDS.format("title_words")}
    WHERE id = %(id)s""",
    f"""UPDATE passages SET length = {_WORDS.format("words")} WHERE article_id = %(id)s""",
    """INSERT INTO lexemes (lexeme, passages)
    SELECT lexeme, count(*) FROM passages, unnest(tsvector_to_array(words)) AS lexeme WHERE article_id = %(id)s
    GROUP BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET passages = lexemes.passages + excluded.passages""",
    """INSERT INTO lexemes (lexeme, articles)
    SELECT lexeme, 1 FROM articles, unnest(tsvector_to_array(words)) AS lexeme WHERE id = %(id)s
    ON CONFLICT (lexeme) DO UPDATE SET articles = lexemes.articles + 1""",
    """INSERT INTO lexemes (lexeme, titles)
    SELECT lexeme, 1 FROM articles, unnest(tsvector_to_array(title_words)) AS lexeme WHERE id = %(id)s
    ON CONFLICT (lexeme) DO UPDATE SET titles = lexemes.titles + 1""",
    """UPDATE totals SET
    passages = passages + (SELECT count(*) FROM passages WHERE article_id = %(id)s),
    passage_words = passage_words + (SELECT coalesce(sum(length), 0) FROM passages WHERE article_id = %(id)s),
    articles = articles + 1,
    article_words = article_words + (SELECT length FROM articles WHERE id = %(id)s),
    title_words = title_words + (SELECT title_length FROM articles WHERE id = %(id)s)""",
)
#: The statistics of every text at once (``recount``), as ``_STATISTICS`` keeps them a text at a time.
_RECOUNT = (
    f"UPDATE articles SET length = {_WORDS.format('words')}, title_length = {_WORDS.format('title_words')}",
    f"UPDATE passages SET length = {_WORDS.format('words')}",
    "TRUNCATE lexemes",
    """INSERT INTO lexemes (lexeme, passages)
    SELECT lexeme, count(*) FROM passages, unnest(tsvector_to_array(words)) AS lexeme GROUP BY lexeme""",
    """INSERT INTO lexemes (lexeme, articles)
    SELECT lexeme, count(*) FROM articles, unnest(tsvector_to_array(words)) AS lexeme GROUP BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET articles = excluded.articles""",
    """INSERT INTO lexemes (lexeme, titles)
    SELECT lexeme, count(*) FROM articles, unnest(tsvector_to_array(title_words)) AS lexeme GROUP BY lexeme
    ON CONFLICT (lexeme) DO UPDATE SET titles = excluded.titles""",
    """UPDATE totals SET
    passages = (SELECT count(*) FROM passages), passage_words = (SELECT coalesce(sum(length), 0) FROM passages),
    articles = (SELECT count(*) FROM articles), article_words = (SELECT coalesce(sum(length), 0) FROM articles),
    title_words = (SELECT coalesce(sum(title_length), 0) FROM articles)""",
)


@dataclass(frozen=True)
class _Field:
    """A column of words BM25 reads: its tsvector, its length, the column of ``lexemes`` counting the texts that
    hold each word in it, the column of ``totals`` counting its words in all, and its weight in the score."""

    words: str
    length: str
    holding: str
    total: str
    weight: float


#: Each table's fields, scored apart and added up as SQLite's word index scores them (an article's title and text
#: each with its own lengths and word counts, the title's score weighted as there).
_FIELDS = {
    "passages": (_Field("words", "length", "passages", "passage_words", dict(PASSAGES.columns)["text"]),),
    "articles": (
        _Field("words", "length", "articles", "article_words", dict(ARTICLES.columns)["text"]),
        _Field("title_words", "title_length", "titles", "title_words", dict(ARTICLES.columns)["title"]),
    ),
}


def _terms_query(table: str) -> str:
    """The query's words that some text of ``table`` holds, the rarest first: each with how many texts hold it, and
    per field its IDF as SQLite's word index computes it (tantivy's: ln(1 + (N - n + 0.5) / (n + 0.5))) and how
    many texts hold it there."""
    fields = _FIELDS[table]
    holding = " + ".join(f"l.{f.holding}" for f in fields)
    idfs = ", ".join(f"ln(1 + (t.n - l.{f.holding} + 0.5)::float8 / (l.{f.holding} + 0.5))" for f in fields)
    return f"""
SELECT l.lexeme, {holding} AS holding, ARRAY[{idfs}], ARRAY[{", ".join(f"l.{f.holding}" for f in fields)}]
FROM (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', %(query)s))) AS lexeme) AS q
JOIN lexemes AS l USING (lexeme), (SELECT {table} AS n FROM totals) AS t
WHERE {holding} > 0
ORDER BY holding, lexeme
"""


def _bm25_query(table: str) -> str:
    """BM25 (k1 1.2, b 0.75) of the texts holding any of the ``candidates`` words, over all the query's ``words``
    (with their IDFs per field: ``idf1``, ``idf2``...), each field scored apart."""
    fields = _FIELDS[table]
    idfs = [f"idf{k}" for k in range(1, len(fields) + 1)]
    arrays = ", ".join(f"%({idf})s::float8[]" for idf in idfs)
    candidates = "(SELECT string_agg(quote_literal(w), ' | ')::tsquery FROM unnest(%(candidates)s::text[]) AS w)"
    scored = " UNION ALL ".join(
        f"""SELECT q.{idf} * {f.weight} * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * d.{f.length} /
            (SELECT {f.total}::float8 / greatest({table}, 1) FROM totals))) AS score
        FROM (SELECT lexeme, array_length(positions, 1) AS tf FROM unnest(d.{f.words})) AS h JOIN q USING (lexeme)"""
        for idf, f in zip(idfs, fields, strict=True)
    )
    return f"""
WITH q AS (SELECT * FROM unnest(%(words)s::text[], {arrays}) AS q (lexeme, {", ".join(idfs)}))
SELECT d.id, sum(s.score) AS score
FROM {table} AS d CROSS JOIN LATERAL ({scored}) AS s
WHERE {" OR ".join(f"d.{f.words} @@ {candidates}" for f in fields)}
GROUP BY d.id
ORDER BY score DESC, d.id
LIMIT %(limit)s
"""


#: Each table's two queries, written once.
_TERMS = {table: _terms_query(table) for table in _FIELDS}
_BM25 = {table: _bm25_query(table) for table in _FIELDS}
#: BM25's saturation (k1 + 1): however often a text holds a word, the word adds less than this times its IDF.
_MOST_PER_IDF = 2.2


class PostgresIndex(SQLIndex):
    """An index in a PostgreSQL database, at a ``postgresql://`` address."""

    placeholder = "%s"

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
            if exists and self._schema_version() == "1":
                self._upgrade_from_1()
            db.execute(_SCHEMA.replace("{dim}", str(self.embedder.dim)))
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

    def _upgrade_from_1(self) -> None:
        # An article's title and text become fields of their own, as in SQLite's word index; inside the caller's
        # transaction, so that the upgrade lands whole or not at all.
        for statement in (*_FROM_1, *_RECOUNT):
            self._db.execute(statement)
        self._db.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

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
        for statement in _STATISTICS:
            self._db.execute(statement, {"id": article_id})
        self._add_fingerprints(article_id, item.copy)
        return article_id

    # -- searching --------------------------------------------------------------------------------
    def _lexical(self, table: str, query: str, limit: int) -> list[tuple[int, float]]:
        terms = self._terms(table, query)
        if not terms:
            return []
        # MaxScore: only texts holding one of the rarer words are scored, as many of those words as it takes for
        # the rest (the commonest) to add up to less than the last score kept. A text holding none of them cannot
        # reach the top, so the result is the full ranking's; the commonest words are the costly ones to score.
        fields = _FIELDS[table]
        most = [
            _MOST_PER_IDF * sum(f.weight * idf for f, idf, n in zip(fields, idfs, held, strict=True) if n)
            for _, _, idfs, held in terms
        ]
        needed = next((n for n in range(1, len(terms) + 1) if sum(t[1] for t in terms[:n]) >= limit), len(terms))
        while True:
            found = self._bm25(table, terms, terms[:needed], limit)
            floor = found[-1][1] if len(found) == limit else 0.0
            enough = next(n for n in range(len(terms) + 1) if sum(most[n:]) < floor or n == len(terms))
            if enough <= needed:
                return found
            needed = enough

    def _terms(self, table: str, query: str) -> list[tuple]:
        """The query's words that ``table`` holds, rarest first: (lexeme, texts holding it, IDF per field, texts
        holding it per field)."""
        # The query's words as the SQLite index reads them (stop words out), then stemmed by PostgreSQL's parser:
        # the text is a parameter, never query syntax.
        text = " ".join(query_words(query))
        return self._db.execute(_TERMS[table], {"query": text}).fetchall() if text else []

    def _bm25(self, table: str, terms: list[tuple], candidates: list[tuple], limit: int) -> list[tuple[int, float]]:
        """BM25 over all of ``terms`` of the texts holding any of the ``candidates`` terms, best first."""
        idfs = {f"idf{k}": [t[2][k - 1] for t in terms] for k in range(1, len(_FIELDS[table]) + 1)}
        rows = self._db.execute(
            _BM25[table],
            {"words": [t[0] for t in terms], **idfs, "candidates": [t[0] for t in candidates], "limit": limit},
        ).fetchall()
        return [(int(i), float(score)) for i, score in rows]

    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        from pgvector import HalfVector

        rows = self._db.execute(
            "SELECT id, -(vector <#> %s) FROM passages ORDER BY vector <#> %s LIMIT %s",
            (HalfVector(vector), HalfVector(vector), limit),
        ).fetchall()
        return [(int(i), float(score)) for i, score in rows]

    def _run_for_vectors(self, query: str, params: Any = ()) -> Any:
        # pgvector's binary format is read with numpy; its text format is parsed number by number in Python, which
        # took 9 of a warm check's 23 s at 10k passages.
        return self._db.execute(self._sql(query), params, binary=True)

    def _decode_vector(self, stored: Any) -> np.ndarray:
        return stored.to_numpy()

    def _size_bytes(self) -> int:
        return int(self._db.execute("SELECT pg_database_size(current_database())").fetchone()[0])

    def recount(self) -> None:
        """Recompute every text's length, and the counts and totals BM25 reads, from the texts themselves: after a
        bulk load that went around ``add_batch`` (bench/bench_growth.py's, a restored dump). One transaction."""
        self._begin()
        try:
            for statement in _RECOUNT:
                self._db.execute(statement)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def check_integrity(self) -> list[str]:
        """Return a list of inconsistencies (empty when the index is whole)."""
        return self._orphans()


def _without_password(address: str) -> str:
    # The address is shown (stats, errors): never its password.
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", address)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
