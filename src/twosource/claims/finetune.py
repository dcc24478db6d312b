"""Training the check-worthiness detector (``twosource train claims``): torch, for training only.

The network is MiniLM's first layers, mean-pooled over the sentence's word pieces, then a linear layer per class;
``detector.ClaimDetector`` runs what ``TrainedDetector.save`` writes, on ONNX Runtime.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ..encoders import pad_batch, tokenizer
from ..errors import ModelError
from ..models import EMBEDDER_NAME, minilm_folder
from ..types import Progress
from .detector import LABELS, LAYERS, MAX_TOKENS, write_manifest

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
_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


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
class TrainedDetector:
    """A network fresh from training, with its manifest."""

    network: _Network
    manifest: dict[str, Any] = field(default_factory=dict)

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
        return write_manifest(out, self.manifest)


def load_network(directory: str | Path) -> _Network:
    """The torch network of a saved detector (for comparing the runtime's outputs with torch's)."""
    from safetensors.torch import load_file

    path = Path(directory)
    state = {k: v.float() for k, v in load_file(str(path / "network.safetensors")).items()}
    network = _base_network()
    state[f"bert.{_WORD_EMBEDDINGS}"] = network.bert.embeddings.word_embeddings.weight.detach()
    missing, unexpected = network.load_state_dict(state, strict=False)
    if [k for k in missing if "position_ids" not in k] or unexpected:
        raise ModelError(f"the claim detector in {path} does not fit the network: {missing or unexpected}")
    return network.eval()


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
) -> TrainedDetector:
    """Fine-tune the network on labelled sentences (labels from ``LABELS``); return the detector."""
    step = progress or (lambda *_: None)
    settings = {**TRAINING, "epochs": epochs or TRAINING["epochs"]}
    torch.manual_seed(settings["seed"])
    started = time.monotonic()
    network = _base_network()
    network.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    y = torch.tensor([LABELS.index(label) for label in labels])
    encoded = [e.ids for e in tokenizer(minilm_folder(), MAX_TOKENS).encode_batch(list(sentences))]
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
            ids, mask = map(torch.from_numpy, pad_batch([encoded[i] for i in batch]))
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
    return TrainedDetector(network, manifest)
