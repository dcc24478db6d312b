"""Language centres: each language's mean cross-lingual embedding, taken away before a cosine.

multilingual-e5-small writes a sentence's language into its embedding beside its meaning: Arabic sentences lean
one way, English claims another, whatever they say. Each language's mean embedding over everyday sentences
(Tatoeba's public halves), taken away from every embedding of that language before it is scaled back to unit
length, leaves more of the meaning (Libovický et al., 2020, "On the Language Neutrality of Pre-trained
Multilingual Representations"). On Tatoeba, with the means fitted on half of the lines and scored on the other
half, it raises the accuracy of every one of the 11 languages (README: Figures).

``twosource train crosslingual`` fits the means (``evaluate.crosslingual.fit_centres``); retrieval and ``eval
crosslingual`` take them away (``centre``) from the claims' embeddings and from the passages' as the index reads
them, so an index keeps the model's own embeddings and follows any refit.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CENTRES = Path(__file__).parent / "data" / "crosslingual"
#: The role of English claims, embedded as queries: their mean is taken away from them.
QUERY = "query"
#: For a language without a mean of its own: the mean of the languages' means (English's left out).
OTHER = "other"
#: Tatoeba's file names (ISO 639-3) as the language detector names the languages (ISO 639-1).
TATOEBA = {
    "ara": "ar",
    "fra": "fr",
    "rus": "ru",
    "tur": "tr",
    "pes": "fa",
    "spa": "es",
    "deu": "de",
    "ita": "it",
    "cmn": "zh",
    "heb": "he",
    "ukr": "uk",
}


@functools.cache
def _means(folder: Path = CENTRES) -> dict[str, np.ndarray]:
    import numpy as np

    with np.load(folder / "centres.npz") as stored:
        return {role: stored[role].astype(np.float32) for role in stored.files}


def centre(vectors: np.ndarray, role: str, means: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """``vectors`` (cross-lingual embeddings, one a row) less the mean of their ``role``, at unit length again:
    ``QUERY`` for claims, else the language of the passages (ISO 639-1; one without a mean takes ``OTHER``'s).
    ``means``: the shipped ones unless given."""
    import numpy as np

    means = means or _means()
    moved = vectors - means.get(role, means[OTHER])
    return (moved / np.maximum(np.linalg.norm(moved, axis=-1, keepdims=True), 1e-9)).astype(np.float32)
