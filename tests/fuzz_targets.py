"""Fuzz targets shared by ``tests/test_fuzz.py`` (a short, deterministic run) and ``bench/fuzz.py`` (the long run).

The property everywhere: every input ends in a result, or in a one-line error of twosource's own tree
(:class:`~twosource.errors.TwosourceError`), within a time budget. For the API: a 2xx or 3xx, or a 4xx whose JSON
body is ``{"error": "..."}`` (an HTML page off ``/api/``), never a 5xx or a traceback. An index is unchanged by a
rejected ingest, and grows by exactly what an accepted one reports.

Inputs mix random bytes with mutations of real ones: FA-KES and BBC articles, AEB pages, and small CSV, JSON(L),
RSS/Atom, sitemap and WARC documents built from them (read from ``../shared/data``, never copied). Mutations:
truncation, byte flips, insertions of control characters, BOMs and magic numbers, deletions, repeated spans
(huge fields), deep nesting, odd encodings and charset declarations.

Nothing here reaches the network. URLs resolve numerically only (``AI_NUMERICHOST``: no DNS), and while a target
runs a guard replaces every outgoing connection, except to the loopback API server the harness starts itself,
with :class:`WouldConnect`, so that a fetch the policy lets through is seen without a socket being opened.
"""

from __future__ import annotations

import _socket
import csv
import functools
import gzip
import io
import ipaddress
import itertools
import json
import logging
import math
import os
import pickle
import re
import shutil
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from xml.sax.saxutils import escape

import httpcore
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from twosource.errors import TwosourceError

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TWOSOURCE_SHARED_DATA", ROOT.parent / "shared" / "data"))
FAKES = DATA / "fakes" / "FA-KES-Dataset.csv"
BBC = DATA / "news" / "bbc" / "bbc_news.csv"
AEB = DATA / "aeb"

#: Largest input the readers are given (bytes): above it they must say the input is too large.
READ_MAX = 1_500_000
#: Mutated inputs are cut here, so a repeated span stays a "huge field", not a memory problem.
FUZZ_MAX = 2_200_000
#: AEB pages above this many bytes (uncompressed) are left out: trafilatura spends ~0.5 s on the 600 kB ones.
MAX_PAGE_BYTES = 200_000
#: Rows read from each corpus: enough variety, little loading time.
ROWS_PER_CORPUS = 120
#: Claims stage inputs are cut here (characters): the detector reads ~2 kB a second on a shared core.
CLAIMS_MAX = 2_500
#: Multiplies every time budget (``bench/fuzz.py --budget-scale``; ``$TWOSOURCE_FUZZ_BUDGET_SCALE``).
BUDGET_SCALE = float(os.environ.get("TWOSOURCE_FUZZ_BUDGET_SCALE", "1"))


# ---------------------------------------------------------------------------------------------------- findings


class Finding(AssertionError):
    """A property broken by an input; ``kind`` groups findings that are one bug."""

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        super().__init__(f"{kind}: {detail}" if detail else kind)


class WouldConnect(Exception):
    """Raised in place of opening a connection to ``address``: the harness never connects anywhere else."""

    def __init__(self, address: str, port: int) -> None:
        self.address, self.port = address, port
        super().__init__(f"a connection to {address}:{port} was about to be opened")


#: What breaks a line in a terminal, a log or a JSON viewer (str.splitlines also splits at \x1c-\x1e, which do not).
NEWLINES = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")


def one_line(message: object, what: str) -> None:
    """Fail unless ``message`` is a non-empty string on one line."""
    if not isinstance(message, str) or not message.strip():
        raise Finding(f"{what} is not a message", repr(message)[:200])
    if NEWLINES.search(message):
        raise Finding(f"{what} spans several lines", repr(message)[:300])
    if "Traceback (most recent call last)" in message:
        raise Finding(f"{what} holds a traceback", repr(message)[:300])


def budget(base: float, per_mb: float, size: int) -> float:
    """Seconds an input of ``size`` bytes (or characters) may take: generous, for a shared 2-core machine."""
    return (base + per_mb * size / 1_000_000) * BUDGET_SCALE


