"""The verdict stage's table, and "no evidence" said in words: how much was searched and how close it came."""

from __future__ import annotations

from dataclasses import replace

from twosource.claims.parts import split_parts
from twosource.report import render
from twosource.schema import SCHEMA_VERSION
from twosource.types import (
    Article,
    Claim,
    ClaimKind,
    ClaimPart,
    ClaimVerdict,
    Evidence,
    PartStance,
    Passage,
    Report,
    Stance,
    Verdict,
)
from twosource.verdict import SHOWN, decide_verdict, summarize

from ..conftest import fakes_rows

CLAIM = "The Lebanese army chief said Hezbollah had taken the hills of Qalamoun."


def _claim() -> Claim:
    return Claim(CLAIM, 0, len(CLAIM), ClaimKind.QUOTE, checkworthy=True, score=0.9)


def _evidence(row: int, stance: Stance, outlet: str, dense: float) -> Evidence:
    """The opening of FA-KES row ``row`` as a passage of that article, judged ``stance``."""
    fields = fakes_rows()[row]
    passage = Passage(
        row, row, outlet, None, fields["article_title"], "", fields["article_content"][:300], row, dense=dense
    )
    return Evidence(passage, stance, 0.6, outlet)


def test_the_verdict_table():
    claim = _claim()
    support = [_evidence(1, Stance.SUPPORTS, "sana", 0.7), _evidence(2, Stance.SUPPORTS, "ahram", 0.7)]
    refute = [_evidence(3, Stance.REFUTES, "alaraby", 0.7)]
    assert decide_verdict(claim, support).verdict is Verdict.CORROBORATED
    assert decide_verdict(claim, support[:1]).verdict is Verdict.SINGLE_SOURCE
    assert decide_verdict(claim, refute).verdict is Verdict.CONTRADICTED
    assert decide_verdict(claim, support + refute).verdict is Verdict.DISPUTED
    assert decide_verdict(claim, []).verdict is Verdict.NO_EVIDENCE
    unchecked = Claim(CLAIM, 0, len(CLAIM), ClaimKind.OPINION, checkworthy=False, score=0.1)
    assert decide_verdict(unchecked, support).verdict is Verdict.NOT_CHECKED


def test_no_evidence_says_what_was_searched_instead_of_a_confidence():
    claim = _claim()
    read = [
        _evidence(10, Stance.UNRELATED, "sana", 0.31),
        _evidence(11, Stance.DISCUSSES, "alaraby", 0.48),
        _evidence(11, Stance.UNRELATED, "alaraby", 0.22),
    ]
    verdict = decide_verdict(claim, read, ["dailysabah: a copy of the checked article (rule 3)"])
    assert verdict.verdict is Verdict.NO_EVIDENCE and verdict.confidence == 0.0
    title = fakes_rows()[11]["article_title"]
    assert "3 passages from 2 articles read; 1 passage set aside as not independent" in verdict.note
    assert f"The nearest (alaraby, “{title}”) came to a closeness of 0.48" in verdict.note
    assert decide_verdict(claim, []).note == "Nothing in the index came close enough to read."
    # Every rendering gives the note, and none a confidence for it.
    for fmt in ("terminal", "html"):
        shown = " ".join(render(_report(verdict), fmt, width=200).replace("│", " ").split())  # unwrapped
        assert "confidence" not in shown and "came to a closeness of 0.48 with the claim" in shown, fmt
    support = [_evidence(1, Stance.SUPPORTS, "sana", 0.7), _evidence(2, Stance.SUPPORTS, "ahram", 0.7)]
    corroborated = decide_verdict(claim, support + read)
    assert corroborated.verdict is Verdict.CORROBORATED and corroborated.confidence > 0.5
    assert "confidence" in render(_report(corroborated), "terminal", width=200)


def _report(verdict: ClaimVerdict) -> Report:
    article = Article(text=CLAIM, title="A test article")
    summary = summarize(article, [verdict])
    return Report("test", article, (verdict,), summary, "index.sqlite", "2026-11-30T00:00:00+00:00", SCHEMA_VERSION)


def test_every_outlet_a_verdict_names_is_quoted():
    # Seven passages of one outlet support, closer than the one of another that refutes: the refutation is shown.
    claim = _claim()
    support = [replace(_evidence(row, Stance.SUPPORTS, "sana", 0.7), stance_score=0.9) for row in range(1, 8)]
    support = [replace(e, passage=replace(e.passage, score=1.0)) for e in support]
    refute = _evidence(9, Stance.REFUTES, "alaraby", 0.7)
    shown = decide_verdict(claim, [*support, refute]).evidence
    assert len(shown) == SHOWN and refute in shown


def test_a_compound_claim_is_judged_part_by_part():
    text = "Air strikes killed 47 people, most of them civilians, and wounded dozens more."
    parts = (ClaimPart("Air strikes killed 47 people", 0, 28), ClaimPart("most of them civilians", 30, 52))
    parts += (ClaimPart("wounded dozens more", 58, 77),)
    assert split_parts(text) == parts
    claim = Claim(text, 0, len(text), ClaimKind.QUANTITY, checkworthy=True, score=0.9, parts=parts)
    s, r, d = Stance.SUPPORTS, Stance.REFUTES, Stance.DISCUSSES

    def judged(row: int, outlet: str, *stances: Stance) -> Evidence:
        e = _evidence(row, r if r in stances else s, outlet, 0.7)
        return replace(e, parts=tuple(PartStance(x, "") for x in stances))

    # The toll confirmed by two, who died contradicted by one, the wounded disputed: partly contradicted.
    evidence = [judged(1, "sana", s, r, s), judged(2, "ahram", s, d, r)]
    verdict = decide_verdict(claim, evidence)
    assert verdict.verdict is Verdict.PARTLY_CONTRADICTED
    assert [p.verdict for p in verdict.parts] == [Verdict.CORROBORATED, Verdict.CONTRADICTED, Verdict.DISPUTED]
    assert verdict.supporting_outlets == ("ahram", "sana") and verdict.refuting_outlets == ("sana",)
    assert "“wounded dozens more” is disputed: supported by sana, contradicted by ahram." in verdict.note
    # Every part confirmed: corroborated; parts nothing speaks to are not listed.
    assert decide_verdict(claim, [judged(1, "sana", s, s, s), judged(2, "ahram", s, s, s)]).verdict is (
        Verdict.CORROBORATED
    )
    assert decide_verdict(claim, [judged(1, "sana", d, d, d)]).parts == ()
