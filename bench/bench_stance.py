"""Benchmark: stance model throughput, printed as figures (not a test).

Claim–passage pairs as ``check`` makes them: an FNC-1 headline (held-out bodies) as the claim, the body's
70-word passage closest to it as the evidence, both embeddings given (the index holds them), judged 20 per
call like one claim's candidates. Reported against a baseline measured in the same run: embedding the same
passages with all-MiniLM-L6-v2, what ingest pays for each passage anyway. Also FNC-1's own task: headline
against the whole body.

    .venv/bin/python bench/bench_stance.py [PAIRS]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from twosource.evaluate.files import read_csv_rows
from twosource.index.passages import split_passages
from twosource.models import embed
from twosource.stance import judge_stances
from twosource.stance.model import default_model, held_out, text_pairs
from twosource.types import Claim, ClaimKind, Passage

FNC1 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fnc1"
PER_CALL = 20


def main(pair_count: int) -> None:
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}")
    bodies = {
        b["Body ID"]: b["articleBody"]
        for b in read_csv_rows(FNC1 / "train_bodies.csv", ("Body ID", "articleBody"))
        if held_out(b["Body ID"])
    }
    stances = [s for s in read_csv_rows(FNC1 / "train_stances.csv", ("Headline", "Body ID")) if s["Body ID"] in bodies][
        :pair_count
    ]
    model = default_model()
    embed(["warm up"])

    headlines = list(dict.fromkeys(s["Headline"] for s in stances))
    headline_vectors = dict(zip(headlines, embed(headlines), strict=True))
    passages_of = {b: [bodies[b][s:e] for s, e in split_passages(bodies[b])] or [bodies[b]] for b in bodies}
    chosen = [(s["Headline"], passages_of[s["Body ID"]]) for s in stances]
    all_passages = list(dict.fromkeys(t for _, texts in chosen for t in texts))
    start = time.perf_counter()
    vectors = dict(zip(all_passages, embed(all_passages), strict=True))
    embed_rate = len(all_passages) / (time.perf_counter() - start)
    print(f"baseline: embedding {len(all_passages)} passages, {embed_rate:.0f} passages/s")

    pairs = []
    for headline, texts in chosen:
        cosines = np.array([vectors[t] @ headline_vectors[headline] for t in texts])
        pairs.append((headline, texts[int(cosines.argmax())]))
    start = time.perf_counter()
    for at in range(0, len(pairs), PER_CALL):
        batch = pairs[at : at + PER_CALL]
        for headline in dict.fromkeys(h for h, _ in batch):
            texts = [t for h, t in batch if h == headline]
            claim = Claim(headline, 0, len(headline), ClaimKind.EVENT, True, 1.0)
            passages = [Passage(0, 0, "", None, "", "", t, 0) for t in texts]
            judge_stances(
                claim, headline_vectors[headline], passages, np.array([vectors[t] for t in texts]), model=model
            )
    rate = len(pairs) / (time.perf_counter() - start)
    print(
        f"claim–passage pairs judged: {len(pairs)}, {rate:.0f} pairs/s"
        f" = {rate / embed_rate:.1f}× the embedding baseline"
    )

    used = len({s["Body ID"] for s in stances})
    start = time.perf_counter()
    analysed = text_pairs(bodies, [(s["Headline"], s["Body ID"]) for s in stances])
    prepared = time.perf_counter() - start
    start = time.perf_counter()
    model.predict(analysed)
    judged = time.perf_counter() - start
    print(
        f"FNC-1 headline–body pairs: {len(analysed)}; {len(analysed) / judged:.0f} pairs/s judging, "
        f"{len(analysed) / (prepared + judged):.0f} pairs/s including analysis and embedding of {used} bodies"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
