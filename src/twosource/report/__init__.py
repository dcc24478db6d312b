"""The report stage: one Report, four renderings (terminal, JSON, HTML, schema.org ClaimReview)."""

from __future__ import annotations

import json

from ..schema import report_to_dict
from ..types import PartVerdict, Report, Verdict

__all__ = ["FORMATS", "SURE_OF", "VERDICT_LABELS", "part_outlets", "render"]

FORMATS = ("terminal", "json", "html", "claimreview")
VERDICT_LABELS = {
    Verdict.CORROBORATED: "Corroborated",
    Verdict.SINGLE_SOURCE: "Single source",
    Verdict.CONTRADICTED: "Contradicted",
    Verdict.DISPUTED: "Disputed",
    Verdict.PARTLY_CONTRADICTED: "Partly contradicted",
    Verdict.NO_EVIDENCE: "No evidence",
    Verdict.NOT_CHECKED: "Not checked",
}
#: The verdicts that come with a confidence; "no evidence" comes with what was searched instead.
SURE_OF = frozenset(
    {Verdict.CORROBORATED, Verdict.SINGLE_SOURCE, Verdict.CONTRADICTED, Verdict.DISPUTED, Verdict.PARTLY_CONTRADICTED}
)


def part_outlets(part: PartVerdict) -> str:
    """Who supports and who contradicts one part of a compound claim: " (supported by AFP; contradicted by BBC)"."""
    said = [f"supported by {', '.join(part.supporting_outlets)}"] if part.supporting_outlets else []
    said += [f"contradicted by {', '.join(part.refuting_outlets)}"] if part.refuting_outlets else []
    return f" ({'; '.join(said)})" if said else ""


def render(report: Report, fmt: str, *, width: int = 100, color: bool = False) -> str:
    """Return ``report`` rendered as ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)
    if fmt == "html":
        from .html import render_html

        return render_html(report)
    if fmt == "claimreview":
        from .claimreview import claim_reviews

        return json.dumps(claim_reviews(report), ensure_ascii=False, indent=2)
    if fmt == "terminal":
        from .terminal import render_terminal

        return render_terminal(report, width=width, color=color)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
