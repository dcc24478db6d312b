"""How the web republishes a text, for the copies benchmark: real pages to put it in, scraped-page furniture,
excerpts, rewrites and quotes. Deterministic given the random generator it is handed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..sentences import split_sentences
from .extract import AebPage, load_aeb

#: Excerpt length: a share of the base drawn from this range, never under MIN_EXCERPT_WORDS words.
EXCERPT_SHARE = (0.05, 0.60)
MIN_EXCERPT_WORDS = 60
#: A rewrite's added paragraph is at most this long, and a reader's comment's sentences too.
ADDED_WORDS = 50
COMMENT_WORDS = 40


def raw_words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


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

    from ..read.language import reads_as_english

    pages = []
    for page in load_aeb(aeb):
        if not reads_as_english(page.gold):
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
    words = raw_words(text)
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


def scraped_page(
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


def paragraphs_of(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def excerpt_of(rng: random.Random, text: str, middle: bool) -> tuple[list[str], int, float]:
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
    return paragraphs_of(body), length, round(length / len(words), 4)


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


def rewritten(rng: random.Random, text: str, donors: list[str]) -> list[str]:
    """Return ``text`` lightly rewritten: at least two of the edits a syndicating desk makes."""
    paragraphs = paragraphs_of(text)
    edits = ["drop", "add", "swap", "tense", "figures"]
    for edit in rng.sample(edits, rng.randint(2, len(edits))):
        if edit == "drop" and len(paragraphs) >= 4:
            paragraphs.pop(rng.randrange(1, len(paragraphs)))
        elif edit == "add":  # a short paragraph of background, as a desk adds
            donor = [p for p in paragraphs_of(rng.choice(donors)) if len(p.split()) <= ADDED_WORDS]
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


def quote_of(rng: random.Random, text: str) -> str | None:
    sentences = [text[s:e] for s, e in split_sentences(text) if 15 <= len(text[s:e].split()) <= 45]
    quoted = [s for s in sentences if re.search(r"[\"“”]|\bsaid\b|\btold\b", s)]
    return rng.choice(quoted or sentences) if sentences else None


def kept(text: str, read: str, share: float = 0.5) -> bool:
    """Whether the reader kept at least ``share`` of ``text``."""
    grams = _trigrams(text)
    held = set(_trigrams(read))
    return sum(g in held for g in grams) >= share * len(grams)


def host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").removeprefix("www.")
