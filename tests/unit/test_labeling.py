"""Labelling functions, the MAP-EM label model (recovers known accuracies on synthetic votes) and LF statistics."""

from __future__ import annotations

import random

import pytest

from courtside.labeling.functions import (
    ABSTAIN,
    apply_lfs,
    lf_clutch,
    lf_early_game,
    lf_garbage_time,
    lf_lead_beyond_time,
)
from courtside.labeling.label_model import LabelModel, empirical_accuracy, lf_summary, matrix_summary


def _synthetic(accs, coverage, n, balance, seed=0):
    """Conditionally independent votes: LF j votes with probability coverage[j], correctly with prob accs[j]."""
    rng = random.Random(seed)
    truth, matrix = [], []
    for _ in range(n):
        y = int(rng.random() < balance)
        truth.append(y)
        matrix.append(
            [
                ABSTAIN if rng.random() > c else (y if rng.random() < a else 1 - y)
                for a, c in zip(accs, coverage, strict=True)
            ]
        )
    return truth, matrix


def test_lfs_vote_both_ways_as_documented():
    clutch = {"period": 4, "seconds_left": 120, "margin": -3, "run_2min": 0}
    garbage = {"period": 4, "seconds_left": 300, "margin": 25, "run_2min": 0}
    assert lf_clutch(clutch) == 1 and lf_garbage_time(clutch) == ABSTAIN
    assert lf_garbage_time(garbage) == 0 and lf_clutch(garbage) == 0
    assert lf_lead_beyond_time({**clutch, "margin": 1}) == 1 and lf_lead_beyond_time(garbage) == 0
    assert lf_early_game({**clutch, "period": 1, "margin": 31}) == 0 and lf_early_game(clutch) == ABSTAIN
    assert len(apply_lfs([clutch, garbage])[0]) >= 5


@pytest.mark.parametrize("balance", [0.3, 0.6])
def test_label_model_recovers_known_accuracies_and_balance(balance):
    accs = [0.92, 0.85, 0.75, 0.65, 0.8]
    truth, matrix = _synthetic(accs, [0.7, 0.5, 0.6, 0.8, 0.4], 6000, balance)
    lm = LabelModel(len(accs)).fit(matrix)
    for est, true in zip(lm.accuracy, accs, strict=True):
        assert est == pytest.approx(true, abs=0.03)
    assert lm.prior == pytest.approx(balance, abs=0.03)
    # the estimates match each function's measured accuracy against the (hidden) truth
    for est, emp in zip(lm.accuracy, empirical_accuracy(matrix, truth), strict=True):
        assert est == pytest.approx(emp, abs=0.03)
    covered = [(r, y) for r, y in zip(matrix, truth, strict=True) if set(r) != {ABSTAIN}]
    lm_correct = sum(int(lm.posterior(r) > 0.5) == y for r, y in covered) / len(covered)

    def majority(r):
        ones, zeros = r.count(1), r.count(0)
        return int(ones > zeros) if ones != zeros else int(balance > 0.5)

    assert lm_correct > sum(majority(r) == y for r, y in covered) / len(covered)


def test_lone_one_sided_function_stays_at_its_prior_instead_of_a_clamp():
    """The degenerate case of the earlier EM: a function that only votes 1 and never meets another."""
    accs = [0.9, 0.8, 0.7]
    _, matrix = _synthetic(accs, [0.6, 0.6, 0.6], 3000, 0.5, seed=1)
    matrix = [[*r, ABSTAIN] for r in matrix] + [[ABSTAIN, ABSTAIN, ABSTAIN, 1]] * 3000
    lm = LabelModel(4, class_balance=0.5).fit(matrix)
    assert lm.accuracy[3] == pytest.approx(lm.prior_accuracy, abs=1e-6)
    assert all(0.6 < a < 0.95 for a in lm.accuracy[:3])
    restored = LabelModel.from_dict(lm.as_dict())
    assert restored.posterior([1, 0, ABSTAIN, 1]) == pytest.approx(lm.posterior([1, 0, ABSTAIN, 1]))


def test_lf_and_matrix_statistics():
    matrix = [[1, 1, ABSTAIN], [1, 0, ABSTAIN], [ABSTAIN, ABSTAIN, 0], [ABSTAIN, ABSTAIN, ABSTAIN]]
    stats = lf_summary(matrix, ["a", "b", "c"])
    assert stats["a"] == {"coverage": 0.5, "overlap": 0.5, "conflict": 0.25, "share_positive": 1.0}
    assert stats["c"]["overlap"] == 0 and stats["b"]["share_positive"] == 0.5
    assert matrix_summary(matrix) == {"coverage": 0.75, "overlap": 0.5, "conflict": 0.25}
