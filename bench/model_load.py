"""Load time of a served model document: the in-game model the live endpoint parses on its first request.

Why: the v6 in-game document (two tree ensembles, 1.4 MB) took about twice v5's load time, and the live Lambda pays
it on the first live request after a cold start. The loaders used to re-serialise every nested part (the trees, the
early trees, an ensemble's members) and parse it again; they now build each part from the parsed dicts
(``courtside.models.documents.check_document``, ``from_dict``). This times the shipped loader against that old path,
re-created here in the same process from the same public pieces (``TreeEnsembleModel.from_json`` of each re-dumped
part), and checks that both build the same model.

Run: `.venv/bin/python bench/model_load.py [--rounds 9]` (a few seconds). Prints the median wall time of each path
over interleaved rounds and the ratio shipped / old.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def old_load(text: str) -> Any:
    """The loader before this change: each nested tree ensemble re-dumped to JSON and parsed again."""
    from courtside.labeling.label_model import LabelModel
    from courtside.models import ingame
    from courtside.models.documents import read_document
    from courtside.models.trees import TreeEnsembleModel

    doc = read_document(text, ingame.READABLE_FORMATS)
    late, lm, early = doc.get("late"), doc.get("label_model"), doc.get("early")
    return ingame.InGameModel(
        TreeEnsembleModel.from_json(json.dumps(doc["trees"])),
        ingame.LateLogistic(tuple(late["feature_names"]), tuple(late["coef"]), float(late["intercept"]))
        if late
        else None,
        LabelModel.from_dict(lm) if lm else None,
        float(doc["late_weight"]),
        early=TreeEnsembleModel.from_json(json.dumps(early)) if early else None,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()

    from courtside.models import ingame
    from courtside.models.ingame_train import SHIPPED_MODEL

    text = SHIPPED_MODEL.read_text()
    shipped_model, old_model = ingame.load_model(text), old_load(text)
    assert shipped_model == old_model, "the two loaders built different models"

    times: dict[str, list[float]] = {"shipped": [], "old (re-serialised parts)": []}
    for _ in range(args.rounds):  # interleaved, so a noisy neighbour hits both paths alike
        for name, fn in (("shipped", ingame.load_model), ("old (re-serialised parts)", old_load)):
            t0 = time.perf_counter()
            fn(text)
            times[name].append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    json.loads(text)
    parse = time.perf_counter() - t0

    med = {k: statistics.median(v) * 1000 for k, v in times.items()}
    report = {
        "document": str(SHIPPED_MODEL.relative_to(ROOT)),
        "document_mb": round(len(text) / 1e6, 2),
        "median_ms": {k: round(v, 1) for k, v in med.items()},
        "json_parse_alone_ms": round(parse * 1000, 1),
        "ratio_shipped_over_old": round(med["shipped"] / med["old (re-serialised parts)"], 2),
        "rounds": args.rounds,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
