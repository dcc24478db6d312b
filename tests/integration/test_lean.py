"""The lean runtime: the models run on ONNX Runtime, agree with torch's, and a check needs no torch at all."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from twosource.claims.detector import DEFAULT_MODEL, held_out
from twosource.models import TRAINING_ONLY, embed, minilm_folder

from ..conftest import DATA, FAKES_CLI, FNC1, SEED, fakes_rows
from ..lean import LEAN_CLI
from .test_eval_claims import CLAIMBUSTER, _rows


def _fakes_sentences(n: int) -> list[str]:
    sentences = [s for row in fakes_rows()[:60] for s in re.split(r"(?<=[.!?])\s+", row["article_content"])]
    return [s for s in sentences if len(s.split()) >= 5][:n]


def test_embeddings_agree_with_sentence_transformers_sentence_by_sentence():
    sentence_transformers = pytest.importorskip("sentence_transformers")  # the [train] extra; make test has it
    texts = _fakes_sentences(200) + [" ".join(row["article_content"].split()[:400]) for row in fakes_rows()[:8]]
    reference = sentence_transformers.SentenceTransformer(str(minilm_folder()), device="cpu").encode(
        texts, normalize_embeddings=True, convert_to_numpy=True
    )
    cosines = (embed(texts) * reference).sum(axis=1)
    assert len(texts) == 208 and cosines.min() >= 0.999, cosines.min()


def test_a_built_graph_is_kept_loaded_again_and_rebuilt_when_damaged(tmp_path: Path, monkeypatch):
    from twosource import bertgraph
    from twosource.encoders import sentence_encoder

    monkeypatch.setenv("TWOSOURCE_CACHE", str(tmp_path))
    stale = tmp_path / "graphs" / "minilm-0123456789abcdef0123.onnx"  # as built from an older package
    stale.parent.mkdir()
    stale.write_bytes(b"old")
    texts = _fakes_sentences(24)
    built = sentence_encoder(minilm_folder()).run(texts)
    kept = list((tmp_path / "graphs").glob("minilm-*.onnx"))
    assert len(kept) == 1 and kept[0] != stale and kept[0].stat().st_size > 80_000_000

    def refuse(*_):
        raise AssertionError("built again")

    with monkeypatch.context() as patched:
        patched.setattr(bertgraph, "minilm_graph", refuse)
        assert np.array_equal(sentence_encoder(minilm_folder()).run(texts), built)  # loaded, not built
    kept[0].write_bytes(kept[0].read_bytes()[:5_000_000])  # torn, as by a full disk
    assert np.array_equal(sentence_encoder(minilm_folder()).run(texts), built)
    assert kept[0].stat().st_size > 80_000_000


def test_the_detector_agrees_with_its_torch_network():
    torch = pytest.importorskip("torch")
    from twosource.claims.detector import default_detector
    from twosource.claims.finetune import load_network
    from twosource.encoders import pad_batch, tokenizer

    sentences = [r["Text"] for r in _rows(CLAIMBUSTER) if held_out(r["File_id"]) and len(r["Text"].split()) > 6][:80]
    runtime = default_detector().predict_proba(sentences)
    ids, mask = pad_batch([e.ids for e in tokenizer(minilm_folder(), 64).encode_batch(sentences)])
    with torch.inference_mode():
        logits = load_network(DEFAULT_MODEL)(torch.from_numpy(ids), torch.from_numpy(mask))
    reference = torch.softmax(logits, dim=-1).numpy()
    assert np.abs(runtime - reference).max() < 1e-4
    assert (runtime.argmax(axis=1) == reference.argmax(axis=1)).all()


def test_the_stance_trees_predict_as_lightgbm_does_on_real_pairs():
    lightgbm = pytest.importorskip("lightgbm")
    from twosource.stance.model import default_model, text_pairs

    from .test_stance import _read

    stances = _read("train_stances.csv")[:120]
    bodies = {b["Body ID"]: b["articleBody"] for b in _read("train_bodies.csv")}
    model = default_model()
    features = model.features(text_pairs(bodies, [(s["Headline"], s["Body ID"]) for s in stances]))
    reference = lightgbm.Booster(model_str=model.booster).predict(features)
    assert model.trees is not None and np.abs(model.trees.predict_proba(features) - reference).max() < 1e-9


def test_a_check_runs_without_the_training_libraries(tmp_path: Path, small_csv: Path):
    # The training-only libraries refused on import, as where the [train] extra is not installed.
    code = LEAN_CLI.replace(
        "main()\n",
        f"try:\n    main()\nfinally:\n    print('loaded:', [m for m in sys.modules if m.split('.')[0] in "
        f"{TRAINING_ONLY!r}], file=sys.stderr)\n",
    )
    index = str(tmp_path / "index.sqlite")
    ingest = [sys.executable, "-c", code, "ingest", str(small_csv), *FAKES_CLI, "--index", index]
    done = subprocess.run(ingest, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    check = [sys.executable, "-c", code, "check", str(SEED), "--index", index, "--format", "json"]
    done = subprocess.run(check, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert any(c["checkworthy"] and c["evidence"] for c in report["claims"])  # claims found, evidence retrieved
    assert "loaded: []" in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["train", "stance", "--fnc1", str(FNC1)],
        ["train", "claims", "--data", str(DATA / "checkworthy")],
        ["eval", "support", "--wice", str(DATA / "wice" / "dev.jsonl"), "--folds", "5"],
    ],
    ids=["train stance", "train claims", "eval support --folds"],
)
def test_training_without_the_training_libraries_is_refused_at_once_in_one_line(tmp_path: Path, command: list[str]):
    done = subprocess.run(
        [sys.executable, "-c", LEAN_CLI, *command, *(["-o", str(tmp_path / "model")] if command[0] == "train" else [])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "pip install 'twosource[train]'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "model").exists()
