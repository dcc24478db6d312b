"""The independence rules on hand-built passages: which may count as independent corroboration, and why the
others are set aside. The index is a hand-built ``Copies``: the rules need its clusters and nothing else."""

from __future__ import annotations

from twosource.independence import OutletNames, Own, copy_reason, independent, own_outlets
from twosource.index.base import StoredArticle
from twosource.index.dedup import CopyMatch, copy_text
from twosource.outlets import DeclaredOutlet, Outlets
from twosource.types import Article, Passage

ARTICLE = Article(
    text="Syrian troops and Hezbollah fighters pressed on in the Qalamoun mountains on Wednesday, a monitor said.",
    title="Fighting in Qalamoun",
    outlet="Daily Example",
    url="https://dailyexample.com/qalamoun",
    published="2015-05-13",
)
WIRE = (
    "Government forces backed by allied fighters advanced across the rugged border region overnight, taking two "
    "hilltops that rebels had held since the winter, according to a monitoring group based in Britain. Residents "
    "of nearby villages described heavy shelling through the night, and relief workers said hundreds of families "
    "had left their homes for camps across the frontier before the roads were closed."
)


class Clusters:
    """Copy clusters by id, oldest member first: all an independence check asks of the index."""

    def __init__(self, members: dict[int, list[tuple[str, str, str]]]) -> None:
        self.members = members  # cluster id -> (outlet, url, credit) of each member

    def cluster(self, cluster_id: int) -> list[StoredArticle]:
        return [
            StoredArticle(i, url, outlet, "", "", None, "", "", cluster_id, "test", credit)
            for i, (outlet, url, credit) in enumerate(self.members.get(cluster_id, []))
        ]

    def find_copies(self, text: str, outlet: str = "", url: str = "") -> list[tuple[StoredArticle, CopyMatch]]:
        return []


def passage(article_id: int, outlet: str, cluster_id: int, text: str = "", credit: str = "") -> Passage:
    url = f"https://{outlet.lower().replace(' ', '')}.example/{article_id}"
    return Passage(
        article_id,
        article_id * 10,
        outlet,
        "2015-05-13",
        f"Story {article_id}",
        url,
        text or f"Report {article_id}.",
        cluster_id,
        credit,
    )


def judge(passages: list[Passage], members: dict[int, list[tuple[str, str, str]]], **own: object):
    names = OutletNames(Outlets([DeclaredOutlet("Daily Example", hosts=("dailyexample.com", "dailyexample.co.uk"))]))
    mine = Own(outlets=own_outlets(ARTICLE, names), **own)  # type: ignore[arg-type]
    return independent(passages, Clusters(members), own=mine, names=names)


def test_independent_outlets_each_count_once_best_first():
    counted, excluded = judge(
        [passage(1, "Reuters", 1), passage(2, "Al Jazeera", 2)],
        {1: [("Reuters", "https://reuters.example/1", "")], 2: [("Al Jazeera", "https://aljazeera.example/2", "")]},
    )
    assert [c.outlet for c in counted] == ["Reuters", "Al Jazeera"] and excluded == []


def test_rule_1_the_articles_own_outlet_never_counts_under_any_of_its_hosts():
    own_site = Passage(3, 30, "", None, "Another story", "https://www.dailyexample.co.uk/x", "Report.", 3)
    counted, excluded = judge([own_site], {3: [("", "https://www.dailyexample.co.uk/x", "")]})
    assert counted == [] and excluded[0].endswith("the article's own outlet (rule 1)")


def test_rule_1_a_passage_crediting_the_articles_outlet_does_not_count():
    counted, excluded = judge(
        [passage(4, "Reprint Daily", 4, credit="Daily Example")], {4: [("Reprint Daily", "", "Daily Example")]}
    )
    assert counted == [] and "credits Daily Example" in excluded[0] and excluded[0].endswith("(rule 1)")


def test_rule_2_one_copy_cluster_counts_once_under_the_outlet_it_credits():
    members = [("Mirror One", "https://mirror1.example/a", ""), ("Mirror Two", "", "Reuters")]
    counted, excluded = judge([passage(5, "Mirror One", 7), passage(6, "Mirror Two", 7)], {7: members})
    assert [c.outlet for c in counted] == ["Reuters"]
    assert excluded[0].endswith("a copy of evidence already counted (rule 2)")


def test_rule_2_a_cluster_first_published_by_the_articles_outlet_does_not_count():
    members = [("Daily Example", "https://dailyexample.com/first", ""), ("Mirror One", "", "")]
    counted, excluded = judge([passage(8, "Mirror One", 9)], {9: members})
    assert counted == [] and excluded[0].endswith("first published by the article's own outlet (rule 2)")


def test_rule_3_a_copy_of_the_article_in_the_index_is_never_its_evidence_and_says_what_copy_it_is():
    excerpt = CopyMatch(40, 0.95, 0.5, 40, 0.0, contained=False)
    counted, excluded = judge(
        [passage(10, "Aggregator", 11), passage(12, "Aggregator Two", 11)],
        {11: [("Aggregator", "", "")]},
        articles=frozenset({10}),
        clusters=frozenset({11}),
        copy_reasons={10: copy_reason(excerpt)},
    )
    assert counted == []
    assert excluded[0].endswith("an excerpt of the checked article (95% of it is the article's text) (rule 3)")
    assert excluded[1].endswith("in one copy cluster with a copy of the checked article (rule 3)")


def test_rule_3_a_passage_sharing_a_stretch_of_narrative_word_for_word_does_not_count():
    article_text = f"{ARTICLE.text} {WIRE}"
    shared = passage(13, "Other Paper", 13, text=f"In other news from the region. {WIRE}")
    quoting = passage(14, "Third Paper", 14, text=f'A monitor told reporters: "{WIRE}"')
    counted, excluded = judge(
        [shared, quoting], {13: [("Other Paper", "", "")], 14: [("Third Paper", "", "")]}, text=copy_text(article_text)
    )
    assert [c.passage.article_id for c in counted] == [14]  # quoting one statement is not copying the narrative
    assert excluded[0].endswith("shares a passage word for word with the checked article (rule 3)")


def test_rule_5_the_articles_own_source_is_shown_and_flagged_not_counted_as_independent():
    counted, excluded = judge(
        [passage(15, "Wire Service", 15), passage(16, "Reuters", 16)],
        {15: [("Wire Service", "", "")], 16: [("Reuters", "", "")]},
        sources=frozenset({15}),
    )
    assert [(c.outlet, c.source) for c in counted] == [("Wire Service", True), ("Reuters", False)]
    assert excluded == []


def test_copy_reasons_name_the_kind_of_copy():
    assert copy_reason(CopyMatch(80, 0.95, 0.9, 80, 0.0, contained=True)) == "a copy of the checked article"
    held = copy_reason(CopyMatch(30, 0.9, 0.3, 30, 0.0, contained=True))
    assert held == "holds the checked article's text (30% of it is the article's)"
