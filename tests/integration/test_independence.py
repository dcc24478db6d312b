"""Independence on text as the web republishes it: the checked article's excerpts, mirrors, credited reprints and
rewrites in the index are never its evidence; an outlets file and credit lines decide whose a text is; a text the
article rewords is shown as its source."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from twosource import check, open_index, read_article, report_to_dict
from twosource.evaluate.reprints import furniture_pages, into_page
from twosource.ingestion import ingest_articles
from twosource.outlets import load_outlets
from twosource.read import article_from_text, read_bytes
from twosource.read.collection import iter_articles
from twosource.types import Article, Verdict

from ..conftest import DATA, FAKES, SEED, fakes_rows

SEED_URL = "https://www.veteranstoday.com/2015/05/13/qalamoun-the-battle-assad-cant-afford-to-lose/"


def scraped(title: str, paragraphs: list[str], *, credit_top: str = "", credit_bottom: str = "") -> str:
    """A page as a scraper saves it: title, counters, a credit line, a doubled caption, the text, a link onward,
    related links, readers' comments and a footer."""
    lines = [title, "", "0", "", "1972", ""]
    if credit_top:
        lines += [credit_top, ""]
    lines += ["Fighters in the Qalamoun mountains.", "Fighters in the Qalamoun mountains.", ""]
    lines += [line for p in paragraphs for line in (p, "")]
    if credit_bottom:
        lines += [credit_bottom, ""]
    lines += ["Continue reading…", "", "Related:", "- Aleppo: the siege goes on", "- Iran's hand in Syria", ""]
    lines += ["2 Comments", "", "Omar says: Finally someone writes the truth.", "", "Jane says: Sources please."]
    return "\n".join([*lines, "", "© 2015 The site. All rights reserved."])


def paragraphs_of(text: str, words: int, start: int = 0) -> list[str]:
    """The paragraphs of ``text`` holding its words ``start`` to ``start + words``."""
    out, seen = [], 0
    for paragraph in text.split("\n\n"):
        n = len(paragraph.split())
        if seen + n > start and seen < start + words:
            keep = paragraph.split()[max(0, start - seen) : start + words - seen]
            out.append(" ".join(keep))
        seen += n
    return out


def teaser(row: int) -> str:
    """The first 60 words of FA-KES row ``row`` (1-based), cut off as a teaser."""
    return " ".join(fakes_rows()[row - 1]["article_content"].split()[:60]) + " …"


def rewrite(text: str) -> list[str]:
    """A light rewrite, as a syndicating desk makes: tense, figures' style, the second paragraph dropped."""
    paragraphs = text.split("\n\n")
    del paragraphs[1]
    out = []
    for p in paragraphs:
        p = re.sub(r"\bsaid\b", "says", p)
        p = re.sub(r"\bis\b", "was", p)
        out.append(re.sub(r"(?<=\d),(?=\d{3})", "", p).replace(" percent", "%"))
    return out


@pytest.fixture(scope="module")
def republished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """An index of 60 FA-KES articles and five republications of the seed, by kind: their article ids."""
    seed = read_article(SEED)
    page = next(p for p in furniture_pages(DATA / "aeb") if into_page(p, ["x y z"]))
    html = into_page(page, paragraphs_of(seed.text, 300))
    assert html is not None
    pages: dict[str, Article] = {
        # The first 300 words in another article's page, on the outlet's archive domain.
        "archive excerpt": read_bytes(
            html.encode(), "archive", url="https://veteranstodayarchives.com/qalamoun", html=True, max_bytes=10**7
        ),
        # 70 words from the middle, on an aggregator, between teasers of other Syria stories, among comments.
        "middle excerpt": article_from_text(
            scraped(
                "Syria round-up: what they say",
                [teaser(11), *paragraphs_of(seed.text, 70, start=900), teaser(31)],
            ),
            "aggregator",
            outlet="syria-roundup.net",
            url="https://syria-roundup.net/what-they-say",
        ),
        "mobile mirror": article_from_text(
            scraped("Qalamoun battle", seed.text.split("\n\n")),
            "mirror",
            outlet="m.veteranstoday.com",
            url="https://m.veteranstoday.com/qalamoun",
        ),
        # 60 % of it elsewhere, saying where it comes from.
        "credited reprint": article_from_text(
            scraped(
                "The battle Assad can't afford to lose",
                paragraphs_of(seed.text, 1100),
                credit_bottom="This article was originally published by Veterans Today.",
            ),
            "reprint",
            outlet="newsfromsyria.org",
            url="https://newsfromsyria.org/qalamoun",
        ),
        "rewrite": article_from_text(
            scraped("Qalamoun may decide the Syrian war", rewrite(seed.text)),
            "rewrite",
            outlet="levant-wire.info",
            url="https://levant-wire.info/qalamoun",
        ),
    }
    path = tmp_path_factory.mktemp("republished") / "index.sqlite"
    index = open_index(path)
    fakes = [a for a in iter_articles([FAKES], encoding="latin-1") if isinstance(a, Article)][:60]
    ingest_articles(fakes, index)
    ids = {}
    for kind, article in pages.items():
        before = set(index.article_ids())
        ingest_articles([article], index)
        (ids[kind],) = set(index.article_ids()) - before
    index.close()
    return path, ids


