"""The small frozen dataclasses that flow between the pipeline stages.

read -> Article; claims -> [Claim]; retrieve -> [Passage]; stance -> [Evidence];
verdict -> [ClaimVerdict] + Summary; report renders a Report. ``schema.py`` is the only
place these become JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

#: A progress callback for long work: ``progress(stage, done, total)``.
Progress = Callable[[str, int, int], None]


class ClaimKind(StrEnum):
    QUANTITY = "quantity"
    QUOTE = "quote"
    EVENT = "event"
    CAUSAL = "causal"
    PREDICTION = "prediction"
    OPINION = "opinion"


#: Kinds that are sent for corroboration; predictions and opinions are listed, never checked.
CHECKABLE_KINDS = frozenset({ClaimKind.QUANTITY, ClaimKind.QUOTE, ClaimKind.EVENT, ClaimKind.CAUSAL})


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    DISCUSSES = "discusses"
    UNRELATED = "unrelated"


class Verdict(StrEnum):
    CORROBORATED = "corroborated"
    SINGLE_SOURCE = "single-source"
    CONTRADICTED = "contradicted"
    DISPUTED = "disputed"
    PARTLY_CONTRADICTED = "partly-contradicted"  # a part contradicted, the rest supported
    NO_EVIDENCE = "no-evidence"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True)
class Removal:
    """A piece of page furniture the reader stripped, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Embedder:
    """Which sentence embedder made an index's vectors, and their size: an index holds one embedder's vectors."""

    name: str
    dim: int


@dataclass(frozen=True)
class Rejection:
    """An input (a file, a record, a URL) that was not taken, and why."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Article:
    """One article as read: metadata, clean text and what was stripped from it."""

    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    published: str | None = None  # ISO date, YYYY-MM-DD
    url: str = ""
    removed: tuple[Removal, ...] = ()
    origin: str = ""  # where it was read from: a path, "stdin", a CSV row
    credit: str = ""  # the outlet it says it is taken from ("Originally published by ...", "(Reuters) -"), if any
    language: str = "en"  # ISO 639-1, as detected when read

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Quantity:
    """A figure stated in a sentence, normalised: 6.5 million -> 6_500_000."""

    value: float
    kind: str  # what is counted: deaths, refugees, displaced, percent, money, count, ...
    text: str  # the words as written
    unit: str = ""  # unit when there is one: "%", "USD", "km"
    bound: str = "exact"  # exact | approx | min | max
    derived: bool = False  # counted from an enumeration rather than written as a number


@dataclass(frozen=True)
class DateMention:
    text: str
    value: str  # ISO date or partial: 2015-05-06, 2015-03, 2015


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # PERSON, ORG, GPE, NORP, LOC, EVENT, ...
    normalized: str


@dataclass(frozen=True)
class ClaimPart:
    """A clause of a compound claim ("most of them civilians"), judged on its own."""

    text: str
    start: int  # offsets in the claim's text
    end: int


@dataclass(frozen=True)
class Claim:
    """A sentence of the article with what the claims stage found in it."""

    text: str
    start: int
    end: int
    kind: ClaimKind
    checkworthy: bool
    score: float
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[DateMention, ...] = ()
    entities: tuple[Entity, ...] = ()
    speaker: str = ""
    cues: tuple[str, ...] = ()  # the cues behind the kind, for the report
    parts: tuple[ClaimPart, ...] = ()  # its clauses when it is compound (two or more), else none


@dataclass(frozen=True)
class Passage:
    """A retrieved stretch of an indexed article, with its retrieval scores."""

    article_id: int
    passage_id: int
    outlet: str
    published: str | None
    title: str
    url: str
    text: str
    cluster_id: int
    credit: str = ""  # the outlet the passage's article says it is taken from, if any
    language: str = "en"  # its article's, ISO 639-1
    score: float = 0.0
    lexical: float = 0.0
    dense: float = 0.0


@dataclass(frozen=True)
class NumericComparison:
    kind: str
    claim_figure: str
    evidence_figure: str
    claim_value: float
    evidence_value: float
    agrees: bool
    relative_difference: float
    tolerance: float
    note: str = ""


@dataclass(frozen=True)
class PartStance:
    """A passage's stance toward one part of a compound claim."""

    stance: Stance
    reason: str


@dataclass(frozen=True)
class Evidence:
    """A passage with its stance toward one claim."""

    passage: Passage
    stance: Stance
    stance_score: float
    independent_outlet: str  # the outlet it counts under (earliest outlet of its copy cluster)
    numeric: NumericComparison | None = None
    reason: str = ""
    source: bool = False  # from a text the article rewords (its own source): shown, never counted as independent
    parts: tuple[PartStance, ...] = ()  # toward each of the claim's parts, when it has them


@dataclass(frozen=True)
class FactCheck:
    """A fact-checker's published review of a claim like this one (Google Fact Check Tools). Shown in its own
    section; never counted as an independent outlet, and never decides the verdict."""

    claim_text: str  # the claim as the fact-checker worded it
    claimant: str
    claim_date: str | None
    publisher: str
    publisher_site: str
    url: str
    title: str
    rating: str  # the fact-checker's own words: "False", "Mostly true", ...
    review_date: str | None


@dataclass(frozen=True)
class Background:
    """An encyclopedic passage on what a claim is about (Wikipedia): context, never an independent outlet."""

    source: str  # "Wikipedia"
    title: str
    url: str
    text: str
    similarity: float  # to the claim, cosine of their embeddings


@dataclass
class LiveContext:
    """What the live providers said beside the evidence, per claim (by its start offset), and their notes."""

    fact_checks: dict[int, tuple[FactCheck, ...]] = field(default_factory=dict)
    background: dict[int, tuple[Background, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PartVerdict:
    """The verdict on one part of a compound claim, from the passages' stances toward that part."""

    part: ClaimPart
    verdict: Verdict
    supporting_outlets: tuple[str, ...] = ()
    refuting_outlets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimVerdict:
    claim: Claim
    verdict: Verdict
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    supporting_outlets: tuple[str, ...] = ()
    refuting_outlets: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # why candidates were set aside (own outlet, copy, ...)
    fact_checks: tuple[FactCheck, ...] = ()  # from live services, when asked
    background: tuple[Background, ...] = ()
    note: str = ""  # what the verdict rests on, when it needs saying (only the article's own source supports it)
    parts: tuple[PartVerdict, ...] = ()  # of a compound claim that has evidence
    unbacked_words: tuple[str, ...] = ()  # words of the claim no supporting passage backs


@dataclass(frozen=True)
class NamedSource:
    """A source the article names itself, and whether it turns up among the evidence."""

    name: str
    how: str  # sources-line | according-to | reported
    found_in_evidence: bool


@dataclass(frozen=True)
class ArticleSource:
    """An indexed text the article rewords sentence after sentence: where its wording comes from (rule 5)."""

    article_id: int
    cluster_id: int
    outlet: str
    title: str
    url: str
    published: str | None
    pairs: tuple[tuple[str, str], ...]  # (the article's sentence, the source's sentence), in order


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    claims_total: int
    checkworthy: int
    independent_outlets: tuple[str, ...]
    named_sources: tuple[NamedSource, ...]
    removed: tuple[Removal, ...]
    sources: tuple[ArticleSource, ...] = ()  # texts the article rewords
    outlets_by_language: dict[str, int] = field(default_factory=dict)  # independent outlets, by the evidence's


@dataclass(frozen=True)
class Report:
    id: str
    article: Article
    verdicts: tuple[ClaimVerdict, ...]
    summary: Summary
    index: str
    created: str
    schema_version: str
    notes: tuple[str, ...] = field(default=())
