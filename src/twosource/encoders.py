"""The BERT encoders twosource runs (MiniLM's sentence embedder, the claim detector) on ONNX Runtime, without torch.

Both models are BERT encoders that are mean-pooled over their word pieces; they differ only in depth and in
what follows the pooling (L2 normalisation for embeddings, a linear layer and softmax for the detector). Their
ONNX graphs are written by ``bertgraph`` from the safetensors weights at first use, then kept in the user's cache
(building one, onnx's import included, takes about a second; loading a kept one, a quarter of that).
Tokenisation uses the ``tokenizers`` library with the same truncation as the torch path; padding is per batch,
with batches sorted by length so little padding is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from .settings import cache_dir, model_threads

if TYPE_CHECKING:
    import onnx


def session(model: bytes | Path) -> ort.InferenceSession:
    """Return a CPU session for a serialised graph or a graph file (one thread per physical core within each op;
    its ``run`` may be called from several threads at once)."""
    options = ort.SessionOptions()
    options.inter_op_num_threads = 1  # the graph is one chain: nothing to run side by side
    options.intra_op_num_threads = model_threads()  # 0: one per core
    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def kept_session(name: str, inputs: Sequence[Path], build: Callable[[], onnx.ModelProto]) -> ort.InferenceSession:
    """Return a session for the graph ``build`` writes from the files ``inputs``: loaded from the cache when it
    was built before from the same files by the same code, else built and kept (best effort: a cache that
    cannot be written only costs the next process a build)."""
    folder = cache_dir() / "graphs"
    key = hashlib.sha256(Path(__file__).with_name("bertgraph.py").read_bytes())
    for path in inputs:
        stat = path.stat()
        key.update(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    kept = folder / f"{name}-{key.hexdigest()[:20]}.onnx"
    if kept.is_file():
        try:
            return session(kept)
        except Exception:  # ONNX Runtime's errors derive from Exception alone; a damaged file is built again
            pass
    graph = build().SerializeToString()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}-", delete=False) as out:
            out.write(graph)
        os.replace(out.name, kept)  # whole or not at all, whoever else is writing it
        for stale in folder.glob(f"{name}-*.onnx"):  # built from older files or code
            if stale != kept:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
    return session(graph)


def tokenizer(minilm: str | Path, max_tokens: int) -> Tokenizer:
    """Return MiniLM's tokenizer cutting at ``max_tokens`` word pieces, unpadded (batches pad themselves).

    tokenizer.json itself truncates and pads to 128, which neither torch path does: sentence-transformers cuts
    at ``max_seq_length`` (256) and the detector at its manifest's ``max_tokens`` (64).
    """
    tok = Tokenizer.from_file(str(Path(minilm) / "tokenizer.json"))
    tok.enable_truncation(max_tokens)
    tok.no_padding()
    return tok


class OnnxEncoder:
    """A session of a ``bertgraph`` graph and its tokenizer; ``run`` returns one output row per text, in order."""

    def __init__(self, graph: ort.InferenceSession, tok: Tokenizer, batch: int) -> None:
        self.session = graph
        self.tokenizer = tok
        self.batch = batch
        out = self.session.get_outputs()[0]
        self._output, self._width = out.name, int(out.shape[-1])

    def run(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 outputs, batched by token length so that each batch pads to few extra pieces."""
        out = np.zeros((len(texts), self._width), dtype=np.float32)
        if not texts:
            return out
        encoded = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), self.batch):
            batch = order[start : start + self.batch]
            ids, mask = pad_batch([encoded[i] for i in batch])
            out[batch] = self.session.run([self._output], {"input_ids": ids, "attention_mask": mask})[0]
        return out


def sentence_encoder(minilm: str | Path) -> OnnxEncoder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it: cut at its ``max_seq_length``, batches of 64."""
    folder = Path(minilm)
    st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))

    def build() -> onnx.ModelProto:
        from .bertgraph import minilm_graph

        return minilm_graph(folder)

    graph = kept_session("minilm", [folder / "config.json", folder / "model.safetensors"], build)
    return OnnxEncoder(graph, tokenizer(folder, int(st_config["max_seq_length"])), batch=64)


def detector_encoder(artifact: str | Path, minilm: str | Path, layers: int, max_tokens: int) -> OnnxEncoder:
    """The claim detector in ``artifact`` over MiniLM's word embeddings: cut at ``max_tokens``, batches of 32
    (sorted by length, 32 pads little and keeps throughput)."""

    def build() -> onnx.ModelProto:
        from .bertgraph import detector_graph

        return detector_graph(artifact, minilm, layers)

    inputs = [Path(artifact) / "network.safetensors", Path(minilm) / "config.json", Path(minilm) / "model.safetensors"]
    graph = kept_session(f"detector{layers}", inputs, build)
    return OnnxEncoder(graph, tokenizer(minilm, max_tokens), batch=32)


def pad_batch(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Word-piece ids padded with 0 to the longest row, and the attention mask (int64, [rows, longest])."""
    width = max(len(r) for r in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return ids, mask
