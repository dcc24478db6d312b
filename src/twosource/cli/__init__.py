"""The command line: parse, call one library function, render. No logic of its own."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from ..errors import TwosourceError, one_line
from ..report import FORMATS

_log = logging.getLogger(__name__)

index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False),
    envvar="TWOSOURCE_INDEX",
    help="Index file (default: $TWOSOURCE_INDEX, else index.sqlite in the user data directory).",
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


def _fetch_policy(allow: tuple[str, ...]) -> Any:
    import ipaddress

    from ..fetch import FetchPolicy, user_agent
    from ..settings import contact, default_max_bytes

    for network in allow:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--allow") from None
    return FetchPolicy(max_bytes=default_max_bytes(), allow=allow, user_agent=user_agent(contact()))


def _given_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
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


def _live_sources(offline: bool, gdelt: bool, wikipedia: bool, fact_checks: bool, allow: tuple[str, ...]) -> Any:
    from dataclasses import replace

    from ..live import LiveSources
    from ..settings import factcheck_key

    if offline:
        return None
    live = LiveSources(gdelt=gdelt, wikipedia=wikipedia, factcheck_key=factcheck_key() if fact_checks else "")
    fetching = _fetch_policy(allow)
    policy = replace(live.policy, allow=fetching.allow, user_agent=fetching.user_agent)
    return replace(live, policy=policy) if live.any else None


class _InternalError(click.ClickException):
    exit_code = 70  # EX_SOFTWARE: a defect of twosource, not a fault of the input


class _Twosource(click.Group):
    """The CLI's one error boundary: whatever a command raises ends as one line on standard error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TwosourceError as exc:  # raised on purpose: status 1
            raise click.ClickException(one_line(str(exc))) from exc
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


def _stderr_progress(label: str) -> tuple[Any, Callable[..., None]]:
    """Return a progress display on standard error and ``update(done, total, stage=None)`` to move it.

    A bar on a terminal; elsewhere (a log file, CI) a plain line per stage and per tenth of the way.
    """
    from contextlib import nullcontext

    if not sys.stderr.isatty():
        last: dict[str, int] = {}

        def log(done: int, total: int, stage: str | None = None) -> None:
            name = stage or label
            tenth = done * 10 // total if total else 0
            if last.get(name) != tenth:
                last[name] = tenth
                click.echo(f"{name}: {done:,}/{total:,}" if total else name, err=True)

        return nullcontext(), log

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = progress.add_task(label, total=None)

    def update(done: int, total: int, stage: str | None = None) -> None:
        progress.update(task, completed=done, total=total or None, description=stage or label)

    return progress, update


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
@click.option("--outlet", default="", help="Outlet of every article ingested (overrides the data).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "text", "html", "csv", "json", "jsonl", "warc"]),
    default="auto",
    help="Input format (default: from each file's extension).",
)
@click.option("--encoding", default=None, help="Text encoding of the inputs (default: detected), e.g. latin-1.")
@click.option(
    "--max-passages",
    type=click.IntRange(1),
    default=None,
    help="Index at most this many passages of an article (about 60 words each); a longer text is searched by its "
    "first ones only (default: $TWOSOURCE_MAX_PASSAGES, else 500).",
)
@click.option("--text-column", default=None, help="CSV/JSON field holding the article text.")
@click.option("--title-column", default=None, help="CSV/JSON field holding the title.")
@click.option("--outlet-column", default=None, help="CSV/JSON field holding the outlet.")
@click.option("--date-column", default=None, help="CSV/JSON field holding the publication date.")
@click.option("--url-column", default=None, help="CSV/JSON field holding the URL.")
@click.option("--author-column", default=None, help="CSV/JSON field holding the author.")
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
    from ..index import open_index
    from ..ingestion import ingest as run_ingest
    from ..read.collection import Columns

    if not (paths or feeds or sitemaps):
        raise click.UsageError("give files, folders or URLs to ingest, or --feed / --sitemap")
    policy = _fetch_policy(allow)
    index = open_index(index_path)
    progress, update = _stderr_progress("ingesting")
    with progress:
        summary = run_ingest(
            list(paths),
            index,
            fmt=fmt,
            outlet=outlet,
            encoding=encoding,
            columns=Columns(**{k.removesuffix("_column"): v for k, v in columns.items()}),
            feeds=feeds,
            sitemaps=sitemaps,
            policy=policy,
            progress=update,
            max_passages=max_passages,
        )
    index.close()
    for rejection in summary.rejected:
        click.echo(one_line(f"rejected: {rejection.origin}: {rejection.reason}"), err=True)
    click.echo(one_line(summary.line()))
    if summary.rejected:
        # As trafilatura's CLI: 1 when some inputs failed, 126 when (nearly) all did.
        sys.exit(126 if summary.added + summary.duplicates == 0 else 1)


