"""Batch work on Spark (``twosource batch``): ingest and check many articles in partitions, on executors.

pyspark (the ``spark`` extra) is imported here only, when a batch job starts: ``import twosource`` and every other
command never load it.

A batch ingest runs in four steps:

read      The input is planned into splits (``plan_splits``): a file per split when there are files enough for
          the partitions asked, else each collection is cut into ranges of record ordinals (CSV rows, JSON(L)
          records, WARC responses). A task builds articles for its range only; the file's cheap parse is repeated
          by each task of it (CSV fields hold newlines, so a byte range cannot be cut safely, and a gzip stream has
          no index), the costly work (extraction, embedding) is not.
prepare   A text repeated in the input is found by a distributed group-by on content hashes (its first record
          wins); each partition opens the index once, drops the texts it holds, embeds, hashes and fingerprints the
          rest (``prepare_batch``), the models loaded once per Python worker, and looks each up among the index's
          texts for copies.
copies    The input's texts are joined on their fingerprints: each meets the earlier texts of the input that the
          index's postings would have shown it, had the input been added in order, and the best of them are
          shipped to it (see "The copy join" below).
write     One task adds the prepared articles in input order, each just after its input candidates, which it
          compares; the index's and the input's copies are ranked together as ``add_batch`` ranks them, so the
          clusters come out as ``twosource ingest`` makes them, and the writer only merges clusters. Writes are
          keyed by content hash, so a retried task adds nothing twice.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import os
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import TwosourceError, one_line
from .index import Index, dedup, open_index
from .index.base import PreparedArticle
from .index.dedup import CopyMatch, CopyText, content_hash
from .ingestion.batch import BATCH_SIZE, IngestSummary, add_prepared, prepare_batch
from .models import EMBEDDER
from .outlets import Outlets, load_outlets, name_key
from .pipeline import check, store_report
from .read import read_article
from .read.collection import Columns, count_records, file_kind, input_files, iter_articles
from .settings import DEFAULT_MAX_CLAIMS, DEFAULT_MAX_PASSAGES, DEFAULT_SPARK_MASTER, ReadLimits, is_postgres_address
from .types import Article, Progress, Rejection

if TYPE_CHECKING:
    from pyspark import RDD, Broadcast, SparkContext

#: Partitions per core when none are asked for: small tasks even out articles of unequal lengths.
PARTITIONS_PER_CORE = 4
#: Set to a file's path, the first write task to find no such file makes it and fails after its first batch: the
#: tests' proof that a retried task adds nothing twice.
FAULT_VARIABLE = "TWOSOURCE_SPARK_FAULT"
#: Spark's own logging, errors only: its INFO and WARN lines would drown the progress and the summary (the shell's
#: logger too: pyspark runs as a shell, whose level Spark sets to WARN unless its gateway's logger is configured).
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n
logger.shell.name = org.apache.spark.api.python.PythonGatewayServer
logger.shell.level = error
"""

#: An item's place in the input: (split number, position in the split).
Ordinal = tuple[int, int]
Item = TypeVar("Item")


def require_spark() -> None:
    """Refuse at once, in one line, where the ``spark`` extra is missing."""
    if importlib.util.find_spec("pyspark") is None:
        raise TwosourceError("batch work needs pyspark, which the runtime leaves out: pip install 'twosource[spark]'")


@contextmanager
def spark_context(master: str, app: str) -> Iterator[SparkContext]:
    """Start Spark on ``master`` (``local[N]`` on this machine, ``spark://host:port`` on a cluster); stop it after."""
    require_spark()
    from pyspark import SparkConf, SparkContext

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this interpreter, where twosource is installed
    conf = SparkConf().setMaster(master).setAppName(app)
    conf.set("spark.ui.enabled", str(not master.startswith("local")).lower())  # a cluster's operators want it
    conf.set("spark.ui.showConsoleProgress", "false")  # the command shows its own
    conf.set("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_log_settings()}")
    for name, value in _executor_environment().items():
        conf.setExecutorEnv(name, value)
    context = SparkContext(conf=conf)
    context.setLogLevel("ERROR")
    try:
        yield context
    finally:
        context.stop()


