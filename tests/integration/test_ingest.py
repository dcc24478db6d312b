"""Ingest into a real SQLite index: counts, idempotence, copy clusters, bad input, interruption."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from twosource import open_index
from twosource.cli import cli
from twosource.index.dedup import content_hash
from twosource.read.collection import iter_articles
from twosource.types import Article

from ..conftest import FAKES, FAKES_CLI, SEED, fakes_rows, write_fakes_slice


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def stats(path: Path):
    index = open_index(path, create=False)
    try:
        return index.stats()
    finally:
        index.close()


def test_fakes_ingests_every_row_once(fakes_index_path: Path):
    s = stats(fakes_index_path)
    assert s.articles == 785  # 804 rows: 16 repeat an earlier text, 3 hold under 20 words
    assert len(s.outlets) == 15 and s.outlets["ahram"] == 148
    assert (s.earliest, s.latest) == ("2011-02-02", "2018-07-18")
    assert s.multi_article_clusters > 0  # FA-KES carries near-duplicates of its own
    # Again: nothing is added, everything is a duplicate.
    result = run("ingest", str(FAKES), "--index", str(fakes_index_path), *FAKES_CLI)
    assert result.exit_code == 1  # the three stub rows are still rejected
    assert result.output.strip().splitlines()[-1].startswith("0 added, 801 duplicates")
    assert stats(fakes_index_path).articles == 785


def test_fakes_decodes_without_mojibake_when_the_encoding_is_not_given():
    detected = {a.origin: a.text for a in iter_articles([FAKES]) if isinstance(a, Article)}
    named = {a.origin: a.text for a in iter_articles([FAKES], encoding="latin-1") if isinstance(a, Article)}
    assert detected == named
    texts = " ".join(named.values())
    assert "â€" not in texts and "Ã" not in texts
    assert not any("\u0080" <= ch <= "\u009f" for ch in texts)  # stray C1 bytes mapped (0x95 is a bullet)


def test_a_copy_with_other_furniture_joins_the_original_cluster(tmp_path: Path, small_csv: Path):
    index_path = tmp_path / "index.sqlite"
    assert run("ingest", str(small_csv), "--index", str(index_path), *FAKES_CLI).exit_code in (0, 1)
    original = fakes_rows()[2]
    copy = tmp_path / "copycat.txt"
    body = original["article_content"]
    cut = len(body) * 2 // 3  # truncated, re-paragraphed, with a different title and furniture
    copy.write_text(
        "BREAKING: Aleppo bus convoy bombing\n\n1,204\n\nBy Staff Writer\n\n"
        f"{body[: cut // 2]}\n\n{body[cut // 2 : cut]}"
        "\n\nShare this article\n\nPrevious article Markets rally\n\nAll rights reserved. Copycat Media 2017\n",
        encoding="utf-8",
    )
    result = run("ingest", str(copy), "--index", str(index_path), "--outlet", "copycat")
    assert result.exit_code == 0, result.output
    assert "1 copies of indexed articles" in result.output
    db = sqlite3.connect(index_path)
    copy_cluster = db.execute("SELECT cluster_id FROM articles WHERE outlet = 'copycat'").fetchone()[0]
    original_cluster = db.execute("SELECT cluster_id FROM articles WHERE origin LIKE '%:row 3'").fetchone()[0]
    assert copy_cluster == original_cluster


def test_bad_inputs_give_one_line_errors_and_leave_the_index_unchanged(tmp_path: Path, small_csv: Path):
    index_path = tmp_path / "index.sqlite"
    run("ingest", str(small_csv), "--index", str(index_path), *FAKES_CLI)
    before = stats(index_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><div><p><b>unclosed <i><table><tr><td>")
    huge = tmp_path / "huge.txt"
    huge.write_text(SEED.read_text() * 10)
    cases = [
        ([str(empty)], "empty.txt: input is empty"),
        ([str(binary)], "photo.html: input is binary data"),
        ([str(broken)], "broken.html: no article text found in the HTML"),
        ([str(huge)], "huge.txt: input is"),
        ([str(small_csv), "--text-column", "body_text"], "no column 'body_text'"),
    ]
    runner = CliRunner()
    for args, message in cases:
        result = runner.invoke(cli, ["ingest", *args, "--index", str(index_path)], env={"TWOSOURCE_MAX_BYTES": "50000"})
        assert result.exit_code != 0, args
        errors = [line for line in result.output.splitlines() if line.startswith("rejected:")]
        assert len(errors) == 1 and message in errors[0], result.output
        assert stats(index_path).articles == before.articles
    assert open_index(index_path).check_integrity() == []


def test_a_folder_with_bad_files_still_ingests_the_good_ones(tmp_path: Path):
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "seed.txt").write_bytes(SEED.read_bytes())
    (folder / "empty.txt").write_text("")
    (folder / "binary.html").write_bytes(b"\x00\x01\x02" * 100)
    result = run("ingest", str(folder), "--index", str(tmp_path / "index.sqlite"))
    assert result.exit_code == 1
    assert result.output.count("rejected:") == 2
    assert "1 added" in result.output
    assert stats(tmp_path / "index.sqlite").articles == 1


def test_a_killed_ingest_leaves_a_consistent_index_that_a_rerun_completes(tmp_path: Path):
    source = write_fakes_slice(tmp_path / "fakes200.csv", fakes_rows()[:200])
    index_path = tmp_path / "index.sqlite"
    command = [sys.executable, "-m", "twosource", "ingest", str(source), "--index", str(index_path), *FAKES_CLI]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    count = 0
    while time.monotonic() < deadline and process.poll() is None:
        if index_path.exists():
            try:
                count = sqlite3.connect(index_path).execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                count = 0  # the schema is still being created
            if count:
                break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < count < 190, "the ingest should have been caught between batches"
    index = open_index(index_path)
    assert index.check_integrity() == []
    partial = index.stats().articles
    assert partial % 32 == 0  # only whole batches were committed
    index.close()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    expected = {content_hash(a.text) for a in iter_articles([source], encoding="latin-1") if isinstance(a, Article)}
    assert stats(index_path).articles == len(expected)
    assert f"{len(expected) - partial} added" in result.stdout


def test_one_index_shared_by_threads_searches_while_it_grows(
    tmp_path: Path, small_csv: Path, monkeypatch: pytest.MonkeyPatch
):
    # As a server shares it: each thread its own connection, the passage vectors searched through one graph and
    # tail, extended with what any writer adds (here this index's own ingest, and a second index object, as another
    # process would), and folded into a new graph file every 32 passages while the threads search.
    monkeypatch.setenv("TWOSOURCE_GRAPH_AFTER", "32")
    import threading

    import numpy as np

    from twosource import ingest
    from twosource.models import embed

    rows = fakes_rows()[:40]
    with open_index(tmp_path / "index.sqlite") as index:
        ingest([write_fakes_slice(tmp_path / "first.csv", rows[:20])], index, encoding="latin-1")
        queries = embed([row["article_title"] for row in rows])
        failures: list[BaseException] = []
        searching = threading.Event()

        def search() -> None:
            try:
                while not searching.is_set():
                    for vector in queries:
                        found = index.dense_passages(vector, 5)
                        index.passage_vectors([pid for pid, _ in found])
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=search) for _ in range(3)]
        for thread in threads:
            thread.start()
        ingest([write_fakes_slice(tmp_path / "second.csv", rows[20:30])], index, encoding="latin-1")
        with open_index(tmp_path / "index.sqlite") as other:
            ingest([write_fakes_slice(tmp_path / "third.csv", rows[30:])], other, encoding="latin-1")
        searching.set()
        for thread in threads:
            thread.join()
        assert not failures, failures
        # Every passage, whoever wrote it, is found by its own vector.
        ids = [pid for aid in index.article_ids() for pid in index.article_passages([aid])[aid]]
        vectors = index.passage_vectors(ids)
        assert len(ids) == index.stats().passages > 40
        assert all(index.dense_passages(v, 1)[0][1] > 0.99 for v in vectors)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-2)
    assert (tmp_path / "index.sqlite-vectors").exists()
