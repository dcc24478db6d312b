"""``twosource train``: train a model from ../shared/data, score it on data it never saw, and write it with its card."""

from __future__ import annotations

from pathlib import Path

from .errors import FormatError
from .evaluate.stance import StanceScores, read_fnc_pairs, score_stances
from .stance_features import feature_names
from .stance_model import (
    BOOSTER_ROUNDS,
    DEFAULT_MODEL,
    HOLDOUT_REMAINDER,
    LABELS,
    StanceModel,
    held_out,
    text_pairs,
    train_stance_model,
)
from .types import Progress

#: How a fifth of FNC-1 is held out: by body (the figures the model ships with), or by story, so that neither
#: the claims nor the bodies of the scored pairs were seen (a harder test, like the competition's test set).
SPLITS = ("bodies", "stories")


def train_stance(
    fnc1_dir: str | Path,
    output: str | Path = DEFAULT_MODEL,
    *,
    split: str = "bodies",
    rounds: int = BOOSTER_ROUNDS,
    progress: Progress | None = None,
) -> tuple[StanceModel, StanceScores]:
    """Train the stance model on FNC-1's training data less a held-out fifth; score it on that fifth; save it."""
    folder = Path(fnc1_dir)
    bodies, stances = read_fnc_pairs(folder / "train_bodies.csv", folder / "train_stances.csv")
    if stances and "Stance" not in stances[0]:
        raise FormatError(str(folder / "train_stances.csv"), "training needs the Stance column")
    step = progress or (lambda *_: None)
    pairs = text_pairs(bodies, [(s["Headline"], s["Body ID"]) for s in stances], progress=step)
    fit, test, rule = split_rows(stances, split)
    if not fit or not test:
        raise FormatError(str(folder), "too few bodies to hold a fifth out for scoring")
    model = train_stance_model(
        [pairs[i] for i in fit],
        [stances[i]["Stance"] for i in fit],
        [stances[i]["Body ID"] for i in fit],
        rounds=rounds,
        progress=step,
    )
    predicted = model.predict([pairs[i] for i in test], progress=step)
    scores = score_stances([stances[i]["Stance"] for i in test], predicted)
    model.manifest["held_out"] = {
        "split": split,
        "rule": rule,
        "bodies": len({stances[i]["Body ID"] for i in test}),
        "pairs": len(test),
        "scores": scores.as_dict(),
    }
    model.manifest["data"] = str(folder)
    out = model.save(output)
    (out / "README.md").write_text(model_card(model.manifest), encoding="utf-8")
    return model, scores


def split_rows(stances: list[dict[str, str]], split: str) -> tuple[list[int], list[int], str]:
    """Return the rows to train on, the rows to score, and the rule that split them."""
    if split == "bodies":
        held = [held_out(s["Body ID"]) for s in stances]
        fit = [i for i, h in enumerate(held) if not h]
        test = [i for i, h in enumerate(held) if h]
        return fit, test, f"bodies whose Body ID has CRC-32 ≡ {HOLDOUT_REMAINDER} (mod 5)"
    if split == "stories":
        story = _stories(stances)
        sides = [(held_out(story["h", s["Headline"]]), held_out(story["b", s["Body ID"]])) for s in stances]
        fit = [i for i, (h, b) in enumerate(sides) if not h and not b]
        test = [i for i, (h, b) in enumerate(sides) if h and b]
        rule = (
            "stories (headlines and bodies linked by related pairs) whose smallest Body ID has CRC-32 ≡ "
            f"{HOLDOUT_REMAINDER} (mod 5); pairs joining a held-out story to another are left out of both sides"
        )
        return fit, test, rule
    raise ValueError(f"split must be one of {SPLITS}, not {split!r}")


def _stories(stances: list[dict[str, str]]) -> dict[tuple[str, str], str]:
    # Connected components of headlines and bodies over related pairs, each named by its smallest Body ID.
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for s in stances:
        headline, body = root(("h", s["Headline"])), root(("b", s["Body ID"]))
        if s["Stance"] != "unrelated" and headline != body:
            parent[headline] = body
    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in list(parent):
        members.setdefault(root(node), []).append(node)
    names = {}
    for group in members.values():
        # Bodies first, then numerically (shorter IDs first): the name does not depend on reading order.
        _, name = min(group, key=lambda n: (n[0] != "b", len(n[1]), n[1]))
        names.update(dict.fromkeys(group, name))
    return names


def model_card(manifest: dict) -> str:
    """Return the model card (Markdown) for a trained stance model's manifest."""
    held = manifest["held_out"]
    scores = held["scores"]
    rows = "\n".join(
        f"| {label} | {scores['precision'][label]:.3f} | {scores['recall'][label]:.3f} | {scores['f1'][label]:.3f} |"
        for label in LABELS
    )
    counts = ", ".join(f"{label} {n:,}" for label, n in manifest["label_counts"].items())
    return f"""# twosource stance model

Labels a claim–evidence pair **agree / disagree / discuss / unrelated** (FNC-1's labels; `check` reads them as
supports / refutes / discusses / unrelated, after its explicit comparison of figures).

## Data
FNC-1 training set (`train_bodies.csv`, `train_stances.csv`, see `../shared/data/fnc1/README.md`).
Trained on {manifest["training_pairs"]:,} pairs over {manifest["training_bodies"]:,} bodies ({counts}).
Held out for scoring: {held["pairs"]:,} pairs over {held["bodies"]:,} bodies; held out are {held["rule"]}.
Nothing held out was seen in training or used to choose anything.

## Command
    twosource train stance --fnc1 ../shared/data/fnc1 --split {held["split"]}

Training took {manifest["training_seconds"]:.0f} s of fitting on this machine (2 CPU cores), after embedding.

## Model
- {len(feature_names())} features of the pair (word, n-gram, TF-IDF and embedding overlap; refuting, hedging,
  confirming and negation cues in the sentences closest to the claim, the lead and the whole text);
- {2 * len(manifest["prototypes"])} prototype cosines: the {manifest["embedder"]} cosine of the closest and of the lead
  passage with {len(manifest["prototypes"])} statements of refuting, doubting and confirming (in `manifest.json`);
- 4 stacked probabilities of a lexical model (TF-IDF of {manifest["lexical"]["features"]:,} words and word pairs of
  the closest sentences and the claim's words, logistic regression, trained out of fold by body);
- a LightGBM booster ({manifest["booster"]["rounds"]} rounds, {manifest["booster"]["num_leaves"]} leaves, learning
  rate {manifest["booster"]["learning_rate"]}), class weights {manifest["class_weights"]}, decision weights
  {manifest["decision_weights"]} (labels in the order {", ".join(manifest["labels"])}).

Files: `booster.txt` (LightGBM text), `lexical.npz` (IDF, coefficients in float16), `vocabulary.json`,
`manifest.json` (everything above, machine-readable). No pickles.

## Scores on what was held out
FNC score {scores["fnc_raw"]:.2f} of {scores["fnc_max"]:.2f}: **{scores["fnc_relative"]:.2%} relative**;
accuracy {scores["accuracy"]:.3f}; **macro-F1 {scores["macro_f1"]:.3f}**.

| label | precision | recall | F1 |
|---|---|---|---|
{rows}

## Limits
FNC-1 pairs headlines with whole bodies; `check` pairs claims with 70-word passages, so the model reads shorter
evidence there than it was trained on. Held-out bodies share headlines (claims) and stories with training
bodies; on unseen stories (`--split stories`, like the competition's test set) every score is lower, and
"disagree" most of all: see the project README.
"""
