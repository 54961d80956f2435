"""`courtside monitor report`: an HTML page with PNGs (metrics over time, reliability diagram, drift per feature).

Why static HTML + PNG: it opens anywhere (laptop, S3 static hosting, a ticket attachment) without a server.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from courtside.monitoring.performance import reliability_table, rolling_metrics


def render(labeled: pd.DataFrame, drift_report: pd.DataFrame | None, out: Path, window: int = 100) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    parts = ["<html><head><title>Courtside monitoring</title></head><body><h1>Courtside monitoring</h1>"]
    if len(labeled):
        roll = rolling_metrics(labeled, window)
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.plot(roll.index, roll["rolling_brier"], label="rolling Brier")
        ax.plot(roll.index, roll["rolling_ece"], label="rolling ECE")
        ax.axhline(0.24, color="red", linestyle="--", label="RollingBrier alarm 0.24")
        ax.set_xlabel("labeled prediction #")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "metrics.png")
        plt.close(fig)
        t = reliability_table(labeled["home_win_probability"].to_numpy(), labeled["home_win"].to_numpy())
        fig, ax = plt.subplots(figsize=(4, 4))
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
        ax.plot(t["mean_predicted"], t["observed_rate"], marker="o")
        ax.set_xlabel("predicted home win")
        ax.set_ylabel("observed")
        fig.tight_layout()
        fig.savefig(out / "reliability.png")
        plt.close(fig)
        parts += [
            "<h2>Metrics over time</h2><img src='metrics.png'>",
            "<h2>Reliability</h2><img src='reliability.png'>",
        ]
        parts.append(t.to_html(index=False, float_format=lambda x: f"{x:.3f}"))
    else:
        parts.append("<p>No labeled captures yet.</p>")
    if drift_report is not None and len(drift_report) and "psi" in drift_report:
        ok = drift_report.dropna(subset=["psi"])
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.barh(ok["feature"], ok["psi"])
        ax.axvline(0.2, color="red", linestyle="--")
        ax.set_xlabel("PSI vs training baseline")
        fig.tight_layout()
        fig.savefig(out / "drift.png")
        plt.close(fig)
        parts += ["<h2>Drift per feature</h2><img src='drift.png'>", drift_report.to_html(index=False)]
    parts.append(f"<p>{html.escape(str(len(labeled)))} labeled predictions.</p></body></html>")
    page = out / "index.html"
    page.write_text("\n".join(parts))
    return page
