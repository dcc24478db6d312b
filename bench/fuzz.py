"""Fuzzing, the long run: the properties of ``tests/integration/test_fuzz.py`` (stated in
``tests/fuzz_targets.py``) with many more inputs, each finding reported once with its smallest failing input
(not a test: it prints what it found).

    .venv/bin/python bench/fuzz.py [--examples N] [--minutes M] [--target NAME]... [--seed S] [--out DIR]
                                   [--budget-scale X] [--shrink-seconds S] [--long-seeds]
    .venv/bin/python bench/fuzz.py --replay FILE.pickle
    .venv/bin/python bench/fuzz.py --list

``--examples N``: inputs drawn per target, at most (default 10,000). ``--minutes M``: wall-clock time for the
whole run (default 20), shared out as it goes: a target gets the time left divided by the targets left, so the
quick targets, which run first, hand what they do not use on to the slow ones (claims, ingest, the API).
``--seed S``: the run's seed (default 0; each round of a target adds one). ``--out DIR``: where every finding's
input is saved, pickled for ``--replay``, raw and with its traceback (default: a new folder under $TMPDIR).
``--budget-scale X``: multiplies each input's time budget (a loaded machine). ``--shrink-seconds S``: how long
Hypothesis may spend shrinking one finding (default 60). ``--long-seeds``: also run the known inputs that take
minutes (a 1,000,001-character article through the claims stage); they count against ``--minutes``.

A target runs in rounds of Hypothesis examples. When a round finds an input that breaks the property, Hypothesis
shrinks it, the smallest is kept, and the following rounds pass over inputs that fail the same way, so one bug
does not stop the search for others. Prints per target: inputs run, shrink steps, seconds, inputs a second; then
each finding: what broke, the minimal input, where it is saved, and the last lines of its traceback.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fuzz_targets: the strategies and properties the test suite runs too
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from hypothesis import given  # noqa: E402
from hypothesis import seed as seeded  # noqa: E402

from tests import fuzz_targets  # noqa: E402
from tests.fuzz_targets import (  # noqa: E402
    TARGETS,
    close_harness,
    connection_guard,
    data_missing,
    fuzz_settings,
    save_case,
    short,
    signature,
)

#: Quick targets first: the time they leave over goes to the slow ones at the end.
ORDER = (
    "address",
    "dates",
    "figures",
    "url",
    "text",
    "csv",
    "json",
    "jsonl",
    "feed",
    "sitemap",
    "jsonl_records",
    "csv_records",
    "warc",
    "html",
    "api_paths",
    "ingest",
    "claims",
    "api_bodies",
)


@dataclass
class Found:
    """One finding: the smallest input seen to break the property this way, and how often it was broken."""

    target: str
    kind: str
    case: Any
    error: BaseException
    times: int = 0
    saved: Path | None = None


@dataclass
class Tally:
    target: str
    inputs: int = 0
    shrinks: int = 0
    passed_over: int = 0  # inputs that failed in a way already found
    seconds: float = 0.0
    rounds: int = 0
    found: dict[str, Found] = field(default_factory=dict)


def run_target(name: str, examples: int, seconds: float, first_seed: int, known: set[str], out: Path) -> Tally:
    """Run ``name``'s property on up to ``examples`` drawn inputs, for at most about ``seconds``."""
    target = TARGETS[name]
    tally = Tally(name)
    started = time.monotonic()
    stop_at = started + seconds
    failing = False  # this round found a new failure: Hypothesis is shrinking it, every call must run
    rate = 0.0

    def prop(case: Any) -> None:
        nonlocal failing
        if time.monotonic() > stop_at and not failing:
            return  # out of time: the rest of the round is drawn but not run
        if failing:
            tally.shrinks += 1
        else:
            tally.inputs += 1
        try:
            target.check(case)
        except Exception as exc:
            kind = signature(exc)
            if kind in known:
                tally.passed_over += 1
                return
            failing = True
            found = tally.found.setdefault(kind, Found(name, kind, case, exc))
            found.case, found.error, found.times = case, exc, found.times + 1  # the last is the smallest
            raise

    strategy = target.cases()
    while tally.inputs < examples and time.monotonic() < stop_at:
        left = stop_at - time.monotonic()
        chunk = 50 if not rate else max(20, min(5_000, int(rate * left * 1.1)))
        chunk = min(chunk, examples - tally.inputs)
        before, failing = tally.inputs, False
        test = fuzz_settings(chunk, derandomize=False)(seeded(first_seed + tally.rounds)(given(strategy)(prop)))
        round_started = time.monotonic()
        try:
            test()
        except BaseException as exc:  # a finding (or a group of them), reported below
            if isinstance(exc, KeyboardInterrupt):
                raise
            if not tally.found or all(signature(e) not in tally.found for e in _leaves(exc)):
                # Hypothesis itself failed (a strategy, a flaky failure): report it as a finding of the harness.
                kind = f"harness: {type(exc).__name__}"
                tally.found.setdefault(kind, Found(name, kind, None, exc, 1))
        tally.rounds += 1
        ran = tally.inputs - before
        rate = ran / max(1e-3, time.monotonic() - round_started)
        for kind in tally.found:
            known.add(kind)
        if ran == 0:
            break  # Hypothesis has nothing new to draw
    tally.seconds = time.monotonic() - started
    for found in tally.found.values():
        if found.case is not None:
            found.saved = save_case(name, found.case, found.error, out)
    return tally


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for e in exc.exceptions for leaf in _leaves(e)]
    return [exc]


