"""The copies benchmark, built from real articles: what the web republishes, and what it does not.

Deterministic from a seed. From ``../shared/data`` it reads FA-KES, the BBC corpus and the FNC-1 bodies as ingest
reads them (the natural documents), and AEB's real pages for their furniture. Then, for a sample of base articles:

positives  ``excerpt-start`` and ``excerpt-middle``: a contiguous 5–60 % of the base (at least 60 words), from its
           start or from a sentence in its middle, inside another article's page: half of them put into the HTML of
           a real AEB page in place of its body (its title, navigation, captions and links stay), half as scraped
           text with a title, counters, a credit line, a doubled caption, related links and readers' comments;
           ``rewrite``: the whole base lightly rewritten (at least two of: a paragraph dropped, a paragraph added,
           two paragraphs swapped, tense changed, figures restyled); ``sibling-host``: the whole text under another
           host of the same outlet (m., amp., an archive domain) with other furniture; ``credited``: a reprint with
           a credit line naming the base's outlet; plus the corpora's own exact repeats and near-copies
           (``natural-copy``: at least 80 % of the shorter text aligned with the other by difflib, an alignment
           twosource does not use).
negatives  ``same-event``: FA-KES articles of one place within two days from different outlets, and FNC-1 bodies
           written about one headline; ``shares-passage``: natural pairs sharing some text (under 30 % aligned:
           a stock background paragraph, a quoted statement); ``shares-quote``: another article with one sentence
           of the base (15–45 words) quoted in it.

A natural pair aligned between 30 % and 80 % (an updated version of a story, a wire text rewritten) is left
unlabelled: neither kind of pair, and its documents out of the adjusted Rand index, which says so. Nor is a pair
of texts joined by a chain of such versions a negative.

Every document carries the half of its base (``dev`` or ``test``, by a hash of the base's id), so that thresholds
chosen on one half are reported on the other.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import FormatError, SourceError
from ..read import article_from_text, read_bytes
from ..read.decode import normalize_text
from ..settings import ReadLimits
from ..types import Article, Progress
from .reprints import (
    Page,
    excerpt_of,
    furniture_pages,
    host_of,
    into_page,
    kept,
    paragraphs_of,
    quote_of,
    raw_words,
    rewritten,
    scraped_page,
)

HALVES = ("dev", "test")
#: What each kind of derived document is: a copy of its base (positive) or not (negative).
POSITIVE_KINDS = ("excerpt-start", "excerpt-middle", "rewrite", "sibling-host", "credited", "natural-copy")
NEGATIVE_KINDS = ("same-event", "shares-passage", "shares-quote")
#: A base has at least this many words, so that a 60-word excerpt is at most half of it.
MIN_BASE_WORDS = 120
#: difflib alignment of natural pairs: matching blocks of at least ALIGN_BLOCK words count; a copy at COPY_ALIGNED of
#: the shorter text, unlabelled from UNLABELLED_ALIGNED up.
ALIGN_BLOCK = 8
COPY_ALIGNED = 0.8
UNLABELLED_ALIGNED = 0.3
SAME_EVENT_DAYS = 2
#: Natural pairs sharing fewer runs of ALIGN_BLOCK words than this are not aligned (they share a sentence or two).
FEW_RUNS = 4


@dataclass
class BenchDoc:
    """One document of the benchmark, as ingest would read it."""

    id: str
    article: Article
    kind: str  # "natural" or a derived kind
    base: str  # the id of the document it derives from ("" for natural documents)
    half: str
    words: int = 0  # for excerpts: its length in words
    share: float = 0.0  # for excerpts: its share of the base


@dataclass(frozen=True)
class LabelledPair:
    a: str
    b: str
    kind: str
    copy: bool
    half: str
    words: int = 0  # for excerpts
    share: float = 0.0


@dataclass
class Benchmark:
    docs: list[BenchDoc]
    pairs: list[LabelledPair]
    gold: dict[str, str]  # document id -> gold cluster (documents in unlabelled natural pairs are absent)
    unlabelled: int  # natural pairs left unlabelled
    rejected: int = 0  # generated pages the reader refused (counted, never scored)
    lost: int = 0  # excerpts the reader did not keep (under half of their text extracted; counted, never scored)
    discarded: int = 0  # pages whose own article could not all be taken out for an excerpt (never scored)


def half_of(doc_id: str) -> str:
    return HALVES[int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 2]


# -- the natural documents ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Natural:
    id: str
    article: Article
    corpus: str
    event: str  # FA-KES: its place; FNC-1: "" (events come from the headlines)


def _natural(data: Path) -> list[_Natural]:
    # Row by row, as ingest reads a collection's records. (Ingest itself refuses FNC-1's bodies file whole: three
    # of its 1,683 bodies hold a stray control character.)
    sources = [
        ("fakes", data / "fakes" / "FA-KES-Dataset.csv", "latin-1", ("article_content", "article_title", "source")),
        ("bbc", data / "news" / "bbc" / "bbc_news.csv", "utf-8", ("text", "title", "source")),
        ("fnc", data / "fnc1" / "train_bodies.csv", "utf-8", ("articleBody", "", "")),
    ]
    docs = []
    for corpus, path, encoding, (text, title, outlet) in sources:
        for number, row in enumerate(_csv(path, encoding), start=1):
            origin = f"{path}:row {number}"
            try:
                article = article_from_text(
                    normalize_text(row[text]),
                    origin,
                    title=row.get(title, ""),
                    outlet=row.get(outlet, ""),
                    date=row.get("date") or None,
                )
            except SourceError:
                continue
            docs.append(_Natural(f"{corpus}:{number}", article, corpus, row.get("location", "")))
    return docs


def _csv(path: Path, encoding: str) -> list[dict[str, str]]:
    if not path.is_file():
        raise FormatError(str(path), "missing: the copies benchmark reads FA-KES, the BBC corpus and FNC-1")
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def _fnc_headline_groups(data: Path) -> list[list[str]]:
    row_of = {row["Body ID"]: f"fnc:{n}" for n, row in enumerate(_csv(data / "fnc1" / "train_bodies.csv", "utf-8"), 1)}
    groups: dict[str, set[str]] = defaultdict(set)
    for row in _csv(data / "fnc1" / "train_stances.csv", "utf-8"):
        if row["Stance"] != "unrelated" and row["Body ID"] in row_of:
            groups[row["Headline"]].add(row_of[row["Body ID"]])
    return [sorted(g) for g in groups.values() if len(g) > 1]


def _aligned(a: str, b: str) -> float:
    """Return the share of the shorter text covered by difflib's matching blocks of at least ALIGN_BLOCK words."""
    wa, wb = raw_words(a), raw_words(b)
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks() if block.size >= ALIGN_BLOCK)
    return matched / max(1, min(len(wa), len(wb)))


