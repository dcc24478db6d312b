"""Measure what puts multilingual-e5-small's cosines on MiniLM's scale (``retrieve.CROSSLINGUAL_*``; not a test).

1. The line: FNC-1 headlines and a random passage of their body (the first half of the train headlines, the half
   the fusion weights were swept on), embedded by both models; MiniLM's cosine fitted against e5's.
2. The gap: for Tatoeba's public halves, how much further a sentence's translation lies from it (English as a
   query, the translation as a passage) than the sentence itself does.

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
from twosource.index.passages import split_passages
from twosource.models import embed, embed_crosslingual

LANGUAGES = ("ara", "fra", "rus", "tur", "pes", "spa", "deu", "ita", "cmn", "heb", "ukr")


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
    e5 = (embed_crosslingual(headlines, query=True) * embed_crosslingual(passages, query=False)).sum(axis=1)
    scale, shift = np.polyfit(e5, minilm, 1)
    print(f"MiniLM = {scale:.3f} × e5 {shift:+.3f}  (correlation {np.corrcoef(e5, minilm)[0, 1]:.2f}, {pairs} pairs)")
    for stance in ("unrelated", "discuss", "agree", "disagree"):
        rows_of = [i for i, row in enumerate(chosen) if row["Stance"] == stance]
        if rows_of:
            print(
                f"  {stance:9} MiniLM {minilm[rows_of].mean():.3f}  rescaled e5 "
                f"{(scale * e5[rows_of] + shift).mean():.3f}  ({len(rows_of)})"
            )


def language_gap(sentences: int) -> None:
    gaps = []
    for language in LANGUAGES:
        folder = DATA / "tatoeba"
        english = (folder / f"tatoeba.{language}-eng.eng").read_text(encoding="utf-8").splitlines()[:sentences]
        other = (folder / f"tatoeba.{language}-eng.{language}").read_text(encoding="utf-8").splitlines()[:sentences]
        query = embed_crosslingual(english, query=True)
        itself = (query * embed_crosslingual(english, query=False)).sum(axis=1)
        translated = (query * embed_crosslingual(other, query=False)).sum(axis=1)
        gaps.append(float((itself - translated).mean()))
        print(f"  {language}: gap {gaps[-1]:.3f}", flush=True)
    print(f"gap, mean over {len(LANGUAGES)} languages: {np.mean(gaps):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=700)
    parser.add_argument("--sentences", type=int, default=200)
    args = parser.parse_args()
    fitted_line(args.pairs)
    language_gap(args.sentences)


if __name__ == "__main__":
    main()
