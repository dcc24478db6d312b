"""eval crosslingual on real Tatoeba pairs (French and English): accuracy on aligned files, predictions that score
shuffled or unaligned files elsewhere, and one-line errors on bad input."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from twosource.cli import cli

from ..conftest import DATA

TATOEBA = DATA / "tatoeba"
#: Enough pairs to be far from chance (1 in 120), few enough to embed in seconds.
PAIRS = 120


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str], Path]:
    french = (TATOEBA / "tatoeba.fra-eng.fra").read_text(encoding="utf-8").splitlines()[:PAIRS]
    english = (TATOEBA / "tatoeba.fra-eng.eng").read_text(encoding="utf-8").splitlines()[:PAIRS]
    return french, english, tmp_path_factory.mktemp("tatoeba")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(source: Path, target: Path, *extra: str):
    return CliRunner().invoke(cli, ["eval", "crosslingual", "--source", str(source), "--target", str(target), *extra])


def _predictions(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_aligned_files_are_scored_both_ways_and_the_predictions_agree(pairs):
    french, english, folder = pairs
    source, target = _write(folder / "fra.txt", french), _write(folder / "eng.txt", english)
    result = _run(source, target, "--predictions", str(folder / "aligned.csv"), "--json")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert (scores["source_lines"], scores["target_lines"]) == (PAIRS, PAIRS)
    assert scores["accuracy"] == pytest.approx((scores["source_to_target"] + scores["target_to_source"]) / 2, abs=1e-4)
    assert scores["sentences_per_second"] > 0
    # Far above chance, whatever the embedder: short French sentences share names and figures with their English.
    assert scores["source_to_target"] > 10 / PAIRS
    rows = _predictions(folder / "aligned.csv")
    assert [int(r["source_line"]) for r in rows] == list(range(1, PAIRS + 1))
    hits = sum(int(r["target_line"]) == int(r["source_line"]) for r in rows)
    assert hits / PAIRS == pytest.approx(scores["source_to_target"], abs=1e-4)
    assert all(-1.0 <= float(r["score"]) <= 1.0 for r in rows)


def test_a_shuffled_target_gives_the_same_matches_through_its_order(pairs):
    french, english, folder = pairs
    order = list(range(PAIRS))
    random.Random(7).shuffle(order)
    _write(folder / "fra.txt", french)
    _write(folder / "eng.txt", english)
    _write(folder / "eng-shuffled.txt", [english[i] for i in order])
    assert _run(folder / "fra.txt", folder / "eng.txt", "--predictions", str(folder / "a.csv")).exit_code == 0
    result = _run(folder / "fra.txt", folder / "eng-shuffled.txt", "--predictions", str(folder / "s.csv"))
    assert result.exit_code == 0, result.output
    aligned, shuffled = _predictions(folder / "a.csv"), _predictions(folder / "s.csv")
    # Line k of the shuffled file is line order[k - 1] + 1 of the aligned one.
    assert [order[int(r["target_line"]) - 1] + 1 for r in shuffled] == [int(r["target_line"]) for r in aligned]
    assert [r["score"] for r in shuffled] == [r["score"] for r in aligned]


def test_files_of_different_lengths_get_predictions_and_no_accuracy(pairs):
    french, english, folder = pairs
    source, target = _write(folder / "fra.txt", french), _write(folder / "eng-part.txt", english[:50])
    result = _run(source, target, "--predictions", str(folder / "part.csv"))
    assert result.exit_code == 0, result.output
    assert "not aligned" in result.output and "accuracy" not in result.output.replace("no accuracy", "")
    rows = _predictions(folder / "part.csv")
    assert len(rows) == PAIRS and all(1 <= int(r["target_line"]) <= 50 for r in rows)
    json_result = _run(source, target, "--json")
    assert json.loads(json_result.output.strip().splitlines()[-1])["accuracy"] is None


def test_a_file_in_another_encoding_is_decoded(pairs):
    # Windows-1256, as Arabic text is often saved: read as Arabic, matched as the UTF-8 file is.
    arabic = (TATOEBA / "tatoeba.ara-eng.ara").read_text(encoding="utf-8").splitlines()[:40]
    english = (TATOEBA / "tatoeba.ara-eng.eng").read_text(encoding="utf-8").splitlines()[:40]
    folder = pairs[2]
    (folder / "ara-1256.txt").write_bytes(("\n".join(arabic) + "\n").encode("cp1256"))
    _write(folder / "ara.txt", arabic)
    _write(folder / "ara-eng.txt", english)
    utf8 = _run(folder / "ara.txt", folder / "ara-eng.txt", "--predictions", str(folder / "u.csv"))
    cp1256 = _run(folder / "ara-1256.txt", folder / "ara-eng.txt", "--predictions", str(folder / "c.csv"))
    assert utf8.exit_code == 0 and cp1256.exit_code == 0, cp1256.output
    assert _predictions(folder / "u.csv") == _predictions(folder / "c.csv")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary"),
        (b"\x00\x01\x02\x03 not text \x04\x05" * 20, "binary"),
    ],
)
def test_bad_input_is_refused_in_one_line(pairs, content: bytes, says: str):
    french, _, folder = pairs
    bad = folder / "bad.txt"
    bad.write_bytes(content)
    result = _run(_write(folder / "fra.txt", french[:5]), bad)
    assert result.exit_code == 1
    message = [line for line in result.output.splitlines() if line.strip() and not line.startswith("embedding")]
    assert len(message) == 1 and says in message[0], result.output