def _sharing_pairs(docs: list[_Natural]) -> dict[tuple[int, int], int]:
    """Return the pairs sharing a run of ALIGN_BLOCK words (the only ones difflib can align), with how many runs."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        words = raw_words(d.article.text)
        for gram in {" ".join(words[k : k + ALIGN_BLOCK]) for k in range(max(1, len(words) - ALIGN_BLOCK + 1))}:
            postings[gram].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in postings.values():
        if len(ids) <= 200:  # a phrase hundreds of texts share is a formula, not a copy
            shared.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    return shared


# -- the benchmark ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Derived:
    kind: str
    raw: str  # the page: HTML or scraped text
    html: bool
    outlet: str = ""
    url: str = ""
    words: int = 0
    share: float = 0.0
    host: str = ""  # for a text that quotes the base: the article it is made of
    excerpt: str = ""  # for an excerpt: its text, to check that the reader kept it
    page_article: str = ""  # for an excerpt put into a page: the article it replaced


def _derivations(
    rng: random.Random, base: _Natural, pages: list[Page], donors: list[str], partner: _Natural | None
) -> Iterator[_Derived]:
    """Yield the pages derived from ``base``: its excerpts, a rewrite, a sibling-host copy, a credited reprint,
    and ``partner``'s text quoting one of its sentences."""
    text = base.article.text
    outlet = base.article.outlet or base.corpus
    for kind in ("excerpt-start", "excerpt-middle"):
        paragraphs, words, share = excerpt_of(rng, text, middle=kind == "excerpt-middle")
        page = rng.choice(pages)
        html = into_page(page, paragraphs) if rng.random() < 0.5 else None
        excerpt = "\n\n".join(paragraphs)
        if html:
            yield _Derived(
                kind,
                html,
                True,
                url=page.page.url,
                words=words,
                share=share,
                excerpt=excerpt,
                page_article=page.page.gold,
            )
        else:
            host = host_of(page.page.url)
            raw = scraped_page(rng, page, paragraphs, donors, outlet=host)
            yield _Derived(kind, raw, False, host, words=words, share=share, excerpt=excerpt)
    page = rng.choice(pages)
    host = host_of(page.page.url)
    yield _Derived("rewrite", scraped_page(rng, page, rewritten(rng, text, donors), donors, outlet=host), False, host)
    sibling = f"{rng.choice(['m', 'amp', 'archive', 'mobile'])}.{re.sub(r'[^a-z0-9]+', '', outlet.lower())}.com"
    page = rng.choice(pages)
    yield _Derived("sibling-host", scraped_page(rng, page, paragraphs_of(text), donors, outlet=sibling), False, sibling)
    page = rng.choice(pages)
    host = host_of(page.page.url)
    credit = rng.choice([f"Originally published by {outlet}", f"Source: {outlet}", f"By Staff, {outlet}:"])
    paragraphs = paragraphs_of(text)
    yield _Derived("credited", scraped_page(rng, page, paragraphs, donors, outlet=host, credit=credit), False, host)
    quote = quote_of(rng, text)
    if partner is not None and quote:
        paragraphs = paragraphs_of(partner.article.text)
        framed = rng.choice([f"“{quote}”", f"As was reported elsewhere: “{quote}”", f"“{quote}”, a report said."])
        paragraphs.insert(min(1, len(paragraphs)), framed)
        page = rng.choice(pages)
        host = host_of(page.page.url)
        yield _Derived(
            "shares-quote", scraped_page(rng, page, paragraphs, donors, outlet=host), False, host, host=partner.id
        )


