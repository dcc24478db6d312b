"""The report for a terminal, with rich."""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..read.language import language_name
from ..types import Background, ClaimKind, ClaimVerdict, Evidence, FactCheck, Report, Verdict
from .labels import SURE_OF, VERDICT_LABELS, languages_line, part_outlets

COLORS = {
    Verdict.CORROBORATED: "green",
    Verdict.SINGLE_SOURCE: "yellow",
    Verdict.CONTRADICTED: "red",
    Verdict.DISPUTED: "magenta",
    Verdict.PARTLY_CONTRADICTED: "dark_orange",
    Verdict.NO_EVIDENCE: "bright_black",
    Verdict.NOT_CHECKED: "bright_black",
}
#: Set-aside passages listed under a claim (the JSON and HTML reports list them all).
SET_ASIDE_SHOWN = 5
_STANCE_COLORS = {"supports": "green", "refutes": "red", "discusses": "cyan", "unrelated": "bright_black"}


#: Control characters but tab and newline: an escape sequence in article or fetched text could drive the terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def render_terminal(report: Report, *, width: int = 100, color: bool = False) -> str:
    """Return the report as text for a terminal (ANSI colours when ``color``). Every string of the report is
    untrusted (article text, indexed and fetched text), so control characters are removed from all of them."""
    report = _printable(report)
    console = Console(
        width=width, record=True, force_terminal=color, color_system="standard" if color else None, file=_Null()
    )
    console.print(_header(report))
    for note in report.notes:
        console.print(Text(f"Note: {note}", style="yellow"))
    console.print(_summary(report))
    if report.summary.sources:
        console.print(_article_sources(report))
    checked = [v for v in report.verdicts if v.verdict is not Verdict.NOT_CHECKED]
    for n, v in enumerate(checked, start=1):
        console.print(_claim(n, v))
    console.print(_unchecked(report))
    console.print(_sources(report))
    return console.export_text(styles=color)


def _printable(value: Any) -> Any:
    """``value`` with control characters removed from every string in it (dataclasses, tuples, dicts)."""
    if isinstance(value, Enum):
        return value  # a verdict, a stance, a kind: the program's own words
    if isinstance(value, str):
        return _CONTROLS.sub("", value)
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _printable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **fields)
    return value


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _header(report: Report) -> Panel:
    a = report.article
    meta = " · ".join(x for x in (a.outlet, a.author, a.published, a.url) if x)
    return Panel(Text(meta or a.origin, style="dim"), title=Text(a.title or "(untitled article)", style="bold"))


def _summary(report: Report) -> Text:
    s = report.summary
    line = Text(f"{s.checkworthy} check-worthy claims of {s.claims_total} sentences: ")
    for verdict in Verdict:
        if verdict is Verdict.NOT_CHECKED:
            continue
        line.append(f"{s.counts[verdict.value]} {VERDICT_LABELS[verdict].lower()}", style=COLORS[verdict])
        line.append("  ")
    line.append(f"\nIndependent outlets found: {', '.join(s.independent_outlets) or 'none'}")
    by_language = languages_line(s.outlets_by_language)
    if by_language:
        line.append(f" (by language: {by_language})")
    line.append(f"\nStripped from the page: {len(s.removed)} lines of furniture", style="dim")
    return line


def _claim(n: int, v: ClaimVerdict) -> Panel:
    c = v.claim
    facts = [f"{c.kind.value}"]
    if c.speaker:
        facts.append(f"speaker: {c.speaker}")
    facts += [f"{q.text} = {q.value:,.0f} {q.kind}" for q in c.quantities]
    facts += [f"date: {d.value}" for d in c.dates]
    body: list[Text | Table | Group] = [Text(c.text), Text(" · ".join(facts), style="dim")]
    if v.note:
        body.append(Text(v.note, style="yellow"))
    if v.parts:
        parts = Text("Its parts, judged one by one:", style="bold")
        for p in v.parts:
            parts.append(f"\n  – “{p.part.text}”: ")
            parts.append(VERDICT_LABELS[p.verdict], style=COLORS[p.verdict])
            parts.append(part_outlets(p), style="dim")
        body.append(parts)
    if v.unbacked_words:
        body.append(Text(f"Words no supporting passage repeats: {', '.join(v.unbacked_words)}"))
    if v.evidence:
        table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
        table.add_column("stance", width=10)
        table.add_column("outlet · date", width=22)
        table.add_column("evidence")
        for e in v.evidence[:4]:
            table.add_row(Text(e.stance.value, style=_STANCE_COLORS[e.stance.value]), _where(e), _what(e))
        body.append(table)
    if v.excluded:
        body.append(_set_aside(v.excluded))
    if v.fact_checks:
        body.append(_fact_checks(v.fact_checks))
    if v.background:
        body.append(_background(v.background))
    title = Text(f"{n}. {VERDICT_LABELS[v.verdict]}", style=f"bold {COLORS[v.verdict]}")
    if v.verdict in SURE_OF:
        title.append(f"  confidence {v.confidence:.2f}", style="dim")
    return Panel(Group(*body), title=title, title_align="left", border_style=COLORS[v.verdict])


