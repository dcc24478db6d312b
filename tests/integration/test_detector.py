"""The claim detector: trained through the CLI on a slice, the shipped model offline, its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from twosource.claims.detector import DEFAULT_MODEL, LABELS, ClaimDetector, default_detector, held_out
from twosource.cli import cli
from twosource.errors import ModelError

from ..conftest import DATA
from .test_eval_claims import CLAIMBUSTER, CLEF, CLEF_DEBATES, _rows, _write


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """Train on 160 sentences of training debates, hold out 80 of held-out ones; return model, held-out, output."""
    root = tmp_path_factory.mktemp("train")
    rows = _rows(CLAIMBUSTER)
    kept = [r for r in rows if not held_out(r["File_id"])][:160] + [r for r in rows if held_out(r["File_id"])][:80]
    data = root / "data"
    (data / "claimbuster").mkdir(parents=True)
    (data / "clef2019").mkdir()
    _write(data / "claimbuster" / "crowdsourced.csv", kept)
    _write(data / "clef2019" / "CT19-T1-Training.csv", [r for r in _rows(CLEF) if r["file_name"] in CLEF_DEBATES])
    held = _write(root / "held.csv", [r for r in kept if held_out(r["File_id"])])
    model = root / "model"
    result = CliRunner().invoke(cli, ["train", "claims", "--data", str(data), "-o", str(model), "--epochs", "1"])
    assert result.exit_code == 0, result.output
    return model, held, result.output


def test_training_writes_a_model_with_its_card(trained):
    model, _, output = trained
    assert "held-out debates:" in output and "CLEF 2019 training debates, less those" in output
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["training_sentences"] == 160 and manifest["held_out"]["sentences"] == 80
    assert sum(manifest["label_counts"].values()) == 160 and manifest["clef2019_training"]["debates"] == 2
    card = (model / "README.md").read_text()
    assert "twosource train claims --data" in card and f"{manifest['held_out']['scores']['cfs_f1']:.3f}" in card
    assert not list(model.glob("*.pkl")) and not list(model.glob("*.pt"))


def test_a_saved_model_reproduces_its_training_scores(trained):
    model, held, _ = trained
    result = CliRunner().invoke(
        cli, ["eval", "claims", "--data", str(DATA), "--claimbuster", str(held), "--model", str(model), "--json"]
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output.strip().splitlines()[-1])
    recorded = json.loads((model / "manifest.json").read_text())["held_out"]["scores"]
    assert scores["sentences"] == 80
    assert scores["macro_f1"] == pytest.approx(recorded["macro_f1"], abs=1e-4)


def test_the_shipped_detector_loads_offline_and_is_small():
    size = sum(f.stat().st_size for f in DEFAULT_MODEL.iterdir())
    assert size < 25 * 1024 * 1024
    assert (DEFAULT_MODEL / "README.md").exists()
    detector = default_detector()
    probabilities = detector.predict_proba(
        [
            "Unemployment fell from 7.8 percent to 4.7 percent between 2009 and 2016.",
            "Thank you very much, it is good to be here tonight.",
        ]
    )
    assert probabilities.shape == (2, len(LABELS))
    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)
    cfs = LABELS.index("CFS")
    assert probabilities[0, cfs] > 0.5 > probabilities[1, cfs]


def test_a_broken_model_folder_is_one_clear_error(tmp_path: Path):
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "network.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(ModelError, match="cannot load the claim detector"):
        ClaimDetector.load(tmp_path)
    result = CliRunner().invoke(
        cli, ["eval", "claims", "--data", str(DATA), "--claimbuster", str(CLAIMBUSTER), "--model", str(tmp_path)]
    )
    assert result.exit_code == 1 and "cannot load the claim detector" in result.output


def test_training_refuses_a_file_without_verdicts(tmp_path: Path):
    (tmp_path / "claimbuster").mkdir()
    _write(
        tmp_path / "claimbuster" / "crowdsourced.csv",
        [{"Sentence_id": "9", "Text": "Taxes rose.", "File_id": "x", "Verdict": "5"}],
    )
    result = CliRunner().invoke(cli, ["train", "claims", "--data", str(tmp_path), "-o", str(tmp_path / "m")])
    assert result.exit_code == 1 and "Verdict '5' of sentence 9 is not -1, 0 or 1" in result.output
