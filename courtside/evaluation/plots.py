"""PNG figures for the report (matplotlib with the Agg backend, imported lazily: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def reliability_diagram(tables: Mapping[str, Sequence[Mapping[str, Any]]], path: Path, title: str) -> Path:
    """One line per forecast (model, 538, market): mean forecast vs observed frequency per bin, plus counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6, 7), gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    for name, rows in tables.items():
        pts = [(r["mean_forecast"], r["observed"]) for r in rows if r["count"]]
        ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=name)
    first = next(iter(tables.values()))
    ax2.bar([(r["lo"] + r["hi"]) / 2 for r in first], [r["count"] for r in first], width=0.09, color="tab:blue")
    ax.set_ylabel("observed home-win frequency")
    ax2.set_xlabel("forecast home-win probability")
    ax2.set_ylabel("games")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def bar_chart(values: Mapping[str, float], path: Path, title: str, ylabel: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(list(values), list(values.values()), color="tab:blue")
    lo = min(values.values())
    ax.set_ylim(lo * 0.98, max(values.values()) * 1.01)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
