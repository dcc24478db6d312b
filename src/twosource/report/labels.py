"""What the renderings call things: verdict labels, which verdicts carry a confidence, who said what of a part."""

from __future__ import annotations

from ..read.language import language_name
from ..types import PartVerdict, Stance, Verdict

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

#: A passage that is evidence for several claims is drawn once, in its most decisive stance.
STANCE_PRIORITY = (Stance.REFUTES, Stance.SUPPORTS, Stance.DISCUSSES, Stance.UNRELATED)
#: How counts of evidence read, in the order they are listed: (singular, plural).
STANCE_VERBS = {
    Stance.SUPPORTS: ("supports", "support"),
    Stance.REFUTES: ("refutes", "refute"),
    Stance.DISCUSSES: ("discusses", "discuss"),
    Stance.UNRELATED: ("unrelated", "unrelated"),
}


def part_outlets(part: PartVerdict) -> str:
    """Who supports and who contradicts one part of a compound claim: " (supported by AFP; contradicted by BBC)"."""
    said = [f"supported by {', '.join(part.supporting_outlets)}"] if part.supporting_outlets else []
    said += [f"contradicted by {', '.join(part.refuting_outlets)}"] if part.refuting_outlets else []
    return f" ({'; '.join(said)})" if said else ""


def languages_line(outlets_by_language: dict[str, int]) -> str:
    """The independent outlets counted per language of their evidence ("English 5, Arabic 1, French 1"); "" when
    all wrote in English."""
    if set(outlets_by_language) <= {"en"}:
        return ""
    return ", ".join(f"{language_name(code)} {n}" for code, n in outlets_by_language.items())
