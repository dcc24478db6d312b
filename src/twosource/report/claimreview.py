"""schema.org ClaimReview JSON-LD, one review per checked claim (https://schema.org/ClaimReview)."""

from __future__ import annotations

from typing import Any

from ..types import ClaimVerdict, Report, Verdict
from .labels import VERDICT_LABELS

# 1 (worst) to 5 (best): how well independent sources bear the claim out.
_RATING = {
    Verdict.CORROBORATED: 5,
    Verdict.SINGLE_SOURCE: 4,
    Verdict.NO_EVIDENCE: 3,
    Verdict.DISPUTED: 2,
    Verdict.PARTLY_CONTRADICTED: 2,  # as a fact-checker's "half true": a part holds, a part does not
    Verdict.CONTRADICTED: 1,
}


def claim_reviews(report: Report) -> list[dict[str, Any]]:
    """Return a ClaimReview object for every check-worthy claim of the report."""
    return [_review(report, v) for v in report.verdicts if v.verdict in _RATING]


def _review(report: Report, v: ClaimVerdict) -> dict[str, Any]:
    a = report.article
    author_name = v.claim.speaker or a.author or a.outlet or "unknown"
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": a.title or None}
    if a.url:
        appearance["url"] = a.url
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "datePublished": report.created[:10],
        "claimReviewed": v.claim.text,
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person" if v.claim.speaker or a.author else "Organization", "name": author_name},
            "datePublished": a.published,
            "appearance": appearance,
        },
        "author": {"@type": "Organization", "name": "twosource"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": _RATING[v.verdict],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": VERDICT_LABELS[v.verdict],
        },
        "reviewBody": _body(v),
        "citation": [
            {
                "@type": "NewsArticle",
                "publisher": e.independent_outlet,
                "headline": e.passage.title or None,
                "datePublished": e.passage.published,
                **({"url": e.passage.url} if e.passage.url else {}),
            }
            for e in v.evidence
        ],
    }


def _body(v: ClaimVerdict) -> str:
    parts = []
    if v.supporting_outlets:
        parts.append(
            f"Supported by {len(v.supporting_outlets)} independent outlet(s): {', '.join(v.supporting_outlets)}."
        )
    if v.refuting_outlets:
        parts.append(f"Contradicted by {', '.join(v.refuting_outlets)}.")
    if not parts and not v.note:
        parts.append("No independent outlet in the index states or contradicts it.")
    if v.note:
        parts.append(v.note)
    return " ".join(parts)