def _log_settings() -> Path:
    path = Path(tempfile.gettempdir()) / "twosource-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J2:
        path.write_text(_LOG4J2)
    return path


def _executor_environment() -> dict[str, str]:
    # An executor sees the driver's twosource settings; its models run on one core each, as Spark counts a task.
    settings = {name: value for name, value in os.environ.items() if name.startswith("TWOSOURCE_")}
    return {"TWOSOURCE_MODEL_THREADS": "1", **settings}


@contextmanager
def _tasks_progress(context: SparkContext, progress: Progress | None, stage: str) -> Iterator[None]:
    """Report the tasks done of the running stages as ``progress(stage, done, total)`` while inside, twice a second."""
    if progress is None:
        yield
        return
    tracker = context.statusTracker()
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            stages = [info for s in tracker.getActiveStageIds() if (info := tracker.getStageInfo(s))]
            if stages:
                progress(stage, sum(s.numCompletedTasks for s in stages), sum(s.numTasks for s in stages))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        yield
    finally:
        stop.set()
        poller.join()


def _default_partitions(context: SparkContext, partitions: int | None) -> int:
    return partitions or PARTITIONS_PER_CORE * context.defaultParallelism


def _executor_address(address: str) -> str:
    # Executors may run elsewhere than the driver's folder: a SQLite path is made absolute.
    return address if is_postgres_address(address) else str(Path(address).expanduser().resolve())


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# -- ingest -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """What one task reads: a file, or (``records``) a range of a collection's record ordinals."""

    path: str
    records: range | None = None


def plan_splits(paths: list[str], partitions: int, fmt: str = "auto", encoding: str | None = None) -> list[Split]:
    """Cut the files under ``paths`` into about ``partitions`` splits, in input order."""
    files = list(input_files(list(paths), fmt))
    if len(files) >= partitions:
        return [Split(str(path)) for path in files]  # no file is counted: a WARC file is read once
    parts = math.ceil(partitions / len(files)) if files else 0
    return [split for path in files for split in _file_splits(path, fmt, encoding, parts)]


def _file_splits(path: Path, fmt: str, encoding: str | None, parts: int) -> list[Split]:
    kind = file_kind(path, fmt)
    count = count_records(path, kind, encoding) if kind in ("csv", "json", "jsonl", "warc") else 0
    if count < 2:  # an article file, or a file read as no collection: whole, so that its rejection is said once
        return [Split(str(path))]
    size = math.ceil(count / min(parts, count))
    return [Split(str(path), range(start, min(start + size, count))) for start in range(0, count, size)]


@dataclass(frozen=True)
class IngestJob:
    """What each task of a batch ingest is told (pickled to the executors with the functions that take it)."""

    index: str
    fmt: str = "auto"
    columns: Columns = field(default_factory=Columns)
    outlet: str = ""
    encoding: str | None = None
    limits: ReadLimits = field(default_factory=ReadLimits.from_env)
    max_passages: int = DEFAULT_MAX_PASSAGES


