"""`twosource batch` on Spark (local[2]) with real articles: the same index as `twosource ingest`, on PostgreSQL and
SQLite; a failed task retried without duplicates; reports as `twosource check` gives them; pyspark missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from twosource import open_index
from twosource.cli import cli
from twosource.index.dedup import POSTINGS
from twosource.spark import FAULT_VARIABLE, visible_pairs

from ..conftest import FAKES_CLI, SEED, fakes_rows, write_fakes_slice

pytest.importorskip("pyspark")

#: Page furniture and a credit a reprint carries around its original's words.
FURNITURE = "Sign up for our newsletter and get the news first every morning. Share this story with your friends."


def _reprint(row: dict[str, str], outlet: str, words: int = 250) -> dict[str, str]:
    kept = " ".join(row["article_content"].split()[:words])
    text = f"By a staff reporter\n\n{kept}\n\nOriginally published by {row['source']}. {FURNITURE}"
    return {**row, "article_title": f"Reprint: {row['article_title']}", "article_content": text, "source": outlet}


def _records() -> list[dict[str, str]]:
    """40 FA-KES articles with three reprints (one before its original) and a repeated text: 44 records, more than
    one write batch."""
    rows = fakes_rows()[:40]
    records = [*rows[:5], _reprint(rows[30], "syria-mirror.net"), *rows[5:40]]
    return [*records, _reprint(rows[3], "news-digest.org"), _reprint(rows[12], "syria-mirror.net"), {**rows[7]}]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fakes_slice(tmp_path_factory.mktemp("spark") / "collection.csv", _records())


def _snapshot(address: str | Path) -> dict:
    """What an index holds, blind to ids: its articles (origin, hash), their passages, and its copy clusters."""
    with open_index(address, create=False) as index:
        articles = {i: index.article(i) for i in index.article_ids()}
        passages = index.article_passages(list(articles))
        texts = index.passages([p for ids in passages.values() for p in ids])
        clusters: dict[int, set[str]] = {}
        for article in articles.values():
            clusters.setdefault(article.cluster_id, set()).add(article.origin)
    return {
        "articles": sorted((a.origin, a.content_hash) for a in articles.values()),
        "passages": {a.origin: [texts[p].text for p in passages[i]] for i, a in articles.items()},
        "clusters": sorted(sorted(members) for members in clusters.values()),
    }


@pytest.fixture(scope="module")
def reference(collection: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The collection ingested by `twosource ingest`, in one process, into SQLite; and its summary line."""
    path = tmp_path_factory.mktemp("reference") / "index.sqlite"
    result = CliRunner().invoke(cli, ["ingest", str(collection), "--index", str(path), *FAKES_CLI])
    assert result.exit_code == 0, result.output
    return path, result.output.strip().splitlines()[-1]


def _batch_ingest(collection: Path, index: str, master: str = "local[2]") -> str:
    args = ["batch", "ingest", str(collection), "--index", index, "--master", master, "--partitions", "4"]
    result = CliRunner().invoke(cli, [*args, *FAKES_CLI])
    assert result.exit_code == 0, result.output
    return result.output


def test_batch_ingest_into_postgres_gives_the_index_ingest_gives(collection: Path, reference, postgres_url):
    path, summary = reference
    assert summary.startswith("43 added, 1 duplicates")
    assert _batch_ingest(collection, postgres_url).strip().splitlines()[-1] == summary
    expected = _snapshot(path)
    assert len(expected["articles"]) == 43
    assert sum(len(members) > 1 for members in expected["clusters"]) >= 3  # each reprint with its original
    assert _snapshot(postgres_url) == expected


