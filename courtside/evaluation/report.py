"""The evaluation report of one run: Markdown + JSON + PNGs, and the dict the promotion gate reads.

Why benchmarks on the same games: a Brier score means little alone; the report puts the model next to
FiveThirtyEight's published Elo (every game) and the de-vigged closing line (games with a line), restricted to the
same rows, and states the betting ROI against that line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from courtside.evaluation import betting, metrics, plots, slices

DEFAULT_BIAS_BOUND = 0.05
PROB = "home_win_probability"


def _bench_block(df: Any, col: str) -> dict[str, Any] | None:
    if col not in df:
        return None
    d = df.dropna(subset=[col])
    if d.empty:
        return None
    return {
        "n": int(len(d)),
        "benchmark": metrics.summary(d[col], d["home_win"]),
        "model_same_games": metrics.summary(d[PROB], d["home_win"]),
    }


def evaluate(
    df: Any,
    out_dir: Path | str,
    *,
    title: str = "Courtside pre-game model",
    bias_bound: float = DEFAULT_BIAS_BOUND,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Score `df` (game rows with ``home_win_probability``, ``home_win`` and optional ``bench_*`` columns).

    Writes report.json, report.md and reliability.png under `out_dir` and returns the report dict.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    y = df["home_win"].to_numpy(int)
    report: dict[str, Any] = {
        "title": title,
        "games": int(len(df)),
        "seasons": sorted(int(s) for s in df["season"].unique()) if "season" in df else [],
        "model_version": sorted(df["model_version"].unique().tolist()) if "model_version" in df else [],
        "overall": metrics.summary(df[PROB], y),
        "reliability": metrics.reliability_table(df[PROB], y),
        "fte_elo": _bench_block(df, "bench_fte_prob"),
        "market": _bench_block(df, "bench_market_prob"),
        "betting": betting.simulate(df),
    }
    if "season" in df:
        report["per_season"] = {
            str(s): metrics.summary(g[PROB], g["home_win"]) for s, g in df.groupby("season", sort=True)
        }
    sl = slices.slice_metrics(df)
    report["slices"] = sl
    report["bias"] = slices.bias_report(sl, bias_bound)
    if extra:
        report.update(extra)
    tables = {"model": report["reliability"]}
    if "bench_fte_prob" in df:
        d = df.dropna(subset=["bench_fte_prob"])
        tables["538 Elo"] = metrics.reliability_table(d["bench_fte_prob"], d["home_win"])
    if "bench_market_prob" in df:
        d = df.dropna(subset=["bench_market_prob"])
        tables["closing line"] = metrics.reliability_table(d["bench_market_prob"], d["home_win"])
    plots.reliability_diagram(tables, out / "reliability.png", f"{title}: reliability")
    report["figures"] = ["reliability.png"]
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, default=float))
    (out / "report.md").write_text(to_markdown(report))
    return report


def _f(v: Any, nd: int = 4) -> str:
    return "-" if v is None else f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def to_markdown(r: dict[str, Any]) -> str:
    o = r["overall"]
    lines = [f"# {r['title']}", "", f"Games: {r['games']} (seasons {', '.join(map(str, r['seasons']))})", ""]
    lines += ["| forecast | games | Brier | log loss | accuracy | ECE |", "|---|---|---|---|---|---|"]
    lines.append(
        f"| model | {o['n']} | {_f(o['brier'])} | {_f(o['log_loss'])} | {_f(o['accuracy'])} | {_f(o['ece'])} |"
    )
    for key, name in (("fte_elo", "538 Elo (published)"), ("market", "closing line (de-vigged)")):
        b = r.get(key)
        if b:
            m, bm = b["model_same_games"], b["benchmark"]
            lines.append(
                f"| {name} | {bm['n']} | {_f(bm['brier'])} | {_f(bm['log_loss'])} | {_f(bm['accuracy'])} | "
                f"{_f(bm['ece'])} |"
            )
            lines.append(
                f"| model, same games | {m['n']} | {_f(m['brier'])} | {_f(m['log_loss'])} | "
                f"{_f(m['accuracy'])} | {_f(m['ece'])} |"
            )
    bet = r["betting"]
    lines += [
        "",
        f"**Betting simulation** ({bet['rule']}): {bet.get('bets', 0)} bets, ROI {_f(bet.get('roi'))}, "
        f"profit {_f(bet.get('profit_units'), 1)} units.",
        "",
    ]
    if r.get("per_season"):
        lines += ["## Per season", "", "| season | games | Brier | ECE |", "|---|---|---|---|"]
        for s, m in r["per_season"].items():
            lines.append(f"| {s} | {m['n']} | {_f(m['brier'])} | {_f(m['ece'])} |")
        lines.append("")
    lines += [
        "## Reliability (10 equal-width bins)",
        "",
        "![reliability](reliability.png)",
        "",
        "| bin | games | mean forecast | observed | gap | ECE share |",
        "|---|---|---|---|---|---|",
    ]
    for b in r["reliability"]:
        lines.append(
            f"| {b['lo']:.1f}-{b['hi']:.1f} | {b['count']} | {_f(b['mean_forecast'], 3)} | "
            f"{_f(b['observed'], 3)} | {_f(b['gap'], 3)} | {_f(b['ece_contribution'])} |"
        )
    bias = r["bias"]
    lines += [
        "",
        f"## Slices and bias (bound on worst calibration gap: {bias['bound']}; worst "
        f"{_f(bias['worst_gap'])}; within bound: {bias['within_bound']})",
        "",
        "| dimension | slice | games | Brier | ECE | mean forecast | observed | gap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dim, rows in r["slices"].items():
        for s in rows:
            lines.append(
                f"| {dim} | {s['slice']} | {s['n']} | {_f(s['brier'])} | {_f(s['ece'])} | "
                f"{_f(s['mean_forecast'], 3)} | {_f(s['observed'], 3)} | {_f(s['calibration_gap'], 3)} |"
            )
    for key in ("experiments_markdown",):
        if r.get(key):
            lines += ["", r[key]]
    return "\n".join(lines) + "\n"
