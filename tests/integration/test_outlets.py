"""Which outlet is this: hosts and names to keys, declared outlets, acronyms, and the credit a reprint carries.

Credits are looked for in real articles from ../shared/data (FA-KES and the seed), with credit lines added above
or below them; nothing is copied into the project, and nothing touches the network.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twosource.errors import ConfigError, TwosourceError
from twosource.outlets import (
    EDITION_WORDS,
    MAX_OUTLETS_BYTES,
    MIRROR_WORDS,
    DeclaredOutlet,
    Outlet,
    Outlets,
    load_outlets,
    name_key,
    registrable_domain,
)
from twosource.read.credits import find_credit

from ..conftest import FAKES, SEED, fakes_rows

VT_FILE = """\
# Each [[outlet]] declares one outlet: the name reports show, the hosts it publishes under, and other names for it.
[[outlet]]
name = "Veterans Today"
hosts = ["veteranstoday.com", "veteranstodayarchives.com"]
aliases = ["VT"]

[[outlet]]
name = "Syrian Arab News Agency"
hosts = ["sana.sy"]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "outlets.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- hosts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "domain"),
    [
        ("https://m.bbc.co.uk/news/x", "bbc.co.uk"),
        ("www.reuters.com", "reuters.com"),
        ("uk.reuters.com", "reuters.com"),
        ("amp.theguardian.com", "theguardian.com"),
        ("https://www.dailystar.com.lb/News/Middle-East/2015/May-13/x.ashx", "dailystar.com.lb"),
        ("english.ahram.org.eg", "ahram.org.eg"),
        ("foo.blogspot.com", "foo.blogspot.com"),  # the PSL's private section: each blog is its own site
        ("https://user:secret@WWW.Reuters.COM.:8443/a?b=c#d", "reuters.com"),
        ("reuters.com:443", "reuters.com"),
        ("xn--80aswg.xn--p1ai", "xn--80aswg.xn--p1ai"),  # punycode stays punycode
        ("https://www.сайт.рф/новости", "xn--80aswg.xn--p1ai"),  # Unicode becomes it
        ("http://192.0.2.7:8000/x", "192.0.2.7"),
        ("http://[2001:db8::1]/x", "2001:db8::1"),
        ("203.0.113.9", "203.0.113.9"),
        ("localhost", "localhost"),
        ("http://intranet/news", "intranet"),
        ("blogspot.com", "blogspot.com"),  # a public suffix itself is nobody's subdomain
    ],
)
def test_registrable_domain(given: str, domain: str) -> None:
    assert registrable_domain(given) == domain


@pytest.mark.parametrize(
    "garbage",
    [
        "Reuters",
        "The New York Times",
        "Al Jazeera English",
        "",
        "   ",
        "http://[::1",
        "http://",
        "//",
        "a..b.com",
        "-foo.com",
        "Dr.Who",  # a dot, but no public suffix: a name, not a host
        "\x00",
        "\ud800.com",
        "x" * 70 + ".com",
        "https://exa mple.com/",
        "@Reuters",
    ],
)
def test_registrable_domain_of_what_is_no_host_is_empty(garbage: str) -> None:
    assert registrable_domain(garbage) == ""


def test_garbage_never_raises() -> None:
    for junk in [
        "http://[",
        "[::1]]",
        "http://a:b:c@",
        "%%%",
        "http://%zz/",
        "\u202e.com",
        "::",
        "." * 300,
        "é" * 5000,
    ]:
        assert isinstance(registrable_domain(junk), str)
        assert isinstance(name_key(junk), str)
    assert registrable_domain(None) == ""  # type: ignore[arg-type]
    assert name_key(["not", "a", "name"]) == ""  # type: ignore[arg-type]


