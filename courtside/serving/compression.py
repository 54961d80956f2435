"""Model compression for the prediction path (practice 21): measure the serving forms against the uncompressed model.

Offline only (imports pandas, LightGBM, scikit-learn): never imported by the Lambda. The teacher is the models
engineer's LightGBM candidate (same hyper-parameters, ``DEFAULT_LIGHTGBM``) trained on seasons up to 2014 and
held out on 2015-2019. Forms compared, each on one row at a time as the Lambda scores:

- ``lightgbm-booster``: the uncompressed LightGBM Python object (numpy row -> ``Booster.predict``);
- ``lightgbm-sklearn``: the same model as a scikit-learn ``LGBMClassifier`` with a named-feature DataFrame row;
- ``pure-python-trees``: ``courtside-trees-v1`` (array-walking trees, no numpy);
- ``compiled-trees``: ``courtside-compiled-trees-v1`` (:mod:`courtside.serving.compiled`, bit-vector scoring);
- ``distilled-logistic``: a ``courtside-linear-v1`` student fitted to the teacher's log-odds (8 coefficients).

``python -m courtside.serving.compression --write`` regenerates ``docs/compression.md`` and
``.courtside/compression/`` (the serving JSON of each form).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import time
from pathlib import Path
from typing import Any

from courtside.config import REPO_ROOT, get_settings
from courtside.serving.compiled import CompiledTrees

DOC = REPO_ROOT / "docs" / "compression.md"
TRAIN_LAST_SEASON, TEST_FIRST_SEASON, TEST_LAST_SEASON = 2014, 2015, 2019
TRAIN_FIRST_SEASON = 1980


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(math.ceil(q / 100.0 * len(ordered))) - 1)]


def time_per_row(predict: Any, rows: list[Any], repeats: int = 3) -> dict[str, float]:
    """Warm single-row latency in microseconds over `rows`, `repeats` passes: wall p50/p99 and thread-CPU p50.

    CPU time is reported because on a shared machine wall time also measures the neighbours (preemption)."""
    for r in rows[:50]:
        predict(r)
    samples: list[float] = []
    cpu: list[float] = []
    clock, cpu_clock = time.perf_counter, time.thread_time
    for _ in range(repeats):
        for r in rows:
            c, t = cpu_clock(), clock()
            predict(r)
            samples.append((clock() - t) * 1e6)
            cpu.append((cpu_clock() - c) * 1e6)
    return {"p50_us": _percentile(samples, 50), "p99_us": _percentile(samples, 99), "cpu_p50_us": _percentile(cpu, 50)}


def brier(p: list[float], y: list[int]) -> float:
    return sum((a - b) ** 2 for a, b in zip(p, y, strict=True)) / len(y)


def log_loss(p: list[float], y: list[int]) -> float:
    eps = 1e-12
    return -sum(
        b * math.log(max(a, eps)) + (1 - b) * math.log(max(1 - a, eps)) for a, b in zip(p, y, strict=True)
    ) / len(y)


def build_forms(train: Any, names: list[str]) -> dict[str, Any]:
    """Train the teacher once and derive every form from it."""
    import lightgbm as lgb
    import numpy as np

    from courtside.models import trees
    from courtside.models.linear import fit_logistic
    from courtside.models.pregame import DEFAULT_LIGHTGBM

    p = DEFAULT_LIGHTGBM
    clf = lgb.LGBMClassifier(
        objective="binary",
        num_leaves=p["num_leaves"],
        n_estimators=p["n_estimators"],
        learning_rate=p["learning_rate"],
        min_child_samples=p["min_child_samples"],
        reg_lambda=p["lambda_l2"],
        random_state=p["seed"],
        deterministic=True,
        force_row_wise=True,
        n_jobs=1,
        verbose=-1,
    )
    clf.fit(train[names], train["home_win"])
    booster = clf.booster_
    tree_model = trees.from_lightgbm(booster, names, {"model_version": "teacher"})
    compiled = CompiledTrees.from_tree_model(tree_model, {"model_version": "compiled"})
    # distillation: regress a logistic student onto the teacher's soft labels via sample-weighted duplication
    soft = booster.predict(train[names].to_numpy(dtype=float))
    doubled = train[names].copy()
    doubled = doubled.loc[doubled.index.repeat(2)].reset_index(drop=True)
    doubled["home_win"] = np.tile([1, 0], len(train))
    weights = np.column_stack([soft, 1.0 - soft]).ravel()
    student = fit_logistic(doubled, names, c=10.0, sample_weight=weights)
    return {"booster": booster, "sklearn": clf, "trees": tree_model, "compiled": compiled, "distilled": student}


def measure(data_dir: Path | None = None, bench_rows: int = 2000) -> dict[str, Any]:
    from courtside.features.pregame import FEATURE_NAMES
    from courtside.models.dataset import pregame_frame

    frame = pregame_frame(data_dir)
    names = list(FEATURE_NAMES)
    train = frame[(frame["season"] >= TRAIN_FIRST_SEASON) & (frame["season"] <= TRAIN_LAST_SEASON)]
    test = frame[(frame["season"] >= TEST_FIRST_SEASON) & (frame["season"] <= TEST_LAST_SEASON)]
    forms = build_forms(train, names)
    y = test["home_win"].astype(int).tolist()
    dict_rows = test[names].astype(float).to_dict("records")
    np_rows = [r.reshape(1, -1) for r in test[names].to_numpy(dtype=float)]
    df_rows = [test[names].iloc[[i]] for i in range(min(bench_rows, len(test)))]
    teacher = forms["booster"].predict(test[names].to_numpy(dtype=float)).tolist()

    def probs(model: Any) -> list[float]:
        return [model.predict_proba(r) for r in dict_rows]

    out_dir = get_settings().state_dir / "compression"
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    booster_text = forms["booster"].model_to_string()
    entries = [
        ("lightgbm-booster", teacher, len(booster_text.encode()), lambda r: forms["booster"].predict(r), np_rows),
        (
            "lightgbm-sklearn",
            forms["sklearn"].predict_proba(test[names])[:, 1].tolist(),
            len(pickle.dumps(forms["sklearn"])),
            lambda r: forms["sklearn"].predict_proba(r),
            df_rows,
        ),
    ]
    for key, label in (
        ("trees", "pure-python-trees"),
        ("compiled", "compiled-trees"),
        ("distilled", "distilled-logistic"),
    ):
        text = forms[key].to_json()
        (out_dir / f"{label}.json").write_text(text)
        entries.append((label, probs(forms[key]), len(text.encode()), forms[key].predict_proba, dict_rows))
    for label, p, size, predict, rows in entries:
        timing = time_per_row(predict, rows[:bench_rows])
        results[label] = {
            "size_bytes": size,
            **{k: round(v, 1) for k, v in timing.items()},
            "brier": round(brier(p, y), 5),
            "log_loss": round(log_loss(p, y), 5),
            "max_abs_diff_vs_teacher": float(f"{max(abs(a - b) for a, b in zip(p, teacher, strict=True)):.3g}"),
        }
    return {
        "train": f"{TRAIN_FIRST_SEASON}-{TRAIN_LAST_SEASON} ({len(train)} games)",
        "test": f"{TEST_FIRST_SEASON}-{TEST_LAST_SEASON} ({len(test)} games)",
        "bench_rows": bench_rows,
        "forms": results,
    }


def render(report: dict[str, Any]) -> str:
    base = report["forms"]["lightgbm-booster"]
    lines = [
        "# Model compression (practice 21)",
        "",
        "Generated by `python -m courtside.serving.compression --write` (code: `courtside/serving/compression.py`).",
        f"Teacher: the LightGBM pre-game candidate (`DEFAULT_LIGHTGBM`, 300 trees x 7 leaves), trained on "
        f"{report['train']}, evaluated on {report['test']}. Latency is warm single-row scoring in one process "
        f"({report['bench_rows']} holdout rows x 3 passes), the way the predict Lambda scores a request; "
        "the feature read is excluded (see bench/predict.py).",
        "",
        "| form | size (bytes) | p50 (us) | p99 (us) | CPU p50 (us) | speed-up p50 vs booster | "
        "speed-up CPU p50 | Brier | log loss | max abs diff vs teacher |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["forms"].items():
        speed = base["p50_us"] / r["p50_us"] if r["p50_us"] else float("nan")
        cpu_speed = base["cpu_p50_us"] / r["cpu_p50_us"] if r["cpu_p50_us"] else float("nan")
        lines.append(
            f"| {name} | {r['size_bytes']} | {r['p50_us']} | {r['p99_us']} | {r['cpu_p50_us']} | {speed:.1f}x | "
            f"{cpu_speed:.1f}x | {r['brier']} | {r['log_loss']} | {r['max_abs_diff_vs_teacher']} |"
        )
    lines += [
        "",
        "Reading it: `compiled-trees` is the lossless compressed form (identical predictions, no numpy/LightGBM in "
        "the Lambda); `distilled-logistic` is the lossy one (one coefficient per feature), whose accuracy cost is "
        "the Brier difference above. The serving path loads either through "
        "`courtside.serving.model_loader.parse_model` (format `courtside-compiled-trees-v1` or `courtside-linear-v1`).",
        "",
        "```json",
        json.dumps(report, indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compress the serving model and report size/latency/accuracy")
    parser.add_argument("--write", action="store_true", help="write docs/compression.md")
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)
    text = render(measure(bench_rows=args.rows))
    if args.write:
        DOC.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
