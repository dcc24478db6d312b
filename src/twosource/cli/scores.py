"""How the lab commands show their work: progress on stderr while it runs, then the scores as tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..types import Progress
from .options import stderr_progress


def with_progress(label: str, work: Callable[[Progress], Any]) -> Any:
    # Runs long library work with progress on standard error; its errors become one line and exit status 1.
    progress, update = stderr_progress(label)
    with progress:
        return work(update)


def run_benchmark(evaluate: Callable[..., Any], predictions: str | None) -> Any:
    # Runs one benchmark (``evaluate(progress=...)``); returns its scores, or None for unlabelled input.
    scores = with_progress("evaluating", lambda progress: evaluate(progress=progress))
    if predictions:
        click.echo(f"predictions written to {predictions}", err=True)
    return scores


def print_support_scores(scores: Any, heading: str) -> None:
    click.echo(
        f"{heading}  accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}  "
        f"supported precision {scores.supported_precision:.3f}  "
        f"not supported called supported {scores.false_support_rate:.1%}  "
        f"calibration error {scores.calibration_error:.3f}"
    )
    print_class_table(scores)


def print_claimbuster_scores(scores: Any) -> None:
    result = scores.as_dict()  # rounded as the model card rounds, so the two print the same figures
    click.echo(f"sentences {scores.sentences}  CFS F1 {result['cfs_f1']:.3f}  macro-F1 {result['macro_f1']:.3f}")
    print_class_table(scores.scores)


def print_class_table(scores: Any) -> None:
    """Print precision, recall and F1 per label of ClassScores."""
    width = max(len(label) for label in scores.f1) + 2
    click.echo(f"{'':{width}} {'precision':>9} {'recall':>9} {'F1':>9}")
    result = scores.as_dict()  # rounded as the model cards round
    for label in scores.f1:
        p, r, f1 = (result[k][label] for k in ("precision", "recall", "f1"))
        click.echo(f"{label:{width}} {p:9.3f} {r:9.3f} {f1:9.3f}")


def print_ranking_scores(scores: Any) -> None:
    click.echo(
        f"debates {scores.debates}  MAP {scores.map:.3f}  R-precision {scores.r_precision:.3f}  "
        + "  ".join(f"P@{k} {v:.3f}" for k, v in scores.p_at.items())
    )


def print_stance_scores(scores: Any) -> None:
    from ..stance.model import LABELS

    click.echo(
        f"pairs {scores.pairs}  FNC score {scores.fnc_raw:.2f} of {scores.fnc_max:.2f} "
        f"= {scores.fnc_relative:.2%}  accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}"
    )
    print_class_table(scores)
    click.echo("confusion (rows gold, columns predicted)")
    click.echo(f"{'':10}" + "".join(f"{label:>10}" for label in LABELS))
    for gold in LABELS:
        click.echo(f"{gold:10}" + "".join(f"{scores.confusion[gold][p]:10d}" for p in LABELS))
