"""The trained stance model: agree / disagree / discuss / unrelated for a claim and a piece of evidence.

Three parts, all trained on FNC-1 by ``twosource train stance``:

- hand-made features of the pair (``stance.features``): word, n-gram, TF-IDF and embedding overlap, and cue
  words counted in the evidence sentences closest to the claim;
- the cosines of the evidence's passages with statements such as "This story is a hoax" (``PROTOTYPES``);
- a lexical model (TF-IDF of words and word pairs, logistic regression) reading the evidence sentences closest
  to the claim, stacked: trained out of fold, so its output is honest where the booster learns from it.

A LightGBM booster reads all three. The artifact is plain files (booster text, npz, json), never a pickle. Only
training imports LightGBM, scikit-learn and SciPy: predictions run in numpy (``stance.trees`` for the booster).

Left out on purpose: the claim's embedding multiplied with the closest passage's (384 features). It added
0.8 points of FNC score on held-out bodies by learning the stories themselves, and on unseen stories it cut
"disagree" F1 from 0.16 to 0.03 (``twosource train stance --split stories``).
"""

from __future__ import annotations

import functools
import json
import math
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..models import loaded_once
from ..types import Progress
from .features import (
    Idf,
    TextView,
    analyse,
    feature_names,
    inverse_document_frequency,
    pair_features,
    sentence_relevance,
    top_sentences,
)
from .trees import Forest

#: FNC-1's labels, in the order of the model's probability columns.
LABELS = ("agree", "disagree", "discuss", "unrelated")
RELATED = frozenset(LABELS[:3])
#: The shipped model, trained by ``twosource train stance`` (see its README for data, command and scores).
DEFAULT_MODEL = Path(__file__).parents[1] / "data" / "stance"
#: Bodies held out from training for every reported figure: those whose Body ID has CRC-32 ≡ 1 (mod 5).
HOLDOUT_REMAINDER = 1
#: Training weight per label: the rare "disagree" counts more, so the booster does not give it up.
CLASS_WEIGHTS = (1.0, 3.0, 1.0, 1.0)
#: Weights on the probabilities before the arg-max. Chosen on held-in bodies (CRC-32 ≡ 0 mod 5, model trained
#: on the other three held-in fifths): doubling "disagree" raised its F1 by 0.03–0.05 for 0.1 point of FNC score.
DECISION_WEIGHTS = (1.0, 2.0, 1.0, 1.0)
BOOSTER_PARAMS: dict[str, Any] = {
    "objective": "multiclass",
    "num_class": len(LABELS),
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 7,
    "deterministic": True,
    "verbose": -1,
}
BOOSTER_ROUNDS = 400
#: Statements of each way a text can take a claim; the closest passage's and the lead's cosines with each are
#: features. They carry "this is a hoax" across wordings that share no word with the lexicons.
PROTOTYPES = (
    "This story is a hoax.",
    "The report is false and fake.",
    "He denied the claims, saying it is not true.",
    "The website is satirical; the story was made up.",
    "The claim has been debunked.",
    "There is no evidence that this happened.",
    "The rumour could not be verified.",
    "Officials confirmed the news on Monday.",
)
LEXICAL_FEATURES = 50_000
LEXICAL_MIN_DF = 3
LEXICAL_C = 2.0
LEXICAL_FOLDS = 5

#: Pairs judged per call when predicting many, so long runs show progress.
_CHUNK = 2000


def held_out(body_id: str) -> bool:
    """Return whether an FNC-1 body belongs to the fixed held-out fifth."""
    return zlib.crc32(body_id.encode()) % 5 == HOLDOUT_REMAINDER


@dataclass(frozen=True)
class Pair:
    """A claim and its evidence, analysed and embedded; ``evidence_vectors`` are its passages, lead first."""

    claim: TextView
    claim_vector: np.ndarray
    evidence: TextView
    evidence_vectors: np.ndarray