def tail(exc: BaseException, lines: int = 8, width: int = 240) -> str:
    """The last lines of ``exc``'s traceback (a Finding's message holds the server's, when it has one), each cut
    to ``width`` characters: some messages quote a whole input."""
    text = "".join(traceback.format_exception(exc)).rstrip().splitlines()
    return "\n".join("      " + (line if len(line) <= width else line[:width] + " ...") for line in text[-lines:])


def replay(path: Path) -> int:
    name, case = pickle.loads(path.read_bytes())
    print(f"{name}: {case!r}")
    try:
        with connection_guard():
            TARGETS[name].check(case)
    except Exception as exc:  # shown, not handled
        traceback.print_exception(exc)
        return 1
    finally:
        close_harness()
    print("the property holds for this input now")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="inputs per target, at most")
    parser.add_argument("--minutes", type=float, default=20.0, help="wall-clock time for the whole run")
    parser.add_argument("--target", action="append", choices=ORDER, help="run only these targets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where findings are saved")
    parser.add_argument("--budget-scale", type=float, default=None, help="multiplies every time budget")
    parser.add_argument("--shrink-seconds", type=int, default=60, help="time Hypothesis may shrink one finding")
    parser.add_argument("--long-seeds", action="store_true", help="also run the slow known inputs (minutes)")
    parser.add_argument("--replay", type=Path, help="run one saved input again and show what happens")
    parser.add_argument("--list", action="store_true", help="list the targets and their known inputs")
    args = parser.parse_args()
    if args.list:
        for name in ORDER:
            print(f"{name}: {TARGETS[name].check.__doc__.splitlines()[0]}")
            for label in TARGETS[name].seeds | TARGETS[name].long_seeds:
                print(f"    known input: {label}")
        return 0
    if args.replay:
        return replay(args.replay)
    if reason := data_missing():
        print(reason)
        return 2
    if args.budget_scale is not None:
        fuzz_targets.BUDGET_SCALE = args.budget_scale
    from hypothesis.internal.conjecture import engine  # no public setting bounds the time spent shrinking

    engine.MAX_SHRINKING_SECONDS = args.shrink_seconds
    out = args.out or Path(tempfile.mkdtemp(prefix="twosource-fuzz-findings-"))
    names = [n for n in ORDER if not args.target or n in args.target]
    deadline = time.monotonic() + args.minutes * 60
    known: set[str] = set()
    tallies: list[Tally] = []
    print(f"fuzzing {len(names)} targets, up to {args.examples:,} inputs each, for {args.minutes:g} minutes")
    print(f"findings are saved in {out}")
    try:
        with connection_guard():
            seeds_found = run_seeds(names, known, out, args.long_seeds)
            for i, name in enumerate(names):
                share = (deadline - time.monotonic()) / (len(names) - i)
                tally = run_target(name, args.examples, max(share, 1.0), args.seed, known, out)
                tallies.append(tally)
                print(
                    f"{name:>14}: {tally.inputs:>7,} inputs, {tally.shrinks:>5,} shrink steps, {tally.seconds:7.1f} s, "
                    f"{tally.inputs / max(tally.seconds, 1e-9):8.1f}/s, {len(tally.found)} new findings",
                    flush=True,
                )
    finally:
        close_harness()
    total = sum(t.inputs for t in tallies)
    seconds = sum(t.seconds for t in tallies)
    print(f"\n{'total':>14}: {total:>7,} inputs in {seconds:.0f} s ({total / max(seconds, 1e-9):.1f}/s)")
    findings = seeds_found + [f for t in tallies for f in t.found.values()]
    print(f"\n{len(findings)} findings (known inputs first, then drawn ones, each shrunk to the smallest seen):")
    for n, f in enumerate(findings, 1):
        print(f"\n[{n}] {f.target}: {f.kind}  (failed {f.times}x)")
        if f.case is not None:
            print(f"    input: {short(f.case, 400)}")
        if f.saved:
            print(f"    replay: .venv/bin/python bench/fuzz.py --replay {f.saved}")
        print(tail(f.error))
    return 1 if findings else 0


def run_seeds(names: list[str], known: set[str], out: Path, long: bool) -> list[Found]:
    """Run each target's known inputs once (``long``: the slow ones too); their findings are known before the drawn
    inputs start."""
    found = []
    for name in names:
        for label, make in (TARGETS[name].seeds | (TARGETS[name].long_seeds if long else {})).items():
            case = make()
            started = time.monotonic()
            try:
                TARGETS[name].check(case)
                print(f"{name:>14}: known input {label!r} passes ({time.monotonic() - started:.1f} s)", flush=True)
            except Exception as exc:  # a finding
                kind = signature(exc)
                print(f"{name:>14}: known input {label!r} fails: {kind}", flush=True)
                f = Found(name, f"{kind}  [known input: {label}]", case, exc, 1)
                f.saved = save_case(name, case, exc, out)
                found.append(f)
                known.add(kind)
    return found


if __name__ == "__main__":
    sys.exit(main())
