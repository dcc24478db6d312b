"""Lexical search in PostgreSQL: BM25 as SQLite's word index ranks it (tantivy's IDF, k1 1.2, b 0.75; an article's
title and text two fields, scored apart and added up with the title weighted), from statistics the index keeps as
texts are added: each text's length in words and, per word, how many passages, article texts and article titles
hold it (``ts_rank`` knows no document frequencies).

A search reads only the top of its words' postings: each word's postings are kept in the order of what the word
adds to a text's score (its impact), and a search reads the lists of the query's words deeper and deeper until the
bounds they give show which texts could make its results (a threshold algorithm, after Fagin's), then scores those
texts alone. Its cost follows the depth it must read, not how many texts hold its words, and its ranking is the one
scoring every text would give.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .lexical import ARTICLES, PASSAGES
from .sql import query_words

#: The postings index, dropped while a recount rewrites every posting and made again in one go.
POSTINGS_ORDER = (
    "CREATE INDEX IF NOT EXISTS postings_by_impact ON postings (field, lexeme, impact DESC, doc) INCLUDE (tf, length)"
)
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
FIELDS = {
    "passages": (_Field("words", "length", "passages", "passage_words", dict(PASSAGES.columns)["text"], 0, 32.0),),
    "articles": (
        _Field("words", "length", "articles", "article_words", dict(ARTICLES.columns)["text"], 1, 240.0),
        _Field("title_words", "title_length", "titles", "title_words", dict(ARTICLES.columns)["title"], 2, 5.0),
    ),
}
#: Which rows of a table belong to the article of ``%(id)s``.
_OF_ARTICLE = {"passages": "article_id = %(id)s", "articles": "id = %(id)s"}
#: Which rows of a table have postings: not a passage that copies another word for word (``postgres``'s copies),
#: which a search finds with its original.
_POSTED = {"passages": "d.original IS NULL", "articles": "true"}
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
        WHERE {where} AND {_POSTED[table]}"""
        for f in FIELDS[table]
    )