def lexical_terms(pair: Pair, relevance: np.ndarray) -> list[str]:
    """Return the claim's words (marked) and the words and word pairs of the evidence sentences closest to it.

    The claim's own words let the model learn how its wording ("won't", "hoax", "denies") turns the
    evidence's: a body that says Bale will play Jobs agrees with one headline and disagrees with another.
    """
    top = sorted(top_sentences(relevance))
    terms = [f"claim:{w}" for tokens in pair.claim.sentence_tokens for w in tokens]
    for i in top:
        tokens = pair.evidence.sentence_tokens[i]
        terms += tokens
        terms += [f"{a} {b}" for a, b in pairwise(tokens)]
    return terms


@dataclass(frozen=True)
class LexicalModel:
    """TF-IDF (sublinear term frequency, L2-normalised) over a fixed vocabulary, then a softmax over labels."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # labels × vocabulary
    intercept: np.ndarray

    def weights(self, terms: list[str]) -> tuple[list[int], np.ndarray]:
        """A document's vocabulary indices and their TF-IDF weights (sublinear, L2-normalised)."""
        counts = Counter(self.vocabulary[t] for t in terms if t in self.vocabulary)
        weights = np.array([(1 + math.log(c)) * self.idf[i] for i, c in counts.items()], dtype=np.float32)
        return list(counts), weights / (float(np.linalg.norm(weights)) or 1.0)

    def matrix(self, documents: Sequence[list[str]]) -> Any:
        """The documents' TF-IDF rows as a sparse matrix (for training: SciPy is not imported to predict)."""
        from scipy.sparse import csr_matrix

        indptr, indices, values = [0], [], []
        for terms in documents:
            found, weights = self.weights(terms)
            indices += found
            values += list(weights)
            indptr.append(len(indices))
        return csr_matrix((values, indices, indptr), shape=(len(documents), len(self.vocabulary)), dtype=np.float32)

    def predict_proba(self, documents: Sequence[list[str]]) -> np.ndarray:
        logits = np.empty((len(documents), len(self.intercept)), dtype=np.float64)
        for row, terms in enumerate(documents):
            found, weights = self.weights(terms)
            logits[row] = self.coef[:, found] @ weights + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)

    @classmethod
    def fit(cls, documents: Sequence[list[str]], labels: np.ndarray) -> LexicalModel:
        from sklearn.linear_model import LogisticRegression

        df: Counter[str] = Counter()
        for terms in documents:
            df.update(set(terms))
        kept = [t for t, c in df.most_common(LEXICAL_FEATURES) if c >= LEXICAL_MIN_DF]
        vocabulary = {t: i for i, t in enumerate(sorted(kept))}
        n = len(documents)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in sorted(kept)], dtype=np.float32)
        unfitted = cls(vocabulary, idf, np.zeros((len(LABELS), len(kept)), np.float32), np.zeros(len(LABELS)))
        regression = LogisticRegression(C=LEXICAL_C, max_iter=300)
        regression.fit(unfitted.matrix(documents), labels)
        coef = np.zeros((len(LABELS), len(kept)), dtype=np.float32)
        intercept = np.zeros(len(LABELS), dtype=np.float32)
        coef[regression.classes_] = regression.coef_
        intercept[regression.classes_] = regression.intercept_
        return cls(vocabulary, idf, coef, intercept)