@pytest.mark.parametrize("outlet", ["", "Veterans Today", "Some Other Name"])
def test_the_checked_articles_republications_are_never_its_evidence(republished, outlet: str):
    path, ids = republished
    index = open_index(path, create=False)
    article = read_article(SEED, outlet=outlet)  # whatever it is called: rule 3 goes by the text
    report = check(article, index)
    evidence_ids = {e.passage.article_id for v in report.verdicts for e in v.evidence}
    assert not evidence_ids & set(ids.values())
    excluded = [x for v in report.verdicts for x in v.excluded]
    set_aside = {kind for kind, i in ids.items() if any(_names(index, i, x) for x in excluded)}
    assert set_aside == set(ids), f"not listed as set aside: {set(ids) - set_aside}"
    for kind in ("archive excerpt", "middle excerpt", "credited reprint"):
        reasons = [x for x in excluded if _names(index, ids[kind], x)]
        assert all("rule 3" in x for x in reasons)
        assert any("excerpt of the checked article" in x or "word for word with the checked" in x for x in reasons)
    assert any(v.verdict is not Verdict.NOT_CHECKED for v in report.verdicts)
    schema = json.loads(resources.files("twosource.report").joinpath("report.schema.json").read_text())
    jsonschema.validate(report_to_dict(report), schema)
    index.close()


def _names(index, article_id: int, reason: str) -> bool:
    stored = index.article(article_id)
    return reason.startswith(f"{stored.outlet or 'unknown outlet'}: {stored.title[:60] or stored.text[:60]}")


def test_the_articles_other_hosts_are_its_own_outlet(republished, tmp_path: Path):
    path = tmp_path / "index.sqlite"
    path.write_bytes(republished[0].read_bytes())
    index = open_index(path, create=False)
    # A different text from the outlet's mobile host: not a copy, still never independent of the article.
    own_page = article_from_text(
        "Hezbollah fighters took new positions in the Qalamoun hills on Sunday, the group's media said, as the army "
        "shelled the outskirts of Arsal. " * 3,
        "own",
        outlet="m.veteranstoday.com",
        url="https://m.veteranstoday.com/arsal",
    )
    ingest_articles([own_page], index)
    own_id = max(index.article_ids())
    report = check(read_article(SEED, outlet="Veterans Today", url=SEED_URL), index)
    assert own_id not in {e.passage.article_id for v in report.verdicts for e in v.evidence}
    reasons = [x for v in report.verdicts for x in v.excluded if _names(index, own_id, x)]
    assert reasons and all("the article's own outlet (rule 1)" in x for x in reasons)
    index.close()


def test_an_outlets_file_makes_two_names_one_outlet(fakes_index_path: Path, tmp_path: Path):
    # FA-KES writes the Syrian state agency as "sana"; a reader may know it by its full name only.
    rows = fakes_rows()
    row = next(n for n, r in enumerate(rows, 1) if r["source"] == "sana" and "Aleppo" in r["article_content"][:300])
    article = next(
        a for a in iter_articles([FAKES], encoding="latin-1") if isinstance(a, Article) and a.origin.endswith(f" {row}")
    )
    article = Article(**{**article.__dict__, "outlet": "Syrian Arab News Agency"})
    index = open_index(fakes_index_path, create=False)
    plain = check(article, index)
    declared_file = tmp_path / "outlets.toml"
    declared_file.write_text(
        '[[outlet]]\nname = "Syrian Arab News Agency"\nhosts = ["sana.sy"]\naliases = ["sana"]\n', encoding="utf-8"
    )
    declared = check(article, index, outlets=load_outlets(declared_file))
    index.close()

    def sana_evidence(report) -> list[str]:
        return [e.independent_outlet for v in report.verdicts for e in v.evidence if e.passage.outlet == "sana"]

    assert sana_evidence(plain), "without the file, sana's other reports count"
    assert not sana_evidence(declared)
    assert any(
        x.startswith("sana:") and "the article's own outlet (rule 1)" in x
        for v in declared.verdicts
        for x in v.excluded
    )


