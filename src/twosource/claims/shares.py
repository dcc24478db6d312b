"""Who the counted were: "most of them civilians", "mostly women and children", "including 67,000 civilians".

A share says what part of a tally belongs to a group of people, as a range: "most" is more than half, "more than
half of them children" likewise, and "220,000 killed, including 67,000 civilians" is about 30 %. Groups nest
(children and women are civilians) or exclude each other (civilians and fighters), which is what lets a source's
"most of the dead were fighters" contradict an article's "most of them civilians".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .quantities import find_quantities

#: Each group word: (the side it is on, the group it names). A group is inside a side ("children" inside
#: "civilians"); the side's own word names the whole side.
GROUPS: dict[str, tuple[str, str]] = {
    # Plural nouns only: "mostly civilian areas" counts places, not people.
    **dict.fromkeys(("civilians", "non-combatants", "noncombatants"), ("civilians", "civilians")),
    **dict.fromkeys(("children", "kids", "schoolchildren", "minors", "infants"), ("civilians", "children")),
    **dict.fromkeys(("women",), ("civilians", "women")),
    **dict.fromkeys(
        ("fighters", "combatants", "militants", "militiamen", "insurgents", "gunmen"), ("fighters", "fighters")
    ),
    **dict.fromkeys(("soldiers", "troops", "servicemen"), ("fighters", "soldiers")),
    **dict.fromkeys(("rebels",), ("fighters", "rebels")),
    **dict.fromkeys(("jihadists",), ("fighters", "jihadists")),
}
_GROUP = "|".join(sorted(GROUPS, key=len, reverse=True))
#: Words that put a group above half of a tally: "most of them civilians", "the majority of whom were soldiers"
#: (a word may stand between: "most of them Syrian civilians"), or an adverb right before the group ("mostly
#: civilians"; "overwhelmingly Sunni Muslim rebels" describes the rebels, it counts nothing).
_MOST = r"most|the (?:vast |great )?majority|a majority|nearly all|almost all|(?:more than|over) half"
_OF_THEM = r"\s+of\s+(?:them|whom|those(?:\s+killed|\s+who\s+died)?|the\s+(?:dead|victims|killed|casualties))"
_MOSTLY = r"mostly|mainly|largely|predominantly|overwhelmingly|primarily|chiefly"
_SHARE_WORDS = re.compile(
    rf"\b(?:(?:{_MOST}){_OF_THEM}(?:\s+(?:were|are|being))?\s+(?:(?!of\b)[a-z-]+\s+)??|(?:{_MOSTLY})\s+)({_GROUP})\b"
    rf"(?:\s+(?:and|or)\s+({_GROUP})\b)?",
    re.I,
)
#: A count of a group inside a larger tally: "including 67,000 civilians", "among them 13 children".
_WITHIN = re.compile(r"\b(?:including|includ(?:ed|es)|among (?:them|whom)|of (?:them|whom))\b", re.I)
#: How far a figure's share may differ from its count's and still be "about" it.
_ABOUT = 0.1


@dataclass(frozen=True)
class Share:
    """The part of a tally a group makes up, as a range of fractions."""

    side: str  # civilians | fighters
    group: str  # the group named: civilians, children, soldiers, ...
    low: float
    high: float
    text: str  # the words as written
    tally: float | None = None  # the total it is a share of, when the sentence gives one


def find_shares(sentence: str) -> list[Share]:
    """The shares of groups ``sentence`` states, in words ("most of them civilians") or figures ("220,000
    killed, including 67,000 civilians")."""
    quantities = find_quantities(sentence)
    tally = max((q.value for q in quantities if q.kind == "deaths"), default=None)
    found = []
    for m in _SHARE_WORDS.finditer(sentence):
        side, group = GROUPS[m.group(1).lower()]
        if m.group(2):  # "mostly women and children": most are of the side both are in, if they are in one
            other_side, other = GROUPS[m.group(2).lower()]
            if other_side != side:
                continue
            group = group if other == group else side
        found.append(Share(side, group, 0.5, 1.0, m.group(0), tally))
    within = _WITHIN.search(sentence)
    for q in quantities:  # a group's count is whatever its figure counts: "65,000 civilians" reads as people
        at = sentence.find(q.text)
        named = re.match(rf"\s+(?:\w+\s+)?({_GROUP})\b", sentence[at + len(q.text) :], re.I)
        if not named or q.unit or within is None or at < within.start() or tally is None or q.value >= tally:
            continue
        side, group = GROUPS[named.group(1).lower()]
        share = q.value / tally
        low, high = {
            "min": (share, 1.0),
            "max": (0.0, share),
        }.get(q.bound, (share * (1 - _ABOUT), min(1.0, share * (1 + _ABOUT))))
        found.append(Share(side, group, low, high, f"{q.text}{named.group(0)}", tally))
    return found
