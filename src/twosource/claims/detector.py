"""The check-worthiness detector: the first three layers of all-MiniLM-L6-v2, fine-tuned on ClaimBuster.

It reads one sentence and returns the probabilities of ClaimBuster's three classes: non-factual (NFS),
unimportant factual (UFS) and check-worthy factual (CFS). ``twosource train claims`` trains it (``finetune``,
with torch); here it runs on ONNX Runtime, its graph built from the shipped weights at first use.

Why this shape (figures on held-out debates, in the project README): TF-IDF models of words and character
n-grams plateau near 0.66 CFS F1, and adding MiniLM features to them gains at most 0.02. Fine-tuning the whole
MiniLM reaches 0.72 but reads about 300 sentences/s on 2 cores. Its first three layers reach 0.73 (the
shipped model) and read several times as many (``bench/bench_claims.py``).

The word embeddings stay as MiniLM ships them: frozen in training and read from the installed package at
load. The artifact holds only the three layers and the head (safetensors, float16, no pickle).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..models import loaded_once, minilm_folder

#: ClaimBuster's classes, in the order of the probability columns; Verdict values -1, 0 and 1.
LABELS = ("NFS", "UFS", "CFS")
#: The shipped detector (see its README for data, command and scores).
DEFAULT_MODEL = Path(__file__).parents[1] / "data" / "claims"
#: Debates held out from training for every reported figure: those whose File_id has CRC-32 ≡ 1 (mod 5).
HOLDOUT_REMAINDER = 1
LAYERS = 3
#: Longer sentences are cut: 64 word pieces hold 97.7 % of ClaimBuster's sentences and 99.6 % of BBC News's.
MAX_TOKENS = 64


def held_out(file_id: str) -> bool:
    """Return whether a ClaimBuster debate belongs to the fixed held-out fifth."""
    return zlib.crc32(file_id.encode()) % 5 == HOLDOUT_REMAINDER


@dataclass
class ClaimDetector:
    """A saved detector, ready to predict; ``predict_proba`` returns one row per sentence, columns in ``LABELS``
    order."""

    encoder: Any  # encoders.OnnxEncoder
    manifest: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        """Return the class probabilities of each sentence (batched by length, so little padding is read)."""
        return self.encoder.run(list(sentences))

    @classmethod
    def load(cls, directory: str | Path) -> ClaimDetector:
        """Load a detector written by ``finetune``; raise ModelError if it is missing, unreadable or mismatched."""
        from safetensors import SafetensorError

        from ..encoders import detector_encoder

        path = Path(directory)
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the claim detector from {path}: {exc}") from exc
        if manifest.get("labels") != list(LABELS) or manifest.get("layers") != LAYERS:
            raise ModelError(f"cannot load the claim detector from {path}: it has another shape; retrain it")
        try:
            encoder = detector_encoder(path, minilm_folder(), LAYERS, int(manifest.get("max_tokens", MAX_TOKENS)))
        except (OSError, KeyError, ValueError, SafetensorError) as exc:
            raise ModelError(f"cannot load the claim detector from {path}: {exc}") from exc
        return cls(encoder, manifest)


def write_manifest(directory: str | Path, manifest: dict[str, Any]) -> Path:
    """Write a detector's manifest (``train claims`` adds the scores of the saved network to it)."""
    out = Path(directory)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


@loaded_once
def default_detector() -> ClaimDetector:
    """Return the shipped detector, loaded once per process."""
    return ClaimDetector.load(DEFAULT_MODEL)
