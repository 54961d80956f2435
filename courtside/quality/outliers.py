"""Statistical outlier tests on incoming game and player stats.

- Robust z-score (median/MAD) of a value against a rolling distribution (league game totals, a team's points,
  player points): robust because the median and MAD ignore the very outliers we look for, unlike mean/std.
- Grubbs' test for a batch (e.g. a season's game totals loaded at once): the most extreme value, tested against
  the Student-t critical value at level `alpha`, repeated while an outlier is found.

Each test returns :class:`OutlierFlag` records (test name, statistic, threshold) so a flagged event is stored
with the flag, or quarantined with reason `outlier` when the configured action says so.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Literal

MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution times this is its standard deviation


@dataclass(frozen=True)
class OutlierConfig:
    """Thresholds; `action` decides what happens to an outlier (flag = store with a flag)."""

    z_threshold: float = 5.0
    window: int = 500
    min_history: int = 30
    grubbs_alpha: float = 0.001
    action: Literal["flag", "quarantine"] = "flag"


@dataclass(frozen=True)
class OutlierFlag:
    test: str  # "robust_z" | "grubbs"
    metric: str  # e.g. "game_total", "team_points:BOS", "player_pts"
    value: float
    statistic: float
    threshold: float
    key: str = ""  # event id or row key

    def as_dict(self) -> dict:
        return asdict(self)


def robust_z(value: float, history: Sequence[float]) -> float:
    """(value - median) / (1.4826 * MAD); 0 when the history has no spread."""
    med = median(history)
    mad = median(abs(x - med) for x in history)
    if mad == 0:
        return 0.0 if value == med else math.copysign(math.inf, value - med)
    return (value - med) / (MAD_TO_SIGMA * mad)


def grubbs(values: Sequence[float], alpha: float = 0.001) -> list[tuple[int, float, float]]:
    """Iterated two-sided Grubbs test: [(index, G, G_critical)] of the outliers found, most extreme first."""
    from scipy import stats

    idx = list(range(len(values)))
    vals = [float(v) for v in values]
    found: list[tuple[int, float, float]] = []
    while len(vals) >= 7:
        n = len(vals)
        mean = sum(vals) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (n - 1))
        if sd == 0:
            break
        j = max(range(n), key=lambda i: abs(vals[i] - mean))
        g = abs(vals[j] - mean) / sd
        t = stats.t.ppf(1 - alpha / (2 * n), n - 2)
        g_crit = (n - 1) / math.sqrt(n) * math.sqrt(t * t / (n - 2 + t * t))
        if g <= g_crit:
            break
        found.append((idx[j], g, g_crit))
        del vals[j], idx[j]
    return found


@dataclass
class RollingScreen:
    """Robust z-scores of game_final and player_box values against rolling distributions kept in memory.

    A value is compared with the history *before* it is added, and only once `min_history` values exist.
    """

    config: OutlierConfig = field(default_factory=OutlierConfig)
    _hist: dict[str, deque] = field(default_factory=dict)

    def _test(self, metric: str, value: float, key: str) -> OutlierFlag | None:
        h = self._hist.setdefault(metric, deque(maxlen=self.config.window))
        flag = None
        if len(h) >= self.config.min_history:
            z = robust_z(value, h)
            if abs(z) > self.config.z_threshold:
                flag = OutlierFlag("robust_z", metric, value, round(z, 3), self.config.z_threshold, key)
        h.append(value)
        return flag

    def game_final(self, payload: dict, key: str = "") -> list[OutlierFlag]:
        home, away = payload["home_score"], payload["away_score"]
        flags = [
            self._test("game_total", home + away, key),
            self._test(f"team_points:{payload['home_team']}", home, key),
            self._test(f"team_points:{payload['away_team']}", away, key),
        ]
        return [f for f in flags if f]

    def player_box(self, payload: dict, key: str = "") -> list[OutlierFlag]:
        """Player counts are Poisson-like and skewed (a 12-assist night is common, not an error), so they are
        tested on the Anscombe scale 2*sqrt(x + 3/8), where their spread is about constant: on the 2018-19
        extract no real line is flagged at |z| > 5, while a 150-point line is."""
        if not payload.get("minutes"):
            return []  # did not play: nothing to compare
        flags = []
        for stat in ("pts", "reb", "ast"):
            value = payload.get(stat, 0)
            flag = self._test(f"player_{stat}_anscombe", 2 * math.sqrt(value + 0.375), key)
            if flag:
                flags.append(OutlierFlag(flag.test, f"player_{stat}", value, flag.statistic, flag.threshold, key))
        return flags


def grubbs_flags(values: Iterable[tuple[str, float]], metric: str, alpha: float = 0.001) -> list[OutlierFlag]:
    """Grubbs over a batch of (key, value): a flag per outlier found."""
    pairs = list(values)
    return [
        OutlierFlag("grubbs", metric, pairs[i][1], round(g, 3), round(gc, 3), pairs[i][0])
        for i, g, gc in grubbs([v for _, v in pairs], alpha)
    ]
