"""Which outlet is this: one key per outlet, whatever name or host it is written under.

Independence rests on it (DESIGN.md rule 1): an article's own outlet never corroborates it, under any of its
hosts, and a reprint that credits another outlet counts under that outlet. "BBC News", "www.BBC.co.uk" and
"https://m.bbc.co.uk/news/x" must be one outlet; so must "Veterans Today", "VT" and "veteranstodayarchives.com".

Two things decide it:

- ``name_key``, a comparison key computed from a name or a host alone (the registrable domain by the Public
  Suffix List, a leading "the", one trailing edition or mirror word dropped). It gets most outlets right with no
  configuration at all.
- An outlets file, for what no rule can know: an outlet's other domains, its acronym, its former name. It is
  ``$TWOSOURCE_OUTLETS`` or, failing that, ``outlets.toml`` in the user's config directory
  (``~/.config/twosource/outlets.toml``), and reads like this:

```toml
# Each [[outlet]] declares one outlet: the name reports show, the hosts it publishes under, and other names for it.
[[outlet]]
name = "Veterans Today"
hosts = ["veteranstoday.com", "veteranstodayarchives.com"]
aliases = ["VT"]
```

Importing this module stays cheap (the CLI is judged by its cold start): the Public Suffix List, bundled with
``publicsuffixlist`` and never fetched, is parsed on first use only.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import ConfigError

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

#: Trailing words that name an edition of an outlet, not another outlet: "Al Jazeera English" is Al Jazeera,
#: "BBC News" is the BBC, "foxnews.com" is Fox News. "daily", "times", "press", "world" are left out on
#: purpose: "Daily Star", "Times", "Associated Press" and "TRT World" are names, not editions.
EDITION_WORDS = ("international", "newspaper", "magazine", "english", "arabic", "online", "news", "tv")
#: Trailing words of the domains that archive or mirror an outlet: "veteranstodayarchives.com" is Veterans Today.
MIRROR_WORDS = ("archives", "archive", "mirror", "cache")
#: A key keeps at least this many characters: "ABC News" stays "abc", "The Sun" stays "sun", "NTV" stays "ntv".
MIN_KEY = 3
#: An outlets file is a short hand-written list; anything bigger is the wrong file.
MAX_OUTLETS_BYTES = 1_000_000

_TRAILING = MIRROR_WORDS + EDITION_WORDS
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_WORDS = re.compile(r"[^\W_]+")
_ACRONYM_SKIPS = frozenset({"the", "of", "and", "for", "al"})
_ENTRY_KEYS = ("name", "hosts", "aliases")


@functools.cache
def _psl() -> PublicSuffixList:
    """The Public Suffix List bundled with the package (ICANN and private sections), parsed once, on first use."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _hostname(text: str) -> tuple[str, bool]:
    """Return the host written in ``text`` (lower-cased, punycode, no port/userinfo/trailing dot) and whether it
    was written as a URL (``scheme://`` or ``//``); ("", False) when ``text`` holds no readable host."""
    text = text.strip()
    if not text or len(text) > 4096:
        return "", False
    explicit = bool(_SCHEME.match(text))
    try:
        host = urlsplit(text if explicit else "//" + text).hostname or ""
    except ValueError:  # "http://[::1", a bad bracketed address
        return "", False
    host = host.removesuffix(".")
    if not host:
        return "", False
    try:
        ipaddress.ip_address(host)
        return host, explicit
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return "", False
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "", False
    return host, explicit


def registrable_domain(host_or_url: str) -> str:
    """Return the registrable domain of a host or URL: the part an outlet owns, under its public suffix.

    ``"https://m.bbc.co.uk/news/x"`` -> ``"bbc.co.uk"``, ``"www.reuters.com"`` -> ``"reuters.com"``,
    ``"foo.blogspot.com"`` -> ``"foo.blogspot.com"`` (the PSL's private section counts: every blog there is its
    own site). Punycode stays punycode and a Unicode host is turned into it, so one site has one spelling. An IP
    address, or a single label such as ``localhost``, is returned as it is. A host written without a scheme must
    end in a known public suffix, so that a name such as "Dr.Who" is not taken for one. "" when the input is not a
    host or URL at all ("Reuters", "The New York Times", "http://[::1"); it never raises.
    """
    return _registrable_domain(host_or_url) if isinstance(host_or_url, str) else ""


@functools.lru_cache(maxsize=4096)
def _registrable_domain(host_or_url: str) -> str:
    host, explicit = _hostname(host_or_url)
    if not host:
        return ""
    if "." not in host:
        return host if explicit or host == "localhost" else ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    psl = _psl()
    if not explicit and psl.publicsuffix(host, accept_unknown=False) is None:
        return ""
    return psl.privatesuffix(host) or host  # a public suffix itself ("blogspot.com") is its own domain


