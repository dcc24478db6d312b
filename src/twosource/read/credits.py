"""The outlet an article says it is taken from: a wire dateline, "Originally published by", a credit line.

A reprint counts under the outlet it credits (DESIGN.md rule 2): a Reuters story on a news site is Reuters'
evidence, not a second source. The web carries the credit in a few set forms, at the top or at the bottom of the
text, so only the first ``HEAD_CHARS`` and the last ``TAIL_CHARS`` characters are read, line by line:

- a wire dateline at the start: ``BEIRUT (Reuters) -``, ``DAMASCUS, May 13 (Reuters) -``, ``(AFP) —``;
- a phrase at the start of a line or sentence: "Originally published by/on/in/at X", "This article (was) (first|
  originally) (appeared|published) (on|in|at|by) X", "First published (by|in|on) X", "Republished/Reprinted (with
  permission) from X", "Courtesy of X";
- a line of its own: "Source: X" (one name: "Sources:" followed by names is the article naming its sources, not
  its origin), "Via X", and near the top a byline with the outlet after it: "By Jane Doe, Reuters",
  "By Ashraf Ezzat, Veterans Today:", "By Jane Doe | The Guardian";
- a wire sign-off ending the text: "... on Sunday. --Reuters", "... in March 2011.-AFP" (as FA-KES's nna rows end).

Mentions inside the story ("according to Reuters", "told AFP", "Reuters reported", "(AFP)" mid-paragraph) are
what the article cites, never its origin, and are not read. Names are recognised by their capitals (or as hosts
and URLs), so the text is expected in English, as twosource reads it.
"""

from __future__ import annotations

import re

#: Credits sit at the top or the bottom; the middle of an article is its story, full of other outlets' names.
HEAD_CHARS = 400
TAIL_CHARS = 600
#: A credit line is short; longer lines are paragraphs and are only searched for credit phrases.
CREDIT_LINE_CHARS = 300
#: How far past ``HEAD_CHARS`` a credit that starts inside it may run.
_SLACK = 200

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATE = (
    rf"(?:(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\.?(?:,?\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}))"
)
#: A host or URL: "aljazeera.com", "https://www.veteranstoday.com/2015/05/13/x".
_HOST = r"(?:https?://)?(?:[\w-]+\.)+[A-Za-z]{2,}(?::\d+)?(?:/[^\s()<>\"]*)?"
#: A capitalised word of a name: "Reuters", "al-Araby", "France-Presse", "U.S.", "St."; not a date ("May 13").
_WORD = (
    rf"(?!{_MONTH}\.?\s+\d)"
    r"(?:(?:[A-Z]\.){2,}|(?:St|Mr|Dr|Jr|Inc|Co|Ltd)\.|(?:[ae]l-)?[A-Z](?:[\w&'’-]|\.(?=\w))*)"
)
_CONNECTOR = r"(?:of|the|and|for|de|du|la|al|el|&)"
_NAME = rf"(?:[Tt]he\s+)?{_WORD}(?:\s+(?:{_CONNECTOR}\s+)?{_WORD}){{0,5}}"
_OUTLET = rf"(?P<outlet>{_HOST}|{_NAME})"
#: What may follow an outlet to the end of its line: a URL in parentheses, a date, a URL, closing punctuation.
_LINE_END = (
    rf"(?:\s*[,.]?\s*(?:\(\s*(?:https?://|www\.)[^)]*\)|{_DATE}|(?:on|in)\s+{_DATE}|https?://\S+))*\s*[.:;,]?\s*$"
)
#: The start of a line or of a sentence.
_STARTS = r"(?:^|(?<=[.!?…]\s)|(?<=[.!?…][\"”’')\]]\s))\s*"

_PUBLISHED = r"(?:published|posted|appeared|ran|printed)"
_ON_DATE = rf"(?:\s+(?:on\s+)?{_DATE},?)?"
_PREP = r"(?i:on|in|at|by|from)"
#: "Originally published by X" and its kin, at the start of a line or sentence, anywhere in the head or tail.
_PHRASES = re.compile(
    _STARTS
    + "(?:"
    + "|".join(
        (
            rf"(?i:originally\s+{_PUBLISHED}){_ON_DATE}\s+{_PREP}",
            rf"(?i:first\s+{_PUBLISHED}){_ON_DATE}\s+{_PREP}",
            r"(?i:(?:this|the)\s+(?:article|story|piece|post|report|column|op-ed|essay|interview|analysis)\s+"
            rf"(?:was\s+|is\s+|has\s+been\s+)?(?:(?:first|originally)\s+)?{_PUBLISHED}){_ON_DATE}\s+{_PREP}",
            r"(?i:(?:republished|reprinted|reposted|reproduced|syndicated)"
            r"(?:\s+(?:here\s+)?with(?:\s+\w+)?\s+permission)?\s+(?:from|by|courtesy\s+of))",
            r"(?i:courtesy(?:\s+of|\s*:))",
        )
    )
    + rf")\s*:?\s+(?:the\s+website\s+|the\s+site\s+)?{_OUTLET}"
)
#: A wire dateline at the start of a line or sentence: "BEIRUT (Reuters) -", "DAMASCUS, May 13 (Reuters) -",
#: "MOSCOW October 18 (RIA Novosti) -", "(AFP) —", "(presstv) -".
_PLACE = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}"
_WIRE = rf"(?P<outlet>{_HOST}|[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){{0,3}}|[a-z][a-z0-9]{{1,15}})"
_DATELINE = re.compile(
    rf"{_STARTS}(?:{_PLACE}(?:\s*,\s*{_PLACE})?\s*,?(?:\s+{_DATE})?\s*)?\(\s*{_WIRE}\s*\)\s*[-–—]{{1,2}}"
)
#: Lines of their own.
_SOURCE_LINE = re.compile(rf"^\s*(?i:source)\s*:\s*{_OUTLET}{_LINE_END}")
_VIA_LINE = re.compile(rf"^\s*(?i:via)\s*:?\s+{_OUTLET}{_LINE_END}")
_PERSON = rf"(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?(?!{_WEEKDAY}\b){_WORD}(?:\s+{_WORD}){{0,3}}"
_BYLINE = re.compile(
    rf"^\s*(?i:by)\s+{_PERSON}(?:\s+(?i:and)\s+{_PERSON})?"
    rf"(?:\s*[,|–—]\s*(?:(?i:for)\s+)?|\s+-\s+(?:(?i:for)\s+)?|\s+(?i:for)\s+){_OUTLET}{_LINE_END}"
)
#: A wire's sign-off closing the text: "-AFP", "--Reuters", "- REUTERS".
_SIGN_OFF = re.compile(r"(?:^|(?<=[\s.!?\"”’')\]]))[-–—]{1,2}\s*(?P<outlet>[A-Z][A-Za-z]{1,15})\s*\.?\s*\Z")

