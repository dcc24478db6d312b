"""The stance model: trained, saved, loaded offline, scored on held-out FNC-1 bodies, and used by check."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from twosource import read_article
from twosource.cli import cli
from twosource.dates import days_between
from twosource.stance.model import DEFAULT_MODEL, LABELS, StanceModel, default_model, held_out, text_pairs
from twosource.types import Claim, ClaimKind, NumericComparison, Passage, Quantity, Stance

from ..conftest import FLOORS, FNC1, SEED, fakes_rows, run_eval_stance


def _read(name: str) -> list[dict[str, str]]:
    with open(FNC1 / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write_fnc(folder: Path, bodies: list[dict[str, str]], stances: list[dict[str, str]]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "train_bodies.csv", folder / "train_stances.csv"
    for path, rows in zip(paths, (bodies, stances), strict=True):
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return paths


@pytest.fixture(scope="module")
def held_out_slice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The first 40 held-out bodies, in file order, and all their pairs."""
    bodies = [b for b in _read("train_bodies.csv") if held_out(b["Body ID"])][:40]
    ids = {b["Body ID"] for b in bodies}
    return _write_fnc(
        tmp_path_factory.mktemp("held-out"), bodies, [s for s in _read("train_stances.csv") if s["Body ID"] in ids]
    )


#: What the shipped model scored on the first 40 held-out bodies when it was trained (see the model card for
#: all 20 % of held-out bodies); the eval must reproduce it.
HELD_OUT_SLICE = {"pairs": 912, "fnc_relative": 0.9668, "macro_f1": 0.878}


def test_eval_stance_reproduces_the_shipped_model_on_held_out_bodies(held_out_slice, tmp_path: Path):
    bodies, stances = held_out_slice
    scores, written, gold = run_eval_stance(bodies, stances, tmp_path / "predictions.csv")
    assert scores["pairs"] == HELD_OUT_SLICE["pairs"]
    assert scores["fnc_relative"] == pytest.approx(HELD_OUT_SLICE["fnc_relative"], abs=0.005)
    assert scores["macro_f1"] == pytest.approx(HELD_OUT_SLICE["macro_f1"], abs=0.01)
    assert [(r["Headline"], r["Body ID"]) for r in written] == [(g["Headline"], g["Body ID"]) for g in gold]


def test_shipped_model_loads_offline_and_labels_real_pairs():
    model = default_model()
    assert model.manifest["held_out"]["scores"]["fnc_relative"] > FLOORS["stance"]["shipped_held_out_fnc_relative"]
    assert sum(f.stat().st_size for f in DEFAULT_MODEL.iterdir()) < 25_000_000
    # The first ten held-out pairs of each label, in file order: a balanced sample the model never saw, where
    # guessing one label gets 10 of 40. It got 26 (agree 6, disagree 3, discuss 8, unrelated 9) when trained.
    bodies = {b["Body ID"]: b["articleBody"] for b in _read("train_bodies.csv")}
    chosen: dict[str, list[tuple[str, str]]] = {label: [] for label in LABELS}
    for s in _read("train_stances.csv"):
        if held_out(s["Body ID"]) and len(chosen[s["Stance"]]) < 10:
            chosen[s["Stance"]].append((s["Headline"], s["Body ID"]))
    pairs = [p for label in LABELS for p in chosen[label]]
    gold = [label for label in LABELS for _ in chosen[label]]
    predicted = model.predict(text_pairs(bodies, pairs))
    right = Counter(g for g, p in zip(gold, predicted, strict=True) if g == p)
    assert sum(right.values()) >= 22 and all(right[label] >= 2 for label in LABELS), right


def test_train_on_a_small_slice_gives_a_usable_model(tmp_path: Path):
    bodies = _read("train_bodies.csv")[:60]  # about a fifth of them held out by the usual rule
    ids = {b["Body ID"] for b in bodies}
    stances = [s for s in _read("train_stances.csv") if s["Body ID"] in ids][:1500]
    folder = _write_fnc(tmp_path / "fnc", bodies, stances)
    output = tmp_path / "model"
    result = CliRunner().invoke(
        cli, ["train", "stance", "--fnc1", str(folder[0].parent), "-o", str(output), "--rounds", "30"]
    )
    assert result.exit_code == 0, result.output
    assert "held-out bodies" in result.output and "FNC score" in result.output
    assert {p.name for p in output.iterdir()} == {
        "booster.txt",
        "lexical.npz",
        "vocabulary.json",
        "manifest.json",
        "README.md",
    }
    model = StanceModel.load(output)
    scores = model.manifest["held_out"]["scores"]
    # Fifty bodies teach related vs unrelated well; the finer labels need the full set.
    assert scores["f1"]["unrelated"] > FLOORS["stance"]["fifty_bodies_unrelated_f1"]
    check_pairs = text_pairs(
        {b["Body ID"]: b["articleBody"] for b in bodies}, [(s["Headline"], s["Body ID"]) for s in stances[:50]]
    )
    again = StanceModel.load(output)
    assert np.array_equal(model.predict_proba(check_pairs), again.predict_proba(check_pairs))


