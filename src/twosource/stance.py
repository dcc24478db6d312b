"""The stance stage: does a passage support, refute or merely discuss a claim?

A first, rule-based version (the stance issue replaces the text part with a trained model). Figures are
compared explicitly: a passage stating the same kind of figure, about the same thing and on the same
scale, within tolerance supports the claim; outside it, it refutes it; both figures travel to the report.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .claims.quantities import comparable, find_quantities
from .dates import days_between
from .sentences import split_sentences
from .types import Claim, ClaimKind, NumericComparison, Passage, Quantity, Stance

#: Relative difference within which two figures agree; doubled when either side is approximate.
TOLERANCE = 0.10
#: Evidence more than this far in time from the article reports another moment: it discusses, it does not
#: confirm; and tallies (deaths, refugees) that grow over time are only held against each other inside it.
WINDOW_DAYS = 120
_TALLIES = frozenset({"deaths", "injured", "displaced", "refugees", "detained", "casualties"})
#: Cosine similarity (all-MiniLM-L6-v2) bands, set by reading FA-KES passages against the seed's claims.
UNRELATED_BELOW = 0.35
SUPPORTS_FROM = 0.62
_DENIAL = re.compile(
    r"\b(denied|denies|deny|false|fake|untrue|no evidence|rejected|refuted|dismissed|not true|fabricated|hoax|"
    r"debunked|baseless|groundless)\b",
    re.I,
)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "for",
        "from",
        "by",
        "with",
        "that",
        "this",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "be",
        "been",
        "it",
        "its",
        "their",
        "his",
        "her",
        "as",
        "than",
        "more",
        "most",
    ]
)

StanceResult = tuple[Stance, float, NumericComparison | None, str]


def judge_stance(claim: Claim, passage: Passage, similarity: float, *, claim_date: str | None = None) -> StanceResult:
    """Return (stance, score, numeric comparison, reason) for one claim–passage pair.

    ``similarity`` is the cosine between the claim and passage embeddings.
    """
    overlap = _entity_overlap(claim, passage.text)
    if similarity < UNRELATED_BELOW and overlap < 0.5:
        return Stance.UNRELATED, round(1 - similarity, 3), None, "little in common with the claim"
    gap = days_between(claim_date, passage.published)
    numeric = compare_figures(claim, passage, gap)
    if numeric is not None:
        if numeric.note:
            return Stance.DISCUSSES, round(similarity, 3), numeric, numeric.note
        stance = Stance.SUPPORTS if numeric.agrees else Stance.REFUTES
        verb = "agree" if numeric.agrees else "differ"
        reason = f"figures {verb}: {numeric.claim_figure} vs {numeric.evidence_figure} ({numeric.kind})"
        return stance, round(max(similarity, 0.5), 3), numeric, reason
    if similarity >= SUPPORTS_FROM and (denial := _denial(claim, passage.text)):
        return Stance.REFUTES, round(similarity, 3), None, f"denies it: “{denial}”"
    if similarity >= SUPPORTS_FROM and (overlap >= 0.5 or not claim.entities):
        if claim.kind is ClaimKind.QUOTE and not _mentions(passage.text, claim.speaker):
            return Stance.DISCUSSES, round(similarity, 3), None, "on the same subject, but does not quote the speaker"
        if gap is not None and gap > WINDOW_DAYS:
            return Stance.DISCUSSES, round(similarity, 3), None, f"similar, but from {round(gap / 30)} months apart"
        return Stance.SUPPORTS, round(similarity, 3), None, "states the same thing"
    return Stance.DISCUSSES, round(similarity, 3), None, "on the same subject"


def compare_figures(claim: Claim, passage: Passage, gap_days: int | None = None) -> NumericComparison | None:
    """Return the comparison of a claim's figure with the closest comparable figure in the passage, if any."""
    stated = [q for q in claim.quantities if not q.derived and q.kind != "count"]
    if not stated:
        return None
    best: NumericComparison | None = None
    for q in stated:
        q_context = _context(claim.text, q)
        for e in find_quantities(passage.text):
            if not comparable(q, e):
                continue
            # A percentage compares only with a percentage of the same thing ("of the missile arsenal").
            if q.kind == "percent" and not (q_context & _context(passage.text, e)):
                continue
            comparison = _compare(q, e)
            if best is None or comparison.relative_difference < best.relative_difference:
                best = comparison
    if (
        best is not None
        and not best.agrees
        and best.kind in _TALLIES
        and gap_days is not None
        and gap_days > WINDOW_DAYS
    ):
        note = f"figures differ, but {round(gap_days / 30)} months apart, and tallies change over time"
        best = replace(best, note=note)
    return best


def _compare(claim: Quantity, evidence: Quantity) -> NumericComparison:
    tolerance = TOLERANCE * (2 if "approx" in (claim.bound, evidence.bound) else 1)
    a, b = claim.value, evidence.value
    difference = abs(a - b) / max(abs(a), abs(b), 1e-9)
    if claim.bound == "min":  # "more than 80 percent": any figure at or above it agrees
        agrees = b >= a * (1 - tolerance)
    elif claim.bound == "max":
        agrees = b <= a * (1 + tolerance)
    else:
        agrees = difference <= tolerance
    return NumericComparison(
        kind=claim.kind,
        claim_figure=claim.text,
        evidence_figure=evidence.text,
        claim_value=a,
        evidence_value=b,
        agrees=agrees,
        relative_difference=round(difference, 4),
        tolerance=tolerance,
    )


def _context(text: str, q: Quantity) -> set[str]:
    at = text.find(q.text)
    after = text[at + len(q.text) : at + len(q.text) + 60] if at >= 0 else ""
    return {w for w in re.findall(r"[a-z]+", after.lower())[:6] if w not in _STOP and len(w) > 2}


def _denial(claim: Claim, text: str) -> str:
    # A denial counts only in a sentence that is about the claim (shares three content words with it).
    if _DENIAL.search(claim.text):
        return ""
    claim_words = _content_words(claim.text)
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if _DENIAL.search(sentence) and len(claim_words & _content_words(sentence)) >= 3:
            return sentence
    return ""


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 3}


def _mentions(text: str, name: str) -> bool:
    return bool(name) and name.split()[-1].lower() in text.lower()


def _entity_overlap(claim: Claim, text: str) -> float:
    names = {e.normalized for e in claim.entities if e.label != "NORP"}
    if not names:
        return 0.0
    return sum(_mentions(text, n) for n in names) / len(names)
