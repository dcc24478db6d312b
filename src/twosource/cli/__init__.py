"""The command line: parse, call one library function, render. No logic of its own."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import TwosourceError, one_line
from ..report import FORMATS
from .batch import batch_group
from .lab import eval_group
from .options import (
    allow_option,
    checked_date,
    columns_given,
    fetch_policy,
    finish_ingest,
    index_option,
    ingest_input_options,
    live_options,
    live_sources,
    max_claims_option,
    outlets_option,
    stderr_progress,
)
from .train import train_group

_log = logging.getLogger(__name__)


class _InternalError(click.ClickException):
    exit_code = 70  # EX_SOFTWARE: a defect of twosource, not a fault of the input


class _Twosource(click.Group):
    """The CLI's one error boundary: whatever a command raises ends as one line on standard error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TwosourceError as exc:  # raised on purpose: its own status (1)
            failure = click.ClickException(one_line(str(exc)))
            failure.exit_code = exc.exit_code
            raise failure from exc
        except OSError as exc:  # a file that cannot be read or written
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(one_line(f"{where}{exc.strerror or exc}")) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("TWOSOURCE_DEBUG"):
                raise
            _log.debug("internal error", exc_info=exc)
            raise _InternalError(
                one_line(f"internal error ({type(exc).__name__}: {exc}); TWOSOURCE_DEBUG=1 shows the traceback")
            ) from exc


@click.group(cls=_Twosource)
@click.version_option(package_name="twosource")
def cli() -> None:
    """Tell which claims of a news article independent sources back, contradict, or leave alone."""


@cli.command()
@click.argument("paths", nargs=-1)
@index_option
@click.option("--feed", "feeds", multiple=True, metavar="URL|FILE", help="An RSS or Atom feed: ingest its entries.")
@click.option("--sitemap", "sitemaps", multiple=True, metavar="URL|FILE", help="A sitemap (or news sitemap, or index).")
@allow_option
@ingest_input_options
def ingest(
    paths: tuple[str, ...],
    index_path: str | None,
    feeds: tuple[str, ...],
    sitemaps: tuple[str, ...],
    allow: tuple[str, ...],
    outlet: str,
    fmt: str,
    encoding: str | None,
    max_passages: int | None,
    **columns: str | None,
) -> None:
    """Add articles to the index: files, folders (recursively), CSV and JSON(L) collections, WARC archives
    (.warc, .warc.gz), web pages by URL, and the entries of feeds and sitemaps.

    Already indexed texts (and URLs) are skipped, so an interrupted ingest is resumed by running it again.
    Pages are fetched from public addresses only, honouring robots.txt, a second apart per site.

    Examples: twosource ingest FA-KES-Dataset.csv --encoding latin-1 --title-column article_title;
    twosource ingest --feed https://example.com/rss.xml
    """
    from .. import open_index
    from ..ingestion import ingest as run_ingest

    if not (paths or feeds or sitemaps):
        raise click.UsageError("give files, folders or URLs to ingest, or --feed / --sitemap")
    policy = fetch_policy(allow)
    index = open_index(index_path)
    progress, update = stderr_progress("ingesting")
    with progress:
        summary = run_ingest(
            list(paths),
            index,
            fmt=fmt,
            outlet=outlet,
            encoding=encoding,
            columns=columns_given(columns),
            feeds=feeds,
            sitemaps=sitemaps,
            policy=policy,
            progress=update,
            max_passages=max_passages,
        )
    index.close()
    finish_ingest(summary)


@cli.command()
@click.argument("article")
@index_option
@allow_option
@click.option("--outlet", default="", help="The article's outlet (its own reports never count as corroboration).")
@click.option("--url", default="", help="The article's URL.")
@click.option(
    "--date",
    default=None,
    callback=checked_date,
    help="The article's publication date (YYYY-MM-DD).",
)
@click.option("--encoding", default=None, help="Text encoding of the article (default: detected).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal")
@outlets_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@max_claims_option
@live_options
def check(
    article: str,
    index_path: str | None,
    allow: tuple[str, ...],
    outlet: str,
    url: str,
    date: str | None,
    encoding: str | None,
    fmt: str,
    outlets_file: str | None,
    output: str | None,
    max_claims: int | None,
    offline: bool,
    gdelt: bool,
    wikipedia: bool,
    fact_checks: bool,
) -> None:
    """Check ARTICLE (a path, a URL, or - for standard input) against the index and print the report.

    Besides the index, live services are asked unless --offline: GDELT for news (cached into the index),
    Wikipedia for background, Google Fact Check Tools for existing fact-checks (with $TWOSOURCE_FACTCHECK_KEY).
    One that cannot be reached leaves a note in the report.

    Example: twosource check story.html --outlet "Example News" --format html -o report.html
    """
    from .. import open_index
    from ..outlets import load_outlets
    from ..pipeline import check as run_check
    from ..pipeline import store_report
    from ..read import read_article
    from ..report import render
    from ..settings import default_max_claims

    if output and not Path(output).resolve().parent.is_dir():
        # Said before the check runs, not after its minutes are spent.
        raise click.BadParameter(f"no folder {Path(output).parent} to write {Path(output).name} in", param_hint="-o")
    outlets = load_outlets(outlets_file)
    source = read_article(article, outlet=outlet, url=url, date=date, encoding=encoding, policy=fetch_policy(allow))
    index = open_index(index_path, create=False)
    progress, update = stderr_progress("checking")
    with progress:
        report = run_check(
            source,
            index,
            progress=update,
            live=live_sources(offline, gdelt, wikipedia, fact_checks, allow),
            outlets=outlets,
            max_claims=max_claims or default_max_claims(),
        )
    store_report(report, index)
    index.close()
    interactive = output is None and sys.stdout.isatty()
    text = render(
        report, fmt, color=interactive and fmt == "terminal", width=click.get_terminal_size()[0] if interactive else 100
    )
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"report written to {output}", err=True)
    else:
        click.echo(text)


