"""Slices and bias (practice 1): who the model serves worse, measured the same way every run.

Team metadata (conference, market size) is a small table here because the evaluation needs it, not the features.
Market size: the 10 largest US/Canadian TV markets among NBA cities are "large" (a stated, fixed rule).
The bias measure per slice is the calibration gap |mean forecast - observed home-win rate|: a model that
over-rates large-market teams or favourites shows it directly, while plain Brier differences between slices
mostly reflect how predictable the slice is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from courtside.evaluation import metrics
from courtside.teams import franchise_of

EAST = {"ATL", "BOS", "BRK", "CHO", "CHI", "CLE", "DET", "IND", "MIA", "MIL", "NYK", "ORL", "PHI", "TOR", "WAS"}
WEST = {"DAL", "DEN", "GSW", "HOU", "LAC", "LAL", "MEM", "MIN", "NOP", "OKC", "PHO", "POR", "SAC", "SAS", "UTA"}
LARGE_MARKETS = {"NYK", "BRK", "LAL", "LAC", "CHI", "PHI", "DAL", "GSW", "TOR", "BOS", "HOU", "WAS", "ATL"}
MIN_SLICE_GAMES = 100


def conference(team: str) -> str:
    f = franchise_of(team)
    return "East" if f in EAST else "West" if f in WEST else "Other"


def market(team: str) -> str:
    return "large" if franchise_of(team) in LARGE_MARKETS else "small"


def era(season: int) -> str:
    return "pre-2000" if season < 2000 else "2000-2014" if season < 2015 else "2015+"


SLICERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "home_favourite": lambda r: "home_fav" if r["home_win_probability"] >= 0.5 else "away_fav",
    "favourite_strength": lambda r: "strong_fav" if abs(r["home_win_probability"] - 0.5) >= 0.2 else "close",
    "conference": lambda r: f"{conference(r['home_team'])}-{conference(r['away_team'])}",
    "home_market": lambda r: f"home_{market(r['home_team'])}",
    "away_market": lambda r: f"away_{market(r['away_team'])}",
    "era": lambda r: era(int(r["season"])),
    "playoffs": lambda r: "playoff" if bool(r.get("is_playoff", False)) else "regular",
}


def slice_metrics(df: Any, prob_col: str = "home_win_probability") -> dict[str, list[dict[str, Any]]]:
    """Per slice dimension, per group: n, Brier, log loss, ECE, mean forecast, observed rate, calibration gap."""
    recs = df.to_dict("records")
    out: dict[str, list[dict[str, Any]]] = {}
    for dim, fn in SLICERS.items():
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(recs):
            groups.setdefault(fn({**r, "home_win_probability": r[prob_col]}), []).append(i)
        rows = []
        p_all, y_all = df[prob_col].to_numpy(float), df["home_win"].to_numpy(int)
        for name, idx in sorted(groups.items()):
            p, y = p_all[idx], y_all[idx]
            rows.append(
                {
                    "slice": name,
                    "n": len(idx),
                    **{k: v for k, v in metrics.summary(p, y).items() if k != "n"},
                    "mean_forecast": float(p.mean()),
                    "observed": float(y.mean()),
                    "calibration_gap": float(abs(p.mean() - y.mean())),
                }
            )
        out[dim] = rows
    return out


def bias_report(slices: Mapping[str, list[dict[str, Any]]], bound: float, min_games: int = MIN_SLICE_GAMES) -> dict:
    """Worst calibration gap and Brier spread per dimension (slices with >= `min_games`), and the bound check."""
    dims = {}
    worst = 0.0
    for dim, rows in slices.items():
        big = [r for r in rows if r["n"] >= min_games]
        if not big:
            continue
        gap = max(r["calibration_gap"] for r in big)
        briers = [r["brier"] for r in big]
        dims[dim] = {
            "worst_calibration_gap": gap,
            "worst_slice": max(big, key=lambda r: r["calibration_gap"])["slice"],
            "brier_spread": float(max(briers) - min(briers)),
        }
        worst = max(worst, gap)
    return {"bound": bound, "worst_gap": worst, "within_bound": worst <= bound, "dimensions": dims}


def label_balance(train_df: Any) -> dict[str, dict[str, float]]:
    """Pre-training label balance (Clarify-style): home-win rate and share of rows per slice of the training data."""
    df = train_df.assign(home_win_probability=0.5)
    out: dict[str, dict[str, float]] = {}
    for dim in ("conference", "home_market", "era", "playoffs"):
        keys = [SLICERS[dim](r) for r in df.to_dict("records")]
        s = df.assign(_k=keys).groupby("_k")["home_win"].agg(["mean", "size"])
        out[dim] = {str(k): float(v) for k, v in s["mean"].items()}
    return out
