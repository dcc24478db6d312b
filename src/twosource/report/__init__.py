"""The report stage: one Report, four renderings (terminal, JSON, HTML, schema.org ClaimReview).

``RENDERERS`` is the one table of them: the CLI's ``--format`` choices, :func:`render` and the web app's
downloads all read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ..schema import report_to_dict
from ..types import Report

__all__ = ["FORMATS", "RENDERERS", "Renderer", "render"]


def _json(report: Report, width: int, color: bool) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2)


def _html(report: Report, width: int, color: bool) -> str:
    from .html import render_html

    return render_html(report)


def _claimreview(report: Report, width: int, color: bool) -> str:
    from .claimreview import claim_reviews

    return json.dumps(claim_reviews(report), ensure_ascii=False, indent=2)


def _terminal(report: Report, width: int, color: bool) -> str:
    from .terminal import render_terminal

    return render_terminal(report, width=width, color=color)


@dataclass(frozen=True)
class Renderer:
    """One rendering of a report: its name, how it is made, and how it is served as a download."""

    name: str
    label: str  # a link to the download says it
    render: Callable[[Report, int, bool], str]  # (report, width, color); width and color serve the terminal
    media_type: str
    suffix: str  # of a downloaded file: "ID.claimreview.json"
    download: bool = True  # offered by the web app beside the report page


RENDERERS = {
    r.name: r
    for r in (
        Renderer("terminal", "Terminal text", _terminal, "text/plain", ".txt", download=False),
        Renderer("json", "JSON", _json, "application/json", ".json"),
        Renderer("html", "HTML", _html, "text/html", ".html"),
        Renderer("claimreview", "ClaimReview JSON-LD", _claimreview, "application/ld+json", ".claimreview.json"),
    )
}
FORMATS = tuple(RENDERERS)


def render(report: Report, fmt: str, *, width: int = 100, color: bool = False) -> str:
    """Return ``report`` rendered as ``fmt`` (one of FORMATS)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return RENDERERS[fmt].render(report, width, color)