def outcome(seconds: float, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Return ``call``'s result, or the TwosourceError it raised once its message is checked to be one line.

    Any other exception propagates: that is a finding. So is taking more than ``seconds``.
    """
    started = time.perf_counter()
    try:
        result = call(*args, **kwargs)
    except TwosourceError as exc:
        one_line(str(exc), f"{type(exc).__name__} message")
        result = exc
    took = time.perf_counter() - started
    if took > seconds:
        raise Finding(f"over the time budget in {getattr(call, '__name__', call)}", f"{took:.1f} s > {seconds:.1f} s")
    return result


def signature(exc: BaseException) -> str:
    """One line naming the bug ``exc`` shows: a Finding's kind, else the exception type and where it escaped
    twosource (the innermost frame in its source), else where it was raised."""
    if isinstance(exc, Finding):
        return exc.kind
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/twosource/" in f.filename and "/tests/" not in f.filename]
    frame = (ours or frames or [None])[-1]
    where = f" from {Path(frame.filename).name}:{frame.lineno} ({frame.name})" if frame else ""
    return f"{type(exc).__name__}{where}"


def short(value: Any, keep: int = 160) -> str:
    """A repr that stays readable for megabyte inputs: length, then the head."""
    text = repr(value)
    if isinstance(value, bytes | str) and len(value) > keep:
        unit = "bytes" if isinstance(value, bytes) else "chars"
        return f"<{len(value):,} {unit}: {value[:keep]!r}...>"
    return text


class Case:
    """A fuzz input: a dataclass whose repr stays short (``full=True`` cases are pickled for replay)."""

    def __repr__(self) -> str:
        parts = ", ".join(f"{f.name}={short(getattr(self, f.name))}" for f in fields(self))  # type: ignore[arg-type]
        return f"{type(self).__name__}({parts})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints a failing example with its own printer, which would spell out megabytes.
        printer.text(repr(self))


def save_case(target: str, case: Any, exc: BaseException, folder: Path) -> Path:
    """Pickle ``case`` (for ``bench/fuzz.py --replay``) and write its raw bytes and traceback beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", f"{target}-{signature(exc)}")[:120]
    path = folder / f"{stem}.pickle"
    path.write_bytes(pickle.dumps((target, case)))
    data = getattr(case, "data", None)
    if isinstance(data, bytes | str):
        (folder / f"{stem}.input").write_bytes(
            data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        )
    (folder / f"{stem}.txt").write_text(
        f"{target}: {signature(exc)}\n{case!r}\n\n" + "".join(traceback.format_exception(exc)), encoding="utf-8"
    )
    return path


# ---------------------------------------------------------------------------------------------------- real data


def data_missing() -> str | None:
    """Why the real inputs cannot be read, or None when they can."""
    missing = [str(p) for p in (FAKES, BBC, AEB / "html", AEB / "ground-truth.json") if not p.exists()]
    return f"the shared data is missing: {', '.join(missing)}" if missing else None


@dataclass(frozen=True)
class Story:
    """One real article with its metadata, as the CSV it came from gives it."""

    title: str
    text: str
    outlet: str
    date: str
    url: str


def _rows(path: Path, encoding: str) -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as f:
        return [row for _, row in zip(range(ROWS_PER_CORPUS), csv.DictReader(f), strict=False)]


@functools.cache
def page_urls() -> tuple[str, ...]:
    """The real article URLs of the AEB pages."""
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    return tuple(entry["url"] for entry in truth.values() if entry.get("url"))


@functools.cache
def stories() -> tuple[Story, ...]:
    """FA-KES and BBC articles, interleaved so that both are near the front (where Hypothesis shrinks to)."""
    urls = page_urls()
    fakes = [
        Story(r["article_title"], r["article_content"], r["source"], r["date"], urls[i % len(urls)])
        for i, r in enumerate(_rows(FAKES, "latin-1"))
        if len(r["article_content"].split()) >= 80
    ]
    bbc = [
        Story(r["title"], r["text"], r["source"] or "BBC News", r["date"], f"https://www.bbc.co.uk/news/{r['id']}")
        for r in _rows(BBC, "utf-8")
        if len(r["text"].split()) >= 80
    ]
    mixed = [s for pair in zip(fakes, bbc, strict=False) for s in pair]
    return tuple(mixed)


@functools.cache
def page_paths() -> tuple[Path, ...]:
    """The AEB pages small enough to extract quickly (the gzip trailer gives the uncompressed size)."""
    kept = []
    for path in sorted((AEB / "html").glob("*.html.gz")):
        with open(path, "rb") as f:
            f.seek(-4, os.SEEK_END)
            if int.from_bytes(f.read(4), "little") <= MAX_PAGE_BYTES:
                kept.append(path)
    return tuple(kept)


@functools.cache
def page(number: int) -> bytes:
    """One AEB page, uncompressed."""
    paths = page_paths()
    return gzip.decompress(paths[number % len(paths)].read_bytes())


def story() -> st.SearchStrategy[Story]:
    return st.integers(0, len(stories()) - 1).map(lambda i: stories()[i])


def real_page() -> st.SearchStrategy[bytes]:
    return st.integers(0, len(page_paths()) - 1).map(page)


# ---------------------------------------------------------------------------------------------------- mutations

_POS = st.integers(0, 1 << 24)
SPECIAL_BYTES = (
    b"\x00",
    b"\x01",
    b"\x1b[31m",
    b"\x7f",
    b"\x0b",
    b"\x0c",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\x85",
    b"\xc2\x85",
    "\u2028".encode(),
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    "\u202e".encode(),
    b'"',
    b"'",
    b",",
    b"<",
    b"&",
    b"]]>",
    b"<!--",
    b"{",
    b"[",
)
SPECIAL_TEXT = (
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\ufffd",
    "\r",
    "\n\n",
    '"',
    "\u201c",
    "\u201d",
    "(",
    ")",
    "%",
    "$",
    "\u00a3",
    "\u20ac",
    " million ",
    "1,000,000",
    "9" * 400,
    "\U0001f642",
    "\u0640",
    "Mr.",
    "U.S.",
    "...",
    "\u2014",
    " said ",
    " according to ",
    "\u0661\u0662",
    "\u00e9",
    "e\u0301",
)
PREFIXES = (
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"%PDF-1.4\n",
    b"\x1f\x8b\x08\x00",
    b"PK\x03\x04",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"<!DOCTYPE html>",
    b"\x00",
    b"   \n\t",
    b"WARC/1.0\r\n",
)
#: What a user may name with --encoding or an ingest form's encoding field (and a page in its meta charset).
ENCODINGS = (
    "utf-8",
    "latin-1",
    "cp1252",
    "utf-16",
    "utf-16-le",
    "utf-32",
    "shift_jis",
    "koi8-r",
    "gb18030",
    "utf-7",
    "utf-8-sig",
    "ascii",
    "idna",
    "punycode",
    "undefined",
    "rot13",
    "hex",
    "base64",
    "zlib",
    "uu",
    "unicode_escape",
    "mbcs",
    "no-such-codec",
    "utf\x008",
    "",
    " utf-8 ",
)
_DOCTYPE_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e SYSTEM "file:///etc/passwd">]>'
)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Draw from one of ``choices`` with the given weights; shrinks toward the first."""
    total = sum(w for w, _ in choices)

    def pick(n: int) -> st.SearchStrategy[Any]:
        for w, strategy in choices:
            if n < w:
                return strategy
            n -= w
        raise AssertionError(n)

    return st.integers(0, total - 1).flatmap(pick)


def byte_ops(max_ops: int = 4, extra: tuple[st.SearchStrategy[tuple], ...] = ()) -> st.SearchStrategy[list[tuple]]:
    """Mutations of a byte string (``extra``: ones a format adds, such as nesting)."""
    op = st.one_of(
        st.tuples(st.just("truncate"), _POS),
        st.tuples(st.just("flip"), _POS, st.integers(1, 255)),
        st.tuples(st.just("special"), _POS, st.sampled_from(SPECIAL_BYTES)),
        st.tuples(st.just("insert"), _POS, st.binary(min_size=1, max_size=48)),
        st.tuples(st.just("delete"), _POS, st.integers(1, 1 << 14)),
        st.tuples(st.just("repeat"), _POS, st.integers(1, 512), st.sampled_from((2, 16, 1000, 20_000))),
        st.tuples(st.just("prefix"), st.sampled_from(PREFIXES)),
        *extra,
    )
    return st.lists(op, max_size=max_ops)


def text_ops(max_ops: int = 4) -> st.SearchStrategy[list[tuple]]:
    """Mutations of a string."""
    op = st.one_of(
        st.tuples(st.just("truncate"), _POS),
        st.tuples(st.just("flip"), _POS, st.integers(1, 0xFFFF)),
        st.tuples(st.just("special"), _POS, st.sampled_from(SPECIAL_TEXT)),
        st.tuples(st.just("insert"), _POS, st.text(min_size=1, max_size=24)),
        st.tuples(st.just("delete"), _POS, st.integers(1, 4096)),
        st.tuples(st.just("repeat"), _POS, st.integers(1, 256), st.sampled_from((2, 16, 300))),
    )
    return st.lists(op, max_size=max_ops)


def mutate(data: Any, ops: list[tuple], limit: int = FUZZ_MAX) -> Any:
    """Apply ``ops`` (from :func:`byte_ops` or :func:`text_ops`) to ``data``, a bytes or a str; cut at ``limit``."""
    for name, *args in ops:
        at = args[0] % (len(data) + 1) if args and isinstance(args[0], int) else 0
        if name == "truncate":
            data = data[:at]
        elif name == "flip" and data:
            i = at % len(data)
            if isinstance(data, bytes):
                data = data[:i] + bytes([data[i] ^ args[1]]) + data[i + 1 :]
            else:
                code = ord(data[i]) ^ args[1]
                data = data[:i] + (chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd") + data[i + 1 :]
        elif name in ("special", "insert"):
            data = data[:at] + args[1] + data[at:]
        elif name == "delete":
            data = data[:at] + data[at + args[1] :]
        elif name == "repeat":
            span = data[at : at + args[1]]
            times = min(args[2], limit // max(1, len(span)) + 1)
            data = data[:at] + span * times + data[at:]
        elif name == "prefix":
            data = args[0] + data
        elif name == "nest":  # deep nesting: [[[...]]] around a JSON document, <div><div>... around a page
            opening, closing, depth = args[1], args[2], args[3]
            data = opening * depth + data + closing * depth
        elif name == "charset":  # a page that declares an encoding (perhaps a codec that is no text encoding)
            data = f'<meta charset="{args[0]}">'.encode("utf-8", "surrogatepass") + data
        elif name == "doctype":
            data = _DOCTYPE_BOMB + data
        data = data[:limit]
    return data


# ---------------------------------------------------------------------------------------------------- network guard


def numeric_resolve(host: str, port: int) -> list[str]:
    """What the system resolver does with ``host``, numeric addresses only: AI_NUMERICHOST never asks DNS.

    ``_socket`` is used directly: the test suite's own guard replaces ``socket.getaddrinfo``.
    """
    infos = _socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def offline_resolve(host: str, port: int) -> list[str]:
    """:func:`numeric_resolve`, but a public address does not resolve: a fetch it names ends in a FetchError."""
    addresses = numeric_resolve(host, port)
    if any(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
        raise OSError(f"the fuzzing harness resolves no public address ({host})")
    return addresses


@functools.cache
def offline_policy() -> Any:
    """The fetch policy of every target but ``url``: numeric hosts only, public ones unresolved."""
    from twosource.fetch import FetchPolicy

    return FetchPolicy(max_bytes=READ_MAX, max_seconds=10.0, resolver=offline_resolve)


_ALLOWED: set[tuple[str, int]] = set()  # the loopback server the harness started, when it runs
_GUARD_LOCK = threading.Lock()
_GUARD_DEPTH = 0
_ORIGINALS: dict[str, Any] = {}


@contextmanager
def connection_guard() -> Iterator[None]:
    """While it holds, no connection opens except to the harness's own loopback server: httpcore's connect (where
    twosource's fetcher connects to the address it checked) and ``socket.connect`` raise :class:`WouldConnect`."""
    global _GUARD_DEPTH
    with _GUARD_LOCK:
        if _GUARD_DEPTH == 0:
            _ORIGINALS["tcp"] = httpcore.SyncBackend.connect_tcp
            _ORIGINALS["socket"] = socket.socket.connect
            tcp, connect = _ORIGINALS["tcp"], _ORIGINALS["socket"]

            def guarded_tcp(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
                if (host, port) not in _ALLOWED:
                    raise WouldConnect(host, port)
                return tcp(self, host, port, *args, **kwargs)

            def guarded_connect(self: socket.socket, address: Any) -> Any:
                if self.family in (socket.AF_INET, socket.AF_INET6) and tuple(address[:2]) not in _ALLOWED:
                    raise WouldConnect(str(address[0]), int(address[1]))
                return connect(self, address)

            httpcore.SyncBackend.connect_tcp = guarded_tcp
            socket.socket.connect = guarded_connect  # type: ignore[method-assign]
        _GUARD_DEPTH += 1
    try:
        yield
    finally:
        with _GUARD_LOCK:
            _GUARD_DEPTH -= 1
            if _GUARD_DEPTH == 0:
                httpcore.SyncBackend.connect_tcp = _ORIGINALS["tcp"]
                socket.socket.connect = _ORIGINALS["socket"]  # type: ignore[method-assign]


# ---------------------------------------------------------------------------------------------------- harness


class _LogTrap(logging.Handler):
    """Keeps the tracebacks the server logs (uvicorn's "Exception in ASGI application", failed jobs)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.seen.append(text)

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


class Harness:
    """What the targets share in one process: a scratch folder, a small index of real articles for ingests, and
    (started on first use) the API on a loopback port over another such index."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="twosource-fuzz-"))
        self._stack = ExitStack()
        self._ingest_index: Any = None
        self.api: Any = None  # an httpx.Client on the server, once started
        self.trap = _LogTrap()

    def scratch(self, name: str, data: bytes) -> Path:
        """Write ``data`` to a file called ``name`` in the scratch folder (a fresh subfolder, so nothing else is
        beside it) and return its path."""
        folder = self.folder / "input"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        return path

    def _seeded_index(self, path: Path, count: int) -> Path:
        from twosource import open_index
        from twosource.ingestion import ingest_articles
        from twosource.read import article_from_text

        index = open_index(path)
        try:
            articles = [article_from_text(s.text, s.url, title=s.title, outlet=s.outlet) for s in stories()[:count]]
            ingest_articles(articles, index)
        finally:
            index.close()
        return path

    def ingest_index(self) -> Any:
        """The index the ingest target adds to, opened once (it grows as inputs are accepted)."""
        if self._ingest_index is None:
            from twosource import open_index

            path = self._seeded_index(self.folder / "ingest.sqlite", 4)
            self._ingest_index = open_index(path)
        return self._ingest_index

    def server(self) -> Any:
        """The API client, the server started on first use: loopback, a small index, fetches kept offline."""
        if self.api is None:
            import httpx

            from twosource.web import ServeLimits, create_app, in_background

            index = self._seeded_index(self.folder / "api.sqlite", 6)
            limits = ServeLimits(max_body_bytes=READ_MAX)
            policy = replace(offline_policy(), max_bytes=READ_MAX)
            url = self._stack.enter_context(in_background(create_app(index, limits=limits, fetch_policy=policy)))
            parts = urlsplit(url)
            _ALLOWED.add((parts.hostname or "", parts.port or 0))
            for name in ("uvicorn.error", "twosource.web"):
                logging.getLogger(name).addHandler(self.trap)
            self.api = self._stack.enter_context(httpx.Client(base_url=url, timeout=300, follow_redirects=False))
        return self.api

    def close(self) -> None:
        if self._ingest_index is not None:
            self._ingest_index.close()
        self._stack.close()
        _ALLOWED.clear()
        for name in ("uvicorn.error", "twosource.web"):
            logging.getLogger(name).removeHandler(self.trap)
        shutil.rmtree(self.folder, ignore_errors=True)


_HARNESS: Harness | None = None


def harness() -> Harness:
    global _HARNESS
    if _HARNESS is None:
        _HARNESS = Harness()
    return _HARNESS


def close_harness() -> None:
    global _HARNESS
    if _HARNESS is not None:
        _HARNESS.close()
        _HARNESS = None


# ---------------------------------------------------------------------------------------------------- documents


def _html_page(s: Story, charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in s.text.split("\n") if p.strip())
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{escape(s.title)}</title>'
        f'<meta property="og:site_name" content="{escape(s.outlet)}"></head><body><nav><a href="/">Home</a></nav>'
        f"<article><h1>{escape(s.title)}</h1>{paragraphs}</article><footer>Share this</footer></body></html>"
    )


def _bare_page(s: Story) -> str:
    """A page that names no outlet: its outlet is then taken from its URL."""
    paragraphs = "".join(f"<p>{escape(p)}.</p>" for p in s.text.split(". "))
    return f"<html><body><article>{paragraphs}</article></body></html>"


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="xmlcharrefreplace" if encoding not in ("utf-16", "utf-32") else "strict")


