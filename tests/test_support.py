"""eval support: WiCE's real claims against the pages they cite, judged by the real stages; scores, predictions and
refused files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from twosource.cli import cli
from twosource.evaluate.support import LABELS, load_wice, page_passages, score_support

from .conftest import DATA

WICE = DATA / "wice" / "dev.jsonl"


def wice_slice(tmp_path: Path, *, labelled: bool = True) -> Path:
    """Two claims of each label from WiCE's development split."""
    rows = [json.loads(line) for line in WICE.read_text(encoding="utf-8").splitlines()]
    chosen = [row for label in LABELS for row in [r for r in rows if r["label"] == label][:2]]
    if not labelled:
        for row in chosen:
            del row["label"]
    path = tmp_path / "wice.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in chosen), encoding="utf-8")
    return path


def test_scores_count_false_support_and_the_precision_of_supported():
    gold = ["supported", "supported", "partially_supported", "not_supported", "not_supported"]
    predicted = ["supported", "partially_supported", "supported", "supported", "not_supported"]
    scores = score_support(gold, predicted)
    assert scores.claims == 5 and scores.accuracy == 0.4
    assert scores.supported_precision == 1 / 3 and scores.false_support_rate == 0.5
    assert scores.confusion["not_supported"] == {"supported": 1, "partially_supported": 0, "not_supported": 1}


def test_the_page_is_its_sentences_without_its_metadata_lines(tmp_path: Path):
    (item, *_) = load_wice(wice_slice(tmp_path))
    passages = page_passages(item)
    assert item.sentences[0].startswith("(meta data)") and len(passages) < len(item.sentences)
    assert all(not p.text.startswith("(meta data)") for p in passages)
    assert [p.passage_id for p in passages] == sorted({p.passage_id for p in passages})


def test_eval_support_scores_real_claims_and_writes_predictions(tmp_path: Path):
    predictions = tmp_path / "predictions.csv"
    result = CliRunner().invoke(
        cli, ["eval", "support", "--wice", str(wice_slice(tmp_path)), "--predictions", str(predictions), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["claims"] == 6
    assert {"accuracy", "macro_f1", "f1", "supported_precision", "false_support_rate"} <= set(scores)
    assert set(scores["f1"]) == set(LABELS) and all(0 <= v <= 1 for v in scores["f1"].values())
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == 6
    rows = list(csv.DictReader(predictions.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [item.id for item in load_wice(wice_slice(tmp_path))]
    assert all(r["label"] in LABELS and 0 <= float(r["score"]) <= 1 for r in rows)
    # The labels it gives are the ones scored.
    called = sum(r["label"] == "supported" for r in rows)
    assert called == sum(row["supported"] for row in scores["confusion"].values())


def test_eval_support_without_labels_only_predicts_and_refuses_a_bad_row(tmp_path: Path):
    predictions = tmp_path / "predictions.csv"
    unlabelled = wice_slice(tmp_path, labelled=False)
    result = CliRunner().invoke(cli, ["eval", "support", "--wice", str(unlabelled), "--predictions", str(predictions)])
    assert result.exit_code == 0, result.output
    assert "macro-F1" not in result.output and len(list(csv.DictReader(predictions.open()))) == 6
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"claim": "A claim without its page."}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "support", "--wice", str(broken)])
    assert result.exit_code != 0 and "broken.jsonl:1: not a WiCE claim row" in result.output
    assert "Traceback" not in result.output
