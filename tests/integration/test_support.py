"""The support judge and eval/train support: WiCE's real claims against the pages they cite; claim parts, features,
the stored model, scores, cross-validation, predictions and refused files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from twosource.cli import cli
from twosource.errors import ModelError
from twosource.evaluate.support import calibration_error, load_wice, page_sentences, score_support
from twosource.stance.support import (
    FEATURES,
    LABELS,
    WORD_FEATURES,
    WORD_LABELS,
    SupportModel,
    claim_parts,
    claim_words,
    default_support_model,
    fit_support_model,
    unsupported_words,
    word_features,
)

from ..conftest import DATA

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


def words_slice(tmp_path: Path, split: str, n: int = 10) -> Path:
    """The first ``n`` sub-claims of a WiCE file with their unbacked words marked."""
    lines = (DATA / "wice" / f"non_supported_tokens_{split}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    path = tmp_path / f"words-{split}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
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
    sentences = page_sentences(item)
    assert item.sentences[0].startswith("(meta data)") and 0 < len(sentences) < len(item.sentences)
    assert not any(s.startswith("(meta data)") for s in sentences)


def test_a_claim_is_cut_into_its_clauses():
    claim = "Unofficially the number of dead in the Syrian War is 200,000, most of them civilians."
    assert claim_parts(claim) == [
        "Unofficially the number of dead in the Syrian War is 200,000",
        "most of them civilians",
    ]
    # WiCE dev: a post and the outlet's description, each a part.
    arnold = (
        "Arnold is currently the publisher and editorial director of Media Play News, one of five Hollywood trades "
        "and the only one dedicated to the home entertainment sector."
    )
    assert len(claim_parts(arnold)) == 4
    assert claim_parts("He resigned.") == ["He resigned"]
    assert claim_parts("He joined the U.S. Army.") == ["He joined the U.S. Army"]


def test_the_model_is_stored_as_numbers_and_refused_when_it_does_not_fit(tmp_path: Path):
    rows = np.random.default_rng(0).normal(size=(60, len(FEATURES)))
    labels = [LABELS[int(r[0] > 0) + int(r[1] > 0)] for r in rows]
    model = fit_support_model(rows, labels, {"data": "synthetic"})
    model.save(tmp_path / "model.json")
    again = SupportModel.load(tmp_path / "model.json", FEATURES, LABELS)
    assert np.allclose(again.probabilities(rows), model.probabilities(rows), atol=1e-4)
    assert np.allclose(model.probabilities(rows).sum(axis=1), 1)
    stored = json.loads((tmp_path / "model.json").read_text())
    stored["features"] = stored["features"][:-1]
    (tmp_path / "model.json").write_text(json.dumps(stored))
    with pytest.raises(ModelError, match="other features or labels"):
        SupportModel.load(tmp_path / "model.json", FEATURES, LABELS)
    # Confidence that matches how often it is right has no calibration error; a sure wrong answer has all of it.
    sure = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert calibration_error(sure, ["supported", "partially_supported"]) == 0.0
    assert calibration_error(sure, ["not_supported", "not_supported"]) == 1.0


def test_the_shipped_judge_has_its_card():
    card = default_support_model().card
    assert card["claims"] == 349 and card["folds"] == 5
    assert 0.4 < card["cross_validated"]["macro_f1"] < 1


def test_eval_support_scores_real_claims_and_writes_predictions(tmp_path: Path):
    predictions = tmp_path / "predictions.csv"
    result = CliRunner().invoke(
        cli, ["eval", "support", "--wice", str(wice_slice(tmp_path)), "--predictions", str(predictions), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["claims"] == 6
    assert {"accuracy", "macro_f1", "f1", "supported_precision", "false_support_rate", "calibration_error"} <= set(
        scores
    )
    assert set(scores["f1"]) == set(LABELS) and all(0 <= v <= 1 for v in scores["f1"].values())
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == 6
    rows = list(csv.DictReader(predictions.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [item.id for item in load_wice(wice_slice(tmp_path))]
    assert all(r["label"] in LABELS and 0 <= float(r["score"]) <= 1 for r in rows)
    # The labels it gives are the ones scored.
    called = sum(r["label"] == "supported" for r in rows)
    assert called == sum(row["supported"] for row in scores["confusion"].values())
    # Cross-validated by page: the judge is trained on the other folds' claims and scored on each fold's.
    result = CliRunner().invoke(cli, ["eval", "support", "--wice", str(wice_slice(tmp_path)), "--folds", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["claims"] == 6


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
    result = CliRunner().invoke(cli, ["eval", "support", "--wice", str(unlabelled), "--folds", "2"])
    assert result.exit_code != 0 and "cross-validation needs every claim labelled" in result.output
    result = CliRunner().invoke(cli, ["eval", "support", "--wice", str(wice_slice(tmp_path)), "--folds", "9"])
    assert result.exit_code != 0 and "6 pages cannot be split into 9 folds" in result.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "support", "--wice", str(empty)])
    assert result.exit_code != 0 and "no WiCE claim rows in it" in result.output and "Traceback" not in result.output


def test_train_support_writes_a_judge_with_its_card_that_eval_then_uses(tmp_path: Path):
    output = tmp_path / "judge"
    result = CliRunner().invoke(
        cli,
        [
            "train", "support", "--wice", str(wice_slice(tmp_path)), "--words", str(words_slice(tmp_path, "train")),
            "--words-dev", str(words_slice(tmp_path, "dev")), "-o", str(output), "--folds", "2",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "cross-validated by page:" in result.output and "macro-F1" in result.output
    trained = SupportModel.load(output / "model.json", FEATURES, LABELS)
    assert trained.card["claims"] == 6 and trained.card["folds"] == 2
    card = (output / "README.md").read_text(encoding="utf-8")
    assert "twosource train support" in card and f"macro-F1 {trained.card['cross_validated']['macro_f1']:.3f}" in card
    word_judge = SupportModel.load(output / "words.json", WORD_FEATURES, WORD_LABELS)
    scored = trained.card["words"]["scores"]
    assert word_judge.card["words"] == trained.card["words"]["words"] > 100 and scored["claims"] == 10
    assert f"**F1 {scored['f1']:.3f}**" in card
    unlabelled = str(wice_slice(tmp_path, labelled=False))
    words = str(words_slice(tmp_path, "train"))
    result = CliRunner().invoke(cli, ["train", "support", "--wice", unlabelled, "--words", words, "-o", str(output)])
    assert result.exit_code != 0 and "training needs every claim labelled" in result.output


def test_the_word_judge_marks_what_the_page_leaves_unbacked(tmp_path: Path):
    # WiCE dev: "Media Play News is the only one dedicated to the home entertainment sector." against the outlet's
    # own page, which calls itself "the voice of the home entertainment industry": WiCE marks "is the only one
    # dedicated" as unbacked (the judge finds "one dedicated", and takes "sector" for unbacked too).
    (item, *_) = load_wice(words_slice(tmp_path, "dev", 1))
    assert claim_words(item.claim) == list(item.words)
    rows = word_features(list(item.words), page_sentences(item))
    assert rows.shape == (len(item.words), len(WORD_FEATURES))
    unbacked = unsupported_words(item.claim, page_sentences(item))
    assert "dedicated" in unbacked and not {"Media", "Play", "News", "home", "entertainment"} & set(unbacked)
    result = CliRunner().invoke(cli, ["eval", "support", "--words", str(words_slice(tmp_path, "dev")), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    assert scores["claims"] == 10 and scores["words"] > 100 and 0 < scores["f1"] <= 1
    result = CliRunner().invoke(
        cli, ["eval", "support", "--words", str(words_slice(tmp_path, "dev")), "--wice", str(wice_slice(tmp_path))]
    )
    assert result.exit_code == 2 and "give one of --wice and --words" in result.output
