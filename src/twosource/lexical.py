"""A lexical classifier: TF-IDF over a fixed vocabulary of terms, then a softmax over labels.

Shared by the stance model (words of the evidence closest to a claim) and the claim detector (a sentence's
words, word pairs and character n-grams). Terms are whatever strings the caller makes of a text; the model
only counts them. Saved as plain arrays and a term list, never a pickle.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LexicalModel:
    """TF-IDF (sublinear term frequency, L2-normalised) over ``vocabulary``, then a softmax over labels."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # labels × vocabulary
    intercept: np.ndarray

    def matrix(self, documents: Sequence[list[str]]) -> Any:
        """Return the documents' TF-IDF rows as a sparse matrix."""
        from scipy.sparse import csr_matrix

        indptr, indices, values = [0], [], []
        for terms in documents:
            counts = Counter(self.vocabulary[t] for t in terms if t in self.vocabulary)
            weights = np.array([(1 + math.log(c)) * self.idf[i] for i, c in counts.items()], dtype=np.float32)
            norm = float(np.linalg.norm(weights)) or 1.0
            indices += list(counts)
            values += list(weights / norm)
            indptr.append(len(indices))
        return csr_matrix((values, indices, indptr), shape=(len(documents), len(self.vocabulary)), dtype=np.float32)

    def predict_proba(self, documents: Sequence[list[str]]) -> np.ndarray:
        """Return one row of label probabilities per document."""
        logits = self.matrix(documents) @ self.coef.T + self.intercept
        logits = np.asarray(logits, dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the arrays to save (coefficients in float16: the probabilities move by under 0.001)."""
        return {"idf": self.idf, "coef": self.coef.astype(np.float16), "intercept": self.intercept}

    @classmethod
    def from_arrays(cls, terms: list[str], arrays: Any) -> LexicalModel:
        """Rebuild a model from its term list and the arrays ``arrays()`` returned."""
        vocabulary = {t: i for i, t in enumerate(terms)}
        return cls(vocabulary, arrays["idf"], arrays["coef"].astype(np.float32), arrays["intercept"])

    def terms(self) -> list[str]:
        """Return the vocabulary in column order."""
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)

    @classmethod
    def fit(
        cls,
        documents: Sequence[list[str]],
        labels: np.ndarray,
        *,
        n_labels: int,
        max_terms: int,
        min_df: int,
        c: float,
        class_weight: dict[int, float] | None = None,
    ) -> LexicalModel:
        """Keep the ``max_terms`` commonest terms seen in ``min_df`` documents or more; fit the regression."""
        from sklearn.linear_model import LogisticRegression

        df: Counter[str] = Counter()
        for terms in documents:
            df.update(set(terms))
        kept = sorted(t for t, n in df.most_common(max_terms) if n >= min_df)
        vocabulary = {t: i for i, t in enumerate(kept)}
        n = len(documents)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in kept], dtype=np.float32)
        unfitted = cls(vocabulary, idf, np.zeros((n_labels, len(kept)), np.float32), np.zeros(n_labels))
        regression = LogisticRegression(C=c, max_iter=300, class_weight=class_weight)
        regression.fit(unfitted.matrix(documents), labels)
        coef = np.zeros((n_labels, len(kept)), dtype=np.float32)
        intercept = np.zeros(n_labels, dtype=np.float32)
        coef[regression.classes_] = regression.coef_
        intercept[regression.classes_] = regression.intercept_
        return cls(vocabulary, idf, coef, intercept)
