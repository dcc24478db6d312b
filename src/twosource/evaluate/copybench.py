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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import FormatError, SourceError
from ..read import article_from_text, read_bytes
from ..read.decode import normalize_text
from ..sentences import split_sentences
from ..settings import ReadLimits
from ..types import Article, Progress
from .extract import AebPage, load_aeb

HALVES = ("dev", "test")
#: What each kind of derived document is: a copy of its base (positive) or not (negative).
POSITIVE_KINDS = ("excerpt-start", "excerpt-middle", "rewrite", "sibling-host", "credited", "natural-copy")
NEGATIVE_KINDS = ("same-event", "shares-passage", "shares-quote")
#: Excerpt length: a share of the base drawn from this range, never under MIN_EXCERPT_WORDS words.
EXCERPT_SHARE = (0.05, 0.60)
MIN_EXCERPT_WORDS = 60
#: A base has at least this many words, so that a 60-word excerpt is at most half of it.
MIN_BASE_WORDS = 120
#: difflib alignment of natural pairs: matching blocks of at least ALIGN_BLOCK words count; a copy at COPY_ALIGNED of
#: the shorter text, unlabelled from UNLABELLED_ALIGNED up.
ALIGN_BLOCK = 8
COPY_ALIGNED = 0.8
UNLABELLED_ALIGNED = 0.3
SAME_EVENT_DAYS = 2
#: A rewrite's added paragraph is at most this long, and a reader's comment's sentences too.
ADDED_WORDS = 50
COMMENT_WORDS = 40
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
    wa, wb = _raw_words(a), _raw_words(b)
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks() if block.size >= ALIGN_BLOCK)
    return matched / max(1, min(len(wa), len(wb)))


def _raw_words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _sharing_pairs(docs: list[_Natural]) -> dict[tuple[int, int], int]:
    """Return the pairs sharing a run of ALIGN_BLOCK words (the only ones difflib can align), with how many runs."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        words = _raw_words(d.article.text)
        for gram in {" ".join(words[k : k + ALIGN_BLOCK]) for k in range(max(1, len(words) - ALIGN_BLOCK + 1))}:
            postings[gram].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for ids in postings.values():
        if len(ids) <= 200:  # a phrase hundreds of texts share is a formula, not a copy
            shared.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
    return shared


# -- page furniture ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A real page with its body marked, to put another text into."""

    page: AebPage
    html: str
    title: str
    furniture: tuple[str, ...]  # its lines that are not the article: navigation, captions, links, notices


def furniture_pages(aeb: Path) -> list[Page]:
    """Return AEB's English pages with their furniture lines (short texts that are not the article's), to wrap
    other texts in."""
    import lxml.html

    from ..read.language import check_english

    pages = []
    for page in load_aeb(aeb):
        try:
            check_english(page.gold, page.id)
        except SourceError:
            continue
        html = page.html.decode("utf-8", errors="replace")
        doc = lxml.html.fromstring(html)
        gold = set(_trigrams(page.gold))
        lines = []
        for element in doc.iter("a", "li", "figcaption", "h2", "h3", "span", "p", "div"):
            text = re.sub(r"\s+", " ", element.text_content() or "").strip()
            if 3 <= len(text.split()) <= 25 and len(set(_trigrams(text)) & gold) <= 1:
                lines.append(text)
        title = re.sub(r"\s+", " ", doc.findtext(".//title") or "").strip()
        pages.append(Page(page, html, title, tuple(dict.fromkeys(lines))))
    return [p for p in pages if p.title and len(p.furniture) >= 6]


def _trigrams(text: str) -> list[str]:
    words = _raw_words(text)
    return [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]