TEXT_ENCODINGS = ("utf-8", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32", "shift_jis", "koi8-r", "utf-8-sig")


def _when(s: Story) -> datetime:
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(s.date.strip(), pattern)
        except ValueError:
            pass
    return datetime(2017, 4, 5)


#: Column names a collection may use: FA-KES's, BBC's, the guessed ones, and none that names the text.
HEADERS = (
    ("unit_id", "article_title", "article_content", "source", "date"),
    ("title", "text", "outlet", "date", "url"),
    ("id", "headline", "body", "publisher", "published", "link", "author"),
    ("a", "b", "c"),
)


def _record(s: Story, header: tuple[str, ...], n: int) -> dict[str, Any]:
    values = [str(n), s.title, s.text, s.outlet, s.date, s.url, "A. Writer"]
    if header[0] != "unit_id" and header[0] != "id":
        values = values[1:]
    return dict(zip(header, values, strict=False))


JSON_ODDITIES = (
    None,
    True,
    0,
    -1,
    1.5e308,
    float("nan"),
    [],
    {},
    ["a", ["b"]],
    {"text": {"text": "x"}},
    "",
    " ",
    "\u2028",
    "x" * 70_000,
)


def _json_value() -> st.SearchStrategy[Any]:
    leaf = st.one_of(st.sampled_from(JSON_ODDITIES), st.text(max_size=40), st.integers(), st.floats())
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner))


def _json_text(value: Any, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def rss(items: list[Story], atom: bool) -> str:
    if atom:
        entries = "".join(
            f'<entry><title>{escape(s.title)}</title><link href="{escape(s.url)}"/>'
            f"<updated>{_when(s).isoformat()}Z</updated><summary>{escape(s.text[:300])}</summary></entry>"
            for s in items
        )
        return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>{entries}</feed>'
    entries = "".join(
        f"<item><title>{escape(s.title)}</title><link>{escape(s.url)}</link>"
        f"<pubDate>{format_datetime(_when(s))}</pubDate><description>{escape(s.text[:300])}</description></item>"
        for s in items
    )
    channel = f"<channel><title>News</title>{entries}</channel>"
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{channel}</rss>'


def sitemap(items: list[Story], index: bool, nested: list[str]) -> str:
    news = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
    if index:
        entries = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in nested)
        return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {news}>{entries}</sitemapindex>'
    entries = "".join(
        f"<url><loc>{escape(s.url)}</loc><lastmod>{_when(s).date().isoformat()}</lastmod><news:news>"
        f"<news:publication_date>{_when(s).isoformat()}</news:publication_date><news:title>{escape(s.title)}"
        f"</news:title></news:news></url>"
        for s in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {news}>{entries}</urlset>'


def warc(records: list[tuple[str, str, str, bytes, str]], compress: bool) -> bytes:
    """A WARC archive of (kind, uri, status, body, content type) records, written with warcio; a record warcio
    cannot write (a URI it refuses) is left out."""
    out = io.BytesIO()
    for record in records:
        one = io.BytesIO()
        try:
            _write_record(one, compress, *record)
        except Exception:
            continue
        out.write(one.getvalue())
    return out.getvalue()


def _write_record(out: io.BytesIO, compress: bool, kind: str, uri: str, status: str, body: bytes, ctype: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=compress)
    if kind == "response":
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http)
    elif kind == "request":
        http = StatusAndHeaders(f"GET {urlsplit(uri).path or '/'}", [("Host", "x")], protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=http)
    else:
        record = writer.create_warcinfo_record("fuzz.warc", {"software": "twosource fuzz"})
    writer.write_record(record)


# ---------------------------------------------------------------------------------------------------- readers


@dataclass(frozen=True, repr=False)
class ReaderCase(Case):
    data: bytes
    html: bool | None = None
    encoding: str | None = None


def _encoding_choice() -> st.SearchStrategy[str | None]:
    return weighted((14, st.none()), (5, st.sampled_from(ENCODINGS)), (1, st.text(max_size=10)))


def _article_bytes() -> st.SearchStrategy[bytes]:
    return weighted(
        (6, st.builds(lambda s, e: _encode(f"{s.title}\n\n{s.text}", e), story(), st.sampled_from(TEXT_ENCODINGS))),
        (1, st.binary(max_size=2048)),
        (1, st.text(max_size=1500).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    )


def _page_bytes() -> st.SearchStrategy[bytes]:
    built = st.builds(
        lambda s, e: _encode(_html_page(s, e), e), story(), st.sampled_from(("utf-8", "latin-1", "cp1252", "utf-16"))
    )
    return weighted((4, real_page()), (3, built), (1, st.binary(max_size=1024).map(lambda b: b"<html><body>" + b)))


_HTML_OPS = (
    st.tuples(
        st.just("nest"),
        st.just(0),
        st.sampled_from((b"<div>", b"<table><tr><td>", b"<b>")),
        st.just(b""),
        st.sampled_from((100, 5_000, 100_000)),
    ),
    st.tuples(st.just("charset"), st.sampled_from(ENCODINGS)),
    st.tuples(st.just("doctype")),
)


def text_cases() -> st.SearchStrategy[ReaderCase]:
    return st.builds(
        ReaderCase, st.builds(mutate, _article_bytes(), byte_ops()), st.sampled_from((False, None)), _encoding_choice()
    )


def html_cases() -> st.SearchStrategy[ReaderCase]:
    return st.builds(
        ReaderCase,
        st.builds(mutate, _page_bytes(), byte_ops(extra=_HTML_OPS).map(_close_nesting)),
        st.sampled_from((True, None)),
        _encoding_choice(),
    )


def _check_article(article: Any) -> None:
    from twosource.types import Article

    if not isinstance(article, Article):
        raise Finding("a reader returned something other than an Article", type(article).__name__)
    if not article.text.strip():
        raise Finding("an Article with no text")
    if article.published is not None:
        try:
            date.fromisoformat(article.published)
        except ValueError:
            raise Finding("an Article's date is not ISO", repr(article.published)) from None


def check_reader(case: ReaderCase) -> None:
    """read_bytes: an Article or a one-line SourceError."""
    from twosource.read import read_bytes

    result = outcome(
        budget(10, 20, len(case.data)),
        read_bytes,
        case.data,
        "fuzz input",
        html=case.html,
        encoding=case.encoding,
        max_bytes=READ_MAX,
    )
    if not isinstance(result, TwosourceError):
        _check_article(result)


# ---------------------------------------------------------------------------------------------------- collections


@dataclass(frozen=True, repr=False)
class CollectionCase(Case):
    kind: str  # csv | json | jsonl
    data: bytes
    encoding: str | None = None
    text_column: str | None = None
    as_format: bool = False  # --format KIND rather than the file's suffix


@st.composite
def _collection_doc(draw: st.DrawFn, kind: str) -> bytes:
    header = draw(st.sampled_from(HEADERS))
    count = draw(st.integers(1, 4))
    first = draw(st.integers(0, len(stories()) - 1))
    rows = [_record(stories()[(first + i) % len(stories())], header, i) for i in range(count)]
    for _ in range(draw(st.integers(0, 2))):  # a field of the wrong type or size
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(header))] = draw(_json_value()) if kind != "csv" else draw(st.text(max_size=30))
    encoding = draw(st.sampled_from(("utf-8", "utf-8", "latin-1", "utf-16")))
    if kind == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(header), delimiter=draw(st.sampled_from(",,,;\t")))
        writer.writeheader()
        writer.writerows(rows)
        text = out.getvalue()
    elif kind == "json":
        text = _json_text(rows if count > 1 or draw(st.booleans()) else rows[0], draw(st.booleans()))
    else:
        ascii_only = draw(st.booleans())
        text = "".join(_json_text(r, ascii_only) + draw(st.sampled_from(("\n", "\n", "\r\n", "\n\n"))) for r in rows)
    return _encode(text, encoding)


