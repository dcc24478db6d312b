"""Independence: which retrieved passages may count as independent corroboration (DESIGN.md rules 1-3).

1. The checked article's own outlet never counts.
2. A copy cluster (near-duplicates, truncated copies, syndicated text) counts once, under its earliest outlet.
3. The checked article, or any copy of it found in the index, is never its own evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .index.base import Index
from .types import Passage


@dataclass(frozen=True)
class Counted:
    passage: Passage
    outlet: str  # the outlet the passage counts under


def outlet_key(name: str) -> str:
    """Return an outlet name reduced for comparison: "www.Reuters.com" and "Reuters" are one outlet."""
    key = name.lower().strip()
    key = re.sub(r"^(https?://)?(www\.)?", "", key)
    key = re.sub(r"\.(com|org|net|co\.uk|co|news|info|ru|tr|sy|jo|lb|gov)(/.*)?$", "", key)
    key = re.sub(r"^the\s+", "", key)
    return re.sub(r"[^a-z0-9]", "", key)


def independent(
    passages: list[Passage],
    index: Index,
    *,
    own_outlet: str,
    own_articles: set[int],
    own_clusters: set[int],
) -> tuple[list[Counted], list[str]]:
    """Return the passages that count (one per copy cluster, best first) and why the others were set aside."""
    own = outlet_key(own_outlet)
    counted: list[Counted] = []
    seen_clusters: set[int] = set()
    excluded: list[str] = []
    for p in passages:
        label = f"{p.outlet or 'unknown outlet'}: {p.title[:60] or p.text[:60]}"
        if p.article_id in own_articles or p.cluster_id in own_clusters:
            excluded.append(f"{label} — a copy of the checked article (rule 3)")
            continue
        if own and outlet_key(p.outlet) == own:
            excluded.append(f"{label} — the article's own outlet (rule 1)")
            continue
        if p.cluster_id in seen_clusters:
            excluded.append(f"{label} — a copy of evidence already counted (rule 2)")
            continue
        earliest = _earliest_outlet(index, p.cluster_id) or p.outlet
        if own and outlet_key(earliest) == own:
            excluded.append(f"{label} — republishes a story first published by the article's own outlet (rule 2)")
            continue
        seen_clusters.add(p.cluster_id)
        counted.append(Counted(p, earliest))
    return counted, excluded


def _earliest_outlet(index: Index, cluster_id: int) -> str:
    members = index.cluster(cluster_id)
    return members[0].outlet if members else ""