def into_page(page: Page, paragraphs: list[str]) -> str | None:
    """Return the page's HTML with its article replaced by ``paragraphs``; None when its article is not found.

    Everything of the article goes (paragraphs, subheadings, captions that repeat it); what the page holds
    around it stays: title, navigation, share buttons, related links, footer.
    """
    import lxml.html
    from lxml.html import builder

    doc = lxml.html.fromstring(page.html)
    gold = set(_trigrams(page.page.gold))

    def of_article(element: Any) -> bool:
        grams = _trigrams(element.text_content() or "")
        return len(grams) >= 3 and sum(g in gold for g in grams) >= 0.5 * len(grams)

    body = [p for p in doc.iter("p") if len(_trigrams(p.text_content() or "")) >= 5 and of_article(p)]
    if len(body) < 2:
        return None
    container = body[0].getparent()
    while container is not None and not all(container in p.iterancestors() for p in body):
        container = container.getparent()
    if container is None:
        return None
    removable = set(body) | {e for e in container.iterdescendants() if isinstance(e.tag, str) and of_article(e)}

    def outermost(element: Any) -> Any:
        top = element
        for ancestor in element.iterancestors():
            if ancestor is container:
                break
            if ancestor in removable:
                top = ancestor
        return top

    marker = builder.P()
    outermost(body[0]).addprevious(marker)
    for element in [e for e in removable if outermost(e) is e]:
        element.getparent().remove(element)
    for text in paragraphs:
        marker.addprevious(builder.P(text))
    marker.getparent().remove(marker)
    return lxml.html.tostring(doc, encoding="unicode")


def _comment(rng: random.Random, donors: list[str]) -> str:
    donor = rng.choice(donors)
    sentences = [donor[s:e] for s, e in split_sentences(donor) if 5 <= len(donor[s:e].split()) <= COMMENT_WORDS]
    picked = " ".join(rng.sample(sentences, min(len(sentences), rng.randint(1, 2)))) or "Thanks for sharing."
    name = rng.choice(["Ahmad", "J. Smith", "Reader1984", "Maria K.", "truthseeker", "Sam"])
    return f"{name} says: {picked}"


def _scraped(
    rng: random.Random, page: Page, paragraphs: list[str], donors: list[str], *, outlet: str, credit: str = ""
) -> str:
    """Return ``paragraphs`` as a scraped page's text: title, counters, credit line, caption, links, comments."""
    furniture = list(page.furniture)
    rng.shuffle(furniture)
    lines = [page.title, ""]
    if rng.random() < 0.5:
        lines += [str(rng.randint(0, 40)), "", str(rng.randint(100, 9000)), ""]
    author = rng.choice(["Staff writer", "Ashraf Ezzat", "Jane Doe", "Ali Hassan", "Reporter"])
    lines += [credit or f"By {author}, {outlet}:", ""]
    caption = furniture.pop()
    lines += [caption, caption, ""]
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    lines += [rng.choice(["Continue reading…", "Read the full story", "Read more"]), ""]
    lines += ["Related:"] + [f"- {line}" for line in furniture[:3]] + [""]
    comments = rng.randint(0, 3)
    if comments:
        lines += [f"{comments} Comments", ""]
        lines += [line for _ in range(comments) for line in (_comment(rng, donors), "")]
    lines += [f"© 2015 {outlet}. All rights reserved."]
    return "\n".join(lines)


# -- derived texts -----------------------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def _excerpt(rng: random.Random, text: str, middle: bool) -> tuple[list[str], int, float]:
    """Return an excerpt of ``text`` as paragraphs, its length in words and its share of the text."""
    words = list(re.finditer(r"\S+", text))
    share = rng.uniform(*EXCERPT_SHARE)
    length = min(len(words) - 1, max(MIN_EXCERPT_WORDS, round(share * len(words))))
    start = 0
    if middle:
        starts = [s for s, _ in split_sentences(text) if 0.2 * len(text) <= s <= 0.6 * len(text)]
        first_word = {m.start(): i for i, m in enumerate(words)}
        candidates = [first_word[s] for s in starts if s in first_word and first_word[s] + length <= len(words)]
        start = rng.choice(candidates) if candidates else max(0, len(words) - length)
    chosen = words[start : start + length]
    body = text[chosen[0].start() : chosen[-1].end()]
    if rng.random() < 0.5:
        body += " …"
    return _paragraphs(body), length, round(length / len(words), 4)


_TENSE = [
    (r"\bsaid\b", "says"),
    (r"\bhas been\b", "was"),
    (r"\bhave been\b", "were"),
    (r"\bis\b", "was"),
    (r"\bare\b", "were"),
    (r"\bwill\b", "would"),
    (r"\bkilled\b", "have killed"),
]


def _restyle_figures(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"\b(\d+(?:\.\d+)?) ?(?:percent|per cent)\b", r"\1%", text)
    for word, digit in (("two", "2"), ("three", "3"), ("four", "4"), ("five", "5"), ("ten", "10")):
        text = re.sub(rf"\b{word}\b", digit, text)
    return text


