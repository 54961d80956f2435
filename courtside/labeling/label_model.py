"""A generative label model (Dawid-Skene with one accuracy per labelling function), fitted by EM.

Why not Snorkel: it does not install cleanly here and the model is small. Assumption: labelling functions are
conditionally independent given the true label; each non-abstaining vote is correct with probability acc_j.
EM alternates the posterior of each item's label and the re-estimated accuracies and class prior; abstains carry
no evidence. Also reports coverage, overlap and conflict per function (Snorkel's LF summary).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

ABSTAIN = -1


@dataclass
class LabelModel:
    n_lfs: int
    accuracy: list[float] = field(default_factory=list)
    prior: float = 0.5

    def posterior(self, votes: Sequence[int]) -> float:
        """P(label = 1 | votes)."""
        lp1, lp0 = math.log(self.prior), math.log(1 - self.prior)
        for v, a in zip(votes, self.accuracy, strict=True):
            if v == ABSTAIN:
                continue
            lp1 += math.log(a if v == 1 else 1 - a)
            lp0 += math.log(a if v == 0 else 1 - a)
        m = max(lp1, lp0)
        return math.exp(lp1 - m) / (math.exp(lp1 - m) + math.exp(lp0 - m))

    def fit(self, matrix: Sequence[Sequence[int]], n_iter: int = 50, init_accuracy: float = 0.7) -> LabelModel:
        self.accuracy = [init_accuracy] * self.n_lfs
        for _ in range(n_iter):
            post = [self.posterior(row) for row in matrix]
            covered = [p for p, row in zip(post, matrix, strict=True) if any(v != ABSTAIN for v in row)]
            self.prior = min(max(sum(covered) / max(len(covered), 1), 0.01), 0.99)
            for j in range(self.n_lfs):
                num = den = 0.0
                for p, row in zip(post, matrix, strict=True):
                    v = row[j]
                    if v == ABSTAIN:
                        continue
                    num += p if v == 1 else 1 - p
                    den += 1
                self.accuracy[j] = min(max((num + 1) / (den + 2), 0.05), 0.99)  # Laplace-smoothed
        return self


def lf_summary(matrix: Sequence[Sequence[int]], names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Coverage (share voting), overlap (votes alongside another LF), conflict (alongside a disagreeing LF)."""
    n = max(len(matrix), 1)
    out = {}
    for j, name in enumerate(names):
        cov = ovl = con = 0
        for row in matrix:
            v = row[j]
            if v == ABSTAIN:
                continue
            cov += 1
            others = [u for k, u in enumerate(row) if k != j and u != ABSTAIN]
            ovl += bool(others)
            con += any(u != v for u in others)
        out[name] = {"coverage": cov / n, "overlap": ovl / n, "conflict": con / n}
    return out
