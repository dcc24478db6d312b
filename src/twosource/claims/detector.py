"""The check-worthiness detector: the first three layers of all-MiniLM-L6-v2, fine-tuned on ClaimBuster.

It reads one sentence and returns the probabilities of ClaimBuster's three classes: non-factual (NFS),
unimportant factual (UFS) and check-worthy factual (CFS). ``twosource train claims`` trains it.

Why this shape (figures on held-out debates, in the project README): TF-IDF models of words and character
n-grams plateau near 0.66 CFS F1, and adding MiniLM features to them gains at most 0.02. Fine-tuning the whole
MiniLM reaches 0.72 but reads about 300 sentences/s on 2 cores. Its first three layers reach 0.73 (the
shipped model) and, in bfloat16 at prediction, read about 1,400 sentences/s (``bench/bench_claims.py``).

The word embeddings stay as MiniLM ships them: frozen in training and read from the installed package at
load. The artifact holds only the three layers and the head (safetensors, float16, no pickle).

Imports torch and transformers; ``twosource.claims`` imports this module only when it needs it.
"""

from __future__ import annotations

import copy
import json
import math
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import ModelError
from ..models import EMBEDDER_NAME, loaded_once, minilm_folder
from ..types import Progress

#: ClaimBuster's classes, in the order of the probability columns; Verdict values -1, 0 and 1.
LABELS = ("NFS", "UFS", "CFS")
#: The shipped detector (see its README for data, command and scores).
DEFAULT_MODEL = Path(__file__).parents[1] / "data" / "claims"
#: Debates held out from training for every reported figure: those whose File_id has CRC-32 ≡ 1 (mod 5).
HOLDOUT_REMAINDER = 1
LAYERS = 3
#: Longer sentences are cut: 64 word pieces hold 97.7 % of ClaimBuster's sentences and 99.6 % of BBC News's.
MAX_TOKENS = 64
#: Layers and learning rate were chosen on three held-in dev debates (a GPU sweep of 1–6 layers and rates
#: 3e-5–1e-4 over 4 epochs, where dev macro-F1 peaked after epoch 1 or 2); 2 epochs, the rate decayed to 0.
TRAINING: dict[str, Any] = {
    "epochs": 2,
    "learning_rate": 5e-5,
    "batch_size": 32,
    "warmup": 0.1,
    "weight_decay": 0.01,
    "dropout": 0.1,
    "seed": 0,
}
#: Sentences per forward pass, sorted by length: 32 pads little (the seed's 64 sentences take 0.08 s against
#: 0.14 s in one batch) and keeps throughput (1,300 debate sentences/s against 1,290 at 64).
_BATCH = 32
_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


def held_out(file_id: str) -> bool:
    """Return whether a ClaimBuster debate belongs to the fixed held-out fifth."""
    return zlib.crc32(file_id.encode()) % 5 == HOLDOUT_REMAINDER


class _Network(torch.nn.Module):
    """MiniLM's first layers, mean-pooled over the sentence's word pieces, then a linear layer per class."""

    def __init__(self, config: Any) -> None:
        from transformers import BertModel

        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = torch.nn.Dropout(TRAINING["dropout"])
        self.head = torch.nn.Linear(config.hidden_size, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))