_JSON_OPS = (
    st.tuples(
        st.just("nest"),
        st.just(0),
        st.sampled_from((b"[", b'{"a":')),
        st.just(b""),
        st.sampled_from((10, 1_000, 100_000)),
    ),
    st.tuples(st.just("special"), _POS, st.sampled_from((b"1" * 5000, b"1e999", b"NaN", b"-Infinity", b'"\\ud800"'))),
)


def _close_nesting(ops: list[tuple]) -> list[tuple]:
    # "nest" ops are drawn with an empty closing side; close them as the opening side needs.
    closers = {
        b"[": b"]",
        b'{"a":': b"}",
        b"<div>": b"</div>",
        b"<table><tr><td>": b"</td></tr></table>",
        b"<b>": b"</b>",
    }
    return [(op[0], op[1], op[2], closers.get(op[2], b""), op[4]) if op[0] == "nest" else op for op in ops]


def collection_cases(kind: str) -> st.SearchStrategy[CollectionCase]:
    ops = byte_ops(extra=_JSON_OPS if kind != "csv" else ()).map(_close_nesting)
    columns = weighted(
        (8, st.none()), (1, st.sampled_from(("article_content", "text", "body"))), (1, st.text(max_size=8))
    )
    return st.builds(
        CollectionCase,
        st.just(kind),
        st.builds(mutate, _collection_doc(kind), ops),
        _encoding_choice(),
        columns,
        st.booleans(),
    )


def _read_collection(path: Path, fmt: str, **options: Any) -> list[Any]:
    from twosource.read.collection import Columns, iter_articles
    from twosource.settings import ReadLimits

    columns = Columns(text=options.pop("text_column", None))
    return list(iter_articles([path], fmt=fmt, columns=columns, limits=ReadLimits(READ_MAX), **options))


def _check_items(items: list[Any]) -> None:
    from twosource.types import Rejection

    for item in items:
        if isinstance(item, Rejection):
            one_line(item.reason, "a rejection's reason")
        else:
            _check_article(item)


def check_collection(case: CollectionCase) -> None:
    """iter_articles over a CSV/JSON/JSONL file: Articles and one-line Rejections, nothing raised."""
    path = harness().scratch(f"collection.{case.kind}", case.data)
    fmt = case.kind if case.as_format else "auto"
    items = outcome(
        budget(10, 20, len(case.data)),
        _read_collection,
        path,
        fmt,
        encoding=case.encoding,
        text_column=case.text_column,
    )
    if not isinstance(items, TwosourceError):
        _check_items(items)


# One bad record among good ones: the good ones still go in.


@dataclass(frozen=True, repr=False)
class RecordsCase(Case):
    kind: str  # csv | jsonl
    data: bytes
    expected: tuple[str, ...]  # markers of the good records that read as articles on their own
    bad: str  # what the bad record is, for the report


def _marked(s: Story, n: int, extra: str) -> str:
    words = s.text.split(" ")
    return " ".join([*words[:12], f"fuzzrecord{n}{extra}", *words[12:]])


def _reads_alone(text: str, title: str) -> bool:
    from twosource.errors import SourceError
    from twosource.read import article_from_text
    from twosource.read.decode import normalize_text

    try:
        article_from_text(normalize_text(text), "oracle", title=title)
    except SourceError:
        return False
    return True


_BAD_JSONL = (  # the simplest first: Hypothesis shrinks toward it
    "{",
    "[1, 2]",
    '"a string"',
    '{"text": 1e999}',
    '{"text": ' + "1" * 5000 + "}",
    "[" * 100_000 + "]" * 100_000,
    "\x01{}",
    '{"text": "\\ud800 lone surrogate"}',
)


@st.composite
def records_cases(draw: st.DrawFn, kind: str) -> RecordsCase:
    """Good records (real articles, a few odd but valid characters in them) and one bad record among them."""
    count = draw(st.integers(1, 3))
    first = draw(st.integers(0, len(stories()) - 1))
    odd = st.sampled_from(("", "", "", "\u2028", "\u2029", "\x85", "\u00a0", "\u200b", '"', ",", "\r\n"))
    good = []
    for n in range(count):
        s = stories()[(first + n) % len(stories())]
        good.append((n, s, _marked(s, n, draw(odd))))
    where = draw(st.integers(0, count))
    if kind == "jsonl":
        bad = draw(
            weighted(
                (3, st.sampled_from(_BAD_JSONL)),
                (3, st.text(min_size=1, max_size=200).filter(lambda t: "\n" not in t and t.strip())),
                (1, st.builds(lambda s: json.dumps({"text": s.text * 60}), story())),  # a ~200 kB record
            )
        )
        ascii_only = draw(st.booleans())
        lines = [json.dumps({"title": s.title, "text": text}, ensure_ascii=ascii_only) for _, s, text in good]
        lines.insert(where, bad)
        data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    else:
        huge = st.builds(lambda s: ["bad", s.text * 60], story())  # a ~200 kB cell
        bad_row = draw(
            weighted(
                (3, huge),
                (3, st.lists(st.text(max_size=60).filter(lambda t: "\x00" not in t), min_size=1, max_size=5)),
                (1, st.just(["x"] * 50)),
            )
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["title", "text"])
        rows: list[list[str]] = [[s.title, text] for _, s, text in good]
        rows.insert(where, bad_row)
        writer.writerows(rows)
        bad = json.dumps(bad_row)
        data = out.getvalue().encode("utf-8", "surrogatepass")
    expected = tuple(f"fuzzrecord{n}" for n, s, text in good if _reads_alone(text, s.title))
    return RecordsCase(kind, data, expected, short(bad, 80))


def check_records(case: RecordsCase) -> None:
    """One bad record (a malformed line, a huge field) is rejected alone; every good record still goes in."""
    from twosource.types import Rejection

    path = harness().scratch(f"records.{case.kind}", case.data)
    items = outcome(budget(10, 20, len(case.data)), _read_collection, path, "auto")
    if isinstance(items, TwosourceError):
        items = [Rejection(str(path), str(items))]
    _check_items(items)
    found = " ".join(item.text for item in items if not isinstance(item, Rejection))
    lost = [m for m in case.expected if not re.search(rf"\b{m}\b", found)]
    if lost:
        whole = [r.reason for r in items if isinstance(r, Rejection) and r.origin == str(path)]
        cause = re.sub(r"\d[\d,]*", "N", whole[0])[:70] if whole else "a good record was rejected"
        reasons = sorted({r.reason[:100] for r in items if isinstance(r, Rejection)})
        raise Finding(
            f"good {case.kind} records lost to one bad record ({cause})",
            f"lost {lost}; bad: {case.bad}; rejections: {reasons}",
        )


# ---------------------------------------------------------------------------------------------------- feeds, sitemaps


@dataclass(frozen=True, repr=False)
class FeedCase(Case):
    data: bytes
    source: str


@st.composite
def _feed_doc(draw: st.DrawFn) -> bytes:
    first, count = draw(st.integers(0, len(stories()) - 1)), draw(st.integers(0, 4))
    items = [stories()[(first + i) % len(stories())] for i in range(count)]
    items = [replace(s, url=draw(weighted((6, st.just(s.url)), (2, urls())))) for s in items]
    return rss(items, draw(st.booleans())).encode(draw(st.sampled_from(("utf-8", "utf-8", "utf-16"))))


def feed_cases() -> st.SearchStrategy[FeedCase]:
    source = st.sampled_from(("feed.xml", "https://www.bbc.co.uk/news/rss.xml", "relative/feed"))
    ops = byte_ops(extra=(st.tuples(st.just("doctype")),))
    return st.builds(FeedCase, st.builds(mutate, weighted((6, _feed_doc()), (1, st.binary(max_size=512))), ops), source)


def _check_links(links: list[Any]) -> None:
    for link in links:
        if not isinstance(link.url, str) or not link.url:
            raise Finding("a listed link has no URL", repr(link)[:200])
        if link.published is not None:
            try:
                date.fromisoformat(link.published)
            except ValueError:
                raise Finding("a listed link's date is not ISO", repr(link.published)) from None


def check_feed(case: FeedCase) -> None:
    """parse_feed: Links or a one-line SourceError."""
    from twosource.ingestion.feeds import parse_feed

    links = outcome(budget(10, 20, len(case.data)), parse_feed, case.data, case.source)
    if not isinstance(links, TwosourceError):
        _check_links(links)


@dataclass(frozen=True, repr=False)
class SitemapCase(Case):
    data: bytes
    compress: bool = False


@st.composite
def _sitemap_doc(draw: st.DrawFn) -> bytes:
    first, count = draw(st.integers(0, len(stories()) - 1)), draw(st.integers(0, 4))
    items = [stories()[(first + i) % len(stories())] for i in range(count)]
    nested = draw(
        st.lists(
            st.sampled_from(("http://10.0.0.1/s.xml", "sitemap.xml", "missing.xml", "http://[::1/x", "/etc/hostname"))
            | urls(),
            max_size=3,
        )
    )
    return sitemap(items, draw(st.booleans()), nested).encode()


