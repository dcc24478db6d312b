"""Fuzzing, the short deterministic run: every reader, the URL policy, the claims stage, figures and dates, ingest
and the API keep their property on drawn inputs (``tests/fuzz_targets.py`` states it and draws them).

``test_fuzz[TARGET]`` tries a modest number of inputs per target, the same ones on every run (derandomized);
``test_known_input[TARGET-LABEL]`` runs inputs known to have broken a property once. The API targets talk to a
real uvicorn server on loopback. ``bench/fuzz.py`` runs the same properties with many more inputs; a failing input
here is pickled, and the failure says how to replay it there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from ..fuzz_targets import TARGETS, close_harness, connection_guard, data_missing, fuzz_settings, save_case

pytestmark = [pytest.mark.slow, pytest.mark.skipif(data_missing() is not None, reason=data_missing() or "")]

#: Where a failing input is pickled for ``bench/fuzz.py --replay``.
FAILURES = Path(tempfile.gettempdir()) / "twosource-fuzz-failures"


#: How long Hypothesis may shrink one failing input here (its own limit is 5 minutes; bench/fuzz.py shrinks longer).
SHRINK_SECONDS = 15


@pytest.fixture(scope="module", autouse=True)
def _harness() -> Iterator[None]:
    # The scratch folder, the indexes and the loopback server last for the module, then go. No connection opens
    # meanwhile but to that server.
    from hypothesis.internal.conjecture import engine  # no public setting bounds the time spent shrinking

    shrinking, engine.MAX_SHRINKING_SECONDS = engine.MAX_SHRINKING_SECONDS, SHRINK_SECONDS
    try:
        with connection_guard():
            yield
    finally:
        engine.MAX_SHRINKING_SECONDS = shrinking
        close_harness()


def recorded(name: str, check: Callable[[Any], None]) -> Callable[[Any], None]:
    """``check``, saving the input that fails it so the failure can be replayed outside pytest."""

    def run(case: Any) -> None:
        try:
            check(case)
        except Exception as exc:
            path = save_case(name, case, exc, FAILURES)
            exc.add_note(f"replay: .venv/bin/python bench/fuzz.py --replay {path}")
            raise

    return run


@pytest.mark.parametrize("name", list(TARGETS))
def test_fuzz(name: str) -> None:
    target = TARGETS[name]
    prop = given(target.cases())(recorded(name, target.check))
    fuzz_settings(target.examples, shrink=target.shrink_in_tests)(prop)()


SEEDS = [(name, label) for name, target in TARGETS.items() for label in target.seeds]


@pytest.mark.parametrize(("name", "label"), SEEDS, ids=[f"{n}-{label}" for n, label in SEEDS])
def test_known_input(name: str, label: str) -> None:
    target = TARGETS[name]
    recorded(name, target.check)(target.seeds[label]())
