"""``twosource eval copies``: copy detection scored on the copies benchmark (``copybench``).

The benchmark's documents go, in a shuffled order (so that an excerpt comes before its original as often as after
it), through the same copy detection and cluster merging that ingest runs, over an in-memory store of fingerprints
and texts: precision and recall over the labelled pairs (two documents are called copies when they end in one
cluster), recall per kind of copy and per excerpt length, how often each kind of non-copy is called a copy, the
adjusted Rand index of the clusters against the gold ones, and documents per second.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..index.dedup import POSTINGS, clusters_to_join, content_hash, copy_text, find_copies
from ..outlets import name_key
from ..types import Progress
from .copybench import HALVES, NEGATIVE_KINDS, POSITIVE_KINDS, Benchmark, LabelledPair, build_benchmark
from .files import write_csv_rows
from .metrics import adjusted_rand_index

#: Excerpt lengths (words) and shares of the original that recall is broken down by.
WORD_BUCKETS = ((60, 100), (100, 200), (200, 400), (400, 10**9))
SHARE_BUCKETS = ((0.0, 0.15), (0.15, 0.30), (0.30, 0.61))


class MemoryCopyStore:
    """Fingerprints, texts and clusters in memory: the copy side of an index, as ``add_batch`` keeps it."""

    def __init__(self) -> None:
        self.postings: dict[int, list[int]] = defaultdict(list)
        self.texts: dict[int, tuple[str, str]] = {}
        self.cluster: dict[int, int] = {}
        self.members: dict[int, set[int]] = defaultdict(set)
        self.by_hash: dict[str, int] = {}

    def add(self, key: int, text: str, outlet: str = "") -> None:
        """Add text ``key`` (keys increase as texts arrive, like article ids) from the outlet keyed ``outlet``, and
        place it in its cluster."""
        digest = content_hash(text)
        if digest in self.by_hash:  # the same text again: counted as a duplicate, in its cluster
            self._place(key, self.cluster[self.by_hash[digest]])
            return
        copy = copy_text(text)
        found = find_copies(
            copy, lambda fingerprint: self.postings.get(fingerprint, [])[:POSTINGS], self._stored_texts, outlet
        )
        self.by_hash[digest] = key
        self.texts[key] = (text, outlet)
        for fingerprint in copy.fingerprints:
            self.postings[fingerprint].append(key)
        clusters = {self.cluster[i] for i in clusters_to_join(found)}
        target = min(clusters | {key})
        self._place(key, target)
        for cluster in clusters - {target}:
            for member in self.members.pop(cluster):
                self._place(member, target)

    def _place(self, key: int, cluster: int) -> None:
        self.cluster[key] = cluster
        self.members[cluster].add(key)

    def _stored_texts(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        return {i: self.texts[i] for i in ids if i in self.texts}


@dataclass(frozen=True)
class PairScores:
    positives: int
    negatives: int
    true_positives: int
    false_positives: int

    @property
    def precision(self) -> float:
        called = self.true_positives + self.false_positives
        return self.true_positives / called if called else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pairs": self.positives + self.negatives,
            "positives": self.positives,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


@dataclass(frozen=True)
class CopiesReport:
    documents: int
    rejected: int
    lost: int
    discarded: int
    unlabelled_pairs: int
    seconds: float  # in copy detection alone
    halves: dict[str, PairScores]  # "all", "dev", "test"
    recall_by_kind: dict[str, tuple[int, float]]  # kind -> (pairs, recall)
    recall_by_words: dict[str, tuple[int, float]]
    recall_by_share: dict[str, tuple[int, float]]
    false_copy_rate: dict[str, tuple[int, float]]  # negative kind -> (pairs, share called copies)
    same_event_precision: float
    ari: dict[str, float]  # "all", "dev", "test"

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        def table(values: dict[str, tuple[int, float]], name: str) -> dict[str, dict[str, float | int]]:
            return {k: {"pairs": n, name: round(v, 4)} for k, (n, v) in values.items()}

        return {
            **self.halves["all"].as_dict(),
            "same_event_precision": round(self.same_event_precision, 4),
            "ari": round(self.ari["all"], 4),
            "halves": {h: {**self.halves[h].as_dict(), "ari": round(self.ari[h], 4)} for h in HALVES},
            "recall_by_kind": table(self.recall_by_kind, "recall"),
            "recall_by_excerpt_words": table(self.recall_by_words, "recall"),
            "recall_by_excerpt_share": table(self.recall_by_share, "recall"),
            "false_copy_rate": table(self.false_copy_rate, "rate"),
            "documents": self.documents,
            "rejected_by_reader": self.rejected,
            "excerpts_lost_by_reader": self.lost,
            "pages_discarded": self.discarded,
            "unlabelled_natural_pairs": self.unlabelled_pairs,
            "documents_per_second": round(self.documents_per_second, 1),
        }


def evaluate_copies(
    data: str | Path,
    *,
    seed: int = 12,
    bases: int = 600,
    pairs_out: str | Path | None = None,
    progress: Progress | None = None,
) -> CopiesReport:
    """Build the benchmark from ``data`` and score copy detection on it."""
    step = progress or (lambda stage, done, total: None)
    bench = build_benchmark(data, seed=seed, bases=bases, progress=progress)
    order = list(range(len(bench.docs)))
    random.Random(seed).shuffle(order)
    store = MemoryCopyStore()
    seconds = 0.0
    for done, position in enumerate(order):
        if done % 200 == 0:
            step("detecting copies", done, len(order))
        start = time.perf_counter()
        article = bench.docs[position].article
        store.add(done, article.text, name_key(article.outlet or article.url))
        seconds += time.perf_counter() - start
    step("detecting copies", len(order), len(order))
    predicted = {bench.docs[position].id: store.cluster[key] for key, position in enumerate(order)}
    called = {
        (p.a, p.b): predicted[p.a] == predicted[p.b] for p in bench.pairs if p.a in predicted and p.b in predicted
    }
    if pairs_out:
        write_csv_rows(
            pairs_out,
            ["a", "b", "kind", "half", "gold_copy", "called_copy", "words", "share"],
            (
                [p.a, p.b, p.kind, p.half, int(p.copy), int(called[(p.a, p.b)]), p.words, p.share]
                for p in bench.pairs
                if (p.a, p.b) in called
            ),
        )
    return _score(bench, predicted, called, seconds)


def _score(
    bench: Benchmark, predicted: dict[str, int], called: dict[tuple[str, str], bool], seconds: float
) -> CopiesReport:
    pairs = [p for p in bench.pairs if (p.a, p.b) in called]

    def scores(chosen: list[LabelledPair]) -> PairScores:
        positives = [p for p in chosen if p.copy]
        negatives = [p for p in chosen if not p.copy]
        return PairScores(
            len(positives),
            len(negatives),
            sum(called[(p.a, p.b)] for p in positives),
            sum(called[(p.a, p.b)] for p in negatives),
        )

    def rate(chosen: list[LabelledPair]) -> tuple[int, float]:
        return len(chosen), (sum(called[(p.a, p.b)] for p in chosen) / len(chosen) if chosen else 0.0)

    excerpts = [p for p in pairs if p.kind.startswith("excerpt")]
    same_event = scores([p for p in pairs if p.copy or p.kind == "same-event"])
    return CopiesReport(
        documents=len(bench.docs),
        rejected=bench.rejected,
        lost=bench.lost,
        discarded=bench.discarded,
        unlabelled_pairs=bench.unlabelled,
        seconds=seconds,
        halves={"all": scores(pairs)} | {h: scores([p for p in pairs if p.half == h]) for h in HALVES},
        recall_by_kind={k: rate([p for p in pairs if p.kind == k]) for k in POSITIVE_KINDS},
        recall_by_words={
            f"{lo}-{hi - 1}" if hi < 10**9 else f"{lo}+": rate([p for p in excerpts if lo <= p.words < hi])
            for lo, hi in WORD_BUCKETS
        },
        recall_by_share={
            f"{lo:.0%}-{min(hi, 0.6):.0%}": rate([p for p in excerpts if lo <= p.share < hi])
            for lo, hi in SHARE_BUCKETS
        },
        false_copy_rate={k: rate([p for p in pairs if p.kind == k]) for k in NEGATIVE_KINDS},
        same_event_precision=same_event.precision,
        ari={"all": _ari(bench, predicted, None)} | {h: _ari(bench, predicted, h) for h in HALVES},
    )


def _ari(bench: Benchmark, predicted: dict[str, int], half: str | None) -> float:
    ids = [d.id for d in bench.docs if d.id in bench.gold and d.id in predicted and (half is None or d.half == half)]
    return adjusted_rand_index([bench.gold[i] for i in ids], [predicted[i] for i in ids])
