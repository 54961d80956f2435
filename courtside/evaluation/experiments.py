"""Every candidate and training switch measured on the same walk-forward holdout, written as one Markdown table.

Why one runner: a switch's effect only means something against its absence on identical games and training
windows; this module runs them side by side and records the ones that did not help too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from courtside.evaluation import metrics
from courtside.models.training_options import CostMatrix

BASE = [
    "elo_diff",
    "home_rest_days",
    "away_rest_days",
    "home_back_to_back",
    "away_back_to_back",
    "home_games_last_4_days",
    "away_games_last_4_days",
    "neutral",
]
PLAYER = ["pl_pm_diff", "pl_gs_diff", "pl_missing_diff"]
COST = {"false_home": 1.5, "false_away": 1.0}


def candidates(with_players: bool) -> dict[str, dict[str, Any]]:
    feats = BASE + PLAYER if with_players else BASE
    best = {"model_kind": "logistic", "features": feats}
    out = {
        "elo-logistic (elo_diff only)": {"model_kind": "elo"},
        "logistic, results-only features": {"model_kind": "logistic", "features": BASE},
        "lightgbm, results-only features": {"model_kind": "lightgbm", "features": BASE},
        "ensemble, results-only features": {"model_kind": "ensemble", "features": BASE},
    }
    if with_players:
        out.update(
            {
                "logistic + player ratings": best,
                "lightgbm + player ratings": {**best, "model_kind": "lightgbm"},
                "ensemble + player ratings": {**best, "model_kind": "ensemble"},
            }
        )
    out.update(
        {
            "switch: recency half-life 5 seasons": {**best, "half_life": 5},
            "switch: recency half-life 2 seasons": {**best, "half_life": 2},
            "switch: cost matrix (false_home 1.5, false_away 1)": {**best, "cost_matrix": COST},
            "switch: calibration auto, time-aware stratified split": {**best, "calibration": "auto", "split": "time"},
            "switch: calibration auto, random split": {**best, "calibration": "auto", "split": "random"},
            "switch: ensemble weights, random split": {**best, "model_kind": "ensemble", "split": "random"},
        }
    )
    return out


def run_all(frame: Any, bench: Any, from_season: int, to_season: int) -> list[dict[str, Any]]:
    from courtside.backtest import BacktestConfig, walk_forward, with_context

    with_players = "pl_pm_diff" in frame
    rows = []
    for name, hp in candidates(with_players).items():
        preds, _ = walk_forward(frame, BacktestConfig(from_season, to_season, hyperparameters=hp))
        s = with_context(preds, frame, bench)
        s = s[s["bench_fte_prob"].notna()]
        p, y = s["home_win_probability"], s["home_win"]
        row = {"candidate": name, **metrics.summary(p, y)}
        cost = CostMatrix.from_hp(COST)
        assert cost is not None
        thr = 0.5 if hp.get("cost_matrix") else cost.bayes_threshold()
        row["expected_cost"] = cost.expected_cost(p.tolist(), y.tolist(), thr)
        rows.append(row)
    return rows


def to_markdown(
    rows: list[Mapping[str, Any]], rare: Mapping[str, Any] | None, transfer: Mapping[str, Any] | None, header: str
) -> str:
    out = [
        header,
        "",
        "| candidate / switch | games | Brier | log loss | accuracy | ECE | expected cost* |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['candidate']} | {r['n']} | {r['brier']:.5f} | {r['log_loss']:.4f} | {r['accuracy']:.4f} | "
            f"{r['ece']:.4f} | {r['expected_cost']:.4f} |"
        )
    out += [
        "",
        "*expected cost per game under the stated cost matrix (wrong home pick 1.5, wrong away pick 1.0): "
        "plain models pick home above the Bayes threshold 0.6, the cost-weighted model above 0.5.",
        "",
    ]
    if rare:
        out += [
            f"### Rare event: upsets (favourite by >= {rare['gap']:.0f} Elo points loses), "
            f"test positive rate {rare['test_positive_rate']:.3f} on {rare['test_rows']} games",
            "",
            f"| method | PR-AUC | recall at precision {rare['precision_fixed']} | Brier |",
            "|---|---|---|---|",
        ]
        for m, v in rare["methods"].items():
            out.append(f"| {m} | {v['pr_auc']:.4f} | {v['recall_at_precision']:.4f} | {v['brier']:.4f} |")
        out.append("")
    if transfer:
        out += [
            f"### Transfer: pre-trained on {transfer['pretrain_seasons']}, adapted with the first "
            f"{transfer['small_rows']} games of {transfer['season']}, tested on its other {transfer['test_rows']}",
            "",
            "| model | Brier | log loss |",
            "|---|---|---|",
        ]
        for k in ("pretrained_only", "scratch_small", "warm_started"):
            out.append(f"| {k} | {transfer[k]['brier']:.4f} | {transfer[k]['log_loss']:.4f} |")
        out.append("")
    return "\n".join(out)
