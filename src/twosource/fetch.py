"""The one way twosource reads from the network: http(s) from public addresses only, within size and time limits.

Every connection, the first and each redirect's, resolves the host itself, refuses the request when any address
it resolves to is not public (private, loopback, link-local, cloud metadata, multicast, reserved), and then
connects to the very address it checked, so that a second DNS answer cannot slip another address in between
(DNS rebinding). Redirects are followed by hand, each hop checked again. Bodies stop at ``max_bytes``, the
whole fetch at ``max_seconds``. Tests reach their loopback servers through ``allow``, on purpose.

Imports httpx; ``twosource`` imports this module only where something is fetched.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .errors import SourceError
from .settings import DEFAULT_MAX_BYTES


def user_agent(contact: str = "") -> str:
    """The User-Agent sent with every request: who is asking, why, and (when given) how to reach its operator."""
    reach = f"; {contact}" if contact else ""
    return f"twosource/{version('twosource')} (reads news articles to corroborate their claims{reach})"


USER_AGENT = user_agent()
#: Cloud metadata services: named even where the ranges above already refuse them, so the message says why.
METADATA = frozenset({"169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``resolve(host, port)`` -> the addresses a name stands for (``socket.getaddrinfo`` unless a test says otherwise).
Resolver = Callable[[str, int], list[str]]


class FetchError(SourceError):
    """A URL that may not be fetched, or a fetch that failed: ``origin`` is the URL, ``message`` one line."""


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_seconds: float = 30.0  # the whole fetch, redirects included
    max_redirects: int = 5
    #: Networks let through although not public: for tests on loopback, or an intranet on purpose.
    allow: tuple[str, ...] = ()
    resolver: Resolver | None = None
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    redirects: tuple[str, ...] = ()  # the addresses it was sent on from, in order

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def refusal(address: str, allow: Iterable[str] = ()) -> str | None:
    """Return why ``address`` may not be connected to, or None when it is a public address (or allowed)."""
    ip: IPAddress = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        ip = embedded_ipv4(ip) or ip
    if any(ip in ipaddress.ip_network(n, strict=False) for n in allow):
        return None
    for kind, test in (
        ("a cloud metadata address", lambda: str(ip) in METADATA),
        ("a loopback address", lambda: ip.is_loopback),
        ("a link-local address", lambda: ip.is_link_local),
        ("a multicast address", lambda: ip.is_multicast),
        ("a private address", lambda: ip.is_private),
        ("not a public address", lambda: not ip.is_global),
    ):
        if test():
            return f"{ip} is {kind}"
    return None


#: NAT64's well-known prefix: 64:ff9b::a00:1 reaches 10.0.0.1 through a translator.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to, judged in its stead: mapped (::ffff:127.0.0.1), compatible
    (::127.0.0.1), 6to4 (2002:7f00:1::) and NAT64 (64:ff9b::7f00:1)."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # not :: or ::1, which are judged as IPv6
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def fetch(url: str, policy: FetchPolicy | None = None, *, headers: dict[str, str] | None = None) -> Fetched:
    """GET ``url`` under ``policy``; raise FetchError, with a one-line reason, when it is refused or fails.

    ``headers`` are sent as well (e.g. If-None-Match for a conditional GET). Any status comes back; the
    caller decides what a 304 or a 404 means.
    """
    policy = policy or FetchPolicy()
    deadline = time.monotonic() + policy.max_seconds
    redirects: list[str] = []
    with _client(policy) as client:
        while True:
            _check_url(url)
            if time.monotonic() > deadline:
                raise FetchError(url, f"no answer within {policy.max_seconds:g} s")
            try:
                with client.stream("GET", url, headers=headers) as response:
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        redirects.append(url)
                        if len(redirects) > policy.max_redirects:
                            raise FetchError(redirects[0], f"more than {policy.max_redirects} redirects")
                        url = urljoin(url, location)
                        continue
                    body = _capped_body(response, url, policy.max_bytes, deadline)
                    return Fetched(
                        str(response.url), response.status_code, dict(response.headers), body, tuple(redirects)
                    )
            except _Refused as exc:
                raise FetchError(url, f"refused: {exc}") from None
            except _Unresolved as exc:
                raise FetchError(url, str(exc)) from None
            except httpx.TimeoutException:
                raise FetchError(url, f"no answer within {policy.max_seconds:g} s") from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(url, _one_line(exc)) from None


def fetch_page(url: str, policy: FetchPolicy | None = None) -> Fetched:
    """``fetch``, and a FetchError unless the server answered 200."""
    page = fetch(url, policy)
    if page.status != 200:
        raise FetchError(url, f"the server answered {page.status}")
    return page


def _check_url(url: str) -> None:
    """Refuse, in one line, what is not an http(s) URL with a well-formed host and no credentials."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # both parse lazily: a bad bracket or port fails here
    except ValueError as exc:
        raise FetchError(url, f"not a valid URL ({_one_line(exc)})") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, "refused: only http and https URLs are fetched")
    if not host:
        raise FetchError(url, "not a URL with a host")
    if parts.username or parts.password:
        raise FetchError(url, "refused: URLs with credentials are not fetched")
    if _NUMERIC_HOST.fullmatch(host):
        # 0177.0.0.1, 0x7f.1 or 2130706433 reach 127.0.0.1 through inet_aton: only plain dotted decimal is taken.
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise FetchError(url, "not a valid URL (an IPv4 address is written as four decimal numbers)") from None
    try:
        httpx.URL(url).host  # noqa: B018  (the client's own reading of the host, punycode included)
        host.encode("idna")
    except (httpx.InvalidURL, UnicodeError):
        raise FetchError(url, "not a valid URL (its host name is malformed)") from None


#: A host inet_aton reads as an IPv4 address: up to four parts, each decimal, octal (0...) or hex (0x...).
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}\.?", re.IGNORECASE)


def _capped_body(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, f"the page is over {max_bytes:,} bytes")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"the page is over {max_bytes:,} bytes")
        if time.monotonic() > deadline:
            raise FetchError(url, "the page took over the time limit to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class _Refused(Exception):
    """Raised inside a connection attempt, before any socket opens, for an address that is not allowed."""


class _Unresolved(Exception):
    """Raised inside a connection attempt for a host name that resolves to nothing."""


def _client(policy: FetchPolicy) -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False)  # no proxy from the environment: it would connect elsewhere
    # httpx builds its connection pool without a way to name the network backend; the checking backend is
    # given to an equivalent pool (httpx 0.28's own settings: its SSL context, its limits).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=transport._pool._ssl_context,
        max_connections=10,
        network_backend=_CheckedBackend(policy),
    )
    timeout = httpx.Timeout(min(policy.max_seconds, 10.0))
    return httpx.Client(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
    )


class _CheckedBackend(httpcore.SyncBackend):
    """httpcore's sockets, opened only to an address that was resolved and checked here."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        address = _checked_address(host, port, self.policy)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def _checked_address(host: str, port: int, policy: FetchPolicy) -> str:
    """Resolve ``host``; refuse when any of its addresses is not allowed; return the address to connect to."""
    resolve = policy.resolver or _system_resolve
    try:
        addresses = resolve(host, port)
    except OSError as exc:
        raise _Unresolved(f"{host} does not resolve ({_one_line(exc)})") from None
    if not addresses:
        raise _Unresolved(f"{host} does not resolve")
    for address in addresses:
        reason = refusal(address, policy.allow)
        if reason:
            raise _Refused(f"{host}: {reason}" if host != address else reason)
    return addresses[0]


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
