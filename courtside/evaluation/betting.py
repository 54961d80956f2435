"""Simulated betting against the closing line (practice 2): does the model's edge survive the vig?

Staking rule (stated in every report): flat 1 unit on the side whose model probability exceeds the de-vigged
closing probability by at least ``min_edge`` (default 3 percentage points), at the closing price; at most one bet
per game. ROI = profit / units staked.
"""

from __future__ import annotations

from typing import Any

from courtside.evaluation.market import decimal_odds

STAKING_RULE = "flat 1 unit on the side where model p - de-vigged closing p >= {edge:.0%}, at the closing price"


def simulate(df: Any, prob_col: str = "home_win_probability", min_edge: float = 0.03) -> dict[str, Any]:
    need = ["bench_market_prob", "bench_home_odds", "bench_away_odds"]
    if any(c not in df for c in need):
        return {"rule": STAKING_RULE.format(edge=min_edge), "bets": 0, "roi": None}
    d = df.dropna(subset=need)
    bets = wins = 0
    profit = 0.0
    for r in d.to_dict("records"):
        p, m = float(r[prob_col]), float(r["bench_market_prob"])
        if p - m >= min_edge:
            side_won, odds = r["home_win"] == 1, r["bench_home_odds"]
        elif m - p >= min_edge:
            side_won, odds = r["home_win"] == 0, r["bench_away_odds"]
        else:
            continue
        bets += 1
        wins += int(side_won)
        profit += decimal_odds(float(odds)) - 1.0 if side_won else -1.0
    return {
        "rule": STAKING_RULE.format(edge=min_edge),
        "games_with_line": int(len(d)),
        "bets": bets,
        "win_rate": wins / bets if bets else None,
        "profit_units": profit,
        "roi": profit / bets if bets else None,
    }