# --- keys --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("Reuters", "reuters"),
        ("www.reuters.com", "reuters"),
        ("reuters.co.uk", "reuters"),
        ("uk.reuters.com", "reuters"),
        ("The Guardian", "guardian"),
        ("theguardian.com", "guardian"),
        ("amp.theguardian.com", "guardian"),
        ("The Daily Star", "dailystar"),  # "daily" is a name, not an edition
        ("dailystar.com.lb", "dailystar"),
        ("Al Jazeera English", "aljazeera"),
        ("aljazeera.net", "aljazeera"),
        ("https://www.aljazeera.com/news/2015/5/13/x", "aljazeera"),
        ("BBC News", "bbc"),
        ("www.BBC.co.uk", "bbc"),
        ("https://m.bbc.co.uk/news/x", "bbc"),
        ("Sky News", "sky"),
        ("news.sky.com", "sky"),
        ("Fox News", "fox"),
        ("foxnews.com", "fox"),
        ("Veterans Today", "veteranstoday"),
        ("veteranstoday.com", "veteranstoday"),
        ("veteranstodayarchives.com", "veteranstoday"),  # the mirror word
        ("veterans-today-archive.org", "veteranstoday"),
        ("Ahram Online", "ahram"),
        ("english.ahram.org.eg", "ahram"),
        ("Hürriyet Daily News", "hurriyetdaily"),
        ("hurriyetdailynews.com", "hurriyetdaily"),
        ("VT", "vt"),
        ("foo.blogspot.com", "foo"),
        ("ABC News", "abc"),  # three characters stay
        ("NTV", "ntv"),  # "tv" would leave one
        ("The News", "news"),  # "the" goes, but the rest is not an edition of nothing
        ("الجزيرة", "الجزيرة"),  # any script's letters are kept
        ("xn--80aswg.xn--p1ai", name_key("Сайт")),  # punycode compared with the Unicode name
        ("", ""),
        ("  ", ""),
        ("!!! — ???", ""),
        ("http://[::1", ""),  # written as a URL, but no host
    ],
)
def test_name_key(given: str, key: str) -> None:
    assert name_key(given) == key


def test_word_lists_hold_what_the_keys_rely_on() -> None:
    assert "daily" not in EDITION_WORDS and "news" in EDITION_WORDS and "english" in EDITION_WORDS
    assert "archives" in MIRROR_WORDS
    assert name_key("Reuters Archive") == name_key("reuters.com")


def test_other_outlets_keep_other_keys() -> None:
    keys = [name_key(x) for x in ("Reuters", "The Guardian", "Al Arabiya", "aljazeera.net", "Daily Sabah", "The Sun")]
    assert len(set(keys)) == len(keys)
    assert name_key("bar.blogspot.com") != name_key("foo.blogspot.com")
    assert name_key("The Daily Star") != name_key("Daily Sabah")


# --- identify and same ---------------------------------------------------------------------------------------


def test_identify_without_declarations() -> None:
    outlets = Outlets()
    assert outlets.identify("", "") == Outlet("", "", frozenset())
    assert outlets.identify("  Reuters ", "") == Outlet("reuters", "Reuters", frozenset({"reuters"}))
    assert outlets.identify("", "https://uk.reuters.com/article/x") == Outlet(
        "reuters", "reuters.com", frozenset({"reuters"})
    )
    host_named = outlets.identify("www.BBC.co.uk")
    assert (host_named.key, host_named.name) == ("bbc", "bbc.co.uk")
    both = outlets.identify("Al Jazeera English", "https://www.aljazeera.net/news/x")
    assert both == Outlet("aljazeera", "Al Jazeera English", frozenset({"aljazeera"}))
    # the name decides the key; the URL is one more key the outlet answers to
    mixed = outlets.identify("Veterans Today", "https://www.bbc.co.uk/x")
    assert mixed.key == "veteranstoday" and mixed.aliases == {"veteranstoday", "bbc"}
    # a URL that is no URL says nothing
    assert outlets.identify("", "not a url") == Outlet("", "", frozenset())
    assert outlets.identify("???", "sana.sy").key == "sana"