#: After an article's row and its passages (one statement each): their lengths, the counts BM25 reads, and their
#: postings.
STATISTICS = (
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
#: The statistics and postings of every text at once (``recount``), as ``STATISTICS`` keeps them a text at a time.
RECOUNT = (
    f"UPDATE articles SET length = {_WORDS.format('words')}, title_length = {_WORDS.format('title_words')}",
    # One statement, as each rewrites every row: the lengths, and each passage's original (the first with its text).
    f"""UPDATE passages AS p SET length = {_WORDS.format("p.words")}, original = nullif(o.first, p.id)
    FROM (SELECT id, min(id) OVER (PARTITION BY md5(text), text) AS first FROM passages) AS o WHERE o.id = p.id""",
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
    *(statement for table in FIELDS for statement in _postings_of(table, "true")),
    POSTINGS_ORDER,
)


def _terms_query(table: str) -> str:
    """The query's words that some text of ``table`` holds: each with per field its IDF as SQLite's word index
    computes it (tantivy's: ln(1 + (N - n + 0.5) / (n + 0.5))) and how many texts hold it there."""
    fields = FIELDS[table]
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
    means = ", ".join(f"{f.total}::float8 / greatest({table}, 1) AS {f.total}" for f in FIELDS[table])
    return f"SELECT {means} FROM totals"


def _bm25_query(table: str) -> str:
    """BM25 (k1 1.2, b 0.75) of the texts ``ids``, over all the query's ``words`` (with their IDFs per field:
    ``idf1``, ``idf2``...), each field scored apart: read from the texts' own words."""
    fields = FIELDS[table]
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


#: The texts met in the top postings of each list (a query word in a field: its field's ``code``, the word, its
#: ``weight``, the IDF × field weight × (k1 + 1); the field's ``mean`` length now and the ``typical`` one its
#: impacts assume; how ``deep`` it is read), the ``cap`` likeliest, each with the least and the most it can score:
#: what its postings met add, and that plus, for each list it was not met in, the most that list's next posting
#: allows. Then, as rows with no id, each list's number and that bound. A text past the top of a list has an impact
#: at most the next posting's, κ, so a saturation at the mean now at most κ / (κ + r (1 - κ)),
#: r = min(typical / mean, 1) (BM25's length norm, solved for the text's tf and length); the margins cover
#: single-precision impacts and sums taken in another order.
_GATHER = f"""
WITH q AS (
    SELECT * FROM unnest(%(codes)s::int2[], %(lexemes)s::text[], %(weights)s::float8[], %(means)s::float8[],
        %(typicals)s::float8[], %(depths)s::int[])
        WITH ORDINALITY AS q (code, lexeme, weight, mean, typical, deep, list)
), met AS (
    SELECT q.list, q.deep, p.doc, p.rank, p.impact, q.weight * {_saturation("p.tf", "p.length", "q.mean")} AS score
    FROM q CROSS JOIN LATERAL (
        SELECT doc, tf, length, impact, row_number() OVER (ORDER BY impact DESC, doc) AS rank
        FROM postings WHERE field = q.code AND lexeme = q.lexeme ORDER BY impact DESC, doc LIMIT q.deep + 1
    ) AS p
), bounds AS (
    SELECT q.list, coalesce(q.weight * (1 + 1e-6) * n.impact
        / (n.impact + least(q.typical / q.mean, 1) * (1 - n.impact)), 0) AS bound
    FROM q LEFT JOIN met AS n ON n.list = q.list AND n.rank = q.deep + 1
), scored AS (
    SELECT m.doc, sum(m.score) AS least, sum(m.score) * (1 + 1e-9) + (SELECT sum(bound) FROM bounds) - sum(b.bound)
        AS most
    FROM met AS m JOIN bounds AS b USING (list) WHERE m.rank <= m.deep GROUP BY m.doc
)
(SELECT doc, least, most FROM scored ORDER BY most DESC, doc LIMIT %(cap)s)
UNION ALL (SELECT NULL, list, bound FROM bounds ORDER BY list)
"""
#: The likeliest texts a gather returns, per result a search asks for: while more than that could make the results,
#: the postings are read deeper, not more texts scored from their words.
_UNCERTAIN = 4
#: A list is read deeper when its bound is at least this share of the loosest list's.
_DEEPEN = 0.25
#: Each table's queries, written once.
_TERMS = {table: _terms_query(table) for table in FIELDS}
_MEANS = {table: _means_query(table) for table in FIELDS}
_BM25 = {table: _bm25_query(table) for table in FIELDS}


def search(db: Any, table: str, query: str, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` texts of ``table`` best ranked by BM25 for ``query``, best first, as (id, score)."""
    found = terms(db, table, query)
    if not found:
        return []
    # The query's postings lists are read best impact first (``_GATHER``), deeper and deeper, until their tops
    # tell which texts could make the results: then only those are scored from their own words.
    fields = FIELDS[table]
    means = db.execute(_MEANS[table]).fetchone()
    lists = [
        (f, mean, lexeme, idf)
        for lexeme, idfs, held in found
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
    depths, cap = [limit] * len(lists), _UNCERTAIN * limit
    while True:
        rows = db.execute(_GATHER, {**params, "depths": depths, "cap": cap}).fetchall()
        bounds = [float(bound) for doc, _, bound in rows if doc is None]
        unmet = sum(bounds)
        met = [(int(doc), float(least), float(most)) for doc, least, most in rows if doc is not None]
        # The results' last score is at least the ``limit``-th best of what the texts met are known to score:
        # a text that cannot reach it is left out. (The margin: sums taken in another order.)
        floor = _kth_best([least for _, least, _ in met], limit) * (1 - 1e-9)
        uncertain = [doc for doc, _, most in met if most >= floor]
        cut_short = len(met) == cap and met[-1][2] >= floor
        if unmet > 0 and (unmet >= floor or cut_short):
            # Deeper where the bounds are loosest: a list whose next posting allows little is read no further.
            top = max(bounds)
            depths = [
                depth * 4 if bound >= top * _DEEPEN else depth for depth, bound in zip(depths, bounds, strict=True)
            ]
        elif cut_short:
            cap *= 4
        else:
            scores = bm25(db, table, found, uncertain)
            return sorted(scores.items(), key=lambda s: (-s[1], s[0]))[:limit]


def terms(db: Any, table: str, query: str) -> list[tuple]:
    """The query's words that ``table`` holds: (lexeme, IDF per field, texts holding it per field)."""
    # The query's words as the SQLite index reads them (stop words out), then stemmed by PostgreSQL's parser:
    # the text is a parameter, never query syntax.
    text = " ".join(query_words(query))
    return db.execute(_TERMS[table], {"query": text}).fetchall() if text else []


def bm25(db: Any, table: str, query_terms: list[tuple], ids: list[int]) -> dict[int, float]:
    """BM25 over all of ``query_terms`` (as ``terms`` gives them) of the texts ``ids``, read from their words."""
    idfs = {f"idf{k}": [t[1][k - 1] for t in query_terms] for k in range(1, len(FIELDS[table]) + 1)}
    rows = db.execute(_BM25[table], {"words": [t[0] for t in query_terms], **idfs, "ids": ids}).fetchall()
    return {int(i): float(score) for i, score in rows}


def _kth_best(scores: list[float], k: int) -> float:
    """The ``k``-th best of ``scores``, or 0 when there are fewer."""
    return sorted(scores, reverse=True)[k - 1] if len(scores) >= k else 0.0