def test_a_credited_reprint_counts_under_the_credited_outlet_and_a_rewording_is_the_articles_source(
    fakes_index_path: Path, tmp_path: Path
):
    index_path = tmp_path / "index.sqlite"
    index_path.write_bytes(fakes_index_path.read_bytes())
    index = open_index(index_path)
    rows = fakes_rows()
    original = article_from_text(rows[2]["article_content"], "row 3", outlet="nna", title=rows[2]["article_title"])
    assert original.credit == "Reuters"  # the nna text is signed "--Reuters"
    # The paraphrase below rewords FA-KES row 3 (nna, 16 April 2017), sentence after sentence, as a rewriter would.
    paraphrase = article_from_text(
        "At least 112 people died in the bombing of a packed bus convoy on the edge of Aleppo, according to the "
        "Syrian Observatory for Human Rights, which monitors the war.\n\n"
        "Rescuers from the Civil Defence reported removing no fewer than 100 bodies from the scene of Saturday's "
        "explosion, which struck buses full of Shiite villagers waiting to pass from rebel-held land into "
        "government territory under a deal between the warring parties.\n\n"
        "The Observatory, based in Britain, expects the toll to climb. Most of the dead came from the villages of "
        "al-Foua and Kefraya in Idlib province, though rebel fighters who guarded the convoy were also among them.\n\n"
        "Nobody has yet claimed the attack; media close to Damascus blamed a suicide car bomber.",
        "paraphrase",
        outlet="Example News",
        date="2017-04-16",
    )
    report = check(paraphrase, index)
    source_ids = {s.article_id for s in report.summary.sources}
    nna = next(i for i in index.article_ids() if index.article(i).origin.endswith(":row 3"))
    assert nna in source_ids
    nna_source = next(s for s in report.summary.sources if s.article_id == nna)
    assert nna_source.outlet == "Reuters" and len(nna_source.pairs) >= 3
    assert nna_source.pairs[0][0].startswith("At least 112 people died")
    # Evidence from the source's copy cluster (nna's text, or ahram's update of it) stands for it, once.
    cluster = index.article(nna).cluster_id
    from_source = [e for v in report.verdicts for e in v.evidence if e.passage.cluster_id == cluster]
    assert from_source and all(e.source and e.independent_outlet == "Reuters" for e in from_source)
    for v in report.verdicts:
        assert "Reuters" not in v.supporting_outlets
        if any(e.source and e.stance.value == "supports" for e in v.evidence):
            assert "article's own source" in v.note
            if not v.supporting_outlets:
                assert v.verdict in (Verdict.SINGLE_SOURCE, Verdict.CONTRADICTED, Verdict.DISPUTED)
    document = report_to_dict(report)
    assert document["summary"]["sources"][0]["sentences"][0]["article"].startswith("At least 112")
    assert {e["role"] for c in document["claims"] for e in c["evidence"]} == {"independent", "article-source"}
    # A text on a host of its own that says it comes from Reuters counts under Reuters: so never for the nna text
    # that Reuters signs.
    reprint = article_from_text(
        "BEIRUT (Reuters) - " + paraphrase.text, "reprint", outlet="syria-daily-mirror.net", url="https://sdm.net/x"
    )
    assert reprint.credit == "Reuters"
    ingest_articles([reprint], index)
    reprint_id = max(index.article_ids())
    checked = check(original, index)
    assert reprint_id not in {e.passage.article_id for v in checked.verdicts for e in v.evidence}
    reasons = [x for v in checked.verdicts for x in v.excluded if x.startswith("syria-daily-mirror.net:")]
    assert reasons and all("credits Reuters, the article's own outlet (rule 1)" in x for x in reasons)
    index.close()