@dataclass
class StanceModel:
    """The trained model; ``predict_proba`` returns one row per pair, columns in ``LABELS`` order."""

    idf: Idf
    lexical: LexicalModel
    prototypes: np.ndarray  # embeddings of PROTOTYPES
    booster: str = ""  # LightGBM's text format, as trained and saved
    manifest: dict[str, Any] = field(default_factory=dict)

    def features(self, pairs: Sequence[Pair], lexical: np.ndarray | None = None) -> np.ndarray:
        """Return the booster's input: pair features, prototype cosines, and the lexical model's probabilities."""
        relevances = _relevances(pairs, self.idf)
        if lexical is None:
            lexical = self.lexical.predict_proba([lexical_terms(p, r) for p, r in zip(pairs, relevances, strict=True)])
        matrix = _pair_matrix(pairs, relevances, self.idf, self.prototypes)
        return np.hstack([matrix, lexical]).astype(np.float32)

    def predict_proba(self, pairs: Sequence[Pair]) -> np.ndarray:
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return self.trees.predict_proba(self.features(pairs)).astype(np.float32)

    @functools.cached_property
    def trees(self) -> Forest:
        """The booster as numpy predicts it, read from its text once."""
        return Forest.from_text(self.booster)

    def judge(self, pairs: Sequence[Pair]) -> list[tuple[str, float]]:
        """Return each pair's label (after the decision weights) and the model's probability of it."""
        probabilities = self.predict_proba(pairs)
        weights = np.asarray(self.manifest.get("decision_weights", DECISION_WEIGHTS), dtype=np.float32)
        chosen = (probabilities * weights).argmax(axis=1)
        return [(LABELS[i], float(row[i])) for i, row in zip(chosen, probabilities, strict=True)]

    def predict(self, pairs: Sequence[Pair], *, progress: Progress | None = None) -> list[str]:
        """Return each pair's label; in chunks, reporting progress, since FNC-1 files hold tens of thousands."""
        labels: list[str] = []
        for start in range(0, len(pairs), _CHUNK):
            labels += [label for label, _ in self.judge(pairs[start : start + _CHUNK])]
            if progress:
                progress("judging pairs", len(labels), len(pairs))
        return labels

    def save(self, directory: str | Path) -> Path:
        """Write the model as plain files into ``directory``; return it."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / "booster.txt").write_text(self.booster, encoding="utf-8")
        np.savez_compressed(
            out / "lexical.npz",
            idf=self.lexical.idf,
            coef=self.lexical.coef.astype(np.float16),
            intercept=self.lexical.intercept,
            prototypes=self.prototypes,
        )
        vocabulary = {"lexical": sorted(self.lexical.vocabulary, key=self.lexical.vocabulary.__getitem__)}
        vocabulary["word_idf"] = self.idf  # type: ignore[assignment]
        (out / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        (out / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> StanceModel:
        """Load a model written by ``save``; raise ModelError if it is missing or unreadable."""
        path = Path(directory)
        try:
            vocabulary = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            arrays = np.load(path / "lexical.npz")
            booster = (path / "booster.txt").read_text(encoding="utf-8")
        except (OSError, ValueError, KeyError, ModelError) as exc:
            raise ModelError(f"cannot load the stance model from {path}: {exc}") from exc
        if manifest.get("features") != all_feature_names():
            raise ModelError(f"the stance model in {path} was trained on other features; retrain it")
        lexical = LexicalModel(
            {t: i for i, t in enumerate(vocabulary["lexical"])},
            arrays["idf"],
            arrays["coef"].astype(np.float32),
            arrays["intercept"],
        )
        model = cls(Idf(vocabulary["word_idf"]), lexical, arrays["prototypes"], booster, manifest)
        try:
            model.trees  # noqa: B018 (read now, so a broken booster fails the load, not the first check)
        except (ValueError, ModelError) as exc:
            raise ModelError(f"cannot load the stance model from {path}: {exc}") from exc
        return model


@loaded_once
def default_model() -> StanceModel:
    """Return the shipped stance model, loaded once per process."""
    return StanceModel.load(DEFAULT_MODEL)


def all_feature_names() -> list[str]:
    """Return the names of the booster's input columns, in order."""
    return (
        feature_names()
        + [f"prototype_{i}_{where}" for where in ("closest", "lead") for i in range(len(PROTOTYPES))]
        + [f"lexical_{label}" for label in LABELS]
    )


def _relevances(pairs: Sequence[Pair], idf: Idf) -> list[np.ndarray]:
    # Computed once per pair: both the pair features and the lexical model read the closest sentences.
    return [sentence_relevance(p.claim, p.evidence, idf) for p in pairs]


def _pair_matrix(pairs: Sequence[Pair], relevances: list[np.ndarray], idf: Idf, prototypes: np.ndarray) -> np.ndarray:
    rows = []
    for p, relevance in zip(pairs, relevances, strict=True):
        dense = p.evidence_vectors @ p.claim_vector
        closest = p.evidence_vectors[int(dense.argmax())]
        rows.append(
            np.concatenate(
                [
                    pair_features(p.claim, p.evidence, idf, relevance, dense),
                    prototypes @ closest,
                    prototypes @ p.evidence_vectors[0],
                ]
            )
        )
    return np.vstack(rows)