def _set_aside(excluded: tuple[str, ...]) -> Text:
    text = Text(f"\nSet aside, not independent ({len(excluded)}):", style="bold")
    for why in excluded[:SET_ASIDE_SHOWN]:
        text.append(f"\n  – {_excerpt(why, 160)}", style="dim")
    if len(excluded) > SET_ASIDE_SHOWN:
        text.append(f"\n  and {len(excluded) - SET_ASIDE_SHOWN} more (all in the JSON and HTML reports)", style="dim")
    return text


def _article_sources(report: Report) -> Text:
    text = Text("Where the article's wording comes from", style="bold")
    text.append(" (texts it rewords sentence after sentence: its own sources, never independent)\n", style="dim")
    for x in report.summary.sources:
        text.append(f"  {x.outlet or 'unknown outlet'}", style="yellow")
        text.append(f" · {x.published or 'undated'} · {x.title or x.url}\n")
        text.append(f"    {len(x.pairs)} sentences reworded in order, e.g.\n", style="dim")
        mine, theirs = x.pairs[0]
        text.append(f"    article: “{_excerpt(mine, 150)}”\n    source:  “{_excerpt(theirs, 150)}”\n", style="dim")
    return text


def _where(e: Evidence) -> Text:
    outlet = (
        e.passage.outlet
        if e.independent_outlet == e.passage.outlet
        else f"{e.passage.outlet} (as {e.independent_outlet})"
    )
    where = Text(f"{outlet}\n{e.passage.published or 'undated'}")
    if e.passage.language != "en":
        where.append(f"\nin {language_name(e.passage.language)}", style="cyan")
    if e.source:
        where.append("\nthe article's source", style="yellow")
    return where


def _what(e: Evidence) -> Text:
    text = Text(e.reason + "\n", style="italic")
    text.append(f"“{_excerpt(e.passage.text, 280)}”")
    return text


def _fact_checks(found: tuple[FactCheck, ...]) -> Group:
    heading = Text("\nExisting fact-checks", style="bold")
    heading.append(
        " (other fact-checkers' reviews of similar claims; not counted, not part of the verdict)", style="dim"
    )
    items = []
    for f in found:
        item = Text(f"{f.publisher or f.publisher_site or 'unknown publisher'}: ")
        item.append(f"“{f.rating or 'no rating'}”", style="bold")
        if f.review_date:
            item.append(f" · reviewed {f.review_date}", style="dim")
        item.append(f"\n{f.title or f.claim_text}\n{f.url}")
        items.append(item)
    return _listing(heading, items)


def _background(found: tuple[Background, ...]) -> Group:
    sources = ", ".join(dict.fromkeys(b.source for b in found))
    heading = Text(f"\nBackground ({sources}, not counted)", style="bold")
    items = []
    for b in found:
        item = Text(f"{b.title}: ")
        item.append(_excerpt(b.text, 200), style="dim")
        item.append(f"\n{b.url}")
        items.append(item)
    return _listing(heading, items)


def _listing(heading: Text, items: list[Text]) -> Group:
    """Return ``heading`` over ``items`` as bullets, each item's wrapped lines indented under its first."""
    bullets = Table.grid(padding=(0, 1))
    bullets.add_column(width=3, justify="right")
    bullets.add_column()
    for item in items:
        bullets.add_row("•", item)
    return Group(heading, bullets)


def _excerpt(text: str, limit: int) -> str:
    return text[:limit] + "…" if len(text) > limit else text


def _unchecked(report: Report) -> Text:
    kinds = {ClaimKind.PREDICTION: [], ClaimKind.OPINION: []}  # type: dict[ClaimKind, list[str]]
    other = 0
    for v in report.verdicts:
        if v.verdict is Verdict.NOT_CHECKED:
            if v.claim.kind in kinds:
                kinds[v.claim.kind].append(v.claim.text)
            else:
                other += 1
    text = Text("\nNot sent for corroboration\n", style="bold")
    for kind, sentences in kinds.items():
        text.append(f"  {len(sentences)} {kind.value}s", style="bold")
        for s in sentences[:3]:
            text.append(f"\n    – {_excerpt(s, 110)}", style="dim")
        text.append("\n")
    text.append(f"  {other} factual sentences below the check-worthiness threshold\n", style="dim")
    return text


def _sources(report: Report) -> Text:
    named = report.summary.named_sources
    text = Text("Sources the article names itself\n", style="bold")
    if not named:
        text.append("  none\n", style="dim")
    for s in named:
        mark, style = (
            ("found among the evidence", "green") if s.found_in_evidence else ("not among the evidence", "dim")
        )
        text.append(f"  {s.name} ({s.how}): ")
        text.append(mark + "\n", style=style)
    return text
