"""WiCE support benchmark: does the page a Wikipedia claim cites support all of it, part of it, or none of it?

Each claim is checked as ``check`` checks one: the claims stage reads it, the page's sentences are the only
candidate passages (ranked as the retrieve stage ranks them, by the claim's embedding and its words), the stance
stage judges the best of them, and the claim-level label follows from the stances: supported when a passage
supports it and none refutes it, partially supported when passages discuss it or support it while another
refutes it, not supported when none is even on its subject. Scored with accuracy, macro-F1, per-class
precision/recall/F1, the precision of "supported" and how often a not-supported claim is called supported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FormatError
from ..types import Article, Claim, ClaimKind, Passage, Progress, Stance
from ..words import content_words
from .files import write_csv_rows
from .metrics import ClassScores, class_scores

LABELS = ("supported", "partially_supported", "not_supported")
#: Page sentences the stance stage reads for each claim (the claim's nearest by embedding and shared words).
PASSAGES_READ = 5
_META = "(meta data)"  # WiCE's lines of page metadata (title, date) before the page's sentences


@dataclass(frozen=True)
class WiceClaim:
    id: str
    claim: str
    sentences: tuple[str, ...]
    label: str | None  # None when the file is unlabelled: predictions only
    page_title: str


@dataclass(frozen=True)
class SupportJudgement:
    label: str
    supported: float  # the probability that the page supports the whole claim


@dataclass(frozen=True)
class SupportScores(ClassScores):
    claims: int = 0
    supported_precision: float = 0.0
    false_support_rate: float = 0.0  # share of not-supported claims called supported

    def as_dict(self) -> dict[str, object]:
        return {
            "claims": self.claims,
            **super().as_dict(),
            "supported_precision": round(self.supported_precision, 4),
            "false_support_rate": round(self.false_support_rate, 4),
        }


def load_wice(path: str | Path) -> list[WiceClaim]:
    """Return the claims of a WiCE claim-level file (``dev.jsonl``'s format)."""
    return list(_rows(Path(path)))


def _rows(path: Path) -> Iterator[WiceClaim]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(str(path), f"cannot read it ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            claim = WiceClaim(
                id=str(row["meta"]["id"]),
                claim=str(row["claim"]),
                sentences=tuple(str(s) for s in row["evidence"]),
                label=row.get("label"),
                page_title=str(row["meta"].get("claim_title", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise FormatError(f"{path}:{number}", "not a WiCE claim row (claim, evidence, meta.id)") from exc
        if claim.label is not None and claim.label not in LABELS:
            raise FormatError(f"{path}:{number}", f"unknown label {claim.label!r}")
        yield claim


def as_claim(text: str) -> Claim:
    """Return ``text`` as the claims stage reads it (one sentence; typed as an event when it finds no verb)."""
    from ..claims import find_claims

    found = find_claims(Article(text=text))
    if found:
        return max(found, key=lambda c: c.end - c.start)
    return Claim(text=text, start=0, end=len(text), kind=ClaimKind.EVENT, checkworthy=True, score=1.0)


def page_passages(item: WiceClaim) -> list[Passage]:
    """The cited page's sentences as passages of one article (its metadata lines left out)."""
    return [
        Passage(1, i, outlet="", published=None, title=item.page_title, url="", text=s, cluster_id=1)
        for i, s in enumerate(item.sentences)
        if s.strip() and not s.startswith(_META)
    ]


def judge_support(item: WiceClaim) -> SupportJudgement:
    """Return what the stages make of the claim against its cited page."""
    from ..models import embed
    from ..stance import judge_stances

    claim = as_claim(item.claim)
    passages = page_passages(item)
    if not passages:
        return SupportJudgement("not_supported", 0.0)
    vectors = embed([claim.text, *(p.text for p in passages)])
    chosen = _nearest(claim, passages, vectors[1:] @ vectors[0])
    results = judge_stances(claim, vectors[0], [passages[i] for i in chosen], vectors[1:][chosen])
    stances = [stance for stance, *_ in results]
    supports = [score for (stance, score, *_rest) in results if stance is Stance.SUPPORTS]
    if supports and Stance.REFUTES not in stances:
        return SupportJudgement("supported", max(supports))
    if supports or Stance.DISCUSSES in stances:
        return SupportJudgement("partially_supported", max(supports, default=0.0) / 2)
    return SupportJudgement("not_supported", 0.0)


def _nearest(claim: Claim, passages: list[Passage], cosines: np.ndarray) -> list[int]:
    # The retrieve stage's two signals on one page: meaning (cosine) and the claim's words a sentence holds.
    wanted = set(content_words(claim.text))
    held = np.array([len(wanted & set(content_words(p.text))) / len(wanted) if wanted else 0.0 for p in passages])
    order = np.argsort(-(cosines + held), kind="stable")
    return [int(i) for i in order[:PASSAGES_READ]]


def score_support(gold: list[str], predicted: list[str]) -> SupportScores:
    c = class_scores(gold, predicted, LABELS)
    unsupported = [p for g, p in zip(gold, predicted, strict=True) if g == "not_supported"]
    return SupportScores(
        c.precision,
        c.recall,
        c.f1,
        c.confusion,
        c.accuracy,
        claims=len(gold),
        supported_precision=c.precision["supported"],
        false_support_rate=unsupported.count("supported") / len(unsupported) if unsupported else 0.0,
    )


def evaluate_support(
    path: str | Path, *, predictions_out: str | Path | None = None, progress: Progress | None = None
) -> SupportScores | None:
    """Judge every claim of a WiCE file; return its scores (None when the file has no labels)."""
    step = progress or (lambda stage, done, total: None)
    items = load_wice(path)
    judgements = []
    for done, item in enumerate(items):
        if done % 10 == 0:
            step("judging claims", done, len(items))
        judgements.append(judge_support(item))
    step("judging claims", len(items), len(items))
    if predictions_out:
        write_csv_rows(
            predictions_out,
            ["id", "label", "score"],
            ([item.id, j.label, round(j.supported, 4)] for item, j in zip(items, judgements, strict=True)),
        )
    if any(item.label is None for item in items):
        return None
    return score_support([item.label or "" for item in items], [j.label for j in judgements])