def test_batch_ingest_finds_copies_in_the_index_and_in_the_input_as_ingest_does(tmp_path: Path):
    # The index holds the first 20 records: the reprint of row 30 and the originals of rows 3 and 12. The batch adds
    # the rest: row 30, whose reprint the index holds; reprints of rows 3 and 12, whose originals it holds; and an
    # excerpt of row 30, a copy of both the index's reprint and the input's original.
    records = _records()
    held = write_fakes_slice(tmp_path / "held.csv", records[:20])
    more = [*records[20:], _reprint(fakes_rows()[30], "news-digest.org", words=120)]
    added = write_fakes_slice(tmp_path / "added.csv", more)
    single, batch = tmp_path / "single.sqlite", tmp_path / "batch.sqlite"
    for index in (single, batch):
        result = CliRunner().invoke(cli, ["ingest", str(held), "--index", str(index), *FAKES_CLI])
        assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["ingest", str(added), "--index", str(single), *FAKES_CLI])
    assert result.exit_code == 0, result.output
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("24 added, 1 duplicates, 5 copies"), summary
    assert _batch_ingest(added, str(batch)).strip().splitlines()[-1] == summary
    expected = _snapshot(single)
    # The three above, and two FA-KES texts of one story, one on each side.
    assert sorted(len(members) for members in expected["clusters"] if len(members) > 1) == [2, 2, 2, 3]
    assert _snapshot(batch) == expected


def test_visible_pairs_follow_the_postings_a_lookup_reads():
    # Three texts of the input hold a fingerprint; each later one sees the earlier ones, oldest first, behind the
    # postings the index gave (POSTINGS at most in all).
    a, b, c = (0, 0), (0, 1), (1, 0)

    def pairs(read: int) -> list[tuple]:
        return sorted(visible_pairs((7, [(c, read), (a, read), (b, read)])))

    assert pairs(0) == [(b, a), (c, a), (c, b)]
    assert pairs(POSTINGS - 1) == [(b, a), (c, a)]
    assert pairs(POSTINGS) == []


def test_a_failed_task_is_retried_without_duplicates_and_a_rerun_adds_nothing(
    collection: Path, reference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    expected = _snapshot(reference[0])
    flag = tmp_path / "fault-fired"
    monkeypatch.setenv(FAULT_VARIABLE, str(flag))
    index = str(tmp_path / "index.sqlite")
    # local[2,2]: two tries a task; the writer fails once, after committing its first batch.
    # The retry finds the 32 articles its first try committed, and adds the other 11 alone.
    assert "11 added, 33 duplicates" in _batch_ingest(collection, index, master="local[2,2]")
    assert flag.exists()
    assert _snapshot(index) == expected
    assert "0 added, 44 duplicates" in _batch_ingest(collection, index)
    assert _snapshot(index) == expected


def test_batch_check_writes_the_reports_check_gives_and_an_error_line_for_a_bad_article(reference, tmp_path: Path):
    index = str(reference[0])
    story = tmp_path / "story.txt"
    story.write_text(fakes_rows()[60]["article_content"], encoding="utf-8")
    missing = tmp_path / "missing.txt"
    articles = [str(SEED), str(missing), str(story)]
    output = tmp_path / "reports.jsonl"
    args = ["batch", "check", *articles, "--index", index, "-o", str(output), "--max-claims", "6"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 and lines[1]["article"] == str(missing) and "error" in lines[1]
    for article, batch_report in zip([SEED, story], [lines[0], lines[2]], strict=True):
        single = CliRunner().invoke(
            cli, ["check", str(article), "--index", index, "--offline", "--format", "json", "--max-claims", "6"]
        )
        assert single.exit_code == 0, single.output
        report = json.loads(single.stdout)
        assert [c["verdict"] for c in batch_report["claims"]] == [c["verdict"] for c in report["claims"]]
        assert any(c["verdict"] != "not checked" for c in report["claims"])


def test_without_pyspark_batch_says_so_in_one_line(collection: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    result = CliRunner().invoke(cli, ["batch", "ingest", str(collection), "--index", str(tmp_path / "i.sqlite")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: batch work needs pyspark, which the runtime leaves out: pip install 'twosource[spark]'"
    ]