@cli.command()
@click.argument("article")
@index_option
@allow_option
@click.option("--outlet", default="", help="The article's outlet (its own reports never count as corroboration).")
@click.option("--url", default="", help="The article's URL.")
@click.option(
    "--date",
    default=None,
    callback=_given_date,
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
@click.option(
    "--max-claims",
    type=click.IntRange(1),
    default=None,
    help="Check at most this many check-worthy claims, the most check-worthy first; the rest are listed as not "
    "checked (default: $TWOSOURCE_MAX_CLAIMS, else 100).",
)
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
    from ..index import open_index
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
    source = read_article(article, outlet=outlet, url=url, date=date, encoding=encoding, policy=_fetch_policy(allow))
    index = open_index(index_path, create=False)
    progress, update = _stderr_progress("checking")
    with progress:
        report = run_check(
            source,
            index,
            progress=lambda stage, done, total: update(done, total, stage),
            live=_live_sources(offline, gdelt, wikipedia, fact_checks, allow),
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
    from ..web.app import LOOPBACK_HOSTS, run

    if host not in LOOPBACK_HOSTS and not token:
        click.echo(f"warning: listening on {host} without --token: anyone who reaches it can use it", err=True)
    live = _live_sources(offline, gdelt, wikipedia, fact_checks, ())
    run(
        index_path or default_index_path(),
        host=host,
        port=port,
        token=token,
        live=live,
        fetch_policy=_fetch_policy(()),
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
    from ..index import open_index
    from ..ingestion.courtesy import Courtesy
    from ..ingestion.watch import read_feed_list, seconds
    from ..ingestion.watch import watch as run_watch

    policy = _fetch_policy(allow)
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

    from ..index import open_index

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


@cli.group("eval")
def eval_group() -> None:
    """Score twosource's stages on public benchmarks."""


def fnc_options(predictions_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The options every FNC-1 benchmark takes: the two CSV files, a predictions file and --json."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(
            [
                click.option(
                    "--bodies",
                    required=True,
                    type=click.Path(exists=True, dir_okay=False),
                    help="FNC-1 bodies CSV (Body ID, articleBody).",
                ),
                click.option(
                    "--stances",
                    required=True,
                    type=click.Path(exists=True, dir_okay=False),
                    help="FNC-1 stances CSV (Headline, Body ID, and Stance when labelled).",
                ),
                click.option("--predictions", type=click.Path(dir_okay=False), default=None, help=predictions_help),
                click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object."),
            ]
        ):
            command = option(command)
        return command

    return decorate


def _with_progress(label: str, work: Callable[[Callable[[str, int, int], None]], Any]) -> Any:
    # Runs long library work with progress on standard error; its errors become one line and exit status 1.
    progress, update = _stderr_progress(label)
    with progress:
        return work(lambda stage, done, total: update(done, total, stage))


def _run_benchmark(evaluate: Callable[..., Any], predictions: str | None) -> Any:
    # Runs one benchmark (``evaluate(progress=...)``); returns its scores, or None for unlabelled input.
    scores = _with_progress("evaluating", lambda progress: evaluate(progress=progress))
    if predictions:
        click.echo(f"predictions written to {predictions}", err=True)
    return scores


def shared_data_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The --data option of the benchmarks built from ../shared/data."""
    return click.option(
        "--data",
        type=click.Path(exists=True, file_okay=False),
        default="../shared/data",
        show_default=True,
        help=help_text,
    )


@eval_group.command("retrieval")
@fnc_options("Write Headline,Body ID,rank,score for the top 50 bodies of every headline.")
def eval_retrieval(bodies: str, stances: str, predictions: str | None, as_json: bool) -> None:
    """Score the retrieve stage on FNC-1: each headline a query, all bodies the collection.

    Example: twosource eval retrieval --bodies train_bodies.csv --stances train_stances.csv
    """
    from ..evaluate.retrieval import evaluate_retrieval

    scores = _run_benchmark(partial(evaluate_retrieval, bodies, stances, predictions=predictions), predictions)
    if scores is None:
        return
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
    else:
        click.echo(
            f"queries {scores.queries}  MAP {scores.map:.3f}  R-precision {scores.r_precision:.3f}  "
            f"recall@10 {scores.recall_at_10:.3f}"
        )


model_option = click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Stance model folder (default: the model shipped with twosource).",
)


@eval_group.command("stance")
@fnc_options("Write Headline,Body ID,Stance for every pair, in input order.")
@model_option
def eval_stance(bodies: str, stances: str, predictions: str | None, as_json: bool, model_dir: str | None) -> None:
    """Score the stance stage on FNC-1 pairs (headline as claim, body as evidence).

    Without a Stance column, only predicts (use --predictions).

    Example: twosource eval stance --bodies competition_test_bodies.csv --stances competition_test_stances.csv
    """
    from ..evaluate.stance import evaluate_stance

    scores = _run_benchmark(
        partial(evaluate_stance, bodies, stances, predictions=predictions, model_dir=model_dir), predictions
    )
    if scores is None:
        return
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
        return
    _print_stance_scores(scores)


@eval_group.command("claims")
@click.option(
    "--claimbuster",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="ClaimBuster CSV (Sentence_id, Text, and Verdict -1/0/1 when labelled).",
)
@click.option(
    "--clef2019",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="CLEF CheckThat! 2019 Task 1 CSV (line_number, speaker, text, file_name, and label when labelled).",
)
@click.option(
    "--news",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="twosource's news annotations (annotations/news-claims.csv): references into FA-KES and BBC sentences.",
)
@shared_data_option("The shared data folder the --news references point into.")
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write one row per input row: Sentence_id,label,score (ClaimBuster) or file_name,line_number,label,score.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="A claim detector written by 'twosource train claims' (default: the shipped one); not for --news.",
)
def eval_claims(
    claimbuster: str | None,
    clef2019: str | None,
    news: str | None,
    data: str,
    predictions: str | None,
    as_json: bool,
    model_dir: str | None,
) -> None:
    """Score the claims stage: ClaimBuster's classes, CLEF 2019's ranking per debate, or the news annotations.

    Example: twosource eval claims --clef2019 CT19-T1-Test.csv --json
    """
    from ..evaluate.claims import evaluate_claimbuster, evaluate_clef
    from ..evaluate.news import evaluate_news

    if sum(x is not None for x in (claimbuster, clef2019, news)) != 1:
        raise click.UsageError("give one of --claimbuster FILE, --clef2019 FILE or --news FILE")
    if news and (predictions or model_dir):
        raise click.UsageError("--predictions and --model are for --claimbuster and --clef2019")
    if news:
        evaluate: Callable[..., Any] = partial(evaluate_news, news, data)
    else:
        evaluate = partial(
            evaluate_claimbuster if claimbuster else evaluate_clef,
            claimbuster or clef2019,
            model=model_dir,
            predictions=predictions,
        )
    scores = _run_benchmark(evaluate, predictions)
    if scores is None:
        return
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
    elif news:
        result = scores.as_dict()
        click.echo(
            f"sentences {result['sentences']}  check-worthy: precision {result['precision']:.3f}  "
            f"recall {result['recall']:.3f}  F1 {result['f1']:.3f}  type accuracy {result['type_accuracy']:.3f}"
        )
        click.echo("type F1  " + "  ".join(f"{k} {v:.3f}" for k, v in result["type_f1"].items()))
    elif claimbuster:
        _print_claimbuster_scores(scores)
    else:
        _print_ranking_scores(scores)


@eval_group.command("extract")
@click.option(
    "--aeb",
    "aeb_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The Article Extraction Benchmark folder (ground-truth.json and html/<id>.html.gz).",
)
@click.option("--baseline", is_flag=True, help="Score bare trafilatura.extract too, in the same run, for comparison.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Score only the first N pages (in id order).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def eval_extract(aeb_dir: str, baseline: bool, limit: int | None, as_json: bool) -> None:
    """Score the reader's article extraction from HTML on AEB (shingle precision, recall, F1 and pages/s).

    Example: twosource eval extract --aeb ../shared/data/aeb --baseline
    """
    from ..evaluate.extract import HALVES, evaluate_extraction

    report = _with_progress(
        "evaluating", lambda progress: evaluate_extraction(aeb_dir, baseline=baseline, limit=limit, progress=progress)
    )
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    runs = [("reader", report.reader)] + ([("trafilatura", report.baseline)] if report.baseline else [])
    for name, scores in runs:
        for part in ("all", *HALVES):
            s = scores[part]
            click.echo(
                f"{name:<12} {part:<4} pages {s.pages:3d}  F1 {s.f1:.3f}  precision {s.precision:.3f}  "
                f"recall {s.recall:.3f}  {s.pages_per_second:.1f} pages/s"
            )
    if report.baseline:
        click.echo(f"reader speed / trafilatura speed {report.as_dict()['speed_ratio']:.2f}")


@eval_group.command("copies")
@shared_data_option("The shared data folder: FA-KES, the BBC corpus, FNC-1 and AEB are read from it.")
@click.option("--seed", type=int, default=12, show_default=True, help="The benchmark is the same for the same seed.")
@click.option(
    "--bases",
    type=click.IntRange(3),
    default=600,
    show_default=True,
    help="Articles to derive excerpts, rewrites and reprints from (spread evenly over the three corpora).",
)
@click.option(
    "--pairs",
    "pairs_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every labelled pair: a,b,kind,half,gold_copy,called_copy,words,share.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def eval_copies(data: str, seed: int, bases: int, pairs_out: str | None, as_json: bool) -> None:
    """Score copy detection on a benchmark built from real articles: excerpts in other pages' furniture, rewrites,
    reprints under sibling hosts and credits, the corpora's own copies; and reports of one event, shared passages
    and shared quotes that must stay apart.

    Example: twosource eval copies --data ../shared/data
    """
    from ..evaluate.copies import evaluate_copies

    report = _run_benchmark(partial(evaluate_copies, data, seed=seed, bases=bases, pairs_out=pairs_out), pairs_out)
    result = report.as_dict()
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(
        f"documents {result['documents']:,}  labelled pairs {result['pairs']:,} ({result['positives']:,} copies)  "
        f"{result['documents_per_second']:.0f} documents/s"
    )
    for half, scores in [("all", result), *result["halves"].items()]:
        click.echo(
            f"{half:<5} precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  ARI {scores['ari']:.3f}"
        )
    click.echo(f"precision against reports of one event {result['same_event_precision']:.3f}")
    for title, key, measure in [
        ("recall by kind of copy", "recall_by_kind", "recall"),
        ("recall by excerpt length (words)", "recall_by_excerpt_words", "recall"),
        ("recall by excerpt share of its original", "recall_by_excerpt_share", "recall"),
        ("called copies, by kind of non-copy", "false_copy_rate", "rate"),
    ]:
        click.echo(title)
        for name, row in result[key].items():
            value = f"{row[measure]:.4f}" if row["pairs"] else "-"
            click.echo(f"  {name:<16} {value:>6}  of {row['pairs']:,}")
    click.echo(
        f"left out: {result['unlabelled_natural_pairs']:,} natural pairs between copy and not (30-80% aligned); "
        f"{result['excerpts_lost_by_reader']} excerpts the reader lost, {result['pages_discarded']} pages discarded, "
        f"{result['rejected_by_reader']} pages refused"
    )


def wice_option(
    name: str, help_text: str, *, required: bool = True
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A WiCE file option of eval support and train support."""
    return click.option(name, required=required, type=click.Path(exists=True, dir_okay=False), help=help_text)


@eval_group.command("support")
@wice_option(
    "--wice",
    "A WiCE claim-level JSONL file (claim, evidence sentences, meta.id, and label when labelled).",
    required=False,
)
@wice_option(
    "--words",
    "Instead, a WiCE file of sub-claims with their unbacked words marked (non_supported_tokens_dev.jsonl): "
    "score the word judge.",
    required=False,
)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write id,label,score for every claim (score: the probability that the page supports all of it).",
)
@click.option(
    "--folds",
    type=click.IntRange(2),
    default=None,
    help="Train and score the judge by cross-validation in this many folds, grouped by page (the honest figure "
    "on the split the shipped judge learnt from).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def eval_support(
    wice: str | None, words: str | None, predictions: str | None, folds: int | None, as_json: bool
) -> None:
    """Score the judgement of support on WiCE: real Wikipedia claims against the pages they cite, each claim
    supported, partially supported or not supported by its page; or (--words) the words of sub-claims the page
    leaves unbacked.

    Without labels, only predicts (use --predictions).

    Example: twosource eval support --wice ../shared/data/wice/dev.jsonl --folds 5
    """
    from ..evaluate.support import evaluate_support, evaluate_words

    if bool(wice) == bool(words):
        raise click.UsageError("give one of --wice and --words")
    if words:
        marked = evaluate_words(words)  # no model to load but numbers, and no embedding: a second or two
        if as_json:
            click.echo(json.dumps(marked.as_dict()))
            return
        click.echo(
            f"sub-claims {marked.claims}  words {marked.words}  unbacked words: precision {marked.precision:.3f}  "
            f"recall {marked.recall:.3f}  F1 {marked.f1:.3f}"
        )
        return
    scores = _run_benchmark(partial(evaluate_support, wice, folds=folds, predictions_out=predictions), predictions)
    if scores is None:
        return
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
        return
    _print_support_scores(scores, f"claims {scores.claims}")


def _print_support_scores(scores: Any, heading: str) -> None:
    click.echo(
        f"{heading}  accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}  "
        f"supported precision {scores.supported_precision:.3f}  "
        f"not supported called supported {scores.false_support_rate:.1%}  "
        f"calibration error {scores.calibration_error:.3f}"
    )
    _print_class_table(scores)


def _print_claimbuster_scores(scores: Any) -> None:
    result = scores.as_dict()  # rounded as the model card rounds, so the two print the same figures
    click.echo(f"sentences {scores.sentences}  CFS F1 {result['cfs_f1']:.3f}  macro-F1 {result['macro_f1']:.3f}")
    _print_class_table(scores.scores)


def _print_class_table(scores: Any) -> None:
    """Print precision, recall and F1 per label of ClassScores."""
    width = max(len(label) for label in scores.f1) + 2
    click.echo(f"{'':{width}} {'precision':>9} {'recall':>9} {'F1':>9}")
    result = scores.as_dict()  # rounded as the model cards round
    for label in scores.f1:
        p, r, f1 = (result[k][label] for k in ("precision", "recall", "f1"))
        click.echo(f"{label:{width}} {p:9.3f} {r:9.3f} {f1:9.3f}")


def _print_ranking_scores(scores: Any) -> None:
    click.echo(
        f"debates {scores.debates}  MAP {scores.map:.3f}  R-precision {scores.r_precision:.3f}  "
        + "  ".join(f"P@{k} {v:.3f}" for k, v in scores.p_at.items())
    )


def _print_stance_scores(scores: Any) -> None:
    from ..stance.model import LABELS

    click.echo(
        f"pairs {scores.pairs}  FNC score {scores.fnc_raw:.2f} of {scores.fnc_max:.2f} "
        f"= {scores.fnc_relative:.2%}  accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}"
    )
    _print_class_table(scores)
    click.echo("confusion (rows gold, columns predicted)")
    click.echo(f"{'':10}" + "".join(f"{label:>10}" for label in LABELS))
    for gold in LABELS:
        click.echo(f"{gold:10}" + "".join(f"{scores.confusion[gold][p]:10d}" for p in LABELS))


model_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the model (default: the model shipped with twosource, replaced).",
)


@cli.group("train")
def train_group() -> None:
    """Train twosource's models from public data (../shared/data)."""


@train_group.command("stance")
@click.option(
    "--fnc1",
    "fnc1_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder with FNC-1's train_bodies.csv and train_stances.csv.",
)
@model_output_option
@click.option(
    "--split",
    type=click.Choice(["bodies", "stories"]),
    default="bodies",
    help="Hold out a fifth of the bodies (default; the shipped model) or of the stories (claims and bodies unseen).",
)
@click.option("--rounds", type=click.IntRange(1), default=None, help="Boosting rounds (default 400).")
def train_stance(fnc1_dir: str, output: str | None, split: str, rounds: int | None) -> None:
    """Train the stance model on FNC-1, holding a fifth out, and print its scores on that fifth.

    Example: twosource train stance --fnc1 ../shared/data/fnc1 -o stance-model
    """
    from ..stance.model import BOOSTER_ROUNDS, DEFAULT_MODEL
    from ..training import train_stance as train

    _, scores = _with_progress(
        "training",
        lambda progress: train(
            fnc1_dir, output or DEFAULT_MODEL, split=split, rounds=rounds or BOOSTER_ROUNDS, progress=progress
        ),
    )
    click.echo(f"model written to {output or DEFAULT_MODEL}", err=True)
    click.echo(f"held-out {split}:")
    _print_stance_scores(scores)


@train_group.command("support")
@wice_option("--wice", "A labelled WiCE claim-level JSONL file (../shared/data/wice/dev.jsonl).")
@wice_option(
    "--words",
    "WiCE sub-claims with their unbacked words marked, to train the word judge on "
    "(../shared/data/wice/non_supported_tokens_train.jsonl).",
)
@wice_option("--words-dev", "Such a file to score the word judge on, for its card.", required=False)
@model_output_option
@click.option("--folds", type=click.IntRange(2), default=5, show_default=True, help="Cross-validation folds.")
def train_support(wice: str, words: str, words_dev: str | None, output: str | None, folds: int) -> None:
    """Train the support judge on WiCE's claims and the word judge on its marked sub-claims; print the support
    judge's scores cross-validated by page.

    Example: twosource train support --wice ../shared/data/wice/dev.jsonl
    --words ../shared/data/wice/non_supported_tokens_train.jsonl -o support-model
    """
    from ..stance.support import DEFAULT_MODEL
    from ..training import train_support as train

    target = output or DEFAULT_MODEL.parent
    scores = _with_progress(
        "training",
        lambda progress: train(wice, words, target, words_dev=words_dev, folds=folds, progress=progress),
    )
    click.echo(f"model written to {target}", err=True)
    _print_support_scores(scores, "cross-validated by page:")


@train_group.command("claims")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder with claimbuster/crowdsourced.csv and, to score on, clef2019/CT19-T1-Training.csv.",
)
@model_output_option
@click.option("--epochs", type=click.IntRange(1), default=None, help="Passes over the training sentences (default 2).")
def train_claims(data_dir: str, output: str | None, epochs: int | None) -> None:
    """Fine-tune the claim detector on ClaimBuster, holding a fifth of the debates out, and print its scores.

    Example: twosource train claims --data ../shared/data/checkworthy -o claims-model
    """
    from ..claims.detector import DEFAULT_MODEL
    from ..training import train_claims as train

    scores, ranking = _with_progress(
        "training", lambda progress: train(data_dir, output, epochs=epochs, progress=progress)
    )
    click.echo(f"model written to {output or DEFAULT_MODEL}", err=True)
    click.echo("held-out debates:")
    _print_claimbuster_scores(scores)
    if ranking:
        click.echo("CLEF 2019 training debates, less those that are ClaimBuster debates too:")
        _print_ranking_scores(ranking)


def main() -> None:
    from ..logs import log_to_stderr

    log_to_stderr()
    cli()
