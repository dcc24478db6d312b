"""The measures the evals share, against hand-worked values and scikit-learn's (the [train] extra)."""

import random

import pytest

from twosource.evaluate.metrics import adjusted_rand_index


def test_identical_clusterings_agree_whatever_their_names():
    assert adjusted_rand_index([1, 1, 2, 2, 3], ["a", "a", "b", "b", "c"]) == 1.0


def test_no_pair_to_tell_counts_as_agreement():
    assert adjusted_rand_index([1, 2, 3], [4, 5, 6]) == 1.0
    assert adjusted_rand_index([], []) == 1.0


def test_a_hand_worked_case():
    # Pairs: gold joins (0,1) and (2,3); the prediction joins (0,1), (0,2), (1,2). Of the 6 pairs, 1 is joined in
    # both, 1 in gold only, 2 in the prediction only, 2 in neither: ARI = 2(1·2 − 1·2) / (2·3 + 3·4) = 0.
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 0, 1]) == 0.0


def test_a_clustering_against_its_opposite_scores_below_chance():
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) < 0


def test_it_agrees_with_scikit_learn_on_random_clusterings():
    metrics = pytest.importorskip("sklearn.metrics")
    generator = random.Random(7)
    for _ in range(200):
        n = generator.randint(1, 40)
        gold = [generator.randint(0, generator.randint(0, 8)) for _ in range(n)]
        predicted = [generator.randint(0, generator.randint(0, 8)) for _ in range(n)]
        assert adjusted_rand_index(gold, predicted) == pytest.approx(metrics.adjusted_rand_score(gold, predicted))
