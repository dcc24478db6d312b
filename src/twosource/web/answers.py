"""The server's answers: a one-line error (JSON for the API, a page for the pages), a page, a download."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..errors import one_line
from . import pages


def error(request: Request, status: int, message: str) -> Response:
    """A one-line JSON error for the API, an error page (the message escaped) for the pages."""
    message = one_line(message)  # it may quote the request: "/api/reports/%0D" names a report id "\r"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status)
    return page(pages.error(status, message), status)


def page(html: str, status: int = 200) -> HTMLResponse:
    # The pages hold no scripts and load nothing from elsewhere; the header says so to the browser too.
    headers = {"Content-Security-Policy": pages.CSP, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(html, status, headers=headers)


def download(text: str, filename: str, media_type: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"}
    return Response(text, media_type=media_type, headers=headers)
