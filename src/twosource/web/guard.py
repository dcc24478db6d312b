"""Before a request reaches its endpoint: Host names, cross-site posts, the token, body caps; where a defect ends."""

from __future__ import annotations

import hashlib
import hmac
import logging
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .answers import error
from .limits import ServeLimits

#: The browser's proof of the token, set by /login.
SESSION_COOKIE = "twosource_session"
#: Host names a server bound to loopback answers to: a DNS-rebound name pointing at 127.0.0.1 gets a 400.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_OPEN_PATHS = ("/api/health", "/login")
_log = logging.getLogger(__name__)


class Guard:
    """Before a request reaches its endpoint: answers only to the allowed Host names (no DNS rebinding), refuses
    cross-site posts, asks for the token where one is set, and caps the body, whether its size is declared or it
    is streamed (chunked), reading no more than the cap.

    Plain ASGI rather than FastAPI's http middleware: an error raised while the endpoint reads the body must
    reach the app's error handlers, which answer in the API's JSON or as a page.

    It is also where a defect ends: logged once, answered with a one-line 500, and the connection kept. (An
    ``Exception`` handler of the app's would answer, then re-raise into uvicorn, which logs it again and drops
    the keep-alive connection without telling the client.)"""

    def __init__(
        self, app: ASGIApp, token: str | None, limits: ServeLimits, allowed_hosts: tuple[str, ...] | None
    ) -> None:
        self.app, self.token, self.limits, self.allowed_hosts = app, token, limits, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        path = request.url.path
        if self.allowed_hosts and _host_name(request.headers.get("host", "")) not in self.allowed_hosts:
            refused_host = f"this server answers only to {', '.join(self.allowed_hosts)}, not to the Host named"
            return await error(request, 400, refused_host)(scope, receive, send)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return await error(request, 403, "cross-site requests are refused")(scope, receive, send)
        if self.token and path not in _OPEN_PATHS and not _authorised(request, self.token):
            if request.method == "GET" and not path.startswith("/api/"):
                refused: Response = RedirectResponse(f"/login?next={quote(path)}", 303)
            else:
                refused = error(request, 401, "a valid token is required (Authorization: Bearer TOKEN)")
            return await refused(scope, receive, send)
        limit = self.limits.max_ingest_bytes if path == "/api/ingest" else self.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await error(request, 413, f"the request is over {limit:,} bytes")(scope, receive, send)
        received = 0

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"the request is over {limit:,} bytes")
            return message

        answering = False

        async def sending(message: Message) -> None:
            nonlocal answering
            answering = answering or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped, sending)
        except Exception as exc:
            if answering:
                raise  # half an answer is out: only closing the connection can tell the client
            _log.error("%s %s failed", request.method, path, exc_info=exc)
            await error(request, 500, "the server failed on this request; its log says why")(scope, receive, send)


def _authorised(request: Request, token: str) -> bool:
    """The token in an Authorization header (programs), or the session cookie /login set (browsers)."""
    scheme, _, given = request.headers.get("authorization", "").strip().partition(" ")
    given = given.strip() if scheme.lower() == "bearer" else ""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    expected = session(token).encode()
    return hmac.compare_digest(given.encode(), token.encode()) or hmac.compare_digest(cookie.encode(), expected)


def session(token: str) -> str:
    # The cookie holds a digest of the token, not the token itself.
    return hmac.new(token.encode(), b"twosource session", hashlib.sha256).hexdigest()


def _same_origin(request: Request) -> bool:
    """False for a browser's post from another site (its Origin names another host); programs send no Origin."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")


def _host_name(header: str) -> str:
    """The name in a Host header, without its port ("[::1]:8000" -> "[::1]")."""
    return header[: header.find("]") + 1] if header.startswith("[") else header.split(":")[0]


def local_target(target: str) -> str:
    # Where /login may send the browser next: a path on this server, never another site.
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"
