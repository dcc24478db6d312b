"""The PostgreSQL index, for an archive a team shares: the SQLite index's tables and copy detection, with
pgvector for dense search (an HNSW index over inner product, the vectors being unit length, stored in half
precision as SQLite stores them) and PostgreSQL's full-text search for lexical search, ranked by BM25 as SQLite's
word index ranks (ts_rank knows no document frequencies): each text's length in words and, per word, how many
passages, article texts and article titles hold it are kept as the texts are added. An article's title and text
are two fields, scored apart and added up with the title weighted, as tantivy scores SQLite's word index.

A search reads only the top of its words' postings: each word's postings are kept in the order of what the word
adds to a text's score (its impact), and a search reads the lists of the query's words deeper and deeper until the
bounds they give show which texts could make its results (a threshold algorithm, after Fagin's), then scores those
texts alone. Its cost follows the depth it must read, not how many texts hold its words, and its ranking is the one
scoring every text would give.

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

SCHEMA_VERSION = 3
#: The advisory lock every writer and the schema's creation hold (any constant the application owns).
_WRITER_LOCK = 0x7477_6F73  # "twos"
#: The postings index, dropped while a recount rewrites every posting and made again in one go.
_POSTINGS_ORDER = (
    "CREATE INDEX IF NOT EXISTS postings_by_impact ON postings (field, lexeme, impact DESC, doc) INCLUDE (tf, length)"
)
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
""".replace("{postings_order}", _POSTINGS_ORDER)
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
#: BM25's parameters, as tantivy's (SQLite's word index).
_K1, _B = 1.2, 0.75


def _saturation(tf: str, length: str, mean: str) -> str:
    """SQL for BM25's term-frequency part over its most (k1 + 1), in [0, 1): what a word held ``tf`` times adds to
    a text of ``length`` words among texts of ``mean`` words, per unit of the word's IDF × (k1 + 1)."""
    return f"{tf}::float8 / ({tf} + {_K1} * ({1 - _B} + {_B} * {length} / {mean}::float8))"


@dataclass(frozen=True)
class _Field:
    """A column of words BM25 reads: its tsvector, its length, the column of ``lexemes`` counting the texts that
    hold each word in it, the column of ``totals`` counting its words in all, its weight in the score, its number
    in ``postings``, and the mean length in words its postings' impacts assume (the real mean may drift from it as
    texts are added: the order stays, and a search's bounds allow for the drift)."""

    words: str
    length: str
    holding: str
    total: str
    weight: float
    code: int
    typical: float


#: Each table's fields, scored apart and added up as SQLite's word index scores them (an article's title and text
#: each with its own lengths and word counts, the title's score weighted as there).
_FIELDS = {
    "passages": (_Field("words", "length", "passages", "passage_words", dict(PASSAGES.columns)["text"], 0, 32.0),),
    "articles": (
        _Field("words", "length", "articles", "article_words", dict(ARTICLES.columns)["text"], 1, 240.0),
        _Field("title_words", "title_length", "titles", "title_words", dict(ARTICLES.columns)["title"], 2, 5.0),
    ),
}
#: Which rows of a table belong to the article of ``%(id)s``.
_OF_ARTICLE = {"passages": "article_id = %(id)s", "articles": "id = %(id)s"}
#: A text's length in words, as its tsvector ``{}`` holds them (stop words left out).
_WORDS = "(SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest({}))"


def _postings_of(table: str, where: str) -> tuple[str, ...]:
    """Writes the postings of the texts of ``table`` that ``where`` picks: per field, word and text, how often the
    text holds the word, its length, and the impact the postings are ordered by (the saturation at the field's
    typical mean length)."""
    return tuple(
        f"""INSERT INTO postings (field, lexeme, impact, doc, tf, length)
        SELECT {f.code}, h.lexeme, {_saturation("h.tf", f"d.{f.length}", str(f.typical))}, d.id, h.tf, d.{f.length}
        FROM {table} AS d, LATERAL (SELECT lexeme, array_length(positions, 1) AS tf FROM unnest(d.{f.words})) AS h
        WHERE {where}"""
        for f in _FIELDS[table]
    )


#: After an article's row and its passages (one statement each): their lengths, the counts BM25 reads, and their
#: postings.
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
    *(statement for table, where in _OF_ARTICLE.items() for statement in _postings_of(table, f"d.{where}")),
)
#: The statistics and postings of every text at once (``recount``), as ``_STATISTICS`` keeps them a text at a time.
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
    "TRUNCATE postings",
    "DROP INDEX postings_by_impact",
    *(statement for table in _FIELDS for statement in _postings_of(table, "true")),
    _POSTINGS_ORDER,
)