@cli.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    envvar="TWOSOURCE_TOKEN",
    default=None,
    help="Require 'Authorization: Bearer TOKEN' on every request but /api/health (default: $TWOSOURCE_TOKEN).",
)
@outlets_option
@live_options
def serve(
    index_path: str | None,
    host: str,
    port: int,
    token: str | None,
    outlets_file: str | None,
    offline: bool,
    gdelt: bool,
    wikipedia: bool,
    fact_checks: bool,
) -> None:
    """Serve the web app and the JSON API (its OpenAPI schema at /openapi.json) over the index.

    Checks ask the live services as `check` does, unless --offline.

    Example: twosource serve --index news.sqlite --port 8000
    """
    from ..outlets import load_outlets
    from ..settings import default_index_path
    from ..web import LOOPBACK_HOSTS, run

    if host not in LOOPBACK_HOSTS and not token:
        click.echo(f"warning: listening on {host} without --token: anyone who reaches it can use it", err=True)
    live = live_sources(offline, gdelt, wikipedia, fact_checks, ())
    run(
        index_path or default_index_path(),
        host=host,
        port=port,
        token=token,
        live=live,
        fetch_policy=fetch_policy(()),
        outlets=load_outlets(outlets_file),
    )


@cli.command()
@click.argument("feeds_file", type=click.Path(exists=True, dir_okay=False))
@index_option
@allow_option
@click.option("--every", default="15m", show_default=True, help="How often to poll the feeds: 30s, 15m, 1h.")
@click.option("--rounds", type=click.IntRange(min=1), default=None, help="Stop after this many rounds.")
@click.option("--delay", type=float, default=1.0, show_default=True, help="Seconds between requests to one site.")
def watch(
    feeds_file: str, index_path: str | None, allow: tuple[str, ...], every: str, rounds: int | None, delay: float
) -> None:
    """Keep the index current from the feeds listed in FEEDS_FILE (one URL a line), until interrupted.

    Each round fetches every feed conditionally (ETag, Last-Modified), ingests the new entries politely
    (robots.txt, DELAY seconds apart per site) and logs a line. Stopped mid-round, the next run resumes.
    """
    from .. import open_index
    from ..ingestion.courtesy import Courtesy
    from ..ingestion.watch import read_feed_list, seconds
    from ..ingestion.watch import watch as run_watch

    policy = fetch_policy(allow)
    feeds, interval = read_feed_list(feeds_file), seconds(every)
    index = open_index(index_path)
    click.echo(f"watching {len(feeds)} feeds every {every}; Ctrl-C stops", err=True)
    try:
        run_watch(
            feeds,
            index,
            every=interval,
            rounds=rounds,
            courtesy=Courtesy(policy, delay),
            log=lambda line: click.echo(one_line(line), err=True),
        )
    except KeyboardInterrupt:
        click.echo("stopped; the next run resumes where this one left off", err=True)
    finally:
        index.close()


@cli.group("index")
def index_group() -> None:
    """Inspect the index."""


@index_group.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def index_stats(index_path: str | None, as_json: bool) -> None:
    """Print counts of articles, outlets, copy clusters, the date range and the size on disk."""
    from dataclasses import asdict

    from .. import open_index

    index = open_index(index_path, create=False)
    stats = index.stats()
    index.close()
    if as_json:
        click.echo(json.dumps(asdict(stats), indent=2))
        return
    click.echo(f"index       {stats.location}")
    click.echo(f"articles    {stats.articles:,} ({stats.passages:,} passages)")
    click.echo(
        f"outlets     {len(stats.outlets)}: " + ", ".join(f"{o or '(none)'} {n}" for o, n in stats.outlets.items())
    )
    click.echo(
        f"clusters    {stats.clusters:,} copy clusters, {stats.multi_article_clusters:,} with more than one article"
    )
    click.echo(f"dates       {stats.earliest or '-'} to {stats.latest or '-'} ({stats.undated:,} undated)")
    click.echo(f"size        {stats.size_bytes / 1e6:.1f} MB on disk; {stats.reports} stored reports")


cli.add_command(batch_group)
cli.add_command(eval_group)
cli.add_command(train_group)


def main() -> None:
    from ..logs import log_to_stderr

    log_to_stderr()
    cli()
