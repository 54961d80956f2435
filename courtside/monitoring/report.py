"""`courtside monitor report`: an HTML page with PNGs (metrics over time by model version, reliability diagram per
model version, drift per feature) and the tables behind them.

Why static HTML + PNG: it opens anywhere (laptop, S3 static hosting, a ticket attachment) without a server.
Why by model version: after a promotion the question is "did the new model do better on the games it answered",
so every chart and table splits by the `model_version` that answered each captured prediction.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from courtside.config import Settings
from courtside.monitoring.performance import latest_by_version, reliability_table, rolling_metrics, summary

ROLLING_BRIER_ALARM = 0.24
DRIFT_PSI_ALARM = 0.2


def version_table(labeled: pd.DataFrame) -> pd.DataFrame:
    """One row per model version: predictions answered, first/last game date, Brier, log loss, ECE over all of them."""
    rows = []
    for version, g in labeled.groupby("model_version", sort=False):
        rows.append(
            {
                "model_version": version,
                "first_game": str(g["game_date"].min()),
                "last_game": str(g["game_date"].max()),
                **summary(g["home_win_probability"].to_numpy(float), g["home_win"].to_numpy(float)),
            }
        )
    out = pd.DataFrame(rows)
    if len(out):
        out["n"] = out["n"].astype(int)
    return out


def _metrics_png(roll: pd.DataFrame, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
    x = np.arange(len(roll))
    for ax, col, label in zip(
        axes,
        ("rolling_brier", "rolling_log_loss", "rolling_ece"),
        ("rolling Brier", "rolling log loss", "rolling ECE (10 bins)"),
        strict=True,
    ):
        for version in pd.unique(roll["model_version"]):
            mask = (roll["model_version"] == version).to_numpy()
            ax.plot(x[mask], roll.loc[mask, col], ".", markersize=2, label=str(version))
        ax.set_ylabel(label)
    axes[0].axhline(ROLLING_BRIER_ALARM, color="red", linestyle="--", label=f"alarm {ROLLING_BRIER_ALARM}")
    axes[0].legend(fontsize=7, loc="upper right")
    ticks = np.linspace(0, len(roll) - 1, min(8, len(roll))).astype(int)
    axes[-1].set_xticks(ticks, [str(roll["game_date"].iloc[i]) for i in ticks], rotation=30, fontsize=7)
    axes[-1].set_xlabel("labeled prediction (game date); colour = model version that answered")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _reliability_png(labeled: pd.DataFrame, path: Path) -> pd.DataFrame:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    tables = []
    for version, g in [("all", labeled), *labeled.groupby("model_version", sort=False)]:
        t = reliability_table(g["home_win_probability"].to_numpy(float), g["home_win"].to_numpy(float))
        t = t[t["count"] > 0]
        ax.plot(t["mean_predicted"], t["observed_rate"], marker="o", markersize=3, label=f"{version} (n={len(g)})")
        tables.append(t.assign(model_version=version))
    ax.set_xlabel("predicted home win")
    ax.set_ylabel("observed home win rate")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return pd.concat(tables, ignore_index=True)


def _drift_png(drift: pd.DataFrame, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.35 * len(drift) + 1.2))
    ax.barh(drift["feature"], drift["psi"])
    ax.axvline(DRIFT_PSI_ALARM, color="red", linestyle="--")
    ax.set_xlabel("PSI vs training baseline")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def render(labeled: pd.DataFrame, drift_report: pd.DataFrame | None, out: Path, window: int = 100) -> Path:
    """Write `out/index.html` + `metrics.png`, `reliability.png`, `drift.png` (each when there is data for it)."""
    import matplotlib

    matplotlib.use("Agg")

    out.mkdir(parents=True, exist_ok=True)
    fmt = {"float_format": lambda v: f"{v:.4f}", "index": False}
    parts = ["<html><head><meta charset='utf-8'><title>Courtside monitoring</title></head><body>"]
    parts.append("<h1>Courtside monitoring</h1>")
    if len(labeled):
        labeled = labeled.sort_values(["game_date", "captured_at"], kind="stable").reset_index(drop=True)
        _metrics_png(rolling_metrics(labeled, window), out / "metrics.png")
        reliability = _reliability_png(labeled, out / "reliability.png")
        parts += [
            f"<h2>Metrics over time (rolling {window} labeled predictions)</h2><img src='metrics.png'>",
            "<h3>By model version (every labeled prediction it answered)</h3>",
            version_table(labeled).to_html(**fmt),
            f"<h3>Latest {window} per model version and slice (the published CloudWatch metrics)</h3>",
            latest_by_version(labeled, window).to_html(**fmt),
            "<h2>Reliability</h2><img src='reliability.png'>",
            reliability.to_html(**fmt),
        ]
    else:
        parts.append("<p>No labeled captures yet.</p>")
    if drift_report is not None and len(drift_report) and "psi" in drift_report:
        ok = drift_report.dropna(subset=["psi"])
        if len(ok):
            _drift_png(ok, out / "drift.png")
            parts.append("<h2>Drift per feature (recent captures vs the training baseline)</h2><img src='drift.png'>")
        parts.append(drift_report.to_html(**fmt))
    parts.append(f"<p>{html.escape(str(len(labeled)))} labeled predictions.</p></body></html>")
    page = out / "index.html"
    page.write_text("\n".join(parts))
    return page


def report_from_lake(settings: Settings, out: Path, window: int = 100) -> tuple[Path, str | None]:
    """Label late captures, read every labeled capture and compare every capture with the latest baseline, then
    :func:`render`. Returns (page, why there is no drift section or None)."""
    from courtside.monitoring.capture import read_captures
    from courtside.monitoring.drift import Baseline, evaluate
    from courtside.monitoring.outcomes import read_labeled, relabel_stale

    relabel_stale(settings)
    drift, why = None, None
    try:
        drift = evaluate(Baseline.load(settings), read_captures(settings)).report
    except Exception as err:  # noqa: BLE001 - a report without drift when no baseline exists yet
        why = f"no drift section: {err}"
    return render(read_labeled(settings), drift, out, window), why
