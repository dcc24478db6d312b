"""``twosource eval``: the stages scored on public benchmarks."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

import click

from .scores import (
    print_claimbuster_scores,
    print_ranking_scores,
    print_stance_scores,
    print_support_scores,
    run_benchmark,
    with_progress,
)


@click.group("eval")
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
@click.option(
    "--index",
    "index_address",
    default=None,
    help="An empty index to hold the bodies, e.g. a postgresql:// database to score that backend (default: a "
    "temporary SQLite file).",
)
def eval_retrieval(
    bodies: str, stances: str, predictions: str | None, as_json: bool, index_address: str | None
) -> None:
    """Score the retrieve stage on FNC-1: each headline a query, all bodies the collection.

    Example: twosource eval retrieval --bodies train_bodies.csv --stances train_stances.csv
    """
    from ..evaluate.retrieval import evaluate_retrieval

    run = partial(evaluate_retrieval, bodies, stances, predictions=predictions, index_address=index_address)
    scores = run_benchmark(run, predictions)
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

    scores = run_benchmark(
        partial(evaluate_stance, bodies, stances, predictions=predictions, model_dir=model_dir), predictions
    )
    if scores is None:
        return
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
        return
    print_stance_scores(scores)


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
    scores = run_benchmark(evaluate, predictions)
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
        print_claimbuster_scores(scores)
    else:
        print_ranking_scores(scores)


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

    report = with_progress(
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

    report = run_benchmark(partial(evaluate_copies, data, seed=seed, bases=bases, pairs_out=pairs_out), pairs_out)
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
    scores = run_benchmark(partial(evaluate_support, wice, folds=folds, predictions_out=predictions), predictions)
    if scores is None:
        return
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
        return
    print_support_scores(scores, f"claims {scores.claims}")


@eval_group.command("crosslingual")
@click.option(
    "--source", required=True, type=click.Path(exists=True, dir_okay=False), help="Sentences, one a line (UTF-8)."
)
@click.option(
    "--target",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Sentences to match them to, one a line: line n the translation of the source's line n when aligned.",
)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write source_line,target_line,score: for each source line (1-based), its nearest target line.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
def eval_crosslingual(source: str, target: str, predictions: str | None, as_json: bool) -> None:
    """Score cross-lingual matching with the embedder retrieval uses: each source line's nearest target line.

    The accuracy (both directions averaged) is printed when the files have as many lines (aligned).

    Example: twosource eval crosslingual --source ../shared/data/tatoeba/tatoeba.ara-eng.ara
    --target ../shared/data/tatoeba/tatoeba.ara-eng.eng
    """
    from ..evaluate.crosslingual import evaluate_crosslingual

    scores = run_benchmark(partial(evaluate_crosslingual, source, target, predictions=predictions), predictions)
    if as_json:
        click.echo(json.dumps(scores.as_dict()))
        return
    lines = (
        f"lines {scores.source_lines} ({scores.source_language}) → {scores.target_lines} ({scores.target_language})"
        f"  {scores.embedder}  {scores.sentences_per_second:.0f} sentences/s"
    )
    if scores.accuracy is None:
        click.echo(f"{lines}  not aligned (the files' line counts differ): no accuracy")
    else:
        click.echo(
            f"{lines}  accuracy {scores.accuracy:.3f} (source→target {scores.source_to_target:.3f}, "
            f"target→source {scores.target_to_source:.3f})"
        )
