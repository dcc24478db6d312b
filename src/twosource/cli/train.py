"""``twosource train``: twosource's models, trained from public data."""

from __future__ import annotations

import click

from .lab import wice_option
from .scores import (
    print_claimbuster_scores,
    print_ranking_scores,
    print_stance_scores,
    print_support_scores,
    with_progress,
)

model_output_option = click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the model (default: the model shipped with twosource, replaced).",
)


@click.group("train")
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

    _, scores = with_progress(
        "training",
        lambda progress: train(
            fnc1_dir, output or DEFAULT_MODEL, split=split, rounds=rounds or BOOSTER_ROUNDS, progress=progress
        ),
    )
    click.echo(f"model written to {output or DEFAULT_MODEL}", err=True)
    click.echo(f"held-out {split}:")
    print_stance_scores(scores)


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
    scores = with_progress(
        "training",
        lambda progress: train(wice, words, target, words_dev=words_dev, folds=folds, progress=progress),
    )
    click.echo(f"model written to {target}", err=True)
    print_support_scores(scores, "cross-validated by page:")


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
@click.option(
    "--rescore",
    is_flag=True,
    help="Train nothing: score the saved detector (-o, or the shipped one) again and rewrite its card.",
)
def train_claims(data_dir: str, output: str | None, epochs: int | None, rescore: bool) -> None:
    """Fine-tune the claim detector on ClaimBuster, holding a fifth of the debates out, and print its scores.

    Example: twosource train claims --data ../shared/data/checkworthy -o claims-model
    """
    from ..claims.detector import DEFAULT_MODEL
    from ..training import train_claims as train

    scores, ranking = with_progress(
        "scoring" if rescore else "training",
        lambda progress: train(data_dir, output, epochs=epochs, progress=progress, rescore=rescore),
    )
    click.echo(f"{'card rewritten' if rescore else 'model written'} in {output or DEFAULT_MODEL}", err=True)
    click.echo("held-out debates:")
    print_claimbuster_scores(scores)
    if ranking:
        click.echo("CLEF 2019 training debates, less those that are ClaimBuster debates too:")
        print_ranking_scores(ranking)


@train_group.command("crosslingual")
@click.option(
    "--tatoeba",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="Folder with Tatoeba's file pairs, tatoeba.XXX-eng.XXX and .eng (../shared/data/tatoeba).",
)
@click.option(
    "--lines",
    type=click.IntRange(1),
    default=500,
    show_default=True,
    help="Fit on the first LINES pairs of each file; the lines after them are scored as held out.",
)
@model_output_option
def train_crosslingual(tatoeba: str, lines: int, output: str | None) -> None:
    """Fit the language centres (each language's mean cross-lingual embedding, which retrieval takes away before
    a cosine) on Tatoeba, and print the accuracy without and with them.

    Example: twosource train crosslingual --tatoeba ../shared/data/tatoeba --lines 250 -o /tmp/centres
    """
    from ..centres import CENTRES
    from ..evaluate.crosslingual import fit_centres

    scores = with_progress("embedding", lambda progress: fit_centres(tatoeba, output, lines=lines, progress=progress))
    click.echo(f"centres written to {output or CENTRES}", err=True)
    click.echo("language  fitted: raw → centred   held out: raw → centred")
    for language, raw in scores.fitted_raw.items():
        held = (
            f"{scores.held_out_raw[language]:.3f} → {scores.held_out_centred[language]:.3f}"
            if language in scores.held_out_raw
            else "–"
        )
        click.echo(f"{language:8}  {raw:.3f} → {scores.fitted_centred[language]:.3f}         {held}")