def sitemap_cases() -> st.SearchStrategy[SitemapCase]:
    ops = byte_ops(extra=(st.tuples(st.just("doctype")),))
    data = st.builds(mutate, weighted((6, _sitemap_doc()), (1, st.binary(max_size=512))), ops)
    return st.builds(SitemapCase, data, st.booleans())


def check_sitemap(case: SitemapCase) -> None:
    """sitemap_links on a file (nested sitemaps fetched offline): Links or a one-line SourceError."""
    from twosource.ingestion.feeds import sitemap_links

    data = gzip.compress(case.data) if case.compress else case.data
    path = harness().scratch("sitemap.xml.gz" if case.compress else "sitemap.xml", data)
    with connection_guard():
        links = outcome(budget(10, 20, len(case.data)), sitemap_links, str(path), offline_policy())
    if not isinstance(links, TwosourceError):
        _check_links(links)


# ---------------------------------------------------------------------------------------------------- WARC


@dataclass(frozen=True, repr=False)
class WarcCase(Case):
    data: bytes
    suffix: str = ".warc"


@st.composite
def _warc_doc(draw: st.DrawFn) -> bytes:
    records = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(("response", "response", "response", "request", "warcinfo")))
        uri = draw(weighted((5, st.sampled_from(page_urls())), (1, urls())))
        status = draw(st.sampled_from(("200 OK", "200 OK", "404 Not Found", "301 Moved", "999 X")))
        ctype = draw(
            st.sampled_from(("text/html; charset=utf-8", "text/html", "image/png", "", "application/xhtml+xml"))
        )
        body = draw(
            weighted((3, real_page()), (2, story().map(lambda s: _html_page(s).encode())), (1, st.binary(max_size=256)))
        )
        records.append((kind, uri, status, body, ctype))
    return warc(records, compress=False)


def warc_cases() -> st.SearchStrategy[WarcCase]:
    data = weighted((6, st.builds(mutate, _warc_doc(), byte_ops(max_ops=3))), (1, st.binary(max_size=2048)))
    return st.builds(WarcCase, data, st.sampled_from((".warc", ".warc", ".warc.gz")))


def _warc_items(path: Path) -> list[Any]:
    from twosource.read.warc import warc_articles
    from twosource.settings import ReadLimits

    return list(warc_articles(path, ReadLimits(READ_MAX)))


def check_warc(case: WarcCase) -> None:
    """warc_articles: Articles and one-line Rejections; a file that is no WARC at all is rejected, not passed over."""
    data = gzip.compress(case.data) if case.suffix == ".warc.gz" else case.data
    path = harness().scratch(f"archive{case.suffix}", data)
    items = outcome(budget(10, 30, len(data)), _warc_items, path)
    if isinstance(items, TwosourceError):
        return
    _check_items(items)
    if not items and not case.data.lstrip().startswith(b"WARC/"):
        raise Finding(
            "a file that is no WARC archive is accepted silently", f"{len(case.data)} bytes, nothing reported"
        )


# ---------------------------------------------------------------------------------------------------- URLs, addresses

HOSTS = (
    "127.0.0.1",
    "0177.0.0.1",
    "0x7f.1",
    "2130706433",
    "127.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[fe80::1%25eth0]",
    "[::1",
    "::1]",
    "[64:ff9b::a00:1]",
    "169.254.169.254",
    "[fd00:ec2::254]",
    "100.100.100.200",
    "0.0.0.0",
    "10.0.0.1",
    "192.168.1.1",
    "224.0.0.1",
    "255.255.255.255",
    "8.8.8.8",
    "[2606:4700:4700::1111]",
    "xn--",
    "xn--zca.de",
    "a..b",
    "a" * 300 + ".com",
    ("a" * 63 + ".") * 5 + "com",
    "localhost",
    "example.com.",
    "\u2460.com",
    "\u00df.de",
    "exa mple.com",
    "",
    ".",
    "%31%32%37.0.0.1",
    "user:pass@example.com",
    "example.com:0",
    "example.com:99999",
    "example.com:-1",
    "example.com:abc",
    "[::1]:80",
    "0x7f000001",
    "1.2.3.4.5",
    "256.256.256.256",
    "www.bbc.co.uk",
)
SCHEMES = ("http", "https", "HTTP", "ftp", "file", "javascript", "", "h ttp")


def urls() -> st.SearchStrategy[str]:
    """URLs: real ones, mutated; odd hosts (numeric forms, IDNA, long and empty labels) under odd schemes."""
    built = st.builds(
        lambda scheme, host, path: f"{scheme}://{host}{path}",
        st.sampled_from(SCHEMES),
        st.sampled_from(HOSTS),
        st.sampled_from(("/", "", "/news/x?a=1#f", "/%00", "/\u00e9", "/../../etc/passwd", "/a b")),
    )
    real = st.sampled_from(page_urls()) if not data_missing() else st.just("https://www.bbc.co.uk/news/world")
    return weighted((4, built), (3, st.builds(mutate, real, text_ops(max_ops=3))), (1, st.text(max_size=60)))


@dataclass(frozen=True, repr=False)
class UrlCase(Case):
    data: str
    allow: tuple[str, ...] = ()


def url_cases() -> st.SearchStrategy[UrlCase]:
    allow = weighted((6, st.just(())), (1, st.sampled_from((("10.0.0.0/8",), ("::1/128", "127.0.0.0/8")))))
    return st.builds(UrlCase, urls(), allow)


def check_url(case: UrlCase) -> None:
    """fetch(): a one-line FetchError, or a connection to a public (or allowed) address only.

    Exercises the fetcher's URL parsing and its address policy; the guard stands in for the connection, so nothing
    is ever sent."""
    from twosource.fetch import FetchPolicy
    from twosource.read.web import is_url

    policy = FetchPolicy(max_bytes=READ_MAX, max_seconds=5.0, resolver=numeric_resolve, allow=case.allow)
    is_url(case.data)
    _fetch_decision(case, policy)


