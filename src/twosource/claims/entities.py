"""Named entities of a sentence, normalised, and the speaker of a quote."""

from __future__ import annotations

import re

from ..types import Entity

KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "EVENT", "FAC"})
_TITLES = re.compile(
    r"^(?:(?:the|commander|gen\.?|general|president|prime minister|minister|dr\.?|mr\.?|mrs\.?|ms\.?|"
    r"col\.?|colonel|lt\.?|sheikh|king|prince|sen\.?|senator|gov\.?|governor)\s+)+",
    re.I,
)


def normalize_entity(text: str) -> str:
    """Return the canonical form of an entity: no titles or leading "the", no possessive, capitalised."""
    name = " ".join(text.split())
    name = re.sub(r"[’']s$", "", name)
    name = _TITLES.sub("", name).strip(" ,.;:")
    if name.islower():
        name = name.title()
    return name


def resolve_people(entities: list[Entity], known: dict[str, str]) -> list[Entity]:
    """Return ``entities`` with bare surnames expanded to the full name seen earlier ("Kahwagi" -> "Jean Kahwagi").

    ``known`` maps surnames to full names and is updated as longer names are seen.
    """
    out = []
    for e in entities:
        if e.label == "PERSON":
            parts = e.normalized.split()
            if len(parts) > 1:
                known.setdefault(parts[-1].lower(), e.normalized)
            elif parts and parts[0].lower() in known:
                e = Entity(e.text, e.label, known[parts[0].lower()])
        out.append(e)
    return out


def find_speaker(
    own_words: str, entities: list[Entity], sentence_start: int, spans: list[tuple[int, int]], label: str
) -> str:
    """Return the first entity of ``label`` named outside the quoted words of a sentence, or ""."""
    for e, (s, _) in zip(entities, spans, strict=True):
        offset = s - sentence_start
        if e.label == label and 0 <= offset < len(own_words) and own_words[offset].strip():
            return e.normalized
    return ""