def _same_event_pairs(natural: list[_Natural]) -> list[tuple[str, str]]:
    # FA-KES: one place, at most SAME_EVENT_DAYS apart, different outlets.
    dated = [(d, _day(d.article.published)) for d in natural if d.corpus == "fakes" and d.event]
    pairs = []
    for x, (a, day_a) in enumerate(dated):
        for b, day_b in dated[x + 1 :]:
            if (
                a.event == b.event
                and a.article.outlet != b.article.outlet
                and day_a is not None
                and day_b is not None
                and abs((day_a - day_b).days) <= SAME_EVENT_DAYS
            ):
                pairs.append((a.id, b.id))
    return pairs


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def _clusters(ids: list[str], links: list[tuple[str, str]]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
    return {i: root(i) for i in ids}


def build_benchmark(
    data: str | Path, *, seed: int = 12, bases: int = 600, progress: Progress | None = None
) -> Benchmark:
    """Return the benchmark built from ``data`` (the shared data folder), the same for the same seed and size."""
    data = Path(data)
    step = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    step("reading the corpora", 0, 0)
    natural = _natural(data)
    pages = furniture_pages(data / "aeb")
    docs = [BenchDoc(d.id, d.article, "natural", "", half_of(d.id)) for d in natural]
    step("aligning natural pairs", 0, 0)
    found = _natural_pairs(natural)
    step("pairing reports of one event", 0, 0)
    partners = _event_pairs(data, natural, found)
    # Derived documents, from bases sampled evenly across the corpora.
    eligible = [d for d in natural if len(d.article.text.split()) >= MIN_BASE_WORDS and d.id not in found.unlabelled]
    corpora = sorted({d.corpus for d in eligible})
    chosen: list[_Natural] = []
    for corpus in corpora:
        pool = [d for d in eligible if d.corpus == corpus]
        chosen += rng.sample(pool, min(len(pool), bases // len(corpora)))
    # Readers' comments and added paragraphs come from AEB's article bodies: real text that is in no document of
    # the benchmark, so that they make no copy of one.
    donors = [page.page.gold for page in pages]
    by_id = {d.id: d for d in natural}
    counts: Counter[str] = Counter()
    max_bytes = ReadLimits.from_env().max_bytes
    for n, base in enumerate(chosen):
        step("generating copies", n, len(chosen))
        candidates = [i for i in sorted(partners.get(base.id, ())) if i in by_id and i not in found.unlabelled] or [
            d.id
            for d in rng.sample(natural, 5)
            if d.id != base.id and d.id not in found.unlabelled and (base.id, d.id) not in found.aligned
        ]
        partner = by_id[rng.choice(candidates)] if candidates else None
        for derived in _derivations(rng, base, pages, donors, partner):
            _add_derived(derived, base, docs, found, counts, max_bytes)
    step("generating copies", len(chosen), len(chosen))
    gold = _clusters([d.id for d in docs if d.id not in found.unlabelled], found.links)
    return Benchmark(
        docs, found.pairs, gold, found.unlabelled_pairs, counts["rejected"], counts["lost"], counts["discarded"]
    )


@dataclass
class _Pairs:
    """The labelled pairs and copy links found so far, and what the natural pairs' alignment left unlabelled."""

    pairs: list[LabelledPair] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    unlabelled: set[str] = field(default_factory=set)
    unlabelled_pairs: int = 0
    aligned: dict[tuple[str, str], float] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)  # a document's chain of versions


def _natural_pairs(natural: list[_Natural]) -> _Pairs:
    """Align the natural pairs that share text: copies, versions (unlabelled), and pairs sharing a passage."""
    found = _Pairs()
    passages: list[tuple[str, str]] = []
    related: list[tuple[str, str]] = []  # pairs sharing UNLABELLED_ALIGNED or more: versions of one text
    for (i, j), runs in sorted(_sharing_pairs(natural).items()):
        a, b = natural[i], natural[j]
        # A pair sharing a few runs shares a sentence or two at most: not worth aligning.
        share = _aligned(a.article.text, b.article.text) if runs >= FEW_RUNS else 0.0
        found.aligned[(a.id, b.id)] = found.aligned[(b.id, a.id)] = share
        if share >= COPY_ALIGNED:
            found.links.append((a.id, b.id))
            found.pairs.append(LabelledPair(a.id, b.id, "natural-copy", True, half_of(min(a.id, b.id))))
        elif share >= UNLABELLED_ALIGNED:
            found.unlabelled_pairs += 1
            found.unlabelled.update((a.id, b.id))
        else:
            passages.append((a.id, b.id))
        if share >= UNLABELLED_ALIGNED:
            related.append((a.id, b.id))
    # Two texts are surely not one when no chain of versions (each sharing UNLABELLED_ALIGNED) joins them: a wire
    # story's rewrites can share little pairwise and still be one text through the versions between them.
    found.family = family = _clusters([d.id for d in natural], related)
    found.pairs += [
        LabelledPair(a, b, "shares-passage", False, half_of(min(a, b))) for a, b in passages if family[a] != family[b]
    ]
    return found


def _event_pairs(data: Path, natural: list[_Natural], found: _Pairs) -> dict[str, list[str]]:
    """Add the pairs reporting one event as negatives; return each document's partners in them."""
    by_id = {d.id: d for d in natural}
    event_pairs = _same_event_pairs(natural)
    for group in _fnc_headline_groups(data):
        event_pairs += [(group[x], group[y]) for x in range(len(group)) for y in range(x + 1, len(group))]
    partners: dict[str, list[str]] = defaultdict(list)
    for a_id, b_id in event_pairs:
        if a_id in by_id and b_id in by_id and found.family[a_id] != found.family[b_id]:
            found.pairs.append(LabelledPair(a_id, b_id, "same-event", False, half_of(min(a_id, b_id))))
            partners[a_id].append(b_id)
            partners[b_id].append(a_id)
    return partners


def _add_derived(
    derived: _Derived, base: _Natural, docs: list[BenchDoc], found: _Pairs, counts: Counter[str], max_bytes: int
) -> None:
    """Read a derived page as ingest would and add it with its pair, unless the reader lost what makes it one."""
    doc_id = f"{derived.kind}:{base.id}"
    try:
        if derived.html:
            article = read_bytes(derived.raw.encode(), doc_id, url=derived.url, html=True, max_bytes=max_bytes)
        else:
            article = article_from_text(derived.raw, doc_id, outlet=derived.outlet, url=derived.url)
    except SourceError:
        counts["rejected"] += 1
        return
    if derived.excerpt and not kept(derived.excerpt, article.text):
        counts["lost"] += 1  # the reader lost the excerpt: nothing of it is left to detect
        return
    if derived.html and derived.page_article and kept(derived.page_article, article.text, 0.2):
        counts["discarded"] += 1  # the page's own article was not all taken out: not an excerpt of one article
        return
    half = half_of(base.id)
    if derived.kind == "shares-quote":
        docs.append(BenchDoc(doc_id, article, derived.kind, derived.host, half))
        found.links.append((doc_id, derived.host))
        found.pairs.append(LabelledPair(doc_id, base.id, derived.kind, False, half))
        return
    docs.append(BenchDoc(doc_id, article, derived.kind, base.id, half, derived.words, derived.share))
    found.links.append((doc_id, base.id))
    found.pairs.append(LabelledPair(doc_id, base.id, derived.kind, True, half, derived.words, derived.share))