def _terms_query(table: str) -> str:
    """The query's words that some text of ``table`` holds: each with per field its IDF as SQLite's word index
    computes it (tantivy's: ln(1 + (N - n + 0.5) / (n + 0.5))) and how many texts hold it there."""
    fields = _FIELDS[table]
    holding = " + ".join(f"l.{f.holding}" for f in fields)
    idfs = ", ".join(f"ln(1 + (t.n - l.{f.holding} + 0.5)::float8 / (l.{f.holding} + 0.5))" for f in fields)
    return f"""
SELECT l.lexeme, ARRAY[{idfs}], ARRAY[{", ".join(f"l.{f.holding}" for f in fields)}]
FROM (SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', %(query)s))) AS lexeme) AS q
JOIN lexemes AS l USING (lexeme), (SELECT {table} AS n FROM totals) AS t
WHERE {holding} > 0
ORDER BY lexeme
"""


def _means_query(table: str) -> str:
    """Each field's mean length in words now, in a column named as its total in ``totals``."""
    means = ", ".join(f"{f.total}::float8 / greatest({table}, 1) AS {f.total}" for f in _FIELDS[table])
    return f"SELECT {means} FROM totals"


def _bm25_query(table: str) -> str:
    """BM25 (k1 1.2, b 0.75) of the texts ``ids``, over all the query's ``words`` (with their IDFs per field:
    ``idf1``, ``idf2``...), each field scored apart: read from the texts' own words."""
    fields = _FIELDS[table]
    idfs = [f"idf{k}" for k in range(1, len(fields) + 1)]
    arrays = ", ".join(f"%({idf})s::float8[]" for idf in idfs)
    scored = " UNION ALL ".join(
        f"""SELECT q.{idf} * {f.weight * (_K1 + 1)} * {_saturation("h.tf", f"d.{f.length}", f"m.{f.total}")} AS score
        FROM (SELECT lexeme, array_length(positions, 1) AS tf FROM unnest(d.{f.words})) AS h JOIN q USING (lexeme)"""
        for idf, f in zip(idfs, fields, strict=True)
    )
    return f"""
WITH q AS (SELECT * FROM unnest(%(words)s::text[], {arrays}) AS q (lexeme, {", ".join(idfs)})),
m AS ({_means_query(table)})
SELECT d.id, sum(s.score) AS score
FROM {table} AS d CROSS JOIN m CROSS JOIN LATERAL ({scored}) AS s
WHERE d.id = ANY(%(ids)s::bigint[])
GROUP BY d.id
"""