def batch_ingest(
    paths: list[str],
    job: IngestJob,
    *,
    master: str = DEFAULT_SPARK_MASTER,
    partitions: int | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Add every article under ``paths`` to ``job.index`` with Spark on ``master``, in about ``partitions``
    partitions (default: four per core); the articles, passages and copy clusters come out as ``ingest`` makes
    them from the same input in the same order."""
    job = replace(job, index=_executor_address(job.index))
    with open_index(job.index, embedder=EMBEDDER):
        pass  # the tables are made once, here, rather than raced for by the tasks
    with spark_context(master, "twosource batch ingest") as context:
        splits = plan_splits(paths, _default_partitions(context, partitions), job.fmt, job.encoding)
        numbered = context.parallelize(list(enumerate(splits)), max(1, len(splits)))
        read = numbered.flatMap(partial(_read_split, job)).persist()
        cores = context.defaultParallelism
        with _tasks_progress(context, progress, "reading"):
            repeats = context.broadcast(set(read.flatMap(_hashed).groupByKey(cores).flatMap(_later).collect()))
        prepared = read.mapPartitions(partial(_prepare_partition, job, repeats)).persist()
        with _tasks_progress(context, progress, "embedding"):
            prepared.count()
        read.unpersist()
        # One writer, fed in input order, each text just after the earlier texts of the input it may copy.
        earlier = _input_candidates(prepared, cores).map(_before_later)
        items = prepared.coalesce(cores).map(_after_candidates)
        in_order = earlier.union(items).repartitionAndSortWithinPartitions(1, lambda _: 0)
        with _tasks_progress(context, progress, "finding copies and writing"):
            (summary,) = in_order.mapPartitions(partial(_write_in_order, job)).collect()
        prepared.unpersist()
    return summary


def _read_split(job: IngestJob, numbered: tuple[int, Split]) -> Iterator[tuple[Ordinal, Article | Rejection]]:
    number, split = numbered
    items = iter_articles(
        [split.path],
        fmt=job.fmt,
        columns=job.columns,
        outlet=job.outlet,
        encoding=job.encoding,
        limits=job.limits,
        records=split.records,
    )
    for position, item in enumerate(items):
        yield (number, position), item


def _hashed(entry: tuple[Ordinal, Article | Rejection]) -> list[tuple[str, Ordinal]]:
    ordinal, item = entry
    return [(content_hash(item.text), ordinal)] if isinstance(item, Article) else []


def _later(occurrences: tuple[str, Iterable[Ordinal]]) -> list[Ordinal]:
    return sorted(occurrences[1])[1:]  # every occurrence of a text but its first


@dataclass(frozen=True)
class _StoredCopies:
    """What the index held of a new text's copies when the text was prepared (``dedup.Lookup``), its copies named
    by content hash."""

    postings_read: dict[int, int]
    compared: dict[int, int]
    copies: dict[int, tuple[str, CopyMatch]]  # article id: (content hash, match)


#: A prepared text with its stored copies; a rejection; or None for a text the index holds or the input repeats.
Prepared = tuple[PreparedArticle, _StoredCopies] | Rejection | None


def _prepare_partition(
    job: IngestJob, repeats: Broadcast[set[Ordinal]], entries: Iterator[tuple[Ordinal, Article | Rejection]]
) -> Iterator[tuple[Ordinal, Prepared]]:
    """Each item prepared for the index, and looked up among the index's texts for copies."""
    with open_index(job.index, embedder=EMBEDDER) as index:
        for chunk in _chunks(entries, BATCH_SIZE):
            known = repeats.value
            new = {
                ordinal: item
                for ordinal, item in chunk
                if isinstance(item, Article) and ordinal not in known and not index.contains(content_hash(item.text))
            }
            prepared = prepare_batch(list(new.values()), job.max_passages) if new else []
            ready = {ordinal: (p, _stored_copies(index, p)) for ordinal, p in zip(new, prepared, strict=True)}
            for ordinal, item in chunk:
                yield ordinal, item if isinstance(item, Rejection) else ready.get(ordinal)


def _stored_copies(index: Index, prepared: PreparedArticle) -> _StoredCopies:
    found = index.look_up(prepared.copy, prepared.article.outlet, prepared.article.url)
    hashes = {i: stored.content_hash for i, _ in found.copies if (stored := index.article(i))}
    copies = {i: (hashes[i], match) for i, match in found.copies if i in hashes}
    return _StoredCopies(found.postings_read, found.compared, copies)


# The copy join. A text joins the clusters of the texts before it that it copies or that copy it: those the index
# held (found as each partition prepared its texts) and those earlier in the input, found here by a join on
# fingerprints, so that each text is compared with the candidates ``twosource ingest`` would have shown it, had it
# added the input in order. The data are small beside the embeddings, so the join runs in as many partitions as
# there are cores: each task costs Spark tens of milliseconds, whatever it holds. A text another process adds to
# the index while the job runs is not among the candidates (``twosource ingest`` would have seen it).

#: A text's copy side, as the join ships it: what it compares, its outlet's key, its content hash.
_CopySide = tuple[CopyText, str, str]
#: An earlier text of the input a text is to be compared with: its place, the fingerprints they share, its side.
_Candidate = tuple[Ordinal, int, _CopySide]
#: A text of the input holding a fingerprint, with the index postings its look-up read of that fingerprint.
Holder = tuple[Ordinal, int]


def _input_candidates(prepared: RDD[tuple[Ordinal, Prepared]], partitions: int) -> RDD[tuple[Ordinal, _Candidate]]:
    """For each new text, the earlier texts of the input it is to be compared with."""
    texts = prepared.coalesce(partitions).filter(_is_new)
    holders = texts.flatMap(_fingerprint_holders).groupByKey(partitions)
    best = holders.flatMap(visible_pairs).groupByKey(partitions).flatMap(_best_earlier)
    return best.join(texts.mapValues(_copy_side), partitions).map(_by_later)


def _is_new(entry: tuple[Ordinal, Prepared]) -> bool:
    return isinstance(entry[1], tuple)


def _copy_side(item: tuple[PreparedArticle, _StoredCopies]) -> _CopySide:
    prepared = item[0]
    return prepared.copy, _owner(prepared), prepared.content_hash


def _owner(prepared: PreparedArticle) -> str:
    return name_key(prepared.article.outlet or prepared.article.url)


def _fingerprint_holders(entry: tuple[Ordinal, tuple[PreparedArticle, _StoredCopies]]) -> list[tuple[int, Holder]]:
    ordinal, (prepared, stored) = entry
    return [(f, (ordinal, stored.postings_read.get(f, 0))) for f in prepared.copy.fingerprints]


def visible_pairs(holders: tuple[int, Iterable[Holder]]) -> Iterator[tuple[Ordinal, Ordinal]]:
    """The input texts holding one fingerprint, paired (later, earlier) where the index's postings of it would list
    the earlier for the later had the input been added in order: oldest first, POSTINGS at most, the index's own
    texts (all older) first."""
    ordered = sorted(holders[1])
    room = max(0, dedup.POSTINGS - max(read for _, read in ordered))
    listed = [ordinal for ordinal, _ in ordered[:room]]
    for position, (later, _) in enumerate(ordered):
        for earlier in listed[:position]:
            yield later, earlier


def _best_earlier(entry: tuple[Ordinal, Iterable[Ordinal]]) -> list[tuple[Ordinal, tuple[Ordinal, int]]]:
    # A pair met once per fingerprint the two share. Only a text's CONFIRM best candidates can be compared, whatever
    # the index adds to them.
    later, earlier = entry
    shared = Counter(earlier)
    return [(candidate, (later, shared[candidate])) for candidate in dedup.best_candidates(shared)]


def _by_later(entry: tuple[Ordinal, tuple[tuple[Ordinal, int], _CopySide]]) -> tuple[Ordinal, _Candidate]:
    earlier, ((later, shared), side) = entry
    return later, (earlier, shared, side)


# Sort keys for the writer: a text's candidates (0), then the text (1).
def _before_later(entry: tuple[Ordinal, _Candidate]) -> tuple[tuple[Ordinal, int], _Candidate]:
    return (entry[0], 0), entry[1]


def _after_candidates(entry: tuple[Ordinal, Prepared]) -> tuple[tuple[Ordinal, int], Prepared]:
    return (entry[0], 1), entry[1]


def _in_order(entries: Iterator[tuple[tuple[Ordinal, int], Any]]) -> Iterator[PreparedArticle | Rejection | None]:
    """The items, sorted, each text given the clusters it joins (its candidates come just before it)."""
    candidates: list[_Candidate] = []
    for (_, kind), value in entries:
        if kind == 0:
            candidates.append(value)
            continue
        yield _with_joins(value, candidates)
        candidates = []


def _with_joins(item: Prepared, earlier: list[_Candidate]) -> PreparedArticle | Rejection | None:
    """A prepared text with the content hashes of the texts whose clusters it joins, chosen among the index's and
    the input's candidates as ``twosource ingest`` would choose (stored texts rank before the input's)."""
    if not isinstance(item, tuple):
        return item
    prepared, stored = item
    owner = _owner(prepared)
    shared: dict[tuple[int, object], int] = {(0, i): n for i, n in stored.compared.items()}
    copies: dict[tuple[int, object], tuple[str, CopyMatch]] = {(0, i): c for i, c in stored.copies.items()}
    for ordinal, n, (copy, earlier_owner, content) in earlier:
        shared[1, ordinal] = n
        match = dedup.compare(prepared.copy, copy, same_outlet=dedup.is_same_outlet(owner, earlier_owner))
        if match.is_copy:
            copies[1, ordinal] = (content, match)
    found = [(key, copies[key][1]) for key in dedup.best_candidates(shared) if key in copies]
    return replace(prepared, joins=[copies[key][0] for key in dedup.clusters_to_join(found)])


def _write_in_order(job: IngestJob, entries: Iterator[tuple[tuple[Ordinal, int], Any]]) -> Iterator[IngestSummary]:
    summary = IngestSummary()
    with open_index(job.index, embedder=EMBEDDER) as index:
        for chunk in _chunks(_in_order(entries), BATCH_SIZE):
            summary.rejected += [item for item in chunk if isinstance(item, Rejection)]
            summary.duplicates += sum(item is None for item in chunk)
            ready = [item for item in chunk if isinstance(item, PreparedArticle)]
            if ready:
                add_prepared(ready, index, summary, job.max_passages)
                _injected_fault()
    yield summary


def _injected_fault() -> None:
    flag = os.environ.get(FAULT_VARIABLE)
    if not flag:
        return
    try:
        Path(flag).touch(exist_ok=False)
    except FileExistsError:
        return
    raise RuntimeError(f"a fault injected by ${FAULT_VARIABLE}")


# -- check ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckJob:
    """What each task of a batch check is told."""

    index: str
    encoding: str | None = None
    max_claims: int = DEFAULT_MAX_CLAIMS
    outlets_file: str | None = None


def batch_check(
    articles: list[str],
    job: CheckJob,
    output: Path,
    *,
    master: str = DEFAULT_SPARK_MASTER,
    partitions: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Check each article file against ``job.index`` with Spark on ``master``; write its report's JSON (as
    ``check --format json`` prints it, on one line), or the reason it could not be checked, to ``output``, a line
    per article in input order. Return how many could not be checked."""
    job = replace(job, index=_executor_address(job.index))
    with spark_context(master, "twosource batch check") as context:
        slices = min(len(articles), _default_partitions(context, partitions))
        checked = context.parallelize(articles, max(1, slices)).mapPartitions(partial(_check_partition, job)).persist()
        with _tasks_progress(context, progress, "checking"):
            checked.count()
        failed = 0
        with open(output, "w", encoding="utf-8") as out:
            for line, ok in checked.toLocalIterator():
                out.write(line + "\n")
                failed += not ok
    return failed


def _check_partition(job: CheckJob, paths: Iterator[str]) -> Iterator[tuple[str, bool]]:
    outlets = load_outlets(job.outlets_file)
    with open_index(job.index, embedder=EMBEDDER, create=False) as index:
        for path in paths:
            yield _check_one(path, index, job, outlets)


def _check_one(path: str, index: Index, job: CheckJob, outlets: Outlets) -> tuple[str, bool]:
    """The report's JSON line and True, or an error line and False: one bad article never costs the others."""
    try:
        report = check(read_article(path, encoding=job.encoding), index, max_claims=job.max_claims, outlets=outlets)
        return json.dumps(store_report(report, index), ensure_ascii=False), True
    except Exception as exc:
        reason = str(exc) if isinstance(exc, TwosourceError) else f"{type(exc).__name__}: {exc}"
        return json.dumps({"article": path, "error": one_line(reason)}, ensure_ascii=False), False