def test_a_broken_model_folder_is_a_clear_error(tmp_path: Path):
    from twosource.errors import ModelError

    with pytest.raises(ModelError, match="cannot load the stance model"):
        StanceModel.load(tmp_path)


def _passage(text: str, published: str | None = "2015-05-10") -> Passage:
    return Passage(1, 1, "example", published, "", "", text, 1)


def test_figures_decide_against_the_text_model():
    from twosource.models import embed
    from twosource.stance import judge_stances

    text = "The war in Syria has left 200,000 people dead since 2011, the monitor said."
    dead = Quantity(value=200000, kind="deaths", text="200,000", unit="", bound="exact")
    claim = Claim(
        text=text, start=0, end=len(text), kind=ClaimKind.QUANTITY, checkworthy=True, score=1.0, quantities=(dead,)
    )
    passages = [
        _passage("The Syrian Observatory for Human Rights said 200,000 people have been killed in the war since 2011."),
        _passage("The Syrian Observatory for Human Rights said 310,000 people have been killed in the war since 2011."),
        _passage("The recipe calls for two cups of flour, a pinch of salt and three eggs, whisked until smooth."),
    ]
    vectors = embed([claim.text] + [p.text for p in passages])
    (same, other, unrelated) = judge_stances(claim, vectors[0], passages, vectors[1:], claim_date="2015-05-13")
    assert same[0] is Stance.SUPPORTS and same[2].claim_value == 200000
    assert other[0] is Stance.REFUTES and "figures differ: 200,000 vs 310,000" in other[3]
    assert unrelated[0] is Stance.UNRELATED and "stance model" in unrelated[3]


def _figure_claim(text: str) -> Claim:
    from twosource.claims.quantities import find_quantities

    quantities = tuple(find_quantities(text))
    return Claim(text, 0, len(text), ClaimKind.QUANTITY, checkworthy=True, score=1.0, quantities=quantities)


def _fakes_sentence(row: int, opening: str) -> tuple[str, str]:
    """The sentence of FA-KES row ``row`` (0-based) that starts with ``opening``, and the row's date (ISO)."""
    fields = fakes_rows()[row]
    text = fields["article_content"]
    start = text.index(opening)
    month, day, year = fields["date"].split("/")
    end = text.find(".", start + len(opening)) + 1 or len(text)  # the last sentence may lack its full stop
    return text[start:end].strip(), f"{year}-{int(month):02d}-{int(day):02d}"


SEED_TOLL = "Unofficially the number of dead in the Syrian War is 200,000, most of them civilians."


def test_figures_in_time_and_bounds_on_real_tolls():
    from twosource.stance import compare_figures

    # The seed (2015-05-13) against FA-KES reports of the war's toll, each with its date.
    seed = _figure_claim(SEED_TOLL)

    def against(row: int, opening: str) -> NumericComparison | None:
        text, published = _fakes_sentence(row, opening)
        return compare_figures(seed, _passage(text, published), days_between("2015-05-13", published))

    # A floor the count had passed seven weeks later, 15 % above the claim: "unofficially" does not stretch the
    # claim under it (the hedge widens the tolerance to 20 %, which would have let it through).
    passed = against(181, "More than 230000 people")  # 2015-07-02
    assert passed is not None and not passed.agrees and not passed.note
    # A floor within 10 % of the claim three months before it, and the same figure: they agree.
    for row, opening in [(183, "More than 210000 people"), (184, "says 200000 people")]:
        agreed = against(row, opening)
        assert agreed is not None and agreed.agrees, row
    # A floor well under an exact claim is consistent with it, but confirms nothing (FA-KES row 213, October 2014:
    # "more than 180000" against "200,000" without the hedge).
    exact = _figure_claim("The number of dead in the Syrian War is 200,000.")
    text, published = _fakes_sentence(213, "The Observatory says more than 180000")
    under = compare_figures(exact, _passage(text, published), days_between("2015-05-13", published))
    assert under is not None and under.agrees and "consistent, not confirming" in under.note
    # A year later the tally has grown: reported, not held against the claim.
    later = against(42, "More than 280000 people")  # 2016-07-05
    assert later is not None and "months apart" in later.note
    # Two floors (February 2015 and May 2014; no claim date): a higher one proves a lower one, a lower one says
    # nothing against a higher one.
    floor = _figure_claim(_fakes_sentence(186, "More than 200000 people")[0])
    higher = _passage(*_fakes_sentence(191, "More than 210000 people"))
    lower = _passage(*_fakes_sentence(270, "More than 150000 people"))
    assert compare_figures(floor, higher).agrees
    short = compare_figures(floor, lower)
    assert short is not None and not short.agrees and "falls short" in short.note


