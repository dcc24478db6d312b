"""The HTML report drawn from small hand-built reports: evidence behind links, marked words, escaping, timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from twosource.report.html import render_html
from twosource.types import (
    Article,
    Claim,
    ClaimKind,
    ClaimVerdict,
    Evidence,
    NumericComparison,
    Passage,
    Report,
    Stance,
    Summary,
    Verdict,
)

HOSTILE_OUTLET = "<svg onload=alert(1)>"
HOSTILE_TEXT = "<script>alert(1)</script> Rebels denied anyone died <img src=x onerror=alert(1)> javascript:alert(1)"
CLAIMS = (
    ("The army said 40 rebels were killed near Aleppo on Saturday.", ClaimKind.QUANTITY, True),
    ("Officials expect the offensive to continue.", ClaimKind.PREDICTION, False),
    ("The observatory reported that 35 fighters died in clashes that left 1,200 homeless.", ClaimKind.EVENT, True),
)


def passage(passage_id: int, outlet: str, published: str | None, text: str, url: str = "") -> Passage:
    return Passage(passage_id, passage_id, outlet, published, f"Report {passage_id}", url, text, passage_id)


ARMY = passage(
    1, "reuters", "2015-05-10", "Syrian army sources said 40 rebels were killed near Aleppo, and fighting goes on."
)
DENIAL = passage(2, HOSTILE_OUTLET, "2015-06-01", HOSTILE_TEXT, url="javascript:alert(1)")
MALFORMED = passage(3, "sana", "2015-13-45", "The observatory counted the dead.")
OBSERVATORY = passage(
    4, "ahram", "2015-05-20", "Some 35 fighters died and 1200 people lost their homes, the observatory said."
)


def evidence(p: Passage, stance: Stance, numeric: NumericComparison | None = None) -> Evidence:
    return Evidence(p, stance, 0.9, p.outlet, numeric, reason=f"the stance model reads it as {stance.value}")


def sample_report(published: str | None = "2015-05-13", *, dated: bool = True) -> Report:
    """An article of three sentences: two checked claims (four distinct passages between them), one prediction."""
    text = " ".join(sentence for sentence, _, _ in CLAIMS)
    claims, start = [], 0
    for sentence, kind, checkworthy in CLAIMS:
        claims.append(Claim(sentence, start, start + len(sentence), kind, checkworthy, 0.8))
        start += len(sentence) + 1
    figures = NumericComparison("deaths", "40", "40", 40.0, 40.0, True, 0.0, 0.2)
    first = (evidence(ARMY, Stance.SUPPORTS, figures), evidence(DENIAL, Stance.REFUTES))
    third = (
        evidence(OBSERVATORY, Stance.SUPPORTS),
        evidence(ARMY, Stance.DISCUSSES),
        evidence(MALFORMED, Stance.DISCUSSES),
    )
    if not dated:
        first, third = (
            tuple(replace(e, passage=replace(e.passage, published=None)) for e in group) for group in (first, third)
        )
    verdicts = (
        ClaimVerdict(claims[0], Verdict.DISPUTED, 0.6, first, ("reuters",), (HOSTILE_OUTLET,)),
        ClaimVerdict(claims[1], Verdict.NOT_CHECKED, 0.0),
        ClaimVerdict(claims[2], Verdict.CORROBORATED, 0.9, third, ("ahram",)),
    )
    counts = {v.value: 0 for v in Verdict} | {"disputed": 1, "corroborated": 1, "not-checked": 1}
    summary = Summary(counts, 3, 2, ("reuters", "ahram", HOSTILE_OUTLET), (), ())
    article = Article(text, title="Clashes near Aleppo", outlet="example", published=published)
    return Report("r1", article, verdicts, summary, "index.sqlite", "2015-05-14T00:00:00+00:00", "1.0")


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def ancestors(self) -> list[Node]:
        node, found = self.parent, []
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def walk(self) -> list[Node]:
        return [self, *(n for c in self.children if isinstance(c, Node) for n in c.walk())]

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}
        return [n for n in self.walk() if n.tag == tag and all(n.attrs.get(k) == v for k, v in wanted.items())]


class TreeBuilder(HTMLParser):
    """Just enough of a DOM to ask where an element sits (the report writes well-formed markup)."""

    VOID = frozenset({"meta", "br", "img", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node.tag != tag:
            assert node.parent is not None, f"stray </{tag}>"
            node = node.parent
        assert node.parent is not None
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    return builder.root


def by_id(root: Node, element_id: str) -> Node:
    (node,) = [n for n in root.walk() if n.attrs.get("id") == element_id]
    return node


def test_each_highlight_links_into_the_closed_evidence_of_its_claim():
    root = parse(render_html(sample_report()))
    highlights = [a for a in root.find_all("a") if a.parent and a.parent.tag == "mark"]
    assert [(a.parent.attrs["class"], a.attrs["href"]) for a in highlights if a.parent] == [
        ("v-disputed", "#claim-1"),
        ("v-corroborated", "#claim-2"),
    ]
    for n, expected in ((1, "Evidence (2): 1 supports, 1 refutes"), (2, "Evidence (3): 1 supports, 2 discuss")):
        target = by_id(root, f"claim-{n}")
        details = next(a for a in target.ancestors() if a.tag == "details")
        assert target.tag not in ("details", "summary") and "open" not in details.attrs
        assert all(a.tag != "summary" for a in target.ancestors())  # in the content, which opens on the jump
        summary = next(c for c in details.children if isinstance(c, Node))
        assert summary.tag == "summary" and expected in summary.text()
        # Once open, the claim itself leads the content the link lands on, with a way back to the sentence.
        assert CLAIMS[0 if n == 1 else 2][0] in target.text()
        back = [a for a in target.find_all("a") if a.attrs["href"] == f"#sentence-{n}"]
        assert back and by_id(root, f"sentence-{n}") is highlights[n - 1].parent


def test_unchecked_sentences_are_not_links():
    root = parse(render_html(sample_report()))
    prediction = next(n for n in root.find_all("span") if n.attrs.get("class") == "k-prediction")
    assert prediction.text() == CLAIMS[1][0] and not prediction.find_all("a")


def hits(root: Node, claim_number: int, outlet: str) -> list[str]:
    content = by_id(root, f"claim-{claim_number}")
    item = next(n for n in content.find_all("div") if outlet in n.text() and "ev" in n.attrs["class"].split())
    (quote,) = item.find_all("blockquote", class_="passage")
    return [m.text() for m in quote.find_all("mark", class_="hit")]


def test_passages_mark_the_words_and_figures_they_share_with_the_claim():
    root = parse(render_html(sample_report()))
    # "killed" and "rebels" as the claim has them; stop words ("said", "were", "and") and unshared words never.
    assert hits(root, 1, "reuters") == ["army", "40", "rebels", "killed", "near", "Aleppo"]
    # Figures match without their thousands separator; "died" as "died", not "homes" for "homeless".
    assert hits(root, 2, "ahram") == ["35", "fighters", "died", "1200", "observatory"]
    # The same passage is marked against each claim it is evidence for.
    assert hits(root, 2, "reuters") == []


def test_figures_compared_read_as_a_sentence():
    page = render_html(sample_report())
    assert "Figures (deaths): claim 40 · evidence 40 · <strong class='agree'>agree</strong>" in page
    differing = sample_report()
    first = differing.verdicts[0]
    figures = NumericComparison("deaths", "200,000", "220,000 killed", 2e5, 2.2e5, False, 0.1, 0.05, "months apart")
    changed = replace(first, evidence=(replace(first.evidence[0], numeric=figures),))
    page = render_html(replace(differing, verdicts=(changed, *differing.verdicts[1:])))
    assert (
        "Figures (deaths): claim 200,000 · evidence 220,000 killed · <strong class='differ'>differ by 10%</strong> "
        "(tolerance 5%) · months apart"
    ) in page


def test_untrusted_text_is_escaped_everywhere():
    page = render_html(sample_report())
    root = parse(page)
    tags = {n.tag for n in root.walk()}
    attributes = [(k, v) for n in root.walk() for k, v in n.attrs.items()]
    assert "script" not in tags and "img" not in tags
    assert not [k for k, _ in attributes if k.startswith("on")]
    assert all(v.startswith(("#", "http://", "https://")) for k, v in attributes if k in ("href", "src"))
    for raw in ("<script", "<img", "<svg onload", "javascript:alert(1)'"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<title>&lt;svg onload=alert(1)&gt; · 2015-06-01 · refutes claim 1</title>" in svg
    assert page.count("&lt;svg onload=alert(1)&gt;") == 3  # the outlets found, the evidence head, the dot
    assert (
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">" in page
    )


def test_the_timeline_draws_each_dated_passage_once_against_the_article_date():
    root = parse(render_html(sample_report()))
    (svg,) = root.find_all("svg")
    assert svg.attrs["role"] == "img" and svg.attrs["viewbox"].startswith("0 0 ")
    assert (
        svg.attrs["aria-label"]
        == "3 dated evidence passages, from 2015-05-10 to 2015-06-01; the article is dated 2015-05-13"
    )
    dots = svg.find_all("circle")
    titles = [d.find_all("title")[0].text() for d in dots]
    assert titles == [
        "reuters · 2015-05-10 · supports claim 1; discusses claim 2",  # one dot for a passage behind two claims
        "ahram · 2015-05-20 · supports claim 2",
        f"{HOSTILE_OUTLET} · 2015-06-01 · refutes claim 1",
    ]  # the malformed 2015-13-45 is left out
    assert [d.attrs["class"] for d in dots] == ["s-supports", "s-supports", "s-refutes"]
    (line,) = svg.find_all("line", class_="article")
    xs = [float(d.attrs["cx"]) for d in dots]
    assert xs[0] < float(line.attrs["x1"]) < xs[1] < xs[2]
    labels = [t.text() for t in svg.find_all("text")]
    assert labels == ["2015-05-10", "2015-06-01", "article 2015-05-13"]
    assert "1 undated, not shown" in root.find_all("p", class_="legend")[0].text()


def test_the_timeline_without_an_article_date_or_dated_evidence():
    root = parse(render_html(sample_report(published="13 Mayy")))
    (svg,) = root.find_all("svg")
    assert svg.attrs["aria-label"].endswith("; the article's date is unknown") and not svg.find_all(
        "line", class_="article"
    )
    page = render_html(sample_report(dated=False))
    assert "<svg" not in page and "No dated evidence to place on a timeline." in page


def test_the_summary_bar_counts_verdicts_and_outlets():
    root = parse(render_html(sample_report()))
    (overview,) = root.find_all("section", class_="overview")
    pills = [re.sub(r"\s+", " ", p.text()) for p in overview.find_all("span") if "pill" in p.attrs.get("class", "")]
    assert pills == [
        "1 corroborated",
        "0 single source",
        "0 contradicted",
        "1 disputed",
        "0 partly contradicted",
        "0 no evidence",
    ]
    assert f"3 independent outlets found: reuters, ahram, {HOSTILE_OUTLET}." in overview.text()
