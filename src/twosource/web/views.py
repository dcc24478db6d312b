"""The web pages: the form, a check's progress, the report and its downloads, search, articles, login."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..report import RENDERERS, Renderer
from ..report.html import render_html
from ..schema import report_from_dict
from . import pages
from .answers import download, page
from .guard import SESSION_COOKIE, local_target, session
from .jobs import FAILED
from .server import Server


def page_routes(server: Server) -> APIRouter:
    """The pages' routes over ``server``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        return page(pages.HOME)

    @router.post("/check")
    async def check_form(request: Request) -> Response:
        """The home page's form: start the check, then follow its progress page to the report."""
        job, checking = await server.start_check(request)
        server.detach(checking)
        return RedirectResponse(f"/jobs/{job.id}", 303)

    @router.get("/jobs/{job_id}")
    def job_page(job_id: str) -> Response:
        """A running check's progress (the page refreshes itself); when done, the report; when failed, why."""
        job = server.job_or_404(job_id)
        if job.kind != "check":
            raise HTTPException(404, f"no check {job_id} (follow an ingest at /api/jobs/{job_id})")
        if job.state == FAILED:
            return page(pages.error(422, job.error), 422)
        if "report" in job.result:
            return RedirectResponse(f"/reports/{job.result['report']}", 303)
        return page(pages.progress(job.to_dict()))

    @router.get("/login")
    def login_page(next: str = "/") -> HTMLResponse:
        return page(pages.login(local_target(next)))

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=2)
        target = local_target(str(form.get("next") or "/"))
        if not server.token or not hmac.compare_digest(str(form.get("token") or "").encode(), server.token.encode()):
            return page(pages.login(target, "That is not the server's token."), 401)
        answer = RedirectResponse(target, 303)
        secure = request.url.scheme == "https"
        answer.set_cookie(SESSION_COOKIE, session(server.token), httponly=True, samesite="strict", secure=secure)
        return answer

    # Downloads first: "/reports/{report_id}" would also match "ID.json"; the longest suffix first.
    for renderer in sorted((r for r in RENDERERS.values() if r.download), key=lambda r: -len(r.suffix)):
        router.get(f"/reports/{{report_id}}{renderer.suffix}")(_download_route(server, renderer))

    @router.get("/reports/{report_id}")
    def report_page(report_id: str) -> HTMLResponse:
        document = server.stored(report_id)
        downloads = [(r.label, f"/reports/{report_id}{r.suffix}") for r in RENDERERS.values() if r.download]
        links = (("Check another article", "/"), *downloads)
        return page(render_html(report_from_dict(document), links))

    @router.get("/search")
    def search_page(q: str = "") -> HTMLResponse:
        return page(pages.search(q, server.find(q, 20) if q.strip() else []))

    @router.get("/articles/{article_id}")
    def article_page(article_id: int) -> HTMLResponse:
        fields = server.with_copies(article_id)
        return page(pages.article(fields, fields["copies"]))

    return router


def _download_route(server: Server, renderer: Renderer) -> Callable[[str], Response]:
    """The route of one download: the stored report rendered by ``renderer``."""

    def downloaded(report_id: str) -> Response:
        text = renderer.render(report_from_dict(server.stored(report_id)), 100, False)
        return download(text, f"{report_id}{renderer.suffix}", renderer.media_type)

    return downloaded