def _unmapped(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address, its zone dropped; an IPv6 address that carries an IPv4 one (mapped, compatible, 6to4, NAT64)
    as that IPv4 address, which is where it leads."""
    from twosource.fetch import embedded_ipv4

    ip = ipaddress.ip_address(address.split("%")[0])
    return (embedded_ipv4(ip) or ip) if isinstance(ip, ipaddress.IPv6Address) else ip


def _fetch_decision(case: UrlCase, policy: Any) -> None:
    from twosource.fetch import fetch, refusal

    with connection_guard():
        try:
            result = outcome(budget(5, 0, 0), fetch, case.data, policy)
        except WouldConnect as wanted:
            ip = _unmapped(wanted.address)
            allowed = any(ip in ipaddress.ip_network(n) for n in case.allow)
            if not (allowed or (refusal(wanted.address) is None and ip.is_global)):
                raise Finding("the fetch policy let a non-public address through", wanted.address) from None
            return
    if not isinstance(result, TwosourceError):
        raise Finding("a fetch answered without connecting", repr(result)[:200])


@dataclass(frozen=True, repr=False)
class AddressCase(Case):
    data: str
    allow: tuple[str, ...] = ()


def address_cases() -> st.SearchStrategy[AddressCase]:
    special = st.sampled_from(
        (
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "fe80::1%eth0",
            "169.254.169.254",
            "100.100.100.200",
            "fd00:ec2::254",
            "0.0.0.0",
            "::",
            "2001:db8::1",
            "1.2.3.4%x",
        )
    )
    address = weighted(
        (4, st.ip_addresses().map(str)), (2, special), (1, st.ip_addresses(v=6).map(lambda a: f"{a}%eth0"))
    )
    networks = st.lists(st.ip_addresses().map(lambda a: str(ipaddress.ip_network(a))), max_size=2).map(tuple)
    return st.builds(AddressCase, address, weighted((4, st.just(())), (1, networks)))


def check_address(case: AddressCase) -> None:
    """refusal(): a one-line reason, or None for a public (or allowed) address only."""
    from twosource.fetch import METADATA, refusal

    reason = outcome(budget(1, 0, 0), refusal, case.data, case.allow)
    if reason is not None:
        one_line(reason, "a refusal")
        return
    ip = _unmapped(case.data)
    if not any(ip in ipaddress.ip_network(n) for n in case.allow) and (not ip.is_global or str(ip) in METADATA):
        raise Finding("refusal() lets a non-public address through", case.data)


# ---------------------------------------------------------------------------------------------------- claims, figures


@dataclass(frozen=True, repr=False)
class TextCase(Case):
    data: str
    reference: str | None = None  # the article's date, as read (ISO)


def _sentence() -> st.SearchStrategy[str]:
    return st.builds(
        lambda s, n: (s.text.split(". ") * 2)[n % max(1, len(s.text.split(". ")))], story(), st.integers(0, 50)
    )


def _figure() -> st.SearchStrategy[str]:
    number = st.one_of(
        st.integers(0, 10**12).map(str),
        st.integers(0, 10**12).map(lambda n: f"{n:,}"),
        st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.2f}"),
        st.sampled_from(("9" * 400, "1" * 5000, "0.000000001", "1,000,000,000,000,000", "1.2.3", ",,,", "00000")),
    )
    return st.builds(
        lambda bound, cur, num, scale, pct, noun: f"{bound}{cur}{num}{scale}{pct} {noun}",
        st.sampled_from(("", "more than ", "nearly ", "up to ", "an estimated ")),
        st.sampled_from(("", "$", "\u00a3", "\u20ac")),
        number,
        st.sampled_from(("", " million", "bn", "m", "k", " thousand")),
        st.sampled_from(("", "%", " per cent")),
        st.sampled_from(("people were killed", "refugees fled", "civilians", "(1.5 million in Lebanon)", "")),
    )


def _iso_date() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat))


def figure_cases() -> st.SearchStrategy[TextCase]:
    text = weighted((3, _sentence()), (3, _figure()), (1, st.text(max_size=200)))
    return st.builds(TextCase, st.builds(mutate, text, text_ops(max_ops=3)), _iso_date())


def check_figures(case: TextCase) -> None:
    """find_quantities: figures with finite, non-negative values (a report is JSON: no Infinity, no NaN)."""
    from twosource.claims.quantities import comparable, find_quantities

    found = outcome(budget(1, 20, len(case.data)), find_quantities, case.data)
    if isinstance(found, TwosourceError):
        return
    for q in found:
        if not math.isfinite(q.value) or q.value < 0:
            raise Finding("a figure's value is not a finite count", f"{q.value!r} from {q.text[:60]!r}")
        if not q.kind or q.bound not in ("exact", "min", "max", "approx"):
            raise Finding("a figure without a kind or a bound", repr(q)[:200])
    for a, b in itertools.pairwise(found):
        comparable(a, b)


def date_cases() -> st.SearchStrategy[TextCase]:
    real = st.builds(lambda s: s.date, story())
    written = st.builds(
        lambda m, d, y, sep: f"{m}{sep}{d}{sep}{y}",
        st.sampled_from(("May", "Sept.", "february", "Dec", "13", "0", "")),
        st.sampled_from(("6th", "31", "0", "29", "99", "")),
        st.sampled_from(("2015", "1900", "0000", "9999", "99999", "15", "")),
        st.sampled_from((" ", ", ", "/", "-", "")),
    )
    iso = st.sampled_from(("2015-02-29", "2016-02-29T10:00:00Z", "0000-01-01", "9999-12-31", "2015-13-45", "5/13/2015"))
    text = weighted((2, real), (3, written), (2, iso), (1, st.text(max_size=40)))
    return st.builds(TextCase, st.builds(mutate, text, text_ops(max_ops=2)), _iso_date())


def check_dates(case: TextCase) -> None:
    """parse_date: an ISO date or None; a date written in a sentence: an ISO (partial) date or None."""
    from twosource.dates import MENTION, days_between, find_years, normalize_mention, parse_date

    parsed = outcome(budget(1, 20, len(case.data)), parse_date, case.data)
    if parsed is not None and not isinstance(parsed, TwosourceError):
        try:
            date.fromisoformat(parsed)
        except (TypeError, ValueError):
            raise Finding("parse_date gave no ISO date", repr(parsed)) from None
    for m in MENTION.finditer(case.data):
        value = outcome(budget(1, 0, 0), normalize_mention, m.group(0), case.reference)
        if isinstance(value, str):
            if not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", value):
                raise Finding("a date mention normalised to no ISO date", f"{m.group(0)!r} -> {value!r}")
            outcome(budget(1, 0, 0), days_between, value, case.reference or value)
    for _, year in find_years(case.data):
        outcome(budget(1, 0, 0), days_between, year, case.reference or year)


def claims_cases() -> st.SearchStrategy[TextCase]:
    real = st.builds(lambda s, n: s.text[: 200 + n], story(), st.integers(0, CLAIMS_MAX))
    text = weighted(
        (6, real), (1, st.text(max_size=300)), (1, _figure().map(lambda f: f"Officials said {f} on Monday."))
    )
    cut = st.builds(lambda t, ops: mutate(t, ops)[:CLAIMS_MAX], text, text_ops(max_ops=3))
    return st.builds(TextCase, cut, _iso_date())


def check_claims(case: TextCase) -> None:
    """find_claims: claims whose spans are the article's own text, scores in [0, 1], finite figures."""
    from twosource.claims import find_claims
    from twosource.types import Article

    article = Article(text=case.data, published=case.reference)
    claims = outcome(budget(30, 200, len(case.data)), find_claims, article)
    if isinstance(claims, TwosourceError):
        return
    for c in claims:
        if not (0 <= c.start < c.end <= len(case.data)) or case.data[c.start : c.end] != c.text:
            raise Finding("a claim's span is not the article's text", f"{c.start}:{c.end} {c.text[:60]!r}")
        if not 0.0 <= c.score <= 1.0:
            raise Finding("a claim's score is outside [0, 1]", repr(c.score))
        for q in c.quantities:
            if not math.isfinite(q.value):
                raise Finding("a claim's figure is not finite", f"{q.value!r} from {q.text[:60]!r}")


# ---------------------------------------------------------------------------------------------------- ingest, index

INGEST_KINDS = ("txt", "html", "csv", "json", "jsonl", "warc", "feed", "sitemap")


@dataclass(frozen=True, repr=False)
class IngestCase(Case):
    kind: str
    data: bytes


def ingest_cases() -> st.SearchStrategy[IngestCase]:
    docs = {
        "txt": st.builds(mutate, _article_bytes(), byte_ops(max_ops=2)),
        "html": st.builds(mutate, _page_bytes(), byte_ops(max_ops=2, extra=_HTML_OPS)),
        "csv": collection_cases("csv").map(lambda c: c.data),
        "json": collection_cases("json").map(lambda c: c.data),
        "jsonl": collection_cases("jsonl").map(lambda c: c.data),
        "warc": warc_cases().map(lambda c: c.data),
        "feed": feed_cases().map(lambda c: c.data),
        "sitemap": sitemap_cases().map(lambda c: c.data),
    }
    return st.sampled_from(INGEST_KINDS).flatmap(lambda k: st.builds(IngestCase, st.just(k), docs[k]))


def _stats(index: Any) -> dict[str, Any]:
    return {k: v for k, v in asdict(index.stats()).items() if k not in ("size_bytes", "location")}


def check_ingest(case: IngestCase) -> None:
    """ingest(): the index grows by what it reports added; a rejected input leaves its stats unchanged.

    The stats are those ``twosource index stats`` shows (its size in bytes aside); the index must also stay whole."""
    from twosource.ingestion import ingest
    from twosource.settings import ReadLimits

    index = harness().ingest_index()
    name = {"feed": "feed.xml", "sitemap": "sitemap.xml"}.get(case.kind, f"input.{case.kind}")
    path = harness().scratch(name, case.data)
    files = [] if case.kind in ("feed", "sitemap") else [path]
    listed = (
        {"feeds": [str(path)]} if case.kind == "feed" else {"sitemaps": [str(path)]} if case.kind == "sitemap" else {}
    )
    before = _stats(index)
    with connection_guard():
        summary = outcome(
            budget(60, 60, len(case.data)),
            ingest,
            files,
            index,
            limits=ReadLimits(READ_MAX),
            policy=offline_policy(),
            **listed,
        )
    after = _stats(index)
    added = 0 if isinstance(summary, TwosourceError) else summary.added
    if not isinstance(summary, TwosourceError):
        for r in summary.rejected:
            one_line(r.reason, "a rejection's reason")
    if added == 0 and after != before:
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        raise Finding("a rejected ingest changed the index", repr(changed)[:300])
    if after["articles"] != before["articles"] + added:
        raise Finding(
            "the index grew by other than what ingest reported",
            f"{before['articles']} + {added} != {after['articles']}",
        )
    problems = index.check_integrity()
    if problems:
        raise Finding("the index is damaged after an ingest", "; ".join(problems)[:300])


# ---------------------------------------------------------------------------------------------------- the API


@dataclass(frozen=True, repr=False)
class ApiCase(Case):
    method: str
    path: str  # with its query string, already percent-encoded
    data: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()


_SEGMENT_SPECIALS = (
    "..",
    "%2e%2e",
    "..%2F..%2Fetc%2Fpasswd",
    "",
    "%20",
    "%00",
    "null",
    "NaN",
    "1e3",
    "0x10",
    "-0",
    "+1",
    "%D9%A1",
    "%F0%9D%9F%99",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999",
    "0",
    "1",
    "2",
    "00000000000000000",
    "0123456789abcdef",
    "%ff",
    "a" * 5000,
)
PATHS = (
    "/api/articles/{}",
    "/api/reports/{}",
    "/api/jobs/{}",
    "/api/search",
    "/api/health",
    "/api/{}",
    "/reports/{}",
    "/reports/{}.json",
    "/reports/{}.html",
    "/reports/{}.claimreview.json",
    "/articles/{}",
    "/jobs/{}",
    "/search",
    "/login",
    "/",
    "/{}",
    "/openapi.json",
    "/api/check",
    "/api/ingest",
    "/check",
)


def _segment() -> st.SearchStrategy[str]:
    return weighted(
        (3, st.sampled_from(_SEGMENT_SPECIALS)),
        (2, st.integers(-(2**70), 2**70).map(str)),
        (1, st.text("0123456789abcdef", min_size=16, max_size=16)),
        (2, st.text(max_size=30).map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe=""))),
    )


def _query() -> st.SearchStrategy[str]:
    value = weighted(
        (2, st.text(max_size=40)),
        (2, st.integers(-(2**70), 2**70).map(str)),
        (1, st.sampled_from(("", "\x00", "//evil.example", "/\\evil"))),
    )
    pairs = st.lists(st.tuples(st.sampled_from(("q", "limit", "next", "wait", "x")), value), max_size=3)
    return pairs.map(lambda p: "?" + urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in p]) if p else "")


_HEADERS = st.lists(
    st.tuples(
        st.sampled_from(("origin", "authorization", "cookie", "accept", "x-forwarded-host")),
        st.sampled_from(("http://evil.example", "null", "Bearer x", "twosource_session=x", "*/*", "")),
    ),
    max_size=2,
).map(tuple)


