"""The stance model's boosted trees, predicted with numpy from LightGBM's text format: LightGBM trains them, and
the runtime reads them without importing it (its import pulls scikit-learn and SciPy, seconds of a cold check).

Numerical splits only, as twosource's features are: a value goes left when it is at most the threshold; a missing
value (NaN) counts as 0 unless the split keeps missing values apart, and then goes where the split says. A
multiclass model's raw scores, one tree per class per round, go through a softmax, as LightGBM's ``predict`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ModelError

_ZERO = 1e-35  # LightGBM's kZeroThreshold: values this close to 0 are 0 for a split on zero-as-missing
_DEFAULT_LEFT, _CATEGORICAL = 2, 1
_MISSING_ZERO, _MISSING_NAN = 1, 2


@dataclass(frozen=True)
class Forest:
    """Every tree of a model in padded arrays, trees by rows; a child below 0 is the leaf ``~child``."""

    num_class: int
    feature: np.ndarray  # [trees, nodes] the feature each split reads
    threshold: np.ndarray  # [trees, nodes]
    default_left: np.ndarray  # [trees, nodes] where a missing value goes
    missing: np.ndarray  # [trees, nodes] 0 none, 1 zero, 2 NaN
    left: np.ndarray  # [trees, nodes]
    right: np.ndarray  # [trees, nodes]
    leaf_value: np.ndarray  # [trees, leaves]
    start: np.ndarray  # [trees] the root: 0, or ~0 for a tree that is one leaf

    @classmethod
    def from_text(cls, text: str) -> Forest:
        """Read a model written by LightGBM's ``model_to_string``."""
        header, _, body = text.partition("\nTree=")
        fields = dict(line.split("=", 1) for line in header.splitlines() if "=" in line)
        trees = [_tree_fields(block) for block in ("Tree=" + body).split("\nTree=") if block.strip()]
        trees = [t for t in trees if "leaf_value" in t]  # the blocks after the last tree are not trees
        if not trees:
            raise ModelError("the booster holds no trees")
        nodes = max(len(t.get("split_feature", [])) for t in trees) or 1
        leaves = max(len(t["leaf_value"]) for t in trees)
        shape = (len(trees), nodes)
        arrays = {name: np.zeros(shape, dtype) for name, dtype in _NODE_ARRAYS}
        leaf_value = np.zeros((len(trees), leaves), np.float64)
        for row, tree in enumerate(trees):
            decision = np.array(tree.get("decision_type", []), np.int64)
            if (decision & _CATEGORICAL).any():
                raise ModelError("the booster has categorical splits, which twosource's features never need")
            n = len(decision)
            arrays["feature"][row, :n] = tree.get("split_feature", [])
            arrays["threshold"][row, :n] = tree.get("threshold", [])
            arrays["default_left"][row, :n] = (decision & _DEFAULT_LEFT) > 0
            arrays["missing"][row, :n] = (decision >> 2) & 3
            arrays["left"][row, :n] = tree.get("left_child", [])
            arrays["right"][row, :n] = tree.get("right_child", [])
            leaf_value[row, : len(tree["leaf_value"])] = tree["leaf_value"]
        start = np.array([0 if len(t.get("split_feature", [])) else ~0 for t in trees], np.int64)
        return cls(int(fields.get("num_tree_per_iteration", 1)), leaf_value=leaf_value, start=start, **arrays)

    def raw_scores(self, features: np.ndarray) -> np.ndarray:
        """Each row's summed leaf values per class: [rows, classes]."""
        x = np.asarray(features, dtype=np.float64)
        rows, trees = x.shape[0], len(self.start)
        width = self.feature.shape[1]
        # Every (row, tree) walks down together, one level a step; flat indices keep each gather one-dimensional.
        node = np.tile(self.start, rows)
        base = np.tile(np.arange(trees) * width, rows)
        offset = np.repeat(np.arange(rows) * x.shape[1], trees)
        flat_x = x.ravel()
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        missing, default_left = self.missing.ravel(), self.default_left.ravel()
        left, right = self.left.ravel(), self.right.ravel()
        walking = np.flatnonzero(node >= 0)
        while walking.size:
            at = base[walking] + node[walking]
            value = flat_x[offset[walking] + feature[at]]
            kind = missing[at]
            value = np.where(np.isnan(value) & (kind != _MISSING_NAN), 0.0, value)
            is_missing = ((kind == _MISSING_ZERO) & (np.abs(value) <= _ZERO)) | (
                (kind == _MISSING_NAN) & np.isnan(value)
            )
            go_left = np.where(is_missing, default_left[at], value <= threshold[at])
            node[walking] = np.where(go_left, left[at], right[at])
            walking = walking[node[walking] >= 0]
        leaves = np.tile(np.arange(trees) * self.leaf_value.shape[1], rows) + ~node
        return self.leaf_value.ravel()[leaves].reshape(rows, -1, self.num_class).sum(axis=1)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """The class probabilities: the softmax of the raw scores (a multiclass model's ``predict``)."""
        scores = self.raw_scores(features)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


_NODE_ARRAYS = (
    ("feature", np.int64),
    ("threshold", np.float64),
    ("default_left", bool),
    ("missing", np.int64),
    ("left", np.int64),
    ("right", np.int64),
)
_NUMBERS = {"split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value"}


def _tree_fields(block: str) -> dict[str, list[float]]:
    fields: dict[str, list[float]] = {}
    for line in block.splitlines():
        name, _, value = line.partition("=")
        if name in _NUMBERS:
            fields[name] = [float(v) for v in value.split()]
    return fields
