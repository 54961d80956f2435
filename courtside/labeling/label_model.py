"""A generative label model (Dawid-Skene with one accuracy per labelling function), fitted by MAP-EM.

Why not Snorkel: ``snorkel`` 0.10.0 installs on Python 3.11 but requires torch and tensorboard (hundreds of MB)
for a model this small; the venv stays lean.
Assumption (Snorkel's default model too): labelling functions are conditionally independent given the true label,
and each non-abstaining vote is correct with probability ``acc_j`` whichever class it votes; abstains carry no
evidence. EM alternates the posterior of each item's label (E) and the accuracies and class balance (M).

Why priors: the maximum-likelihood accuracies of this model are degenerate for a labelling function that rarely
meets another one. Its lone votes are explained as well by "always right" as by "always wrong" once the class balance
leans one way, so plain EM walks it to 0 or 1 (the earlier version sat on its 0.05/0.99 clamps). A Beta prior on each
accuracy (mean ``prior_accuracy``, weight ``prior_strength`` pseudo-votes) and a Beta prior on the class balance
make it a MAP estimate that stays interior; with overlapping, conflicting functions the data dominate the prior and
the accuracies are recovered (tests/unit/test_labeling.py checks this on synthetic votes with known accuracies).
Serving needs only :meth:`LabelModel.posterior` (pure Python); fitting uses numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ABSTAIN = -1


@dataclass
class LabelModel:
    n_lfs: int
    accuracy: list[float] = field(default_factory=list)
    prior: float = 0.5
    prior_accuracy: float = 0.7
    prior_strength: float = 10.0
    class_balance: float | None = None  # fixed P(y=1); None: estimated by EM
    n_iter_run: int = 0

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

    def _posteriors(self, votes: Any) -> Any:
        """Vectorised :meth:`posterior` over a label matrix (numpy int array, ABSTAIN = -1)."""
        import numpy as np

        acc = np.asarray(self.accuracy)
        right, wrong = np.log(acc), np.log1p(-acc)
        z = np.full(votes.shape[0], math.log(self.prior) - math.log1p(-self.prior))
        z += np.where(votes == 1, right - wrong, 0.0).sum(axis=1)
        z += np.where(votes == 0, wrong - right, 0.0).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-z))

    def fit(self, matrix: Sequence[Sequence[int]], n_iter: int = 200, tol: float = 1e-6) -> LabelModel:
        """MAP-EM from a start at the prior accuracy; stops when no accuracy moves by more than `tol`."""
        import numpy as np

        votes = np.asarray(matrix, dtype=int).reshape(-1, self.n_lfs)
        voted = votes != ABSTAIN
        covered = voted.any(axis=1)
        a0 = self.prior_strength * self.prior_accuracy  # Beta(a0 + 1, b0 + 1) prior: a0, b0 pseudo-votes
        b0 = self.prior_strength * (1 - self.prior_accuracy)
        self.accuracy = [self.prior_accuracy] * self.n_lfs
        self.prior = self.class_balance if self.class_balance is not None else 0.5
        for it in range(n_iter):
            post = self._posteriors(votes)
            if self.class_balance is None:  # Beta(2, 2) prior keeps the balance off 0 and 1
                self.prior = float((post[covered].sum() + 1.0) / (covered.sum() + 2.0))
            agree = np.where(votes == 1, post[:, None], 1.0 - post[:, None])
            right = np.where(voted, agree, 0.0).sum(axis=0)
            new = (right + a0) / (voted.sum(axis=0) + a0 + b0)
            moved = float(np.max(np.abs(new - np.asarray(self.accuracy))))
            self.accuracy = [float(a) for a in new]
            self.n_iter_run = it + 1
            if moved < tol:
                break
        return self

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": list(self.accuracy), "prior": self.prior}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LabelModel:
        acc = [float(a) for a in d["accuracy"]]
        return cls(len(acc), acc, float(d["prior"]))


def empirical_accuracy(matrix: Sequence[Sequence[int]], labels: Sequence[int]) -> list[float | None]:
    """Share of each function's votes that match `labels` (None when it never votes): checks the estimates."""
    out: list[float | None] = []
    for j in range(len(matrix[0]) if matrix else 0):
        pairs = [(row[j], y) for row, y in zip(matrix, labels, strict=True) if row[j] != ABSTAIN]
        out.append(sum(v == y for v, y in pairs) / len(pairs) if pairs else None)
    return out


def lf_summary(matrix: Sequence[Sequence[int]], names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Coverage (share voting), overlap (votes alongside another LF), conflict (alongside a disagreeing LF),
    and the share of each function's votes that are 1 (polarity)."""
    import numpy as np

    votes = np.asarray(matrix, dtype=int).reshape(-1, len(names))
    n = max(len(votes), 1)
    voted = votes != ABSTAIN
    out = {}
    for j, name in enumerate(names):
        others = np.delete(votes, j, axis=1)
        others_voted = others != ABSTAIN
        mine = voted[:, j]
        ovl = mine & others_voted.any(axis=1)
        con = mine & (others_voted & (others != votes[:, [j]])).any(axis=1)
        out[name] = {
            "coverage": float(mine.sum() / n),
            "overlap": float(ovl.sum() / n),
            "conflict": float(con.sum() / n),
            "share_positive": float((votes[mine, j] == 1).mean()) if mine.any() else 0.0,
        }
    return out


def matrix_summary(matrix: Sequence[Sequence[int]]) -> dict[str, float]:
    """Whole-matrix statistics: share of items with any vote, with 2+ votes, and with a conflict."""
    import numpy as np

    votes = np.asarray(matrix, dtype=int)
    voted = votes != ABSTAIN
    n = max(len(votes), 1)
    pos, neg = (votes == 1).any(axis=1), (votes == 0).any(axis=1)
    return {
        "coverage": float(voted.any(axis=1).sum() / n),
        "overlap": float((voted.sum(axis=1) >= 2).sum() / n),
        "conflict": float((pos & neg).sum() / n),
    }