def api_path_cases() -> st.SearchStrategy[ApiCase]:
    method = weighted((8, st.just("GET")), (1, st.sampled_from(("POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"))))
    path = st.builds(lambda t, s, q: t.replace("{}", s) + q, st.sampled_from(PATHS), _segment(), _query())
    return st.builds(ApiCase, method, path, headers=_HEADERS)


def _check_payload() -> st.SearchStrategy[dict[str, Any]]:
    text = weighted(
        (5, st.builds(lambda s, n: s.text[: 150 + n], story(), st.integers(0, 800))),
        (
            2,
            st.builds(
                lambda s, f, n: f"{s.text[: 150 + n]} Officials said {f}.", story(), _figure(), st.integers(0, 400)
            ),
        ),
        (1, st.builds(lambda t, ops: mutate(t, ops), _sentence(), text_ops())),
        (1, _json_value()),
        (1, st.just("word " * 120_000)),  # over the pasted-text limit
    )
    others = {
        "outlet": st.one_of(st.text(max_size=20), _json_value()),
        "date": st.one_of(date_cases().map(lambda c: c.data), _json_value()),
        "url": st.one_of(urls(), _json_value()),
    }
    return weighted(
        (4, st.fixed_dictionaries({"text": text}, optional=others)),
        (1, st.fixed_dictionaries({}, optional={"text": text} | others)),
    )


def _ingest_payload() -> st.SearchStrategy[dict[str, Any]]:
    article = st.fixed_dictionaries(
        {"text": weighted((4, st.builds(lambda s: s.text[:1500], story())), (1, _json_value()))},
        optional={"title": _json_value(), "outlet": st.text(max_size=20), "date": _json_value(), "url": urls()},
    )
    places = st.lists(
        weighted((3, urls()), (1, st.sampled_from(("/etc/hostname", "README.md", str(FAKES))))), max_size=2
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "articles": weighted((4, st.lists(article, max_size=3)), (1, _json_value())),
            "urls": places,
            "feeds": places,
            "sitemaps": places,
            "format": st.sampled_from(("jsonl", "csv", "warc", "bogus", "")),
            "encoding": _encoding_choice(),
        },
    )


def _multipart(fields_: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "fuzzboundary7MA4YWxkTrZu0gW"
    out = io.BytesIO()
    for name, value in fields_:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode("utf-8", "surrogatepass") + b"\r\n")
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode("utf-8", "surrogatepass")
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _seldom_ops() -> st.SearchStrategy[list[tuple]]:
    # A request body mutated once in a while: mostly it should reach the endpoint's own reading of it.
    return weighted((3, st.just([])), (1, byte_ops(max_ops=1)))


