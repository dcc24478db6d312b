"""What the commands share: the index, outlets, network and live-source options, and progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from ..read.collection import COLUMNS
from ..read.collection import FORMATS as INGEST_FORMATS
from ..types import Progress

index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False),
    envvar="TWOSOURCE_INDEX",
    help="Index: a SQLite file or a postgresql:// address (default: $TWOSOURCE_INDEX, else index.sqlite in the user "
    "data directory).",
)

outlets_option = click.option(
    "--outlets",
    "outlets_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="An outlets file (TOML: an outlet's name, its hosts, its other names) declaring which hosts and names are "
    "one outlet (default: $TWOSOURCE_OUTLETS, else outlets.toml in the user config directory, if there).",
)

allow_option = click.option(
    "--allow",
    "allow",
    multiple=True,
    metavar="NETWORK",
    help="Also fetch from this network although it is not public (CIDR, e.g. 127.0.0.1/32 for a local test "
    "server). Private, loopback and metadata addresses are refused otherwise.",
)


def fetch_policy(allow: tuple[str, ...]) -> Any:
    import ipaddress

    from ..fetch import FetchPolicy, user_agent
    from ..settings import contact, default_max_bytes

    for network in allow:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--allow") from None
    return FetchPolicy(max_bytes=default_max_bytes(), allow=allow, user_agent=user_agent(contact()))


def checked_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--date``, checked as it is parsed: a typing slip is said before anything runs."""
    from ..dates import given_date

    try:
        return given_date(value) if value is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--date") from None


def live_options(command: Callable[..., None]) -> Callable[..., None]:
    """The switches for the live services a check asks besides the index."""
    for option in reversed(
        [
            click.option("--offline", is_flag=True, help="Ask no live service: the index alone."),
            click.option("--no-gdelt", "gdelt", flag_value=False, default=True, help="Do not ask GDELT for news."),
            click.option(
                "--no-wikipedia", "wikipedia", flag_value=False, default=True, help="No Wikipedia background."
            ),
            click.option(
                "--no-fact-checks",
                "fact_checks",
                flag_value=False,
                default=True,
                help="Do not ask Google Fact Check Tools (asked only with $TWOSOURCE_FACTCHECK_KEY set).",
            ),
        ]
    ):
        command = option(command)
    return command


def live_sources(offline: bool, gdelt: bool, wikipedia: bool, fact_checks: bool, allow: tuple[str, ...]) -> Any:
    from dataclasses import replace

    from ..live import LiveSources
    from ..settings import factcheck_key

    if offline:
        return None
    live = LiveSources(gdelt=gdelt, wikipedia=wikipedia, factcheck_key=factcheck_key() if fact_checks else "")
    fetching = fetch_policy(allow)
    policy = replace(live.policy, allow=fetching.allow, user_agent=fetching.user_agent)
    return replace(live, policy=policy) if live.any else None


def stderr_progress(label: str) -> tuple[Any, Progress]:
    """Return a progress display on standard error and ``update(stage, done, total)`` to move it: the library's
    progress callback (an empty stage shows ``label``).

    A bar on a terminal; elsewhere (a log file, CI) a plain line per stage and per tenth of the way.
    """
    from contextlib import nullcontext

    if not sys.stderr.isatty():
        last: dict[str, int] = {}

        def log(stage: str, done: int, total: int) -> None:
            name = stage or label
            tenth = done * 10 // total if total else 0
            if last.get(name) != tenth:
                last[name] = tenth
                click.echo(f"{name}: {done:,}/{total:,}" if total else name, err=True)

        return nullcontext(), log

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bars

    progress = Bars(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = progress.add_task(label, total=None)

    def update(stage: str, done: int, total: int) -> None:
        progress.update(task, completed=done, total=total or None, description=stage or label)

    return progress, update


def column_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--text-column`` and its siblings, one per field of a collection's records (``read.collection.COLUMNS``)."""
    for name, holds in reversed(COLUMNS):
        command = click.option(f"--{name}-column", default=None, help=f"CSV/JSON field holding {holds}.")(command)
    return command


def ingest_input_options(command: Callable[..., None]) -> Callable[..., None]:
    """How an ingest reads its inputs: ``--outlet``, ``--format``, ``--encoding``, ``--max-passages`` and the
    column options."""
    for option in reversed(
        [
            click.option("--outlet", default="", help="Outlet of every article ingested (overrides the data)."),
            click.option(
                "--format",
                "fmt",
                type=click.Choice(INGEST_FORMATS),
                default="auto",
                help="Input format (default: from each file's extension).",
            ),
            click.option(
                "--encoding", default=None, help="Text encoding of the inputs (default: detected), e.g. latin-1."
            ),
            click.option(
                "--max-passages",
                type=click.IntRange(1),
                default=None,
                help="Index at most this many passages of an article (about 60 words each); a longer text is searched "
                "by its first ones only (default: $TWOSOURCE_MAX_PASSAGES, else 500).",
            ),
            column_options,
        ]
    ):
        command = option(command)
    return command


max_claims_option = click.option(
    "--max-claims",
    type=click.IntRange(1),
    default=None,
    help="Check at most this many check-worthy claims, the most check-worthy first; the rest are listed as not "
    "checked (default: $TWOSOURCE_MAX_CLAIMS, else 100).",
)


def columns_given(columns: dict[str, str | None]) -> Any:
    """The ``Columns`` named by the column options' values (``text_column=...`` and its siblings)."""
    from ..read.collection import Columns

    return Columns(**{k.removesuffix("_column"): v for k, v in columns.items()})


def finish_ingest(summary: Any) -> None:
    """Print an ingest's rejections (on standard error) and its summary line; exit as the rejections say."""
    from ..errors import one_line

    for rejection in summary.rejected:
        click.echo(one_line(f"rejected: {rejection.origin}: {rejection.reason}"), err=True)
    click.echo(one_line(summary.line()))
    if summary.rejected:
        # As trafilatura's CLI: 1 when some inputs failed, 126 when (nearly) all did.
        sys.exit(126 if summary.added + summary.duplicates == 0 else 1)