@dataclass
class ClaimDetector:
    """The trained detector; ``predict_proba`` returns one row per sentence, columns in ``LABELS`` order."""

    network: _Network
    manifest: dict[str, Any] = field(default_factory=dict)
    _fast: Any = field(default=None, repr=False, compare=False)  # the network as it predicts, made on first use

    def predict_proba(self, sentences: Sequence[str]) -> np.ndarray:
        """Return the class probabilities of each sentence (batched by length, so little padding is read)."""
        out = np.zeros((len(sentences), len(LABELS)), dtype=np.float32)
        if not sentences:
            return out
        if self._fast is None:
            self._fast = _for_prediction(self.network)
        encoded = _tokenizer().encode_batch(list(sentences))
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
        with torch.inference_mode():
            for start in range(0, len(order), _BATCH):
                batch = order[start : start + _BATCH]
                ids, mask = _pad([encoded[i].ids for i in batch])
                out[batch] = torch.softmax(self._fast(ids, mask).float(), dim=-1).numpy()
        return out

    def save(self, directory: str | Path) -> Path:
        """Write the network less its word embeddings (float16 safetensors) and the manifest; return the folder."""
        from safetensors.torch import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        state = {
            k: v.detach().to(torch.float16).contiguous()
            for k, v in self.network.state_dict().items()
            if k != f"bert.{_WORD_EMBEDDINGS}" and v.is_floating_point()
        }
        save_file(state, str(out / "network.safetensors"))
        return self.save_manifest(out)

    def save_manifest(self, directory: str | Path) -> Path:
        """Write only the manifest (``train claims`` adds the scores of the saved network to it)."""
        out = Path(directory)
        (out / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path) -> ClaimDetector:
        """Load a detector written by ``save``; raise ModelError if it is missing, unreadable or mismatched."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        path = Path(directory)
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            state = {k: v.float() for k, v in load_file(str(path / "network.safetensors")).items()}
        except (OSError, ValueError, SafetensorError) as exc:
            raise ModelError(f"cannot load the claim detector from {path}: {exc}") from exc
        if manifest.get("labels") != list(LABELS) or manifest.get("layers") != LAYERS:
            raise ModelError(f"the claim detector in {path} has another shape; retrain it")
        network = _base_network()
        state[f"bert.{_WORD_EMBEDDINGS}"] = network.bert.embeddings.word_embeddings.weight.detach()
        missing, unexpected = network.load_state_dict(state, strict=False)
        if [k for k in missing if "position_ids" not in k] or unexpected:
            raise ModelError(f"the claim detector in {path} does not fit the network: {missing or unexpected}")
        return cls(network, manifest)


@loaded_once
def default_detector() -> ClaimDetector:
    """Return the shipped detector, loaded once per process."""
    return ClaimDetector.load(DEFAULT_MODEL)


def prediction_dtype() -> torch.dtype:
    """Return bfloat16 where the CPU computes it natively (AMX, AVX-512 BF16), else float32.

    bfloat16 reads 2.6 times as many sentences per second here and moves probabilities by under 0.01;
    elsewhere emulated bfloat16 would be slower than float32. (PyTorch's int8 dynamic quantisation was as fast
    but moved probabilities by up to 0.35, and by up to 0.2 with the other sentences in the batch, since it
    scales activations per batch.)
    """
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")  # private, so absent means no
    native = any(getattr(torch.cpu, name, lambda: False)() for name in checks)
    return torch.bfloat16 if native else torch.float32


def _for_prediction(network: _Network) -> torch.nn.Module:
    dtype = prediction_dtype()
    return (copy.deepcopy(network).to(dtype) if dtype != torch.float32 else network).eval()


@loaded_once
def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_folder() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def _pad(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def _base_network() -> _Network:
    """Return the network with MiniLM's weights in its first layers and a fresh head."""
    from safetensors.torch import load_file
    from transformers import BertConfig
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    folder = minilm_folder()
    network = _Network(BertConfig.from_pretrained(str(folder), num_hidden_layers=LAYERS))
    weights = load_file(str(folder / "model.safetensors"))
    missing, _ = network.bert.load_state_dict(weights, strict=False)  # layers past LAYERS and the pooler go unused
    if [k for k in missing if "position_ids" not in k]:
        raise ModelError(f"the MiniLM weights in {folder} do not fit: {missing}")
    return network


def train_detector(
    sentences: Sequence[str], labels: Sequence[str], *, epochs: int | None = None, progress: Progress | None = None
) -> ClaimDetector:
    """Fine-tune the network on labelled sentences (labels from ``LABELS``); return the detector."""
    step = progress or (lambda *_: None)
    settings = {**TRAINING, "epochs": epochs or TRAINING["epochs"]}
    torch.manual_seed(settings["seed"])
    started = time.monotonic()
    network = _base_network()
    network.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    y = torch.tensor([LABELS.index(label) for label in labels])
    encoded = [e.ids for e in _tokenizer().encode_batch(list(sentences))]
    trainable = [p for p in network.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings["learning_rate"], weight_decay=settings["weight_decay"])
    batches_per_epoch = math.ceil(len(encoded) / settings["batch_size"])
    total = settings["epochs"] * batches_per_epoch
    warmup = max(1, int(settings["warmup"] * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    loss_of = torch.nn.CrossEntropyLoss()
    network.train()
    done = 0
    for epoch in range(1, settings["epochs"] + 1):
        order = torch.randperm(len(encoded)).tolist()
        for start in range(0, len(order), settings["batch_size"]):
            batch = order[start : start + settings["batch_size"]]
            ids, mask = _pad([encoded[i] for i in batch])
            loss = loss_of(network(ids, mask), y[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            done += 1
            if done % 50 == 0 or done == total:
                step(f"fine-tuning, epoch {epoch} of {settings['epochs']}", done, total)
    network.eval()
    manifest = {
        "model": "twosource claim detector",
        "labels": list(LABELS),
        "base": EMBEDDER_NAME,
        "layers": LAYERS,
        "max_tokens": MAX_TOKENS,
        "training": settings,
        "training_sentences": len(encoded),
        "label_counts": {label: int((y == i).sum()) for i, label in enumerate(LABELS)},
        "training_seconds": round(time.monotonic() - started, 1),
    }
    return ClaimDetector(network, manifest)
