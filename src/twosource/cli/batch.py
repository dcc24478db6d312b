"""``twosource batch``: ingest and check on Spark (the ``spark`` extra); parsing only, the work is in ``spark``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..settings import DEFAULT_SPARK_MASTER
from .options import (
    columns_given,
    finish_ingest,
    index_option,
    ingest_input_options,
    max_claims_option,
    outlets_option,
    stderr_progress,
)

master_option = click.option(
    "--master",
    default=DEFAULT_SPARK_MASTER,
    show_default=True,
    help="Spark's master: local[N] runs N tasks at once on this machine, spark://HOST:PORT on a cluster.",
)
partitions_option = click.option(
    "--partitions",
    type=click.IntRange(1),
    default=None,
    help="Partitions to cut the work into (default: four per core of the master).",
)


@click.group("batch")
def batch_group() -> None:
    """Ingest and check many articles in parallel on Spark (pip install 'twosource[spark]')."""


@batch_group.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@index_option
@master_option
@partitions_option
@ingest_input_options
def batch_ingest(
    paths: tuple[str, ...],
    index_path: str | None,
    master: str,
    partitions: int | None,
    outlet: str,
    fmt: str,
    encoding: str | None,
    max_passages: int | None,
    **columns: str | None,
) -> None:
    """Add the articles in files, folders, CSV and JSON(L) collections and WARC archives to the index, read,
    embedded and fingerprinted in partitions on Spark's executors: the same articles and copy clusters as
    `twosource ingest` of the same input. A large collection is split over several tasks by record.

    Already indexed texts are skipped, so a failed batch is resumed by running it again.

    Example: twosource batch ingest CC-NEWS/*.warc.gz --index postgresql://news@db/news --master spark://head:7077
    """
    from ..settings import default_index_path, default_max_passages
    from ..spark import IngestJob, batch_ingest, require_spark

    require_spark()
    job = IngestJob(
        index=str(index_path or default_index_path()),
        fmt=fmt,
        columns=columns_given(columns),
        outlet=outlet,
        encoding=encoding,
        max_passages=max_passages or default_max_passages(),
    )
    progress, update = stderr_progress("ingesting")
    with progress:
        summary = batch_ingest(list(paths), job, master=master, partitions=partitions, progress=update)
    finish_ingest(summary)


@batch_group.command("check")
@click.argument("articles", nargs=-1, required=True)
@index_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="The JSON Lines file to write: one report (as check --format json gives it) per article, in order.",
)
@master_option
@partitions_option
@click.option("--encoding", default=None, help="Text encoding of the articles (default: detected).")
@outlets_option
@max_claims_option
def batch_check(
    articles: tuple[str, ...],
    index_path: str | None,
    output: str,
    master: str,
    partitions: int | None,
    encoding: str | None,
    outlets_file: str | None,
    max_claims: int | None,
) -> None:
    """Check each ARTICLE file against the index (the index alone: no live service), in parallel on Spark.

    An article that cannot be checked gets a line {"article": ..., "error": ...} instead of its report, and the
    command ends with status 1.

    Example: twosource batch check stories/*.txt --index postgresql://news@db/news -o reports.jsonl
    """
    from ..settings import default_index_path, default_max_claims
    from ..spark import CheckJob, batch_check, require_spark

    require_spark()
    if not Path(output).resolve().parent.is_dir():
        raise click.BadParameter(f"no folder {Path(output).parent} to write {Path(output).name} in", param_hint="-o")
    job = CheckJob(
        index=str(index_path or default_index_path()),
        encoding=encoding,
        max_claims=max_claims or default_max_claims(),
        outlets_file=outlets_file,
    )
    progress, update = stderr_progress("checking")
    with progress:
        failed = batch_check(list(articles), job, Path(output), master=master, partitions=partitions, progress=update)
    written = len(articles) - failed
    click.echo(f"{written} reports written to {output}; {failed} articles could not be checked", err=True)
    if failed:
        sys.exit(1)
