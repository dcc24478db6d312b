"""What kind of claim a sentence makes: rules over its wording and what the claims stage found in it.

Kinds are tried in a fixed order: opinion (loaded or first-person language outside quotes),
quote/attribution, prediction, causal, quantity, event. The cues that decided are kept for the report.
How check-worthy a sentence is, the trained detector (``detector``) says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import ClaimKind, Quantity

# Evaluative, loaded or conspiratorial wording: a sentence built on it states a view, not a checkable fact.
_OPINION_STRONG = re.compile(
    r"\b(hero(?:ic)?|wise enough|mad dogs?|war ?mongers?|culprits?|conspirac(?:y|ies)|false flag|devil|horror|"
    r"raving|ranting|wholeheartedly|disgraceful|scourge|zionist state|meat grinder|demise|make no mistake|"
    r"i wonder|i think|i believe|we believe|in my (?:view|opinion)|against all odds|lone hero|shameful|"
    r"evil|puppets?|mouthpiece|propaganda|the truth is|obviously|needless to say|taste of what)\b",
    re.I,
)
_OPINION_WEAK = re.compile(
    r"\b(ugly|desperate|notorious|miserably|perilously|foreboding|bleakness|fatigued|demoralized|"
    r"formidable|especial|strategically vital|decisive(?:ly)?|disastrous|rampant|suicidal|terrible|"
    r"brutal|barbaric|heroic|outrageous|ridiculous|absurd|hypocri\w+|so-called|anyway|well,)",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(I|[Ww]e|us|[Oo]ur)\b")
# Reporting words that attribute on their own, even when no speaker is recognised as a name ("according to
# analysts", "the Observatory said").
_ATTRIBUTING_WORDS = (
    "said|says|told|added|according to|quoted|pointed out|suggested|argued|noted|explained|thinks|believes"
)
# These also describe events ("confirmed cases", "denied entry"), so they make a quote only with a named speaker.
_REPORTING_WORDS = (
    "say|tells|declared|announced|stated|assured|warned|adding|claimed|claims|insisted|denied|confirmed|reported|"
    "reports|acknowledged|admitted|vowed|pledged|accused|described|questioned|estimated"
)
SPEECH = re.compile(rf"\b({_ATTRIBUTING_WORDS}|{_REPORTING_WORDS})\b", re.I)
_ATTRIBUTING = re.compile(rf"\b({_ATTRIBUTING_WORDS})\b", re.I)
_FUTURE = re.compile(
    r"\b(will|won't|shall|going to|is bound to|are bound to|likely to|is expected to|are expected to|"
    r"in the coming|would|could|may|might|predict\w*|forecast\w*)\b",
    re.I,
)
_CAUSAL = re.compile(
    r"\b(because|due to|caused|causing|led to|leads to|lead to|as a result|resulted in|results in|"
    r"owing to|thanks to|therefore|which is why|that is why|so that|triggered|prompted|blamed|helped|"
    r"driven by|fuell?ed by|in response to|contributed to)\b",
    re.I,
)
_QUOTE_MARK = re.compile(r"[\"“”]")
#: Shorter quoted stretches are scare quotes or titles ("success"), not quotations.
_QUOTE_MIN_CHARS = 12
# Things happening to or done by someone: the core of a checkable event.
_ACTION = re.compile(
    r"\b(took over|take over|captured?|seized?|killed|attacked|launched|withdr[ae]w\w*|organi[sz]ed|bombed|"
    r"struck|shelled|fired|arrested|signed|agreed|announced|met|visited|fled|recaptured|advanced|retreated|"
    r"clashed|fighting|fought|battle|offensive|operations?|deployed|evacuated|destroyed|targeted)\b",
    re.I,
)
_IDIOMS = re.compile(r"\b(that said|having said that|needless to say)\b", re.I)
# A toll is the claim of a casualty report whatever caused it ("3 killed due to shelling" is a quantity).
_TOLLS = frozenset({"deaths", "injured", "casualties"})
# Verb forms that report something that happened: past tense, past participle.
_PAST_TAGS = frozenset({"VBD", "VBN"})


@dataclass(frozen=True)
class Features:
    """What the claims stage found in a sentence, as far as its kind depends on it."""

    quantities: list[Quantity]
    speaker: str
    tags: list[str]  # Penn Treebank part-of-speech tags


@dataclass(frozen=True)
class Typed:
    kind: ClaimKind
    cues: tuple[str, ...]


def quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each directly quoted stretch of ``sentence``, its marks included.

    Marks pair in order. With one left over, the sentence either opens inside a quote begun in an earlier
    sentence ('I had to relax," said Holmes.': punctuation before the first mark tells a closing one), or
    opens a quote that runs past its end.
    """
    marks = [m.start() for m in _QUOTE_MARK.finditer(sentence)]
    spans = []
    if len(marks) % 2 and sentence[: marks[0]].rstrip()[-1:] in (",", ".", "!", "?"):
        spans.append((0, marks.pop(0) + 1))
    spans += [(a, b + 1) for a, b in zip(marks[::2], marks[1::2], strict=False)]
    if len(marks) % 2:
        spans.append((marks[-1], len(sentence)))
    return [(a, b) for a, b in spans if b - a - 2 >= _QUOTE_MIN_CHARS]


def outside_quotes(sentence: str) -> str:
    """Return ``sentence`` with directly quoted words blanked out (a quote's wording is the speaker's)."""
    for a, b in quoted_spans(sentence):
        sentence = sentence[:a] + " " * (b - a) + sentence[b:]
    return sentence


def has_direct_quote(sentence: str) -> bool:
    return any(len(sentence[a:b].split()) >= 3 for a, b in quoted_spans(sentence))


def classify(sentence: str, features: Features) -> Typed:
    """Return the kind of one sentence and the cues that decided it."""
    own_words = _IDIOMS.sub(" ", outside_quotes(sentence))
    cues: list[str] = []
    strong = [m.group(0) for m in _OPINION_STRONG.finditer(own_words)]
    weak = [m.group(0) for m in _OPINION_WEAK.finditer(own_words)]
    first_person = bool(_FIRST_PERSON.search(own_words))
    quoted = has_direct_quote(sentence)
    speech = SPEECH.search(own_words)
    stated = [q for q in features.quantities if not q.derived]
    if strong or len(weak) >= 2 or (first_person and not quoted) or sentence.rstrip().endswith("?"):
        cues = strong + weak + (["first person"] if first_person else [])
        kind = ClaimKind.OPINION
    elif quoted or (speech and (features.speaker or _ATTRIBUTING.search(own_words))):
        cues = ["direct quote"] if quoted else [speech.group(0) if speech else "attribution"]
        kind = ClaimKind.QUOTE
    elif future := _FUTURE.search(own_words):
        cues = [future.group(0)]
        kind = ClaimKind.PREDICTION
    elif (cause := _CAUSAL.search(own_words)) and not any(q.kind in _TOLLS for q in stated):
        cues = [cause.group(0)]
        kind = ClaimKind.CAUSAL
    elif stated:
        cues = [q.text for q in stated]
        kind = ClaimKind.QUANTITY
    else:
        cues = ["past tense"] if _PAST_TAGS & set(features.tags) else []
        kind = ClaimKind.EVENT
    if kind is ClaimKind.EVENT and (action := _ACTION.search(own_words)):
        cues.append(action.group(0))
    return Typed(kind, tuple(cues))