def _rewrite(rng: random.Random, text: str, donors: list[str]) -> list[str]:
    """Return ``text`` lightly rewritten: at least two of the edits a syndicating desk makes."""
    paragraphs = _paragraphs(text)
    edits = ["drop", "add", "swap", "tense", "figures"]
    for edit in rng.sample(edits, rng.randint(2, len(edits))):
        if edit == "drop" and len(paragraphs) >= 4:
            paragraphs.pop(rng.randrange(1, len(paragraphs)))
        elif edit == "add":  # a short paragraph of background, as a desk adds
            donor = [p for p in _paragraphs(rng.choice(donors)) if len(p.split()) <= ADDED_WORDS]
            if donor:
                paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), rng.choice(donor))
        elif edit == "swap" and len(paragraphs) >= 3:
            i = rng.randrange(1, len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
        elif edit == "tense":
            for pattern, replacement in _TENSE:
                paragraphs = [re.sub(pattern, replacement, p) for p in paragraphs]
        elif edit == "figures":
            paragraphs = [_restyle_figures(p) for p in paragraphs]
    return paragraphs


def _quote(rng: random.Random, text: str) -> str | None:
    sentences = [text[s:e] for s, e in split_sentences(text) if 15 <= len(text[s:e].split()) <= 45]
    quoted = [s for s in sentences if re.search(r"[\"“”]|\bsaid\b|\btold\b", s)]
    return rng.choice(quoted or sentences) if sentences else None


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
        paragraphs, words, share = _excerpt(rng, text, middle=kind == "excerpt-middle")
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
            host = _host(page.page.url)
            raw = _scraped(rng, page, paragraphs, donors, outlet=host)
            yield _Derived(kind, raw, False, host, words=words, share=share, excerpt=excerpt)
    page = rng.choice(pages)
    host = _host(page.page.url)
    yield _Derived("rewrite", _scraped(rng, page, _rewrite(rng, text, donors), donors, outlet=host), False, host)
    sibling = f"{rng.choice(['m', 'amp', 'archive', 'mobile'])}.{re.sub(r'[^a-z0-9]+', '', outlet.lower())}.com"
    page = rng.choice(pages)
    yield _Derived("sibling-host", _scraped(rng, page, _paragraphs(text), donors, outlet=sibling), False, sibling)
    page = rng.choice(pages)
    host = _host(page.page.url)
    credit = rng.choice([f"Originally published by {outlet}", f"Source: {outlet}", f"By Staff, {outlet}:"])
    paragraphs = _paragraphs(text)
    yield _Derived("credited", _scraped(rng, page, paragraphs, donors, outlet=host, credit=credit), False, host)
    quote = _quote(rng, text)
    if partner is not None and quote:
        paragraphs = _paragraphs(partner.article.text)
        framed = rng.choice([f"“{quote}”", f"As was reported elsewhere: “{quote}”", f"“{quote}”, a report said."])
        paragraphs.insert(min(1, len(paragraphs)), framed)
        page = rng.choice(pages)
        host = _host(page.page.url)
        yield _Derived(
            "shares-quote", _scraped(rng, page, paragraphs, donors, outlet=host), False, host, host=partner.id
        )


def _kept(text: str, read: str, share: float = 0.5) -> bool:
    """Whether the reader kept at least ``share`` of ``text``."""
    grams = _trigrams(text)
    held = set(_trigrams(read))
    return sum(g in held for g in grams) >= share * len(grams)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").removeprefix("www.")


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
    by_id = {d.id: d for d in natural}
    pages = furniture_pages(data / "aeb")
    docs = [BenchDoc(d.id, d.article, "natural", "", half_of(d.id)) for d in natural]
    pairs: list[LabelledPair] = []
    links: list[tuple[str, str]] = []
    step("aligning natural pairs", 0, 0)
    unlabelled: set[str] = set()
    unlabelled_pairs = 0
    aligned: dict[tuple[str, str], float] = {}
    passages: list[tuple[str, str]] = []
    related: list[tuple[str, str]] = []  # pairs sharing UNLABELLED_ALIGNED or more: versions of one text
    for (i, j), runs in sorted(_sharing_pairs(natural).items()):
        a, b = natural[i], natural[j]
        # A pair sharing a few runs shares a sentence or two at most: not worth aligning.
        share = _aligned(a.article.text, b.article.text) if runs >= FEW_RUNS else 0.0
        aligned[(a.id, b.id)] = aligned[(b.id, a.id)] = share
        if share >= COPY_ALIGNED:
            links.append((a.id, b.id))
            pairs.append(LabelledPair(a.id, b.id, "natural-copy", True, half_of(min(a.id, b.id))))
        elif share >= UNLABELLED_ALIGNED:
            unlabelled_pairs += 1
            unlabelled.update((a.id, b.id))
        else:
            passages.append((a.id, b.id))
        if share >= UNLABELLED_ALIGNED:
            related.append((a.id, b.id))
    # Two texts are surely not one when no chain of versions (each sharing UNLABELLED_ALIGNED) joins them: a wire
    # story's rewrites can share little pairwise and still be one text through the versions between them.
    family = _clusters([d.id for d in natural], related)
    pairs += [
        LabelledPair(a, b, "shares-passage", False, half_of(min(a, b))) for a, b in passages if family[a] != family[b]
    ]
    step("pairing reports of one event", 0, 0)
    event_pairs = _same_event_pairs(natural)
    for group in _fnc_headline_groups(data):
        event_pairs += [(group[x], group[y]) for x in range(len(group)) for y in range(x + 1, len(group))]
    partners: dict[str, list[str]] = defaultdict(list)
    for a_id, b_id in event_pairs:
        if a_id in by_id and b_id in by_id and family[a_id] != family[b_id]:
            pairs.append(LabelledPair(a_id, b_id, "same-event", False, half_of(min(a_id, b_id))))
            partners[a_id].append(b_id)
            partners[b_id].append(a_id)
    # Derived documents, from bases sampled evenly across the corpora.
    eligible = [d for d in natural if len(d.article.text.split()) >= MIN_BASE_WORDS and d.id not in unlabelled]
    corpora = sorted({d.corpus for d in eligible})
    chosen: list[_Natural] = []
    for corpus in corpora:
        pool = [d for d in eligible if d.corpus == corpus]
        chosen += rng.sample(pool, min(len(pool), bases // len(corpora)))
    # Readers' comments and added paragraphs come from AEB's article bodies: real text that is in no document of
    # the benchmark, so that they make no copy of one.
    donors = [page.page.gold for page in pages]
    rejected = lost = discarded = 0
    limits = ReadLimits.from_env()
    for n, base in enumerate(chosen):
        step("generating copies", n, len(chosen))
        candidates = [i for i in sorted(partners.get(base.id, ())) if i in by_id and i not in unlabelled] or [
            d.id
            for d in rng.sample(natural, 5)
            if d.id != base.id and d.id not in unlabelled and (base.id, d.id) not in aligned
        ]
        partner = by_id[rng.choice(candidates)] if candidates else None
        for derived in _derivations(rng, base, pages, donors, partner):
            doc_id = f"{derived.kind}:{base.id}"
            try:
                if derived.html:
                    article = read_bytes(
                        derived.raw.encode(), doc_id, url=derived.url, html=True, max_bytes=limits.max_bytes
                    )
                else:
                    article = article_from_text(derived.raw, doc_id, outlet=derived.outlet, url=derived.url)
            except SourceError:
                rejected += 1
                continue
            if derived.excerpt and not _kept(derived.excerpt, article.text):
                lost += 1  # the reader lost the excerpt: nothing of it is left to detect
                continue
            if derived.html and derived.page_article and _kept(derived.page_article, article.text, 0.2):
                discarded += 1  # the page's own article was not all taken out: not an excerpt of one article
                continue
            if derived.kind == "shares-quote":
                docs.append(BenchDoc(doc_id, article, derived.kind, derived.host, half_of(base.id)))
                links.append((doc_id, derived.host))
                pairs.append(LabelledPair(doc_id, base.id, derived.kind, False, half_of(base.id)))
                continue
            docs.append(
                BenchDoc(doc_id, article, derived.kind, base.id, half_of(base.id), derived.words, derived.share)
            )
            links.append((doc_id, base.id))
            pairs.append(
                LabelledPair(doc_id, base.id, derived.kind, True, half_of(base.id), derived.words, derived.share)
            )
    step("generating copies", len(chosen), len(chosen))
    gold = _clusters([d.id for d in docs if d.id not in unlabelled], links)
    return Benchmark(docs, pairs, gold, unlabelled_pairs, rejected, lost, discarded)