@st.composite
def api_body_cases(draw: st.DrawFn) -> ApiCase:
    """A POST to /api/check, /api/ingest or the form's /check: JSON, a form, a multipart upload, or raw bytes."""
    target = draw(st.sampled_from(("/api/check", "/api/check?wait=false", "/api/ingest", "/check")))
    ingesting = target == "/api/ingest"
    shape = draw(st.sampled_from(("json", "json", "multipart", "multipart", "form", "raw")))
    if shape == "json":
        payload = draw(_ingest_payload() if ingesting else _check_payload())
        body = json.dumps(payload, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        body = mutate(body, draw(_seldom_ops()))
        content_type = draw(st.sampled_from(("application/json", "application/json", "text/plain", "")))
    elif shape == "form":
        payload = draw(_check_payload())
        body = urlencode({k: str(v).encode("utf-8", "surrogatepass") for k, v in payload.items()}).encode()
        content_type = "application/x-www-form-urlencoded"
    elif shape == "multipart":
        if ingesting:
            kinds = draw(
                st.lists(st.sampled_from(("txt", "html", "csv", "json", "jsonl", "warc")), min_size=0, max_size=2)
            )
            docs = {
                "txt": text_cases(),
                "html": html_cases(),
                "csv": collection_cases("csv"),
                "json": collection_cases("json"),
                "jsonl": collection_cases("jsonl"),
                "warc": warc_cases(),
            }
            names = st.sampled_from(("{}", "../../{}", "a b.{}", "\u00e9.{}", ".{}", "x.{}.gz", "x"))
            files = [("file", draw(names).format(k), draw(docs[k]).data) for k in kinds]
            options = [
                (k, draw(st.sampled_from(("", "auto", "csv", "latin-1", "text", "x" * 300))))
                for k in draw(
                    st.lists(st.sampled_from(("format", "outlet", "encoding", "text_column", "bogus")), max_size=2)
                )
            ]
        else:
            upload = draw(weighted((2, text_cases()), (2, html_cases()), (1, st.just(None))))
            files = (
                [("file", draw(st.sampled_from(("story.txt", "page.html", "", "x"))), upload.data)] if upload else []
            )
            payload = draw(_check_payload())
            options = [(k, str(v)) for k, v in payload.items()]
        body, content_type = _multipart(options, files)
        body = mutate(body, draw(_seldom_ops()))
    else:
        body = draw(st.binary(max_size=512))
        content_type = draw(
            st.sampled_from(
                (
                    "application/json",
                    "multipart/form-data",
                    "multipart/form-data; boundary=",
                    "application/x-www-form-urlencoded",
                    "text/html",
                    "",
                )
            )
        )
    return ApiCase("POST", target, body, content_type, draw(_HEADERS))


def _route(path: str) -> str:
    """The route a path is answered by, for grouping findings: /api/articles/{}, /reports/{}.json, ..."""
    bare = path.split("?")[0]
    if bare in PATHS:
        return bare
    for template in sorted(PATHS, key=lambda t: (-len(t.partition("{}")[2]), -len(t))):  # the most specific first
        head, _, tail = template.partition("{}")
        if bare == template or (_ and bare.startswith(head) and bare.endswith(tail) and len(bare) > len(head)):
            return template
    return "other"


def _server_log(trap: _LogTrap, settle: bool = False) -> str:
    """What the server logged since the last look. ``settle``: first wait (3 s at most) until it has stopped logging.

    The server sends a 500 before it logs why, and formatting a traceback parses source with ``ast``: CPython 3.11
    keeps the AST builder's depth count per interpreter, so a parse in this thread at the same moment (pytest
    formatting the failure) fails with "AST constructor recursion depth mismatch" and ends the whole session.
    """
    if settle:
        deadline, count = time.monotonic() + 3.0, -1
        while time.monotonic() < deadline and (count != len(trap.seen) or not trap.seen):
            count = len(trap.seen)
            time.sleep(0.3)
        time.sleep(0.2)  # the record's other handler (uvicorn's own, to stderr) formats it after the trap
    seen = trap.take()
    return "\n".join(seen)[-3000:] if seen else ""


def _answer_ok(case: ApiCase, answer: Any, trap: _LogTrap) -> None:
    route, status = _route(case.path), answer.status_code
    sent = answer.request.url.path  # as normalised on the way ("/api/x/.." is sent as "/api")
    if status >= 500:
        log = _server_log(trap, settle=True)
        last = log.strip().splitlines()[-1] if log.strip() else answer.text[:200]
        raise Finding(f"{status} on {case.method} {route}: {last.split(':')[0][:80]}", f"{last[:300]}\n{log}")
    if 400 <= status < 500 and case.method != "HEAD":
        if sent.startswith("/api/"):
            try:
                body = answer.json()
            except ValueError:
                raise Finding(f"{status} on {case.method} {route} is not JSON", answer.text[:200]) from None
            if not isinstance(body, dict) or set(body) != {"error"}:
                raise Finding(f'{status} on {case.method} {route} is not {{"error"}} JSON', answer.text[:200])
            one_line(body["error"], f"{status} {route} error")
        elif not answer.headers.get("content-type", "").startswith("text/html"):
            raise Finding(f"{status} on {case.method} {route} is not an HTML page", answer.text[:200])


def _articles(api: Any) -> int:
    return int(api.get("/api/health").json()["articles"])


def _follow(api: Any, job_id: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job = api.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        if time.monotonic() > deadline:
            raise Finding(f"a {job['kind']} job outlasts its time budget", f"{seconds:.0f} s, {job['stage']}")
        time.sleep(0.05)


def _report_ok(api: Any, report_id: str, trap: _LogTrap) -> None:
    """A stored report can be read back in every form the server offers."""
    for path in (f"/api/reports/{report_id}", f"/reports/{report_id}", f"/reports/{report_id}.claimreview.json"):
        _answer_ok(ApiCase("GET", path), api.get(path), trap)


def check_api(case: ApiCase) -> None:
    """The API on loopback: never a 5xx; a 4xx is ``{"error": "one line"}`` (an HTML page off /api/).

    A job that fails says why in one line; an ingest changes the article count by exactly what it reports added;
    a report a check stored reads back in each of its forms."""
    h = harness()
    api = h.server()
    h.trap.take()
    with connection_guard():
        before = _articles(api) if case.path.startswith("/api/ingest") else 0
        started = time.perf_counter()
        headers = dict(case.headers) | ({"content-type": case.content_type} if case.content_type else {})
        answer = api.request(case.method, case.path, content=case.data or None, headers=headers)
        _answer_ok(case, answer, h.trap)
        job_id = None
        if answer.status_code == 201 and case.path.startswith("/api/check"):
            _report_ok(api, answer.json()["id"], h.trap)
        if answer.status_code == 202:
            job_id = answer.json().get("id")
        elif answer.status_code == 303 and answer.headers.get("location", "").startswith("/jobs/"):
            job_id = answer.headers["location"].rsplit("/", 1)[1]
        if job_id:
            job = _follow(api, job_id, budget(120, 60, len(case.data)) - (time.perf_counter() - started))
            log = _server_log(h.trap, settle=bool(h.trap.seen) or "server failed" in (job.get("error") or ""))
            if job["state"] == "failed":
                one_line(job["error"], f"a failed {job['kind']} job's error")
                if log or "server failed" in job["error"]:
                    last = log.strip().splitlines()[-1] if log.strip() else job["error"]
                    raise Finding(f"a {job['kind']} job crashed: {last.split(':')[0][:80]}", f"{last[:300]}\n{log}")
            for r in job.get("result", {}).get("rejected", []):
                one_line(r["reason"], "an ingest rejection's reason")
            if "report" in job.get("result", {}):
                _report_ok(api, job["result"]["report"], h.trap)
            if case.path.startswith("/api/ingest"):
                added = job.get("result", {}).get("added", 0)
                if _articles(api) != before + added:
                    raise Finding("the API's ingest changed the index by other than it reported", f"added {added}")
        took = time.perf_counter() - started
        if took > budget(120, 60, len(case.data)):
            raise Finding(f"{case.method} {_route(case.path)} over the time budget", f"{took:.0f} s")


# ---------------------------------------------------------------------------------------------------- the targets


@dataclass(frozen=True)
class Target:
    """One fuzz target: how inputs are drawn, the property they must keep, how many the test suite tries, and known
    inputs (``seeds``: name -> a function making the case) run as they are before any drawn ones."""

    name: str
    cases: Callable[[], st.SearchStrategy[Any]]
    check: Callable[[Any], None]
    examples: int
    seeds: dict[str, Callable[[], Any]] = field(default_factory=dict)
    long_seeds: dict[str, Callable[[], Any]] = field(default_factory=dict)  # known inputs too slow for the suite
    shrink_in_tests: bool = True  # slow targets report the first failing input unshrunk in the test suite


def _long_article() -> TextCase:
    text = " ".join(s.text for s in stories())
    return TextCase((text * (1_000_001 // len(text) + 1))[:1_000_001])


def _good_jsonl(extra: str) -> bytes:
    s = stories()[0]
    return (json.dumps({"title": s.title, "text": _marked(s, 0, extra)}, ensure_ascii=False) + "\n").encode()


def _story_warc() -> bytes:
    records = [("response", s.url, "200 OK", _html_page(s).encode(), "text/html") for s in stories()[:2]]
    return warc(records, compress=False)


def _big_figure_check() -> ApiCase:
    text = f"Officials said {'9' * 400} people were killed in the attack. {stories()[0].text[:600]}"
    return ApiCase("POST", "/api/check", json.dumps({"text": text}).encode(), "application/json")


#: Known inputs: each broke a property once (the brief's list, and what the fuzzing found); label -> the case.
SEEDS: dict[str, dict[str, Callable[[], Any]]] = {
    "text": {
        "encoding punycode": lambda: ReaderCase(b"Officials said 200 people died " * 10, False, "punycode"),
        "encoding with a NUL": lambda: ReaderCase(b"Officials said 200 people died " * 10, False, "utf\x008"),
        "UTF-16 BOM, odd length": lambda: ReaderCase(b"\xff\xfeS"),
        "UTF-8 BOM, invalid UTF-8": lambda: ReaderCase(b"\xef\xbb\xbf\xd3" + stories()[0].text.encode()),
    },
    "html": {
        "meta charset undefined": lambda: ReaderCase(b'<meta charset="undefined">' + _html_page(stories()[0]).encode()),
    },
    "json": {
        "deep nesting": lambda: CollectionCase("json", b"[" * 100_000 + b"]" * 100_000),
        "5000-digit number": lambda: CollectionCase("json", b'[{"text": ' + b"1" * 5000 + b"}]"),
    },
    "jsonl": {
        "lone surrogate": lambda: CollectionCase("jsonl", b'{"text": "\\ud800"}\n' + _good_jsonl("")),
    },
    "jsonl_records": {
        "one bad line": lambda: RecordsCase("jsonl", _good_jsonl("") + b"{\n", ("fuzzrecord0",), "{"),
        "a NUL line": lambda: RecordsCase("jsonl", b"\x00\n" + _good_jsonl(""), ("fuzzrecord0",), "\\x00"),
        "raw U+2028 in a good record": lambda: RecordsCase(
            "jsonl", _good_jsonl("\u2028"), ("fuzzrecord0",), "none: the good record holds a raw U+2028"
        ),
    },
    "csv_records": {
        "200 kB cell": lambda: RecordsCase(
            "csv",
            ("title,text\nx," + _marked(stories()[0], 0, "") + '\ny,"' + "word " * 40_000 + '"\n').encode(),
            ("fuzzrecord0",),
            "a 200 kB cell",
        ),
        "a control character in another row": lambda: RecordsCase(
            "csv", ("title,text\nx,\x1f\ny," + _marked(stories()[0], 0, "") + "\n").encode(), ("fuzzrecord0",), "\x1f"
        ),
    },
    "warc": {
        "empty file named .warc": lambda: WarcCase(b""),
        "URI with a broken IPv6 host": lambda: WarcCase(
            warc([("response", "http://[::1/", "200 OK", _bare_page(stories()[0]).encode(), "text/html")], False)
        ),
        "one gzip member for the whole archive": lambda: WarcCase(_story_warc(), ".warc.gz"),
        "whitespace only": lambda: WarcCase(b"   \n\t"),
        "a header cut short": lambda: WarcCase(b"WARC/1.0\r\nWARC-Type: response"),
        "five words read as an old ARC record": lambda: WarcCase(b"<?xml <?xml <?xml version='1.0' encoding='x'?>"),
    },
    "feed": {
        "a byte above ASCII in the XML encoding name": lambda: FeedCase(
            rss(list(stories()[:1]), atom=True).encode().replace(b'encoding="utf-8"', b'encoding="\x80utf-8"'),
            "feed.xml",
        ),
        "an entry link with a broken IPv6 host": lambda: FeedCase(
            rss([replace(stories()[0], url="http://[::1/x")], atom=False).encode(), "https://www.bbc.co.uk/news/rss.xml"
        ),
    },
    "sitemap": {
        "gzip magic, then no gzip": lambda: SitemapCase(
            b"\x1f\x8b\x08\x00" + sitemap(list(stories()[:1]), False, []).encode()
        ),
        "a nested sitemap name too long for a path": lambda: SitemapCase(sitemap([], True, ["x" * 5000]).encode()),
    },
    "url": {
        url: (lambda url=url: UrlCase(url))
        for url in ("http://0177.0.0.1/", "http://[::1/", "https://xn--/", "http://a..b/", f"http://{'a' * 300}.com/")
    }
    | {"NAT64 into an allowed network": lambda: UrlCase("http://[64:ff9b::a00:1]/", ("10.0.0.0/8",))},
    "figures": {
        "400-digit number": lambda: TextCase(f"Officials said {'9' * 400} people were killed."),
        "4,000 digits glued to a letter": lambda: TextCase("9" * 4000 + "t"),
        "a run-on text full of figures": lambda: TextCase(
            "nearly 0.000000001 thousand% " + "(1.5 million in Lebanon)d% " * 2_600
        ),
    },
    "ingest": {
        "feed entry with a broken IPv6 host": lambda: IngestCase(
            "feed", rss([replace(stories()[0], url="http://[::1/x")], atom=False).encode()
        ),
    },
    "api_paths": {
        "article id beyond SQLite": lambda: ApiCase("GET", "/api/articles/99999999999999999999"),
        "unknown path": lambda: ApiCase("GET", "/api/nope"),
        "wrong method": lambda: ApiCase("POST", "/api/health"),
        "a carriage return for a report id": lambda: ApiCase("GET", "/api/reports/%0D"),
    },
    "api_bodies": {
        "400-digit figure in a checked article": _big_figure_check,
    },
}


def _target(name: str, cases: Callable[[], Any], check: Callable[[Any], None], examples: int, **more: Any) -> Target:
    return Target(name, cases, check, examples, SEEDS.get(name, {}), **more)


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        _target("text", text_cases, check_reader, 60),
        _target("html", html_cases, check_reader, 40),
        _target("csv", lambda: collection_cases("csv"), check_collection, 40),
        _target("json", lambda: collection_cases("json"), check_collection, 40),
        _target("jsonl", lambda: collection_cases("jsonl"), check_collection, 40),
        _target("jsonl_records", lambda: records_cases("jsonl"), check_records, 25),
        _target("csv_records", lambda: records_cases("csv"), check_records, 25),
        _target("feed", feed_cases, check_feed, 40),
        _target("sitemap", sitemap_cases, check_sitemap, 40),
        _target("warc", warc_cases, check_warc, 40),
        _target("url", url_cases, check_url, 80),
        _target("address", address_cases, check_address, 80),
        _target("figures", figure_cases, check_figures, 80),
        _target("dates", date_cases, check_dates, 80),
        _target(
            "claims",
            claims_cases,
            check_claims,
            12,
            long_seeds={"1,000,001 characters": _long_article},
            shrink_in_tests=False,
        ),
        _target("ingest", ingest_cases, check_ingest, 16, shrink_in_tests=False),
        _target("api_paths", api_path_cases, check_api, 50),
        _target("api_bodies", api_body_cases, check_api, 20, shrink_in_tests=False),
    )
}


def fuzz_settings(examples: int, *, shrink: bool = True, derandomize: bool = True) -> settings:
    """Hypothesis settings both modes share: no example database, no deadline (budgets are checked per input)."""
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(
        max_examples=examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