def _own_label(domain: str) -> str:
    """The label an outlet chose, with its public suffix off: "bbc.co.uk" -> "bbc", "foo.blogspot.com" -> "foo"."""
    try:
        ipaddress.ip_address(domain)
        return domain
    except ValueError:
        pass
    if "." not in domain:
        return domain
    suffix = _psl().publicsuffix(domain) or ""
    label = domain[: -len(suffix) - 1] if suffix and domain != suffix else domain.split(".")[0]
    if label.startswith("xn--"):  # compare a Unicode name with its punycode host
        with contextlib.suppress(UnicodeError):
            label = label.encode("ascii").decode("idna")
    return label


def _reduce(text: str) -> str:
    """Letters and digits only (any script, accents off, case folded), then a leading "the" and one trailing
    edition or mirror word dropped when ``MIN_KEY`` characters remain."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    key = "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))
    # "the" goes as a prefix of the key, not as a word: a host has no spaces, and "The Guardian",
    # "theguardian.com" and "TheGuardian" must agree.
    if key.startswith("the") and len(key) - 3 >= MIN_KEY:
        key = key[3:]
    for word in _TRAILING:
        if key.endswith(word) and len(key) - len(word) >= MIN_KEY:
            return key[: -len(word)]
    return key


def name_key(name: str) -> str:
    """Return the key an outlet is compared under, from its name or from a host or URL of it.

    A host or URL is reduced to its registrable domain's own label ("uk.reuters.com", "reuters.co.uk" ->
    "reuters"); a name is taken whole ("Reuters" -> "reuters"). Both then keep only letters and digits, case
    folded and accents off ("Hürriyet" is "hurriyet.com.tr"), lose a leading "the" ("The Guardian" and
    "theguardian.com" -> "guardian") and one trailing edition or mirror word (``EDITION_WORDS``, ``MIRROR_WORDS``:
    "Al Jazeera English" and "aljazeera.net" -> "aljazeera", "veteranstodayarchives.com" -> "veteranstoday"),
    each only while ``MIN_KEY`` characters remain. "" for an empty or all-punctuation name, and for a URL with no
    readable host. Cached: it is asked for every retrieved passage.
    """
    return _name_key(name) if isinstance(name, str) else ""


@functools.lru_cache(maxsize=8192)
def _name_key(name: str) -> str:
    if not name.strip():
        return ""
    domain = _registrable_domain(name)
    if not domain and _SCHEME.match(name.strip()):
        return ""  # written as a URL, but no host can be read from it
    return _reduce(_own_label(domain) if domain else name)


@dataclass(frozen=True)
class Outlet:
    """One outlet as identified: the key it is counted under, its name for reports, and every key it answers to."""

    key: str
    name: str
    aliases: frozenset[str]


@dataclass(frozen=True)
class DeclaredOutlet:
    """One ``[[outlet]]`` entry of an outlets file."""

    name: str
    hosts: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def keys(self) -> frozenset[str]:
        """Every key this outlet answers to: its name's, its aliases', its hosts'."""
        found = {name_key(self.name), *(name_key(a) for a in self.aliases), *(name_key(h) for h in self.hosts)}
        found.discard("")
        return frozenset(found)