def test_a_months_toll_never_meets_a_running_total():
    from twosource.stance import compare_figures

    # The Syrian Network for Human Rights' civilian dead of one month (row 103, 2016-10-02) and its running total of
    # the coalition's civilian dead since 2014 (row 684): the same size, but not the same count.
    month = _figure_claim(_fakes_sentence(103, "Last month nearly 1200")[0])
    total = _passage(*_fakes_sentence(684, "A recent report issued"))
    assert compare_figures(month, total) is None
    # A toll of the war "which started in March 2011" is a running total, not March's dead (row 276, 2014-04-21).
    began = _passage(*_fakes_sentence(276, "More than 150000 people"))
    assert compare_figures(_figure_claim(SEED_TOLL), began) is not None


def test_a_reading_counts_only_when_sure_and_about_the_same_event():
    from twosource.stance import SAME_EVENT_FROM, SURE_FROM, _decide

    text = "Rebels withdrew from the town of Jisr al-Shughour on Monday."
    claim = Claim(text=text, start=0, end=len(text), kind=ClaimKind.EVENT, checkworthy=True, score=1.0)
    passage = _passage("Rebels pulled out of Jisr al-Shughour after a week of fighting, residents said.")
    close, far = SAME_EVENT_FROM + 0.1, SAME_EVENT_FROM - 0.1
    assert _decide(claim, passage, Stance.SUPPORTS, 0.9, close, "2015-05-13")[0] is Stance.SUPPORTS
    assert _decide(claim, passage, Stance.REFUTES, 0.9, close, "2015-05-13")[0] is Stance.REFUTES
    unsure = _decide(claim, passage, Stance.REFUTES, SURE_FROM - 0.1, close, "2015-05-13")
    assert unsure[0] is Stance.DISCUSSES and "not sure" in unsure[3]
    elsewhere = _decide(claim, passage, Stance.SUPPORTS, 0.9, far, "2015-05-13")
    assert elsewhere[0] is Stance.DISCUSSES and "not close enough to the claim to confirm" in elsewhere[3]
    months_away = _decide(claim, passage, Stance.SUPPORTS, 0.9, close, "2016-05-13")
    assert months_away[0] is Stance.DISCUSSES and "months apart" in months_away[3]


def test_train_and_eval_refuse_bad_input_in_one_line(tmp_path: Path):
    result = CliRunner().invoke(cli, ["train", "stance", "--fnc1", str(tmp_path)])
    assert result.exit_code == 1 and "train_bodies.csv: No such file or directory" in result.output
    assert "Traceback" not in result.output
    bodies = tmp_path / "bodies.csv"
    bodies.write_bytes(b"\xff\xfe\x00Body ID,articleBody\n")
    stances = tmp_path / "stances.csv"
    stances.write_text("Headline,Body ID\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", "stance", "--bodies", str(bodies), "--stances", str(stances)])
    assert result.exit_code == 1 and "not a UTF-8 CSV file" in result.output


def test_a_figure_counted_in_one_place_meets_only_that_place():
    from twosource.stance import compare_figures

    # The seed's "(1.5 million in Lebanon)" is Lebanon's share of the refugees, not the region's total: Al-Araby's
    # "More than four million Syrians have fled ... to become refugees in the surrounding region" does not refute it.
    seed = read_article(SEED).text
    start = seed.index("About 6.5 million")
    sentence = seed[start : seed.index(")", start) + 2]
    lebanon = _figure_claim(sentence)
    lebanon = replace(lebanon, quantities=tuple(q for q in lebanon.quantities if q.text.startswith("1.5")))
    region, published = _fakes_sentence(20, "More than four million Syrians")
    assert compare_figures(lebanon, _passage(region, published)) is None
    # "killed at least 80 people in Hama" (FA-KES) meets itself, not a town's 68 dead.
    hama, _ = next(
        _fakes_sentence(row, "On July 31 a tank-backed") for row in _rows_with("killed at least 80 people in Hama")
    )
    assert compare_figures(_figure_claim(hama), _passage(hama)).agrees
    town, _ = next(
        _fakes_sentence(row, "Since Saturday at least 68") for row in _rows_with("at least 68 civilians have been")
    )
    assert compare_figures(_figure_claim(hama), _passage(town)) is None


def _rows_with(text: str) -> list[int]:
    return [i for i, row in enumerate(fakes_rows()) if text in row["article_content"]]