def text_pairs(
    bodies: dict[str, str],
    pairs: Sequence[tuple[str, str]],
    *,
    progress: Progress | None = None,
) -> list[Pair]:
    """Return analysed, embedded pairs for (headline, body ID) pairs; each text is analysed and embedded once."""
    from ..index.passages import split_passages
    from ..models import embed

    if not pairs:
        return []
    step = progress or (lambda *_: None)
    used = list(dict.fromkeys(b for _, b in pairs))
    headlines = list(dict.fromkeys(h for h, _ in pairs))
    views = {b: analyse(bodies[b]) for b in used}
    claims = {h: analyse(h) for h in headlines}
    passages = {b: [bodies[b][s:e] for s, e in split_passages(bodies[b])] or [bodies[b]] for b in used}
    texts = headlines + [t for b in used for t in passages[b]]
    vectors = []
    for start in range(0, len(texts), 512):  # in chunks, to show progress on long runs
        vectors.append(embed(texts[start : start + 512]))
        step("embedding headlines and body passages", min(start + 512, len(texts)), len(texts))
    matrix = np.vstack(vectors)
    claim_vectors = dict(zip(headlines, matrix[: len(headlines)], strict=True))
    body_vectors, offset = {}, len(headlines)
    for b in used:
        body_vectors[b] = matrix[offset : offset + len(passages[b])]
        offset += len(passages[b])
    return [Pair(claims[h], claim_vectors[h], views[b], body_vectors[b]) for h, b in pairs]


def train_stance_model(
    pairs: Sequence[Pair],
    labels: Sequence[str],
    groups: Sequence[str],
    *,
    rounds: int = BOOSTER_ROUNDS,
    progress: Progress | None = None,
) -> StanceModel:
    """Train on labelled pairs; ``groups`` (the body of each pair) keeps the lexical model's folds apart by body."""
    import lightgbm
    from sklearn.model_selection import GroupKFold

    from ..models import embed

    step = progress or (lambda *_: None)
    started = time.monotonic()
    y = np.array([LABELS.index(label) for label in labels])
    evidence = list({id(p.evidence): p.evidence for p in pairs}.values())
    idf = inverse_document_frequency(evidence)
    documents = [lexical_terms(p, r) for p, r in zip(pairs, _relevances(pairs, idf), strict=True)]
    stacked = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    folds = min(LEXICAL_FOLDS, len(set(groups)))
    for n, (fit, held) in enumerate(GroupKFold(folds).split(documents, groups=list(groups)), start=1):
        fold = LexicalModel.fit([documents[i] for i in fit], y[fit])
        stacked[held] = fold.predict_proba([documents[i] for i in held])
        step("lexical model, out of fold", n, folds + 1)
    lexical = LexicalModel.fit(documents, y)
    step("lexical model, out of fold", folds + 1, folds + 1)
    model = StanceModel(idf, lexical, embed(list(PROTOTYPES)))
    features = model.features(pairs, lexical=stacked)
    weights = np.array(CLASS_WEIGHTS)[y]
    dataset = lightgbm.Dataset(features, y, weight=weights, free_raw_data=True)

    def report(env: Any) -> None:
        if (env.iteration + 1) % 20 == 0 or env.iteration + 1 == rounds:
            step("boosting", env.iteration + 1, rounds)

    model.booster = lightgbm.train(
        BOOSTER_PARAMS, dataset, num_boost_round=rounds, callbacks=[report]
    ).model_to_string()
    model.manifest = {
        "model": "twosource stance",
        "labels": list(LABELS),
        "features": all_feature_names(),
        "prototypes": list(PROTOTYPES),
        "embedder": "all-MiniLM-L6-v2",
        "training_pairs": len(pairs),
        "training_bodies": len(set(groups)),
        "label_counts": {label: int((y == i).sum()) for i, label in enumerate(LABELS)},
        "class_weights": list(CLASS_WEIGHTS),
        "decision_weights": list(DECISION_WEIGHTS),
        "booster": {**BOOSTER_PARAMS, "rounds": rounds},
        "lexical": {"features": len(lexical.vocabulary), "min_df": LEXICAL_MIN_DF, "C": LEXICAL_C},
        "training_seconds": round(time.monotonic() - started, 1),
    }
    return model