#: Names that credits carry but that are no outlet: the wires in general, the platforms a text went through,
#: a picture's maker.
_NOT_OUTLETS = frozenset(
    {
        "agencies",
        "agency",
        "wires",
        "wire",
        "wire services",
        "news agencies",
        "staff",
        "ends",
        "end",
        "editor",
        "editors",
        "desk",
        "newsdesk",
        "author",
        "twitter",
        "facebook",
        "youtube",
        "instagram",
        "telegram",
        "whatsapp",
        "skype",
        "google",
        "internet",
        "web",
        "unknown",
        "anonymous",
        "shutterstock",
        "istock",
        "alamy",
    }
)
#: A byline's last word when what follows the author is a role, not an outlet ("By Jane Doe, Staff Writer").
_ROLES = frozenset(
    {
        "writer",
        "reporter",
        "correspondent",
        "editor",
        "contributor",
        "columnist",
        "journalist",
        "analyst",
        "author",
        "fellow",
        "professor",
        "researcher",
        "director",
        "producer",
        "photographer",
        "phd",
        "md",
        "jr",
        "sr",
        "ii",
        "iii",
        "esq",
    }
)
_PICTURE_WORDS = frozenset({"photo", "photos", "image", "images", "picture", "pictures", "video", "file"})


def find_credit(text: str) -> str:
    """Return the outlet ``text`` says it is taken from, as written ("Reuters", "The Guardian",
    "aljazeera.com"), or "" when it credits none.

    The first credit at the top wins (a dateline or byline says where the text comes from before anything else);
    failing that, the last at the bottom (a footer's last word on where it was first published).
    """
    if not isinstance(text, str) or not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tail_start = max(0, len(text) - TAIL_CHARS)
    head: list[tuple[int, str]] = []
    tail: list[tuple[int, str]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if start < HEAD_CHARS:
            head.extend(_head_credits(line, start))
        if end > tail_start and line.strip():
            tail.extend(_tail_credits(line, start, tail_start))
        start = end + 1
    if head:
        return min(head)[1]
    sign_off = _SIGN_OFF.search(text, max(0, len(text) - 60))
    if sign_off and (outlet := _clean(sign_off["outlet"])):
        tail.append((sign_off.start(), outlet))
    return max(tail)[1] if tail else ""


def _head_credits(line: str, offset: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if len(line) <= CREDIT_LINE_CHARS:
        for pattern in (_BYLINE, _SOURCE_LINE, _VIA_LINE):
            m = pattern.search(line)
            if m and (outlet := _clean(m["outlet"])):
                found.append((offset + m.start(), outlet))
    endpos = min(len(line), HEAD_CHARS - offset + _SLACK)
    for pattern in (_DATELINE, _PHRASES):
        for m in pattern.finditer(line, 0, endpos):
            if offset + m.start() >= HEAD_CHARS:
                break
            if outlet := _clean(m["outlet"]):
                found.append((offset + m.start(), outlet))
                break
    return found


def _tail_credits(line: str, offset: int, tail_start: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if len(line) <= CREDIT_LINE_CHARS:
        for pattern in (_SOURCE_LINE, _VIA_LINE):
            m = pattern.search(line)
            if m and (outlet := _clean(m["outlet"])):
                found.append((offset + m.start(), outlet))
    for m in _PHRASES.finditer(line, max(0, tail_start - offset)):
        if outlet := _clean(m["outlet"]):
            found.append((offset + m.start(), outlet))
    return found


def _clean(outlet: str) -> str:
    """The outlet as written, without closing punctuation; "" when it names no outlet (a role, a platform)."""
    outlet = outlet.strip().rstrip(" .,;:!?-–—\"'”’")
    words = [w.strip(".,").casefold() for w in outlet.split()]
    if not words:
        return ""
    plain = re.sub(r"^the\s+", "", outlet.casefold())
    if plain in _NOT_OUTLETS or words[-1] in _ROLES or _PICTURE_WORDS.intersection(words):
        return ""
    return outlet