def test_identify_a_declared_outlet_under_any_of_its_names(tmp_path: Path) -> None:
    outlets = load_outlets(write(tmp_path, VT_FILE))
    assert outlets.declared[0] == DeclaredOutlet(
        "Veterans Today", ("veteranstoday.com", "veteranstodayarchives.com"), ("VT",)
    )
    by_host = outlets.identify("", "https://www.veteranstodayarchives.com/2015/05/13/qalamoun/")
    by_name = outlets.identify("Veterans Today")
    by_alias = outlets.identify("VT")
    for outlet in (by_host, by_name, by_alias):
        assert outlet.key == "veteranstoday"
        assert outlet.name == "Veterans Today"
        assert {"veteranstoday", "vt"} <= outlet.aliases
    assert outlets.same(by_host, by_alias)
    sana = outlets.identify("", "http://sana.sy/en/?p=1")
    assert (sana.key, sana.name) == ("syrianarabnewsagency", "Syrian Arab News Agency")
    assert outlets.same(sana, outlets.identify("Syrian Arab News Agency"))
    assert not outlets.same(sana, by_name)
    # outlets not made by identify are compared through the declarations too
    assert outlets.same(Outlet("vt", "VT", frozenset()), Outlet("veteranstoday", "veteranstoday.com", frozenset()))
    assert not Outlets().same(
        Outlet("vt", "vt", frozenset()), Outlet("veteranstoday", "veteranstoday.com", frozenset())
    )
    # undeclared outlets are identified as before
    assert outlets.identify("Reuters") == Outlet("reuters", "Reuters", frozenset({"reuters"}))


def test_same_by_key() -> None:
    outlets = Outlets()
    assert outlets.same(outlets.identify("The Guardian"), outlets.identify("", "https://amp.theguardian.com/x"))
    assert outlets.same(outlets.identify("The Daily Star"), outlets.identify("", "http://www.dailystar.com.lb/x"))
    assert outlets.same(outlets.identify("Sky News"), outlets.identify("news.sky.com"))
    assert not outlets.same(outlets.identify("Reuters"), outlets.identify("The Guardian"))
    assert not outlets.same(outlets.identify("foo.blogspot.com"), outlets.identify("bar.blogspot.com"))


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("VT", "Veterans Today"),
        ("NYT", "The New York Times"),
        ("AFP", "Agence France-Presse"),
        ("AP", "Associated Press"),
        ("SANA", "Syrian Arab News Agency"),
        ("WSJ", "Wall Street Journal"),
        ("N.Y.T.", "The New York Times"),
    ],
)
def test_same_by_acronym_both_ways(short: str, full: str) -> None:
    outlets = Outlets()
    a, b = outlets.identify(short), outlets.identify(full)
    assert outlets.same(a, b)
    assert outlets.same(b, a)


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("AP", "Al Pacino Weekly"),  # "al" is not an initial: PW
        ("VT", "Virginia Tech Times"),
        ("vt", "Veterans Today"),  # written in lower case: not an acronym
        ("AJ", "Al Jazeera"),  # "al" skipped: J
        ("V", "Veterans"),  # one letter is no acronym
        ("ABCDEFG", "Alpha Beta Cedar Delta Echo Foxtrot Golf"),  # seven letters is a name
        ("VT", "veteranstoday.com"),  # a host has no words to take initials of
        ("NYT", "New York"),
    ],
)
def test_not_same_by_acronym(short: str, full: str) -> None:
    outlets = Outlets()
    a, b = outlets.identify(short), outlets.identify(full)
    assert not outlets.same(a, b)
    assert not outlets.same(b, a)


def test_empty_outlets_are_never_the_same() -> None:
    outlets = Outlets()
    empty = outlets.identify("", "")
    assert not outlets.same(empty, empty)
    assert not outlets.same(empty, outlets.identify("Reuters"))
    assert not outlets.same(Outlet("", "VT", frozenset()), outlets.identify("Veterans Today"))


