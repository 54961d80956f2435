"""Labelling functions, the EM label model (recovers accuracies on synthetic votes) and LF statistics."""

from __future__ import annotations

import random

from courtside.labeling.functions import ABSTAIN, apply_lfs, lf_clutch, lf_garbage_time
from courtside.labeling.label_model import LabelModel, lf_summary


def test_lfs_vote_as_documented():
    clutch = {"period": 4, "seconds_left": 120, "margin": -3, "run_2min": 0}
    garbage = {"period": 4, "seconds_left": 300, "margin": 25, "run_2min": 0}
    assert lf_clutch(clutch) == 1 and lf_garbage_time(clutch) == ABSTAIN
    assert lf_garbage_time(garbage) == 0 and lf_clutch(garbage) == ABSTAIN
    assert len(apply_lfs([clutch, garbage])[0]) >= 5


def test_label_model_recovers_accuracies_and_beats_majority():
    rng = random.Random(0)
    accs = [0.9, 0.8, 0.6]
    truth, matrix = [], []
    for _ in range(4000):
        y = int(rng.random() < 0.3)
        truth.append(y)
        row = []
        for a in accs:
            if rng.random() < 0.3:
                row.append(ABSTAIN)
            else:
                row.append(y if rng.random() < a else 1 - y)
        matrix.append(row)
    lm = LabelModel(3).fit(matrix)
    assert abs(lm.accuracy[0] - 0.9) < 0.05 and abs(lm.accuracy[2] - 0.6) < 0.07
    correct = sum(int(lm.posterior(r) > 0.5) == y for r, y in zip(matrix, truth, strict=True) if set(r) != {ABSTAIN})
    assert correct / sum(set(r) != {ABSTAIN} for r in matrix) > 0.85
    stats = lf_summary(matrix, ["a", "b", "c"])
    assert 0.65 < stats["a"]["coverage"] < 0.75 and stats["c"]["conflict"] > stats["a"]["conflict"] * 0.5
