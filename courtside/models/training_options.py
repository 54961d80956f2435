"""Training switches shared by every pre-game candidate: recency weights, cost matrix, time-aware splits.

Each is a hyper-parameter so a backtest can measure it against its absence on the same holdout (practices 7-9).
Only numpy/pandas are used, imported lazily, because this module is imported by the serving-safe pregame module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BENCHMARK_MARKERS: tuple[str, ...] = ("fte_", "line", "odds", "moneyline", "market_prob", "book")


def assert_no_benchmark_features(feature_names: Sequence[str]) -> None:
    """Refuse benchmark columns (538's forecast, sportsbook lines) as model inputs: they cannot exist for new games."""
    bad = [f for f in feature_names if any(m in f.lower() for m in BENCHMARK_MARKERS)]
    if bad:
        raise ValueError(f"benchmark columns may not be features: {bad}")


def recency_weights(seasons: Any, half_life: float | None) -> Any:
    """Weight 0.5 ** (age / half_life) where age is seasons before the newest training season (None: all 1)."""
    import numpy as np

    s = np.asarray(seasons, dtype=float)
    if not half_life:
        return np.ones_like(s)
    return 0.5 ** ((s.max() - s) / float(half_life))


@dataclass(frozen=True)
class CostMatrix:
    """Cost of each wrong pick; right picks cost 0.

    ``false_home``: picked the home team, away won. ``false_away``: picked the away team, home won. The default
    (stated in the report) makes backing a home team that loses 1.5x as costly, as for a user who bets home favourites
    and pays the vig: the trained model then needs more evidence before it picks home.
    """

    false_home: float = 1.5
    false_away: float = 1.0

    @classmethod
    def from_hp(cls, value: Mapping[str, float] | None) -> CostMatrix | None:
        return None if not value else cls(float(value.get("false_home", 1.5)), float(value.get("false_away", 1.0)))

    def class_weights(self) -> dict[int, float]:
        """Weight of a class = the cost of getting it wrong, normalised to mean 1."""
        total = self.false_home + self.false_away
        return {0: 2 * self.false_home / total, 1: 2 * self.false_away / total}

    def bayes_threshold(self) -> float:
        """Pick home when p > threshold, for a calibrated (unweighted) model."""
        return self.false_home / (self.false_home + self.false_away)

    def expected_cost(self, p: Sequence[float], y: Sequence[int], threshold: float) -> float:
        """Average realised cost of picks made at `threshold`."""
        cost = 0.0
        for pi, yi in zip(p, y, strict=True):
            pick_home = pi > threshold
            if pick_home and yi == 0:
                cost += self.false_home
            elif not pick_home and yi == 1:
                cost += self.false_away
        return cost / max(len(y), 1)


def cost_weights(labels: Any, cost: CostMatrix | None) -> Any:
    import numpy as np

    y = np.asarray(labels, dtype=int)
    if cost is None:
        return np.ones(len(y))
    cw = cost.class_weights()
    return np.where(y == 1, cw[1], cw[0])


def time_aware_stratified_split(
    df: Any, val_fraction: float = 0.15, strata: Sequence[str] = ("home_win", "is_playoff"), date_col: str = "date"
) -> tuple[Any, Any]:
    """Split into (train, validation) where every validation game is later than every training game.

    Time-aware: the validation block is the latest dates (cut on a date boundary so same-day games never straddle
    the split). Stratified: the cut is placed so the block holds about `val_fraction` of the rows, and a check
    records the class/slice proportions of both parts in ``df.attrs['strata']`` for the report.
    """
    ordered = df.sort_values(date_col, kind="mergesort")
    dates = ordered[date_col].astype(str).to_numpy()
    cut = int(len(ordered) * (1 - val_fraction))
    cut_date = dates[min(cut, len(dates) - 1)]
    train = ordered[ordered[date_col].astype(str) < cut_date]
    val = ordered[ordered[date_col].astype(str) >= cut_date]
    keys = [c for c in strata if c in df.columns]
    if keys:
        val.attrs["strata"] = {
            "train": train[keys].astype(float).mean().to_dict(),
            "validation": val[keys].astype(float).mean().to_dict(),
        }
    return train, val


def random_split(df: Any, val_fraction: float = 0.15, seed: int = 0) -> tuple[Any, Any]:
    """The switch's absence: a shuffled split that ignores time (validation games interleave with training)."""
    val = df.sample(frac=val_fraction, random_state=seed)
    return df.drop(val.index), val


def stratified_sample(df: Any, n: int, strata: Sequence[str], seed: int = 0) -> Any:
    """A subsample of about `n` rows that keeps the joint proportions of `strata` (e.g. label x playoff)."""
    frac = min(1.0, n / max(len(df), 1))
    keys = [c for c in strata if c in df.columns]
    if not keys:
        return df.sample(n=min(n, len(df)), random_state=seed)
    return df.groupby(keys, group_keys=False).sample(frac=frac, random_state=seed)
