"""The report page's timeline: the dated evidence passages as dots by date and stance, the article's date marked.

An inline SVG with no script; every text in it is escaped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from html import escape

from ..dates import parse_date
from ..types import ClaimVerdict, Passage, Stance
from ..words import plural
from .labels import STANCE_PRIORITY, STANCE_VERBS

# The timeline's drawing, in viewBox units: 440 wide keeps its 13-unit text legible from a phone (~0.8x)
# to a laptop (~1.2x, the svg stops growing at 34rem).
_WIDTH = 440
_MARGIN = 14
_DOT = 4.5
_ROW = 10
_MAX_ROWS = 6  # beyond this, crowded dots overlap rather than make the strip tall
_TOP = 24  # room for the article's date label, when there is one


@dataclass
class _Dot:
    """One dated passage on the timeline, with its stance toward each claim it is evidence for."""

    day: date
    passage: Passage
    stances: list[tuple[int, Stance]]

    @property
    def stance(self) -> Stance:
        present = {stance for _, stance in self.stances}
        return next(s for s in STANCE_PRIORITY if s in present)


def _day(value: str | None) -> date | None:
    iso = parse_date(value)
    return date.fromisoformat(iso) if iso else None


def _dots(checked: list[ClaimVerdict]) -> tuple[list[_Dot], int]:
    """Return the dated evidence passages, each once and by date, and how many passages are undated."""
    dots: dict[tuple[int, int], _Dot] = {}
    undated: set[tuple[int, int]] = set()
    for n, v in enumerate(checked, start=1):
        for e in v.evidence:
            key = (e.passage.article_id, e.passage.passage_id)
            day = _day(e.passage.published)
            if day is None:
                undated.add(key)
            elif key in dots:
                dots[key].stances.append((n, e.stance))
            else:
                dots[key] = _Dot(day, e.passage, [(n, e.stance)])
    return sorted(dots.values(), key=lambda d: d.day), len(undated)


def timeline(published: str | None, checked: list[ClaimVerdict]) -> str:
    ordered, undated = _dots(checked)
    article_day = _day(published)
    heading = "<p class='small'><strong>Evidence over time</strong></p>"
    if not ordered:
        return f"<div class='timeline'>{heading}<p class='small'>No dated evidence to place on a timeline.</p></div>"
    first, last = ordered[0].day, ordered[-1].day
    lo, hi = min(first, article_day or first), max(last, article_day or last)
    span = (hi - lo).days

    def x(day: date) -> float:
        share = (day - lo).days / span if span else 0.5
        return _MARGIN + share * (_WIDTH - 2 * _MARGIN)

    rows = _stack([x(d.day) for d in ordered])
    axis = (_TOP if article_day else 6) + (max(rows) + 1) * _ROW + 4
    height = axis + 22
    circles = "".join(
        f"<circle class='s-{d.stance.value}' cx='{x(d.day):.1f}' cy='{axis - 7 - row * _ROW}' r='{_DOT}'>"
        f"<title>{_dot_title(d)}</title></circle>"
        for d, row in zip(ordered, rows, strict=True)
    )
    marks = [
        f"<line class='axis' x1='{_MARGIN}' y1='{axis}' x2='{_WIDTH - _MARGIN}' y2='{axis}'/>",
        f"<text x='{_MARGIN}' y='{height - 4}'>{lo.isoformat()}</text>",
        f"<text x='{_WIDTH - _MARGIN}' y='{height - 4}' text-anchor='end'>{hi.isoformat()}</text>",
    ]
    if article_day:
        at = x(article_day)
        anchor = "start" if at < _WIDTH / 4 else "end" if at > _WIDTH * 3 / 4 else "middle"
        marks += [
            f"<line class='article' x1='{at:.1f}' y1='{_TOP - 6}' x2='{at:.1f}' y2='{axis + 5}'/>",
            f"<text class='article' x='{at:.1f}' y='{_TOP - 10}' text-anchor='{anchor}'>"
            f"article {article_day.isoformat()}</text>",
        ]
    label = (
        f"{plural(len(ordered), 'dated evidence passage')}, "
        + (f"on {first.isoformat()}" if first == last else f"from {first.isoformat()} to {last.isoformat()}")
        + (f"; the article is dated {article_day.isoformat()}" if article_day else "; the article's date is unknown")
    )
    shown = Counter(d.stance for d in ordered)
    keys = "".join(f"<span class='key s-{s.value}'>{shown[s]} {s.value}</span>" for s in STANCE_VERBS if shown[s])
    keys += "<span class='key article'>the article's date</span>" if article_day else ""
    keys += f"<span>{undated} undated, not shown</span>" if undated else ""
    return (
        f"<div class='timeline'>{heading}<svg viewBox='0 0 {_WIDTH} {height}' role='img' aria-label='{escape(label)}'>"
        f"{''.join(marks)}{circles}</svg><p class='legend'>{keys}</p></div>"
    )


def _stack(xs: list[float]) -> list[int]:
    """Return a row for each dot (``xs`` ascending): the lowest row where it clears the dot before it."""
    ends: list[float] = []
    rows = []
    for x in xs:
        row = next((r for r, end in enumerate(ends) if x - end >= 2 * _DOT + 1), None)
        if row is None and len(ends) < _MAX_ROWS:
            row = len(ends)
            ends.append(x)
        elif row is None:
            row = min(range(len(ends)), key=ends.__getitem__)  # the row it overlaps least
        ends[row] = x
        rows.append(row)
    return rows


def _dot_title(dot: _Dot) -> str:
    stances = "; ".join(f"{stance.value} claim {n}" for n, stance in dot.stances)
    return f"{escape(dot.passage.outlet)} · {dot.day.isoformat()} · {escape(stances)}"