#: The texts met in the top ``depth`` postings of each list (a query word in a field: its field's ``code``, the
#: word, its ``weight``, the IDF × field weight × (k1 + 1); the field's ``mean`` length now and the ``typical`` one
#: its impacts assume), the ``cap`` likeliest, each with the least and the most it can score: what its postings
#: met add, and that plus, for each list it was not met in, the most that list's next posting allows. Then, as a
#: row with no id, the most a text met in no list can score. A text past the top of a list has an impact at most
#: the next posting's, κ, so a saturation at the mean now at most κ / (κ + r (1 - κ)), r = min(typical / mean, 1)
#: (BM25's length norm, solved for the text's tf and length); the margins cover single-precision impacts and sums
#: taken in another order.
_GATHER = f"""
WITH q AS (
    SELECT * FROM unnest(%(codes)s::int2[], %(lexemes)s::text[], %(weights)s::float8[], %(means)s::float8[],
        %(typicals)s::float8[]) WITH ORDINALITY AS q (code, lexeme, weight, mean, typical, list)
), met AS (
    SELECT q.list, p.doc, p.rank, p.impact, q.weight * {_saturation("p.tf", "p.length", "q.mean")} AS score
    FROM q CROSS JOIN LATERAL (
        SELECT doc, tf, length, impact, row_number() OVER (ORDER BY impact DESC, doc) AS rank
        FROM postings WHERE field = q.code AND lexeme = q.lexeme ORDER BY impact DESC, doc LIMIT %(depth)s + 1
    ) AS p
), bounds AS (
    SELECT q.list, coalesce(q.weight * (1 + 1e-6) * n.impact
        / (n.impact + least(q.typical / q.mean, 1) * (1 - n.impact)), 0) AS bound
    FROM q LEFT JOIN met AS n ON n.list = q.list AND n.rank = %(depth)s + 1
), scored AS (
    SELECT m.doc, sum(m.score) AS least, sum(m.score) * (1 + 1e-9) + (SELECT sum(bound) FROM bounds) - sum(b.bound)
        AS most
    FROM met AS m JOIN bounds AS b USING (list) WHERE m.rank <= %(depth)s GROUP BY m.doc
)
(SELECT doc, least, most FROM scored ORDER BY most DESC, doc LIMIT %(cap)s)
UNION ALL SELECT NULL, NULL, sum(bound) FROM bounds
"""
#: The likeliest texts a gather returns, per result a search asks for: while more than that could make the results,
#: the postings are read deeper, not more texts scored from their words.
_UNCERTAIN = 4
#: Each table's queries, written once.
_TERMS = {table: _terms_query(table) for table in _FIELDS}
_MEANS = {table: _means_query(table) for table in _FIELDS}
_BM25 = {table: _bm25_query(table) for table in _FIELDS}


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
        for statement in _STATISTICS:
            self._db.execute(statement, {"id": article_id})
        self._add_fingerprints(article_id, item.copy)
        return article_id

    # -- searching --------------------------------------------------------------------------------
    def _lexical(self, table: str, query: str, limit: int) -> list[tuple[int, float]]:
        terms = self._terms(table, query)
        if not terms:
            return []
        # The query's postings lists are read best impact first (``_GATHER``), deeper and deeper, until their tops
        # tell which texts could make the results: then only those are scored from their own words.
        fields = _FIELDS[table]
        means = self._db.execute(_MEANS[table]).fetchone()
        lists = [
            (f, mean, lexeme, idf)
            for lexeme, idfs, held in terms
            for f, mean, idf, n in zip(fields, means, idfs, held, strict=True)
            if n
        ]
        params = {
            "codes": [f.code for f, *_ in lists],
            "lexemes": [lexeme for _, _, lexeme, _ in lists],
            "weights": [idf * f.weight * (_K1 + 1) for f, _, _, idf in lists],
            "means": [mean for _, mean, _, _ in lists],
            "typicals": [f.typical for f, *_ in lists],
        }
        depth, cap = limit, _UNCERTAIN * limit
        while True:
            rows = self._db.execute(_GATHER, {**params, "depth": depth, "cap": cap}).fetchall()
            unmet = next(float(most) for doc, _, most in rows if doc is None)
            met = [(int(doc), float(least), float(most)) for doc, least, most in rows if doc is not None]
            # The results' last score is at least the ``limit``-th best of what the texts met are known to score:
            # a text that cannot reach it is left out. (The margin: sums taken in another order.)
            floor = _kth_best([least for _, least, _ in met], limit) * (1 - 1e-9)
            uncertain = [doc for doc, _, most in met if most >= floor]
            cut_short = len(met) == cap and met[-1][2] >= floor
            if unmet > 0 and (unmet >= floor or cut_short):
                depth *= 4
            elif cut_short:
                cap *= 4
            else:
                scores = self._bm25(table, terms, uncertain)
                return sorted(scores.items(), key=lambda s: (-s[1], s[0]))[:limit]

    def _terms(self, table: str, query: str) -> list[tuple]:
        """The query's words that ``table`` holds: (lexeme, IDF per field, texts holding it per field)."""
        # The query's words as the SQLite index reads them (stop words out), then stemmed by PostgreSQL's parser:
        # the text is a parameter, never query syntax.
        text = " ".join(query_words(query))
        return self._db.execute(_TERMS[table], {"query": text}).fetchall() if text else []

    def _bm25(self, table: str, terms: list[tuple], ids: list[int]) -> dict[int, float]:
        """BM25 over all of ``terms`` of the texts ``ids``, read from their words."""
        idfs = {f"idf{k}": [t[1][k - 1] for t in terms] for k in range(1, len(_FIELDS[table]) + 1)}
        rows = self._db.execute(_BM25[table], {"words": [t[0] for t in terms], **idfs, "ids": ids}).fetchall()
        return {int(i): float(score) for i, score in rows}

    def dense_passages(self, vector: np.ndarray, limit: int) -> list[tuple[int, float]]:
        from pgvector import HalfVector

        rows = self._db.execute(
            "SELECT id, -(vector <#> %s) FROM passages ORDER BY vector <#> %s LIMIT %s",
            (HalfVector(vector), HalfVector(vector), limit),
        ).fetchall()
        return [(int(i), float(score)) for i, score in rows]

    #: A halfvec in its binary form: a 4-byte header (the dimension, a word unused), then big-endian float16s.
    _VECTOR = "halfvec_send(vector)"

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
        for statement in _RECOUNT:
            self._db.execute(statement)

    def check_integrity(self) -> list[str]:
        """Return a list of inconsistencies (empty when the index is whole)."""
        return self._orphans()


def _kth_best(scores: list[float], k: int) -> float:
    """The ``k``-th best of ``scores``, or 0 when there are fewer."""
    return sorted(scores, reverse=True)[k - 1] if len(scores) >= k else 0.0


def _without_password(address: str) -> str:
    # The address is shown (stats, errors): never its password.
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", address)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
