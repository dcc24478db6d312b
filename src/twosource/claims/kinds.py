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
SPEECH = re.compile(
    r"\b(said|says|say|told|tells|declared|announced|stated|assured|warned|added|adding|claimed|claims|"
    r"insisted|denied|confirmed|reported|according to|quoted|acknowledged|admitted|vowed|pledged)\b",
    re.I,
)
_FUTURE = re.compile(
    r"\b(will|won't|shall|going to|is bound to|are bound to|likely to|is expected to|are expected to|"
    r"in the coming|would|could|may|might|predict\w*|forecast\w*)\b",
    re.I,
)
_CAUSAL = re.compile(
    r"\b(because|due to|caused|causing|led to|leads to|lead to|as a result|resulted in|results in|"
    r"owing to|thanks to|therefore|which is why|that is why|so that|triggered|prompted|blamed)\b",
    re.I,
)
_QUOTED = re.compile(r"[\"“]([^\"“”]{12,})[\"”]|[\"“]([^\"“”]{12,})$")
# Things happening to or done by someone: the core of a checkable event.
_ACTION = re.compile(
    r"\b(took over|take over|captured?|seized?|killed|attacked|launched|withdr[ae]w\w*|organi[sz]ed|bombed|"
    r"struck|shelled|fired|arrested|signed|agreed|announced|met|visited|fled|recaptured|advanced|retreated|"
    r"clashed|fighting|fought|battle|offensive|operations?|deployed|evacuated|destroyed|targeted)\b",
    re.I,
)
_IDIOMS = re.compile(r"\b(that said|having said that|needless to say)\b", re.I)
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


def outside_quotes(sentence: str) -> str:
    """Return ``sentence`` with directly quoted words blanked out (a quote's wording is the speaker's)."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), sentence)


def has_direct_quote(sentence: str) -> bool:
    return any(len((m.group(1) or m.group(2)).split()) >= 3 for m in _QUOTED.finditer(sentence))


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
    elif quoted or (speech and features.speaker):
        cues = ["direct quote"] if quoted else [speech.group(0) if speech else "attribution"]
        kind = ClaimKind.QUOTE
    elif future := _FUTURE.search(own_words):
        cues = [future.group(0)]
        kind = ClaimKind.PREDICTION
    elif cause := _CAUSAL.search(own_words):
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
