"""Language centres on real Tatoeba lines (../shared/data/tatoeba): fitted on some lines, they raise the accuracy
of cross-lingual matching on lines they never saw; `twosource train crosslingual` writes them with their card."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from twosource.centres import OTHER, QUERY, TATOEBA, centre
from twosource.cli import cli
from twosource.evaluate.crosslingual import nearest
from twosource.models import embed_crosslingual

from ..conftest import DATA

FOLDER = DATA / "tatoeba"


def _lines(code: str, language: str, count: int) -> list[str]:
    return (FOLDER / f"tatoeba.{code}-eng.{language}").read_text(encoding="utf-8").splitlines()[:count]


def _accuracy(passages: np.ndarray, queries: np.ndarray) -> float:
    expected = np.arange(len(passages))
    return float(
        ((nearest(passages, queries)[0] == expected).mean() + (nearest(queries, passages)[0] == expected).mean()) / 2
    )


def test_centres_fitted_on_some_lines_raise_the_accuracy_on_others():
    fit, held = slice(0, 150), slice(150, 300)
    gains = []
    for code, language in (("ara", "ar"), ("heb", "he"), ("ita", "it")):
        passages = embed_crosslingual(_lines(code, code, 300), query=False)
        queries = embed_crosslingual(_lines(code, "eng", 300), query=True)
        means = {
            language: passages[fit].mean(axis=0),
            QUERY: queries[fit].mean(axis=0),
            OTHER: passages[fit].mean(axis=0),
        }
        raw = _accuracy(passages[held], queries[held])
        centred = _accuracy(centre(passages[held], language, means), centre(queries[held], QUERY, means))
        gains.append(centred - raw)
    assert min(gains) >= 0 and sum(gains) / len(gains) > 0.01, gains


def test_train_crosslingual_writes_the_centres_and_their_card(tmp_path: Path):
    tatoeba = tmp_path / "tatoeba"
    tatoeba.mkdir()
    for code in TATOEBA:
        for language in (code, "eng"):
            (tatoeba / f"tatoeba.{code}-eng.{language}").write_text("\n".join(_lines(code, language, 24)) + "\n")
    output = tmp_path / "centres"
    result = CliRunner().invoke(
        cli, ["train", "crosslingual", "--tatoeba", str(tatoeba), "--lines", "16", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    with np.load(output / "centres.npz") as stored:
        assert set(stored.files) == {*TATOEBA.values(), QUERY, OTHER, "en"}
        assert all(stored[role].shape == (384,) for role in stored.files)
    card = (output / "README.md").read_text(encoding="utf-8")
    assert "--lines 16" in card and "| ar |" in card
    # Eight lines of each language held out: each language is scored without and with the centres, on both parts.
    scored = re.findall(r"^[a-z]{2} +[01]\.\d{3} → [01]\.\d{3} +[01]\.\d{3} → [01]\.\d{3}$", result.output, re.M)
    assert len(scored) == len(TATOEBA)
