"""Figures, normalised and compared: what the claims stage reads in a sentence, and when two figures agree."""

from __future__ import annotations

import pytest

from twosource.claims.quantities import comparable, find_quantities
from twosource.stance import TOLERANCE, WINDOW_DAYS, compare_figures
from twosource.types import Claim, ClaimKind, Passage


def claim(text: str) -> Claim:
    return Claim(text, 0, len(text), ClaimKind.QUANTITY, True, 0.9, quantities=tuple(find_quantities(text)))


def passage(text: str) -> Passage:
    return Passage(1, 1, "Example Wire", "2015-05-14", "", "https://example.org/1", text, 1)


@pytest.mark.parametrize(
    ("sentence", "value", "kind", "bound"),
    [
        ("More than 220,000 people have been killed since the war began.", 220_000, "deaths", "min"),
        ("The conflict has killed 200,000 people, the monitor said.", 200_000, "deaths", "exact"),
        ("About 3.9 million Syrians have fled the country as refugees.", 3_900_000, "refugees", "approx"),
        ("Some 6.5 million people are displaced inside Syria.", 6_500_000, "displaced", "approx"),
        ("Nearly 80 percent of the buildings were destroyed.", 80, "percent", "approx"),
    ],
)
def test_a_figure_is_read_with_what_it_counts_and_its_hedge(sentence: str, value: float, kind: str, bound: str):
    (found,) = find_quantities(sentence)
    assert (found.value, found.kind, found.bound) == (value, kind, bound)


def test_dates_and_years_are_not_figures():
    assert find_quantities("On May 13, 2015, the fighting resumed.") == []


def test_figures_compare_only_when_they_count_the_same_thing_on_one_scale():
    (dead,) = find_quantities("200,000 people were killed.")
    (more_dead,) = find_quantities("220,000 people were killed.")
    (one_attack,) = find_quantities("30 people were killed.")
    (refugees,) = find_quantities("200,000 refugees fled.")
    assert comparable(dead, more_dead)
    assert not comparable(dead, one_attack)  # one attack's dead are not the war's
    assert not comparable(dead, refugees)


def test_close_figures_agree_within_the_tolerance_and_say_so():
    figures = compare_figures(claim("The war has killed 200,000 people."), passage("It has killed 210,000 people."))
    assert figures is not None and figures.agrees
    assert figures.relative_difference == pytest.approx(10_000 / 210_000, abs=1e-4)
    assert (figures.claim_figure, figures.evidence_figure, figures.kind) == ("200,000", "210,000", "deaths")


def test_figures_further_apart_than_the_tolerance_differ():
    figures = compare_figures(claim("The war has killed 200,000 people."), passage("It has killed 310,000 people."))
    assert figures is not None and not figures.agrees and figures.relative_difference > TOLERANCE


def test_a_hedged_figure_is_given_twice_the_tolerance():
    figures = compare_figures(claim("About 200,000 people were killed."), passage("It has killed 235,000 people."))
    assert figures is not None and figures.tolerance == 2 * TOLERANCE and figures.agrees


def test_a_floor_passed_by_the_claims_figure_agrees_and_one_far_below_it_only_is_consistent():
    passed = compare_figures(claim("The war has killed 230,000 people."), passage("More than 220,000 have died."))
    assert passed is not None and passed.agrees and not passed.note
    far = compare_figures(claim("The war has killed 230,000 people."), passage("More than 100,000 have died."))
    assert far is not None and far.agrees and far.note.startswith("consistent, not confirming")


def test_tallies_months_apart_differ_without_contradicting():
    figures = compare_figures(
        claim("The war has killed 200,000 people."), passage("It has killed 310,000 people."), WINDOW_DAYS + 60
    )
    assert figures is not None and not figures.agrees and "months apart" in figures.note


def test_no_comparison_without_a_comparable_figure():
    assert compare_figures(claim("The war has killed 200,000 people."), passage("4 million refugees fled.")) is None
    assert compare_figures(claim("The army advanced on the town."), passage("It has killed 210,000 people.")) is None
