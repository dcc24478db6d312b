"""The sources an article names itself: a "Sources:" line, "according to X", "X reported"."""

from __future__ import annotations

import re

from .outlets import name_key
from .types import Evidence, NamedSource

_SOURCES_LINE = re.compile(r"^\s*sources?\s*:\s*(.*)$", re.I)
_NAME = r"((?:the\s+)?[A-Z][\w&.'-]*(?:\s+(?:of|for|de|al|el|the|and)?\s*[A-Z][\w&.'-]*){0,5})"
_ACCORDING = re.compile(rf"\baccording to\s+{_NAME}")
_REPORTED = re.compile(rf"{_NAME}\s+(?:has\s+|had\s+)?reported\b|\breported by\s+{_NAME}")
_SEPARATORS = re.compile(r"\s+[–—-]\s+|;|\||,\s+|\s+and\s+")


def named_sources(text: str) -> list[tuple[str, str]]:
    """Return (name, how) for each source the text names, in order of first mention."""
    found: dict[str, tuple[str, str]] = {}
    paragraphs = [p.strip() for p in text.split("\n\n")]
    for i, para in enumerate(paragraphs):
        m = _SOURCES_LINE.match(para)
        if m:
            listed = m.group(1) or (paragraphs[i + 1] if i + 1 < len(paragraphs) else "")
            for name in _SEPARATORS.split(re.sub(r"\([^)]*\)", "", listed)):
                _add(found, name, "sources-line")
    for m in _ACCORDING.finditer(text):
        _add(found, m.group(1), "according-to")
    for m in _REPORTED.finditer(text):
        _add(found, m.group(1) or m.group(2), "reported")
    return list(found.values())


def _add(found: dict[str, tuple[str, str]], name: str, how: str) -> None:
    name = re.sub(r"^the\s+", "", name.strip(" .,;:"), flags=re.I)
    if len(name) > 1 and name_key(name) and name_key(name) not in found:
        found[name_key(name)] = (name, how)


def match_sources(names: list[tuple[str, str]], evidence: list[Evidence]) -> list[NamedSource]:
    """Return each named source with whether it turns up among the evidence, as outlet or in the text."""
    outlets = {name_key(e.passage.outlet) for e in evidence} | {name_key(e.independent_outlet) for e in evidence}
    outlets.discard("")
    texts = " ".join(e.passage.text.lower() for e in evidence)
    out = []
    for name, how in names:
        key = name_key(name)
        # "Al Jazeera English" is the outlet "aljazeera"; "Haaretz reported" names it in an evidence passage.
        found = any(key in o or o in key for o in outlets) or name.lower() in texts
        out.append(NamedSource(name=name, how=how, found_in_evidence=found))
    return out