class Outlets:
    """The outlets known by declaration, and how any other name or host is identified and compared."""

    def __init__(self, declared: Iterable[DeclaredOutlet] = ()) -> None:
        self.declared: tuple[DeclaredOutlet, ...] = tuple(declared)
        self._keys: dict[DeclaredOutlet, frozenset[str]] = {}
        self._by_key: dict[str, DeclaredOutlet] = {}
        for outlet in self.declared:
            self._keys[outlet] = outlet.keys()
            for key in self._keys[outlet]:
                self._by_key.setdefault(key, outlet)  # two entries claiming one key: the first declared wins

    def identify(self, name: str = "", url: str = "") -> Outlet:
        """Return the outlet that publishes under ``name`` (a name or a host) and ``url``.

        A declared outlet that answers to either is the outlet, under its declared name (the name is asked
        first). Otherwise the name decides the key, and the URL only when there is no name; the outlet answers
        to both. The name shown is the name as given, or the registrable domain when the name is a host or
        missing. ``url`` counts only when it is a host or URL.
        """
        name = name.strip() if isinstance(name, str) else ""
        url = url.strip() if isinstance(url, str) else ""
        name_k = name_key(name)
        url_domain = registrable_domain(url)
        url_k = name_key(url) if url_domain else ""
        found = frozenset(k for k in (name_k, url_k) if k)
        for k in (name_k, url_k):
            declared = self._by_key.get(k) if k else None
            if declared is not None:
                return Outlet(name_key(declared.name), declared.name, self._keys[declared] | found)
        if name_k:
            return Outlet(name_k, registrable_domain(name) or name, found)
        return Outlet(url_k, url_domain if url_k else "", found)

    def same(self, a: Outlet, b: Outlet) -> bool:
        """Whether ``a`` and ``b`` are one outlet: they share a key, or one's name is the other's acronym.

        The acronym rule reads names as written: 2-6 capitals ("VT", "NYT", "A.F.P.") that are the initials of
        the other's words, "the", "of", "and", "for", "al" not counted ("VT" ~ "Veterans Today", "NYT" ~ "The
        New York Times", "AFP" ~ "Agence France-Presse"; "AP" is not "Al Pacino Weekly", whose initials are
        "PW"). Declarations count for outlets made elsewhere too. An outlet with no key and no alias is nothing, and
        the same as nothing.
        """
        keys_a, keys_b = self._answers_to(a), self._answers_to(b)
        if not keys_a or not keys_b:
            return False
        if keys_a & keys_b:
            return True
        return _is_acronym_of(a.name, b.name) or _is_acronym_of(b.name, a.name)

    def _answers_to(self, outlet: Outlet) -> frozenset[str]:
        """The outlet's keys, and those of the declared outlet it is, for an Outlet not made by ``identify``."""
        keys = (outlet.aliases | {outlet.key}) - {""}
        declared = {self._by_key[k] for k in keys if k in self._by_key}
        return keys.union(*(self._keys[d] for d in declared))


def _is_acronym_of(short: str, full: str) -> bool:
    letters = short.strip().replace(".", "")
    if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
        return False
    words = [w for w in _WORDS.findall(full) if w.casefold() not in _ACRONYM_SKIPS]
    return len(words) >= 2 and "".join(w[0] for w in words).upper() == letters


def load_outlets(path: str | Path | None = None) -> Outlets:
    """Return the outlets declared in ``path``, or in the configured outlets file (``settings.outlets_file``).

    A file that is named must exist and be right: a mistake in it raises ``ConfigError`` (one line naming the
    file, the entry and what is wrong) rather than checking without the declarations the user counted on. With
    no path and no configured file, nothing is declared.
    """
    if path is None:
        from .settings import outlets_file

        path = outlets_file()
        if path is None:
            return Outlets()
    return Outlets(_read_outlets_file(Path(path)))


def _read_outlets_file(path: Path) -> list[DeclaredOutlet]:
    import tomllib

    where = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConfigError(where, "no such file") from None
    except OSError as e:
        raise ConfigError(where, f"cannot be read: {e.strerror or e}") from None
    if size > MAX_OUTLETS_BYTES:
        raise ConfigError(where, f"{size} bytes, over the {MAX_OUTLETS_BYTES} an outlets file may have")
    try:
        data = path.read_bytes()
    except OSError as e:  # a directory, no permission
        raise ConfigError(where, f"cannot be read: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(where, f"not UTF-8 text (byte {e.start} cannot be decoded)") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(where, f"not valid TOML: {str(e).splitlines()[0]}") from None
    for key in document:
        if key != "outlet":
            raise ConfigError(where, f"unknown top-level key {key!r}: the file holds [[outlet]] entries only")
    entries = document.get("outlet", [])
    if not isinstance(entries, list):
        raise ConfigError(where, "'outlet' must be written as [[outlet]] entries")
    return [_declared(where, n, entry) for n, entry in enumerate(entries, 1)]


def _declared(where: str, n: int, entry: Any) -> DeclaredOutlet:
    if not isinstance(entry, dict):
        raise ConfigError(where, f"entry {n}: not a table; write each outlet as an [[outlet]] entry")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise ConfigError(where, f"entry {n}: unknown key {key!r} (an entry has name, hosts and aliases)")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(where, f"entry {n}: needs a name, a non-empty string")
    if not name_key(name):
        raise ConfigError(where, f"entry {n}: the name {name!r} has no letters or digits")
    hosts = _strings(where, n, entry, "hosts")
    for host in hosts:
        if not registrable_domain(host):
            raise ConfigError(where, f"entry {n} ({name.strip()}): {host!r} is not a host name")
    aliases = _strings(where, n, entry, "aliases")
    for alias in aliases:
        if not name_key(alias):
            raise ConfigError(where, f"entry {n} ({name.strip()}): the alias {alias!r} has no letters or digits")
    return DeclaredOutlet(name.strip(), tuple(h.strip() for h in hosts), tuple(a.strip() for a in aliases))


def _strings(where: str, n: int, entry: dict[str, Any], field: str) -> list[str]:
    values = entry.get(field, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(where, f'entry {n}: {field} must be a list of strings, e.g. {field} = ["..."]')
    return values
