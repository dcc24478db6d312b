"""``twosource serve``: the JSON API and the web pages over the same library calls as the CLI (FastAPI).

API: ``POST /api/check`` (JSON, a multipart upload or a form: text, a page, or a URL to fetch; ``?wait=false``
answers at once with a job), ``POST /api/ingest`` (uploaded files, JSON articles, or URLs, feeds and sitemaps to
fetch; answers with a job), ``GET /api/jobs/{id}`` (progress),
``GET /api/reports/{id}``, ``GET /api/search``, ``GET /api/articles/{id}`` (with its copy cluster),
``GET /api/health``; the OpenAPI schema at /openapi.json.
Pages: ``/`` (the form), ``POST /check`` (its target: starts a check, then its progress page ``/jobs/{id}``
refreshes itself until the report is ready), ``/reports/{id}`` (the report, permanent; reports are stored in the
index) and its downloads ``.json``, ``.html`` and ``.claimreview.json``; ``/search`` and ``/articles/{id}`` (an
indexed article and its copies); ``/login`` when a token guards the server.

Safety: binds to loopback unless told otherwise, and then answers only to loopback host names (no DNS
rebinding); refuses cross-site form posts; an optional token guards every endpoint but health (a header for
programs, a cookie set by /login for browsers); request bodies (declared or streamed), pasted text and
concurrent checks are capped, each with a clear 4xx answer. Pages hold no scripts, load nothing from elsewhere
(a strict Content-Security-Policy says so) and escape every piece of article text.

Imports FastAPI; ``twosource`` imports this module only for ``serve``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import open_index
from ..errors import TwosourceError
from ..fetch import FetchPolicy
from ..live import LiveSources
from ..logs import log_to_stderr
from ..outlets import Outlets
from .answers import error
from .api import api_routes
from .guard import LOOPBACK_HOSTS, Guard
from .limits import ServeLimits
from .server import Server
from .views import page_routes


def create_app(
    index_path: str | Path,
    *,
    token: str | None = None,
    limits: ServeLimits | None = None,
    allowed_hosts: tuple[str, ...] | None = None,
    live: LiveSources | None = None,
    fetch_policy: FetchPolicy | None = None,
    outlets: Outlets | None = None,
) -> FastAPI:
    """Return the app over the index at ``index_path`` (which must exist).

    ``allowed_hosts``: the Host names to answer (``run`` passes ``LOOPBACK_HOSTS`` when bound to loopback).
    ``live``: the live services each check asks besides the index (None: the index alone).
    ``fetch_policy``: how pages are fetched for a check or an ingest by URL (public addresses only by default).
    ``outlets``: the outlets declared one outlet under several hosts or names (``outlets.load_outlets``).
    """
    limits = limits or ServeLimits()
    fetch_policy = fetch_policy or FetchPolicy(max_bytes=limits.max_body_bytes)
    # Opened once, so a missing or broken index fails at start, and the passage vectors load once for every request.
    index = open_index(index_path, create=False)
    server = Server(index, limits, fetch_policy, live=live, outlets=outlets, token=token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            index.close()

    # No /docs or /redoc: FastAPI builds them from a CDN, and nothing the server sends may need the internet.
    app = FastAPI(
        title="twosource",
        summary="Which claims of a news article independent sources back.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(Guard, token=token, limits=limits, allowed_hosts=allowed_hosts)

    @app.exception_handler(TwosourceError)
    async def refused(request: Request, exc: TwosourceError) -> Response:
        return error(request, exc.http_status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        return error(request, 422, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")

    # Starlette's own class: its 404 for an unknown path and 405 for a wrong method are answered here too.
    @app.exception_handler(StarletteHTTPException)
    async def httperror(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    app.include_router(api_routes(server), prefix="/api")
    app.include_router(page_routes(server))
    return app


@contextmanager
def in_background(app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, wait: float = 30.0) -> Iterator[str]:
    """Serve ``app`` from a thread (port 0: a free one) while the block runs; yield its base URL."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + wait
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run(
    index_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    live: LiveSources | None = None,
    fetch_policy: FetchPolicy | None = None,
    outlets: Outlets | None = None,
) -> None:
    """Serve the app until interrupted; bound to loopback, it answers only to loopback host names."""
    import uvicorn

    hosts = LOOPBACK_HOSTS if host in LOOPBACK_HOSTS else None
    app = create_app(
        index_path, token=token, allowed_hosts=hosts, live=live, fetch_policy=fetch_policy, outlets=outlets
    )
    log_to_stderr(logging.INFO)  # a failed job's traceback goes where the server's operator reads
    uvicorn.run(app, host=host, port=port, log_level="info")