# --- the outlets file -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        ('[outlets]\nname = "x"\n', None, "unknown top-level key 'outlets'"),
        ('title = "mine"\n[[outlet]]\nname = "VT"\n', None, "unknown top-level key 'title'"),
        ('outlet = "Veterans Today"\n', None, "[[outlet]]"),
        ('outlet = ["Veterans Today"]\n', "entry 1", "not a table"),
        ('[[outlet]]\nname = "A"\n[[outlet]]\nhosts = ["b.com"]\n', "entry 2", "needs a name"),
        ('[[outlet]]\nname = ""\n', "entry 1", "needs a name"),
        ('[[outlet]]\nname = "   "\n', "entry 1", "needs a name"),
        ("[[outlet]]\nname = 3\n", "entry 1", "needs a name"),
        ('[[outlet]]\nname = "!!!"\n', "entry 1", "no letters or digits"),
        ('[[outlet]]\nname = "VT"\nhosts = "veteranstoday.com"\n', "entry 1", "hosts must be a list of strings"),
        ('[[outlet]]\nname = "VT"\nhosts = ["veteranstoday.com", 3]\n', "entry 1", "hosts must be a list of strings"),
        ('[[outlet]]\nname = "VT"\naliases = "Veterans"\n', "entry 1", "aliases must be a list of strings"),
        ('[[outlet]]\nname = "VT"\naliases = [["x"]]\n', "entry 1", "aliases must be a list of strings"),
        ('[[outlet]]\nname = "VT"\naliases = ["..."]\n', "entry 1", "no letters or digits"),
        ('[[outlet]]\nname = "VT"\nurl = "https://veteranstoday.com"\n', "entry 1", "unknown key 'url'"),
        ('[[outlet]]\nname = "A"\n\n[[outlet]]\nname = "VT"\nhosts = ["Veterans Today"]\n', "entry 2", "not a host"),
        ('[[outlet]]\nname = "VT"\nhosts = ["http://[::1"]\n', "entry 1", "not a host"),
        ('[[outlet]]\nname = "VT"\nhosts = ["veteranstoday.com"\n', None, "not valid TOML"),
        ("[[outlet]]\nname = Veterans Today\n", None, "not valid TOML"),
        (b'[[outlet]]\nname = "Veterans \xff Today"\n', None, "not UTF-8"),
    ],
)
def test_outlets_file_errors(tmp_path: Path, content: str | bytes, where: str | None, what: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as caught:
        load_outlets(path)
    message = str(caught.value)
    assert isinstance(caught.value, TwosourceError)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    assert what in message
    if where:
        assert where in message


def test_outlets_file_too_large(tmp_path: Path) -> None:
    filler = "# " + "x" * 98 + "\n"
    path = write(tmp_path, VT_FILE + filler * (MAX_OUTLETS_BYTES // len(filler) + 1))
    with pytest.raises(ConfigError, match="over the 1000000"):
        load_outlets(path)


def test_outlets_file_missing_or_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_outlets(tmp_path / "nowhere.toml")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_outlets(tmp_path)


def test_outlets_file_edge_cases_that_are_fine(tmp_path: Path) -> None:
    assert load_outlets(write(tmp_path, "")).declared == ()
    assert load_outlets(write(tmp_path, "# no outlets yet\n")).declared == ()
    bom = load_outlets(write(tmp_path, ("\ufeff" + VT_FILE).encode("utf-8")))
    assert bom.declared[0].name == "Veterans Today"
    urls = load_outlets(write(tmp_path, '[[outlet]]\nname = "VT"\nhosts = ["https://www.veteranstoday.com/"]\n'))
    assert urls.identify("", "veteranstoday.com").name == "VT"
    assert load_outlets(str(write(tmp_path, VT_FILE))).identify("VT").name == "Veterans Today"


def test_outlets_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TWOSOURCE_OUTLETS", str(write(tmp_path, VT_FILE, "mine.toml")))
    assert load_outlets().identify("VT").name == "Veterans Today"
    monkeypatch.setenv("TWOSOURCE_OUTLETS", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"missing\.toml: no such file \(named by \$TWOSOURCE_OUTLETS\)"):
        load_outlets()
    monkeypatch.delenv("TWOSOURCE_OUTLETS")
    assert load_outlets().declared == ()  # no file in the config directory: nothing declared, no error
    config = tmp_path / "config" / "twosource"
    config.mkdir(parents=True)
    (config / "outlets.toml").write_text(VT_FILE, encoding="utf-8")
    assert load_outlets().identify("", "veteranstoday.com").name == "Veterans Today"
    (config / "outlets.toml").write_text("[[outlet]]\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="entry 1"):
        load_outlets()


# --- credits ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def articles() -> dict[str, list[str]]:
    """FA-KES article texts by source."""
    assert FAKES.exists()
    by_source: dict[str, list[str]] = {}
    for row in fakes_rows():
        by_source.setdefault(row["source"], []).append(row["article_content"])
    return by_source


@pytest.fixture(scope="module")
def seed() -> str:
    return SEED.read_text(encoding="utf-8")


def test_wire_sign_offs_of_fakes_reprints(articles: dict[str, list[str]]) -> None:
    """NNA's rows end with the wire they reprint: "... the blast. --Reuters", "...March 2011.-AFP"."""
    signed = {text: re.search(r"(Reuters|REUTERS|AFP)\s*$", text) for text in articles["nna"]}
    found = {text: m.group(1) for text, m in signed.items() if m}
    assert len(found) >= 8
    for text, wire in found.items():
        assert find_credit(text) == wire
    for text in set(articles["nna"]) - set(found):
        assert find_credit(text) == ""


def test_datelines_inside_fakes_texts(articles: dict[str, list[str]]) -> None:
    """Sputnik's rows run title into dateline: "... says. MOSCOW October 18 (RIA Novosti) - The ..."."""
    credited = [find_credit(t) for t in articles["sputnik"] if "(RIA Novosti) -" in t[:400]]
    assert credited and set(credited) == {"RIA Novosti"}
    assert "presstv" in {find_credit(t) for t in articles["alalam"]}


@pytest.mark.parametrize("source", ["ahram", "etilaf", "trt", "dailysabah", "sana", "jordantimes", "reuters"])
def test_fakes_articles_that_credit_nobody(articles: dict[str, list[str]], source: str) -> None:
    """Full of "told AFP", "according to", "(Source: Syrian Coalition)", "via Skype": none is a credit."""
    assert [t[:80] for t in articles[source] if find_credit(t)] == []


def test_seed_credits_nobody(seed: str) -> None:
    assert find_credit(seed) == ""
    # its "Sources:" list, brought into the last 600 characters, is still the article naming its sources
    with_sources_last = seed[: seed.index("ATTENTION READERS")].rstrip()
    assert "Sources:" in with_sources_last[-600:]
    assert find_credit(with_sources_last) == ""


def body(articles: dict[str, list[str]]) -> str:
    """A Daily Sabah article, split into paragraphs as the web shows it."""
    text = articles["dailysabah"][0]
    return re.sub(r"(?<=[.\"]) (?=[A-Z])", "\n\n", text, count=6)


@pytest.mark.parametrize(
    ("top", "credit"),
    [
        ("BEIRUT (Reuters) - ", "Reuters"),
        ("DAMASCUS, May 13 (Reuters) - ", "Reuters"),
        ("(AFP) — ", "AFP"),
        ("(AP) — ", "AP"),
        ("NEW YORK, Oct. 18, 2015 (Thomson Reuters) – ", "Thomson Reuters"),
        ("By Ashraf Ezzat, Veterans Today:\n\n", "Veterans Today"),
        ("By Jane Doe | The Guardian\n", "The Guardian"),
        ("by Jane Doe, Reuters\n", "Reuters"),
        ("By Jane Doe and John Roe, Middle East Eye\n", "Middle East Eye"),
        ("Originally published by Veterans Today and is republished here with permission.\n\n", "Veterans Today"),
        ("This article first appeared on aljazeera.com.\n\n", "aljazeera.com"),
        ("Courtesy of Press TV\n\n", "Press TV"),
        ("Source: Al-Masdar News\n\n", "Al-Masdar News"),
        ("Via Veterans Today\n\n", "Veterans Today"),
    ],
)
def test_credits_at_the_top(articles: dict[str, list[str]], top: str, credit: str) -> None:
    assert find_credit(top + body(articles)) == credit


@pytest.mark.parametrize(
    ("bottom", "credit"),
    [
        ("\n\nOriginally published by Veterans Today and is republished here with permission.", "Veterans Today"),
        (
            "\n\nOriginally published at https://www.veteranstoday.com/2015/05/13/qalamoun/",
            "https://www.veteranstoday.com/2015/05/13/qalamoun/",
        ),
        ("\n\nThis article was originally published on Al Jazeera English on May 13, 2015.", "Al Jazeera English"),
        ("\n\nThis article first appeared in The Guardian (https://www.theguardian.com/world/x).", "The Guardian"),
        ("\n\nThis article appeared at aljazeera.com", "aljazeera.com"),
        ("\nFirst published by Middle East Eye, 13 May 2015.", "Middle East Eye"),
        ("\nFirst published in The Daily Star.", "The Daily Star"),
        ("\nRepublished with permission from The Conversation.", "The Conversation"),
        ("\nReprinted with permission from Al-Monitor.", "Al-Monitor"),
        ("\nReprinted from Asharq Al-Awsat", "Asharq Al-Awsat"),
        ("\n\nCourtesy of The Daily Star", "The Daily Star"),
        ("\n\nSource: Reuters", "Reuters"),
        ("\n\nSOURCE: Reuters.", "Reuters"),
        ("\n\nSource: Veterans Today (https://www.veteranstoday.com/x)", "Veterans Today"),
        ("\nvia Veterans Today", "Veterans Today"),
        (" --Reuters", "Reuters"),
    ],
)
def test_credits_at_the_bottom(articles: dict[str, list[str]], bottom: str, credit: str) -> None:
    assert find_credit(body(articles) + bottom) == credit


def test_credits_in_the_seed(seed: str) -> None:
    assert find_credit("By Ashraf Ezzat, Veterans Today:\n" + seed) == "Veterans Today"
    assert find_credit(seed + "\n\nThis article was first published by Veterans Today.") == "Veterans Today"


@pytest.mark.parametrize(
    "mention",
    [
        "According to Reuters, at least 30 people were killed.\n\n",
        "Reuters reported that at least 30 people were killed.\n\n",
        "A commander told AFP that the road was cut.\n\n",
        "A source said the road was cut.\n\n",
        "By Saturday, the army had retaken the hills around the town.\n\n",
        "By Jane Doe, Staff Writer\n\n",
        "By Jane Doe, Middle East Correspondent\n\n",
        "Photo courtesy of Reuters\n\n",
        "Courtesy of Getty Images\n\n",
        "Report by Dr. Ashraf Ezzat\n\n",
        "The monitor told Agence France-Presse (AFP) — which could not verify it — that 30 died.\n\n",
        "Fighters (AFP) said the road was cut.\n\n",
    ],
)
def test_mentions_at_the_top_are_no_credit(articles: dict[str, list[str]], mention: str) -> None:
    assert find_credit(mention + body(articles)) == ""


@pytest.mark.parametrize(
    "mention",
    [
        "\n\nSources: Lebanese Daily Star, Israeli Haaretz",
        "\n\nSources:\n\nLebanese Daily Star – Israeli Haaretz – Al Jazeera English.",
        "\n\nSource: Syrian Observatory for Human Rights said 30 people died in the raids on Sunday.",
        "\n\nSource: Reuters, AFP",
        "\n\nFirst published in 2015.",
        "\n\nThe toll, confirmed to the news agency (AFP) on Sunday, rose to 30. It was the worst day in a month.",
        " Comment via FacebookComment via Sputnik News",
        "-Agencies",
        " -- the pro-Assad",
    ],
)
def test_mentions_at_the_bottom_are_no_credit(articles: dict[str, list[str]], mention: str) -> None:
    assert find_credit(body(articles) + mention) == ""


def test_credits_in_the_middle_are_not_read(articles: dict[str, list[str]]) -> None:
    text = body(articles)
    assert len(text) > 1000
    middle = len(text) // 2
    cut = text.index("\n\n", middle - 300)
    assert find_credit(text[:cut] + "\n\nBy Jane Doe, Reuters\n\nSource: Reuters\n\n" + text[cut:]) == ""


def test_top_credit_wins_then_last_bottom_credit(articles: dict[str, list[str]]) -> None:
    text = body(articles)
    both = "BEIRUT (Reuters) - " + text + "\n\nOriginally published by Veterans Today"
    assert find_credit(both) == "Reuters"
    bottom = text + "\n\nOriginally published by Veterans Today\n\nSource: The Guardian"
    assert find_credit(bottom) == "The Guardian"
    assert find_credit("(AFP) - " + text[:200]) == "AFP"  # a short text: top and bottom overlap
    assert find_credit("") == find_credit("\n\n  ") == ""


def test_a_credit_is_identified_like_the_outlet_it_names(tmp_path: Path, articles: dict[str, list[str]]) -> None:
    """The reprint's credit and the original's host come out as one outlet, declared or not."""
    outlets = load_outlets(write(tmp_path, VT_FILE))
    credit = find_credit(body(articles) + "\n\nThis article originally appeared on VT.")
    assert credit == "VT"
    original = outlets.identify("", "https://www.veteranstodayarchives.com/2015/05/13/qalamoun/")
    assert outlets.same(outlets.identify(credit), original)
    wire = find_credit(articles["nna"][0])
    assert Outlets().same(Outlets().identify(wire), Outlets().identify("", "https://www.reuters.com/article/x"))
