"""Independence: which retrieved passages may count as independent corroboration (DESIGN.md rules 1-3, 5).

1. The checked article's own outlet never counts, under any of its hosts or names (``outlets``), nor does the
   outlet the article credits for its text.
2. A copy cluster (near-duplicates, excerpts, rewrites, syndicated text) counts once, under the outlet it credits
   or else its earliest outlet; a passage that credits an outlet ("Originally published by ...", "(Reuters) -")
   counts under that outlet, not its host's.
3. The checked article, or any copy or excerpt of it found in the index, is never its own evidence; nor is a passage
   that shares a stretch of its narrative word for word (a wire paragraph both carry), whatever the rest of its text.
5. The article's own source (a text it rewords sentence after sentence, ``provenance``) is shown as that, and
   never counts as independent corroboration.

Every passage set aside is listed with the rule and the reason, for the report.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .index.base import Copies, Index
from .index.dedup import CopyMatch, CopyText, copy_text, shares_block
from .outlets import Outlet, Outlets
from .provenance import Rewording, find_rewordings
from .types import Article, ArticleSource, Passage


@dataclass(frozen=True)
class Counted:
    passage: Passage
    outlet: str  # the outlet the passage counts under, by its one name in this report
    source: bool = False  # the article's own source: shown, never counted as independent


@dataclass(frozen=True)
class Own:
    """What the checked article is, for independence: its outlets, and its copies and sources in the index."""

    outlets: tuple[Outlet, ...]  # its own, and the one it credits
    articles: frozenset[int] = frozenset()  # indexed copies of it (rule 3)
    clusters: frozenset[int] = frozenset()  # and their clusters
    copy_reasons: dict[int, str] = field(default_factory=dict)  # article id -> what kind of copy it is
    sources: frozenset[int] = frozenset()  # clusters of the texts it rewords (rule 5)
    text: CopyText | None = None  # its text as copy detection compares it


class OutletNames:
    """One name per outlet within a report: the first name an outlet is met under, for all its hosts and names."""

    def __init__(self, outlets: Outlets) -> None:
        self.outlets = outlets
        self._met: list[Outlet] = []

    def identify(self, name: str = "", url: str = "", credit: str = "") -> Outlet:
        """Return the outlet of a text published as ``name`` at ``url``, or of the outlet it credits."""
        found = self.outlets.identify(credit) if credit else self.outlets.identify(name, url)
        for met in self._met:
            if self.outlets.same(met, found):
                return met
        if found.key:
            self._met.append(found)
        return found

    def same(self, a: Outlet, b: Outlet) -> bool:
        return self.outlets.same(a, b)


#: Indexed articles retrieved for at least this many claims, the most often retrieved first and at most
#: SOURCE_CANDIDATES of them, are compared with the article for rewording: a text it follows sentence after
#: sentence is found for claim after claim.
SOURCE_RETRIEVALS = 2
SOURCE_CANDIDATES = 10


def identify_own(
    article: Article, index: Index, found: list[list[Passage]], names: OutletNames
) -> tuple[Own, list[Rewording]]:
    """What counts as ``article`` itself, given the passages ``found`` for its claims: its outlets, its copies in
    the index, and the texts it rewords (returned too: the report shows them as the article's sources)."""
    # The checked article, or any copy of it in the index, is never its own evidence (rule 3).
    copies = index.find_copies(article.text, article.outlet, article.url)
    clusters = {stored.cluster_id for stored, _ in copies}
    # The texts the article rewords are its sources, never independent corroboration (rule 5).
    retrieved = Counter(p.article_id for passages in found for p in passages if p.cluster_id not in clusters)
    ids = [i for i, n in retrieved.most_common(SOURCE_CANDIDATES) if n >= SOURCE_RETRIEVALS]
    rewordings = find_rewordings(article.text, [a for a in map(index.article, ids) if a is not None])
    own = Own(
        outlets=own_outlets(article, names),
        articles=frozenset(stored.id for stored, _ in copies),
        clusters=frozenset(clusters),
        copy_reasons={stored.id: copy_reason(match) for stored, match in copies},
        sources=frozenset(r.article.cluster_id for r in rewordings),
        text=copy_text(article.text),
    )
    return own, rewordings


def article_source(rewording: Rewording, names: OutletNames) -> ArticleSource:
    """A text the article rewords, as the report names it."""
    a = rewording.article
    outlet = names.identify(a.outlet, a.url, a.credit)
    return ArticleSource(a.id, a.cluster_id, outlet.name or a.outlet, a.title, a.url, a.published, rewording.pairs)


def own_outlets(article: Article, names: OutletNames) -> tuple[Outlet, ...]:
    """The outlets whose reports cannot corroborate ``article``: its publisher's, and the one it credits."""
    found = [names.identify(article.outlet, article.url)]
    if article.credit:
        found.append(names.identify(credit=article.credit))
    return tuple(o for o in found if o.key)


#: A text sharing this much of both texts is a copy; one sharing less of the longer text, an excerpt of it.
COPY = 0.8


def copy_reason(match: CopyMatch) -> str:
    """Say what kind of copy of the checked article an indexed text is, and how much of it is the article's."""
    if match.longer_coverage >= COPY:
        return "a copy of the checked article"
    if match.contained:  # the checked article is the shorter of the two
        return f"holds the checked article's text ({match.longer_coverage:.0%} of it is the article's)"
    return f"an excerpt of the checked article ({match.coverage:.0%} of it is the article's text)"


def independent(
    passages: list[Passage], index: Copies, *, own: Own, names: OutletNames
) -> tuple[list[Counted], list[str]]:
    """Return the passages that count (one per copy cluster, best first; the article's sources flagged) and why
    the others were set aside."""
    counted: list[Counted] = []
    seen_clusters: set[int] = set()
    excluded: list[str] = []
    for p in passages:
        label = f"{p.outlet or 'unknown outlet'}: {p.title[:60] or p.text[:60]}"
        if p.article_id in own.articles or p.cluster_id in own.clusters:
            why = own.copy_reasons.get(p.article_id, "in one copy cluster with a copy of the checked article")
            excluded.append(f"{label} — {why} (rule 3)")
            continue
        if own.text is not None and shares_block(p.text, own.text):
            excluded.append(f"{label} — shares a passage word for word with the checked article (rule 3)")
            continue
        outlet = names.identify(p.outlet, p.url, p.credit)
        if any(names.same(outlet, mine) for mine in own.outlets):
            whose = f"credits {outlet.name}, " if p.credit else ""
            excluded.append(f"{label} — {whose}the article's own outlet (rule 1)")
            continue
        if p.cluster_id in seen_clusters:
            excluded.append(f"{label} — a copy of evidence already counted (rule 2)")
            continue
        cluster = _cluster_outlet(index, p.cluster_id, names) or outlet
        if any(names.same(cluster, mine) for mine in own.outlets):
            excluded.append(f"{label} — republishes a story first published by the article's own outlet (rule 2)")
            continue
        seen_clusters.add(p.cluster_id)
        counted.append(Counted(p, cluster.name, source=p.cluster_id in own.sources))
    return counted, excluded


def _cluster_outlet(index: Copies, cluster_id: int, names: OutletNames) -> Outlet | None:
    # A cluster counts under the outlet one of its texts credits, else under the outlet that published it first.
    members = index.cluster(cluster_id)
    credited = next((m for m in members if m.credit), None)
    if credited:
        return names.identify(credit=credited.credit)
    return names.identify(members[0].outlet, members[0].url) if members else None
