"""Measure what puts multilingual-e5-small's cosines on MiniLM's scale (``retrieve.CROSSLINGUAL_*``; not a test).

e5's embeddings are taken, as retrieval takes them, less their language's centre (``twosource.centres``).

1. The line: FNC-1 headlines and a random passage of their body (the first half of the train headlines, the half
   the fusion weights were swept on), embedded by both models; MiniLM's cosine fitted against e5's.
2. The gain: for Tatoeba's public halves, how many times closer a sentence lies to itself than to its translation
   (English as a query; the sentence and its translation as passages). Centred, unrelated sentences lie near 0
   in either language, so the change of language scales a similarity rather than shifting it.

    .venv/bin/python bench/crosslingual_scale.py [--pairs 700] [--sentences 200]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import DATA, FNC1
from twosource.centres import QUERY, TATOEBA, centre
from twosource.index.passages import split_passages
from twosource.models import embed, embed_crosslingual


def queries(texts: list[str]) -> np.ndarray:
    return centre(embed_crosslingual(texts, query=True), QUERY)


def passages_in(language: str, texts: list[str]) -> np.ndarray:
    return centre(embed_crosslingual(texts, query=False), language)


def fitted_line(pairs: int) -> None:
    with open(FNC1 / "train_bodies.csv", encoding="utf-8", newline="") as f:
        bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(f)}
    with open(FNC1 / "train_stances.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows = rows[: len(rows) // 2]
    chosen = random.Random(0).sample(rows, pairs)
    headlines, passages = [], []
    for row in chosen:
        body = bodies[row["Body ID"]]
        start, end = random.Random(row["Headline"]).choice(split_passages(body) or [(0, len(body))])
        headlines.append(row["Headline"])
        passages.append(body[start:end])
    minilm = (embed(headlines) * embed(passages)).sum(axis=1)
    e5 = (queries(headlines) * passages_in("en", passages)).sum(axis=1)
    scale, shift = np.polyfit(e5, minilm, 1)
    print(f"MiniLM = {scale:.3f} × e5 {shift:+.3f}  (correlation {np.corrcoef(e5, minilm)[0, 1]:.2f}, {pairs} pairs)")
    for stance in ("unrelated", "discuss", "agree", "disagree"):
        rows_of = [i for i, row in enumerate(chosen) if row["Stance"] == stance]
        if rows_of:
            print(
                f"  {stance:9} MiniLM {minilm[rows_of].mean():.3f}  rescaled e5 "
                f"{(scale * e5[rows_of] + shift).mean():.3f}  ({len(rows_of)})"
            )


def language_gain(sentences: int) -> None:
    gains = []
    for code, language in TATOEBA.items():
        folder = DATA / "tatoeba"
        english = (folder / f"tatoeba.{code}-eng.eng").read_text(encoding="utf-8").splitlines()[:sentences]
        other = (folder / f"tatoeba.{code}-eng.{code}").read_text(encoding="utf-8").splitlines()[:sentences]
        query, as_passages, translations = queries(english), passages_in("en", english), passages_in(language, other)
        itself = (query * as_passages).sum(axis=1).mean()
        translated = (query * translations).sum(axis=1).mean()
        # Another sentence, in English or in the language: what a change of language costs unrelated text.
        unrelated = (query * np.roll(as_passages, 7, axis=0)).sum(axis=1).mean()
        unrelated_translated = (query * np.roll(translations, 7, axis=0)).sum(axis=1).mean()
        gains.append(float(itself / translated))
        print(
            f"  {code}: itself {itself:.3f}, translated {translated:.3f} (gain {gains[-1]:.3f}); "
            f"another sentence {unrelated:.3f}, translated {unrelated_translated:.3f}",
            flush=True,
        )
    print(f"gain, mean over {len(TATOEBA)} languages: {np.mean(gains):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=700)
    parser.add_argument("--sentences", type=int, default=200)
    args = parser.parse_args()
    fitted_line(args.pairs)
    language_gain(args.sentences)


if __name__ == "__main__":
    main()
