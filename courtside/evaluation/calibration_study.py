"""Does post-hoc calibration lower the per-season ECE of the walk-forward model? (practice 15, a measured switch)

Each variant runs the same walk-forward backtest with ``calibration`` set (maps fitted at every retrain on a
time-aware validation block of that retrain's own training games, so no season ever sees its own results). Per
season it records Brier and ECE, next to the ECE a *perfectly calibrated* forecaster would show on the same
forecasts and number of games (outcomes drawn from the forecasts themselves): with ~1,300 games a season and 10 bins,
sampling noise alone gives an ECE near 0.02, so a season's ECE above 0.02 is not by itself evidence of miscalibration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from courtside.evaluation import metrics

VARIANTS: dict[str, dict[str, Any]] = {
    "none (served model)": {"calibration": "none"},
    "platt, always applied": {"calibration": "platt", "calibration_always": True},
    "isotonic, always applied": {"calibration": "isotonic", "calibration_always": True},
    "auto (platt or isotonic, kept only if better on validation)": {"calibration": "auto"},
}


def ece_noise_floor(p: Sequence[float], draws: int = 200, seed: int = 0) -> dict[str, float]:
    """ECE of outcomes simulated from the forecasts themselves (calibrated by construction): mean and 90th pct."""
    import numpy as np

    rng = np.random.default_rng(seed)
    p_arr = np.asarray(p, dtype=float)
    values = [metrics.ece(p_arr, (rng.random(len(p_arr)) < p_arr).astype(int)) for _ in range(draws)]
    return {"mean": float(np.mean(values)), "p90": float(np.quantile(values, 0.9))}


def run(
    frame: Any, bench: Any, from_season: int, to_season: int, base_hp: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per variant: overall and per-season metrics (plus the per-season noise floor of the uncalibrated model)."""
    from courtside.backtest import BacktestConfig, walk_forward, with_context

    out: dict[str, dict[str, Any]] = {}
    for name, switch in VARIANTS.items():
        hp = {**base_hp, **switch, "split": "time"}
        preds, _ = walk_forward(frame, BacktestConfig(from_season, to_season, hyperparameters=hp))
        s = with_context(preds, frame, bench)
        s = s[s["bench_fte_prob"].notna()]
        res: dict[str, Any] = {"overall": metrics.summary(s["home_win_probability"], s["home_win"]), "seasons": {}}
        for season, g in s.groupby("season", sort=True):
            row = metrics.summary(g["home_win_probability"], g["home_win"])
            if switch["calibration"] == "none":
                row["ece_noise_floor"] = ece_noise_floor(g["home_win_probability"].to_numpy())
            res["seasons"][str(season)] = row
        out[name] = res
    return out


def to_markdown(study: Mapping[str, Mapping[str, Any]], header: str) -> str:
    names = list(study)
    seasons = list(next(iter(study.values()))["seasons"])
    lines = [
        header,
        "",
        "| variant | Brier | ECE | " + " | ".join(f"ECE {s}" for s in seasons) + " |",
        "|---|---|---|" + "---|" * len(seasons),
    ]
    for n in names:
        r = study[n]
        cells = " | ".join(f"{r['seasons'][s]['ece']:.4f}" for s in seasons)
        lines.append(f"| {n} | {r['overall']['brier']:.5f} | {r['overall']['ece']:.4f} | {cells} |")
    base = study[names[0]]["seasons"]
    if all("ece_noise_floor" in base[s] for s in seasons):
        floor = " | ".join(
            f"{base[s]['ece_noise_floor']['mean']:.4f} (p90 {base[s]['ece_noise_floor']['p90']:.4f})" for s in seasons
        )
        lines.append(f"| ECE of a perfectly calibrated forecaster, same forecasts and games | - | - | {floor} |")
    lines += ["", "| variant | " + " | ".join(f"Brier {s}" for s in seasons) + " |", "|---|" + "---|" * len(seasons)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(f"{study[n]['seasons'][s]['brier']:.5f}" for s in seasons) + " |")
    return "\n".join(lines) + "\n"
