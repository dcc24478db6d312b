"""Page furniture: the lines a scraped article carries that are not the article.

Each rule names what it removed, so the report can show the reader exactly what was stripped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..types import Removal

_COUNTER = re.compile(r"^[\d.,\s]{1,9}$")
_BYLINE = re.compile(
    r"^(?:(?:report|written|story|posted|words|text|article)\s+)?by[:\s]+"
    r"((?:(?:dr|prof|mr|mrs|ms)\.?\s+)?[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,3})\s*$",
    re.I,
)
_HONORIFIC = re.compile(r"^(?:dr|prof|mr|mrs|ms)\.?\s+", re.I)
_PREV_NEXT = re.compile(r"^(previous|next|prev)\s*(article|post|story)", re.I)
# A line that opens the site's closing block; everything after it is site material or the author bio.
# The same furniture in the languages twosource reads evidence in (French, Spanish, German, Russian, Turkish, Arabic,
# Persian): calls to share, follow or subscribe; rights notices and pointers to related stories; comment headings.
_SHARE = (
    r"share this|follow us|subscribe|partager|partagez|suivez-nous|abonnez-vous|compartir|síguenos|suscríbete"
    r"|teilen|folgen sie uns|поделиться|подпишитесь|подписывайтесь|paylaş|bizi takip edin|abone ol|شارك|تابعونا"
    r"|تابعنا|اشترك|اشتراک‌گذاری|اشتراک گذاری|ما را دنبال کنید"
)
_CLOSING = (
    r"tous droits réservés|todos los derechos reservados|alle rechte vorbehalten|все права защищены"
    r"|tüm hakları saklıdır|جميع الحقوق محفوظة|تمامی حقوق|کلیه حقوق|articles similaires|noticias relacionadas"
    r"|mehr zum thema|похожие (?:статьи|новости)|ilgili haberler|مواضيع ذات صلة|أخبار ذات صلة|مطالب مرتبط|اخبار مرتبط"
    r"|article (?:précédent|suivant)|المقال (?:السابق|التالي)|(?:предыдущая|следующая) статья|(?:önceki|sonraki) haber"
)
_TAIL_START = re.compile(
    r"^(attention readers\b|disclaimer\b|about [\w .&'-]{1,40}\s[-–|]\s|share this\b|related (posts|articles|stories)\b"
    r"|comment policy\b|leave a (comment|reply)\b|all rights reserved|copyright\b|©|follow us\b|subscribe\b"
    rf"|previous (article|post)\b|next (article|post)\b|(?:{_CLOSING})(?!\w))",
    re.I,
)
# Calls to share, follow or subscribe also stand between an article's paragraphs: they open the closing block only
# when no sentence of prose follows them.
_WEAK_TAIL_START = re.compile(rf"^(?:{_SHARE})(?!\w)", re.I)
_PROSE = re.compile(r"^\S+(?:\s+\S+){11,}[.!?\"”’]$")
# The heading of the readers' comments under an article: "3 Comments", "Responses".
_COMMENTS = re.compile(
    r"^(\d+ )?(comments?|responses?|replies|commentaires?|comentarios?|kommentare?|комментари[йи]|yorumlar?"
    r"|تعليقات|تعليق|نظرات)$",
    re.I,
)
_SITE_NOTICE = re.compile(
    r"cannot guarantee|not necessarily (the )?views|seek corroboration|all content is owned|"
    r"policies\s*&\s*disclosures|comment policy|responsibility of the (article )?author",
    re.I,
)
# A pointer to other stories: "Read more: ...", "Related: ...", "DON'T MISS", a headline tagged "[VIDEO]".
_PROMO = re.compile(
    r"^(?:(?:read|see) (?:more|also)|also read|more|related(?: (?:articles|stories|coverage))?|don['’]?t miss"
    r"|(?:à )?lire aussi|voir aussi|lea también|leer más|ver también|lesen sie auch|auch interessant"
    r"|читайте также|смотрите также|ayrıca bakınız|devamını oku|اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|اقرأ المزيد"
    r"|بیشتر بخوانید|بخوانید"
    r"|recommended|most read\b.*|continue reading\b.*|read (?:the )?(?:full|whole|rest of the) (?:story|article)\b.*"
    r"|\(excerpt\) read more\b.*)\s*(?:[:|.…]|$)|(?-i:\[[A-Z]{3,}\])\W*$",
    re.I,
)
# The bullets of a list of links right after such a pointer.
_LIST_ITEM = re.compile(r"^[-•*]\s")
# Calls to follow the outlet or the writer, or to sign up for a newsletter.
_FOLLOW = re.compile(
    r"\bfollow (?:us|him|her|them|[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}) on (?:twitter|facebook|instagram)"
    r"|\bsign up for\b.{0,80}\bnewsletter|\bsubscribe to\b.{0,60}\bnewsletters?\b"
    r"|^have a tip\b|^reach the reporters?\b",
    re.I,
)
#: Repeats of a caption (a line under this long) are looked for this many lines on, by this many opening words.
CAPTION_CHARS = 300
CAPTION_NEIGHBOURS = 3
CAPTION_OPENING = 8
# The credit under a picture: "Photo: Hau Dinh, AP", "Image: Hanwha Q cells", "Getty Images".
_PICTURE_CREDIT = re.compile(
    r"^(?:(?:photo(?:graph)?|image|picture|video|credit)s?(?: credit)?\s*(?::|by)\s*.{1,80}|getty images|afp photo)$",
    re.I,
)
_QUOTED_LINE = re.compile(r"^[\"“”'‘](.+?)[\"“”'’]?\s*$")
# Where the site names itself in its notices: "non-VT sources", "About VT -", "the views of VT".
_OUTLET_IN_NOTICE = (
    re.compile(r"\bnon-([A-Z][A-Za-z]{1,15}) sources"),
    re.compile(r"^About ([A-Z][\w&.]{1,25})\s[-–|]"),
    re.compile(r"\bviews of ([A-Z][A-Za-z]{1,15})\b"),
)


@dataclass
class Stripped:
    """The article body left after stripping, with what was removed and the metadata found on the way."""

    text: str
    removed: list[Removal] = field(default_factory=list)
    title: str = ""
    author: str = ""
    outlet: str = ""


def strip_furniture(text: str, *, find_title: bool = True, title: str = "", author: str = "") -> Stripped:
    """Return the article body of ``text`` without counters, doubled captions, bylines, pull quotes,
    site notices, previous/next links, pointers to other stories, calls to follow and the author bio,
    paragraphs separated by blank lines. A known ``title`` is dropped where the text repeats it as its first line."""
    lines = [line.strip() for line in text.split("\n")]
    keep = [bool(line) for line in lines]
    result = Stripped(text="", author=author)

    def drop(i: int, reason: str) -> None:
        if keep[i]:
            keep[i] = False
            result.removed.append(Removal(lines[i], reason))

    nonblank = [i for i, line in enumerate(lines) if line]
    if find_title and len(nonblank) > 1:
        first = nonblank[0]
        if len(lines[first]) <= 200 and not lines[first].endswith((".", ":")):
            result.title = lines[first]
            keep[first] = False
    elif nonblank and _words(title) and _words(lines[nonblank[0]]) == _words(title):
        drop(nonblank[0], "title (repeated)")

    tail = _tail_start(lines, nonblank)
    in_promo_list = False
    for i in nonblank:
        line = lines[i]
        if tail is not None and i >= tail:
            continue
        in_promo_list = (in_promo_list and bool(_LIST_ITEM.match(line))) or bool(_PROMO.match(line))
        if in_promo_list or _PROMO.search(line):
            drop(i, "link to another article")
        elif len(line) < 300 and _FOLLOW.search(line):
            drop(i, "call to follow or subscribe")
        elif _COUNTER.match(line):
            drop(i, "counter (a lone number)")
        elif _PICTURE_CREDIT.match(line):
            drop(i, "picture credit")
        elif _PREV_NEXT.match(line):
            drop(i, "link to another article")
        elif m := _BYLINE.match(line):
            result.author = result.author or _HONORIFIC.sub("", m.group(1)).strip()
            drop(i, "byline")
    _drop_doubled(lines, nonblank, drop)
    _drop_pull_quotes(lines, keep, drop)
    if tail is not None:
        comments = bool(_COMMENTS.match(lines[tail]))
        for i in nonblank:
            if i >= tail:
                drop(i, "readers' comments" if comments and i > tail else _tail_reason(lines[i], result.author))
    # An author bio can also sit inside the body, right after it ends.
    for i in nonblank:
        if keep[i] and _is_bio(lines[i], result.author):
            drop(i, "author bio")
    result.outlet = _outlet_from_notices(result.removed)
    result.text = _paragraphs(lines, keep)
    return result


def _tail_start(lines: list[str], nonblank: list[int]) -> int | None:
    # Only the second half of the page can hold the closing block; earlier matches are article text.
    if len(nonblank) < 3:
        return None
    half = nonblank[len(nonblank) // 2]
    for at, i in enumerate(nonblank):
        notice = len(lines[i]) < 600 and _SITE_NOTICE.search(lines[i])
        if i >= half and (_TAIL_START.match(lines[i]) or _COMMENTS.match(lines[i]) or notice):
            following = lines[nonblank[at + 1]] if at + 1 < len(nonblank) else ""
            if _WEAK_TAIL_START.match(lines[i]) and _is_article_prose(following):
                continue
            return i
    return None


def _is_article_prose(line: str) -> bool:
    # A sentence of a dozen words or more that no closing-block rule claims.
    closing = _TAIL_START.match(line) or _COMMENTS.match(line) or _SITE_NOTICE.search(line) or _PROMO.match(line)
    return bool(_PROSE.match(line)) and not closing


def _tail_reason(line: str, author: str) -> str:
    if _PREV_NEXT.match(line):
        return "link to another article"
    if _is_bio(line, author):
        return "author bio"
    return "site notice or disclaimer"


def _is_bio(line: str, author: str) -> bool:
    if not author:
        return False
    surname = author.split()[-1]
    return bool(re.match(rf"^(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?[\w .'-]*{re.escape(surname)}\s+(is|was)\s", line))


def _drop_doubled(lines: list[str], nonblank: list[int], drop: Callable[[int, str], None]) -> None:
    # Image captions are often scraped twice or more: the alt text, the visible caption, a "more"/"less" toggle
    # that shows it cut or whole. Lines close together opening with the same words are one caption repeated.
    for x, a in enumerate(nonblank):
        for n, b in enumerate(nonblank[x + 1 : x + 1 + CAPTION_NEIGHBOURS]):
            if max(len(lines[a]), len(lines[b])) >= CAPTION_CHARS:
                continue
            opening = _words(lines[a])[:CAPTION_OPENING]
            repeated = len(opening) == CAPTION_OPENING and opening == _words(lines[b])[:CAPTION_OPENING]
            if (n == 0 and lines[a] == lines[b]) or repeated:
                drop(a, "image caption (printed twice)")
                drop(b, "image caption (printed twice)")


def _drop_pull_quotes(lines: list[str], keep: list[bool], drop: Callable[[int, str], None]) -> None:
    # A pull quote repeats a sentence of the body in display type; it is not a second statement.
    body = " ".join(_squash(line) for i, line in enumerate(lines) if keep[i] and not _QUOTED_LINE.match(line))
    for i, line in enumerate(lines):
        m = _QUOTED_LINE.match(line) if keep[i] else None
        if m and len(_squash(m.group(1))) > 20 and _squash(m.group(1)) in body:
            drop(i, "pull quote (repeated in the text)")


def _words(text: str) -> list[str]:
    # Unicode words, so that titles in any script compare (``_squash`` keeps only ASCII letters and digits).
    return re.findall(r"\w+", text.casefold())


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _outlet_from_notices(removed: list[Removal]) -> str:
    for removal in removed:
        for pattern in _OUTLET_IN_NOTICE:
            m = pattern.search(removal.text)
            if m:
                return m.group(1)
    return ""


def _paragraphs(lines: list[str], keep: list[bool]) -> str:
    # Blank lines separate paragraphs; text without them has one paragraph per line.
    blocks: list[list[str]] = [[]]
    has_blank_lines = any(not line for line in lines)
    for line, kept in zip(lines, keep, strict=True):
        if not line:
            blocks.append([])
        elif kept:
            if has_blank_lines:
                blocks[-1].append(line)
            else:
                blocks.append([line])
    return "\n\n".join(" ".join(b) for b in blocks if b)
