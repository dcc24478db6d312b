"""The fetcher: every refusal happens before a connection; what is allowed is fetched within its limits.

Only loopback is ever connected to: a test resolver answers for made-up names, and the loopback server below
is reached on purpose through the policy's ``allow``.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest

from twosource.fetch import FetchError, FetchPolicy, fetch, refusal

from ..loopback import loopback

LOOPBACK = ("127.0.0.1/32",)
PAGE = b"<html><head><title>Hello</title></head><body><p>An article.</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        _Handler.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        route, _, rest = self.path.partition("?")
        if route == "/page":
            self._answer(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})
        elif route == "/redirect":
            self._answer(302, b"", {"Location": rest})
        elif route == "/loop":
            self._answer(302, b"", {"Location": "/loop"})
        elif route == "/big":
            self._answer(200, b"x" * 5000, {"Content-Type": "text/html"})
        elif route == "/streamed":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif route == "/slow":
            time.sleep(3)
            self._answer(200, PAGE, {})
        else:
            self._answer(404, b"not here", {})

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with loopback(_Handler) as port:
        yield f"127.0.0.1:{port}"


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every socket connection attempted, recorded (and still made)."""
    made: list[tuple] = []
    real = socket.create_connection

    def recording(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        made.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording)
    _Handler.seen.clear()
    return made


def resolver(answers: dict[str, list[str]]):
    return lambda host, port: answers.get(host, [host])


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12::1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "private"),  # "this network", in Python's table
        ("100.64.0.1", "not a public address"),
    ],
)
def test_addresses_that_are_not_public_are_refused(address: str, says: str):
    reason = refusal(address)
    assert reason is not None and says in reason


def test_public_addresses_pass_and_allow_opens_a_network_on_purpose():
    assert refusal("93.184.216.34") is None and refusal("2606:4700::1111") is None
    assert refusal("127.0.0.1", LOOPBACK) is None and refusal("127.0.0.2", LOOPBACK) is not None


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("metadata.test", ["169.254.169.254"]),
        ("intranet.test", ["10.0.0.7"]),
        ("rebound.test", ["127.0.0.1"]),
        ("mixed.test", ["93.184.216.34", "192.168.0.10"]),  # one bad answer is enough
        ("mapped.test", ["::ffff:10.0.0.1"]),
    ],
)
def test_names_resolving_to_refused_addresses_are_refused_before_connecting(connections, name, answer):
    policy = FetchPolicy(resolver=resolver({name: answer}))
    with pytest.raises(FetchError, match=f"^http://{name}/: refused: {name}: "):
        fetch(f"http://{name}/", policy)
    assert connections == []


def test_the_checked_address_is_the_one_connected_to(server: str, connections):
    # news.test exists only in the test resolver: the page arrives only if the fetcher connected to the
    # address it resolved and checked, and sent the name in the Host header.
    port = int(server.rsplit(":", 1)[1])
    policy = FetchPolicy(resolver=resolver({"news.test": ["127.0.0.1"]}), allow=LOOPBACK)
    page = fetch(f"http://news.test:{port}/page", policy)
    assert page.status == 200 and page.body == PAGE and page.content_type == "text/html"
    assert connections == [("127.0.0.1", port)]
    assert _Handler.seen[-1]["host"] == f"news.test:{port}"
    assert _Handler.seen[-1]["user-agent"].startswith("twosource/")


def test_loopback_is_refused_unless_allowed(server: str, connections):
    with pytest.raises(FetchError, match=re.escape("refused: 127.0.0.1 is a loopback address")):
        fetch(f"http://{server}/page")
    assert connections == [] and _Handler.seen == []


def test_every_redirect_hop_is_checked(server: str, connections):
    policy = FetchPolicy(resolver=resolver({"metadata.test": ["169.254.169.254"]}), allow=LOOPBACK)
    with pytest.raises(FetchError, match=re.escape("metadata.test: 169.254.169.254 is a cloud metadata address")):
        fetch(f"http://{server}/redirect?http://metadata.test/latest/meta-data/", policy)
    assert len(connections) == 1  # the loopback server only
    with pytest.raises(FetchError, match="only http and https"):
        fetch(f"http://{server}/redirect?file:///etc/passwd", policy)
    port = server.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="::1 is a loopback address"):
        fetch(f"http://{server}/redirect?http://[::1]:{port}/page", policy)


def test_redirects_are_followed_within_the_limit(server: str):
    policy = FetchPolicy(allow=LOOPBACK)
    page = fetch(f"http://{server}/redirect?/page", policy)
    assert page.status == 200 and page.url == f"http://{server}/page"
    assert page.redirects == (f"http://{server}/redirect?/page",)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(f"http://{server}/loop", policy)


@pytest.mark.parametrize("path", ["/big", "/streamed"])
def test_bodies_over_the_limit_are_refused(server: str, path: str):
    with pytest.raises(FetchError, match="over 4,000 bytes"):
        fetch(f"http://{server}{path}", FetchPolicy(allow=LOOPBACK, max_bytes=4000))
    assert len(fetch(f"http://{server}{path}", FetchPolicy(allow=LOOPBACK, max_bytes=20_000)).body) in (5000, 10_000)


def test_a_slow_server_times_out(server: str):
    started = time.monotonic()
    with pytest.raises(FetchError, match="no answer within 1 s"):
        fetch(f"http://{server}/slow", FetchPolicy(allow=LOOPBACK, max_seconds=1))
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/a", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http:///nohost", "not a URL with a host"),
        ("http://user:secret@example.com/", "credentials"),
    ],
)
def test_urls_that_are_not_web_addresses_are_refused(connections, url: str, says: str):
    with pytest.raises(FetchError, match=says):
        fetch(url)
    assert connections == []
