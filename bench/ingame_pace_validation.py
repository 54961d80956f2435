"""The game's own pace: does the in-game model do better if time left is counted in this game's possessions?

Why: the late inputs turn time into possessions at a fixed rate (``margin_per_poss`` and ``possession_per_poss``
divide by ``ingame.POSSESSION_SECONDS``), and the baseline knows only time. But games differ in pace (possessions
per 48 minutes range about 85-115 within a season), and a lead is worth less in a fast game, where more possessions
are left in the same time. League pace also rose every season (2015-16..2018-19), the largest one-year step into
2018-19, the test season. The live tracker (:class:`courtside.features.live.LiveState`) knows whose ball it is, so it
can count possession changes. This replays the training seasons with one extra state field, ``sec_per_poss``: game
seconds per change of possession so far, shrunk towards the training seasons' league rate with a prior of
``live.PACE_PRIOR_SECONDS`` of play (so the first minutes say little). It fits the v5 recipe (label model, monotone
trees, late logistic at ``LATE_WEIGHT``) three ways against v5 itself, on the leave-one-season-out and forward folds
of the other bench scripts. 2018-19 is never read.

Variants (columns added to both the trees and the late logistic):
- ``+ sec_per_poss``: the pace itself;
- ``+ margin per sqrt(possessions left)``: ``margin / sqrt(seconds_left / sec_per_poss + 1)``, the Brownian-motion
  scale of a lead counted in this game's possessions;
- both.

A fourth row was added after the first run, which found the Brownian-scale column better on the latest fold but
worse in Q1-Q3 (the trees, which carry those bins, picked up the noisy early pace): the column in the late logistic
only, the trees as v5's. Same rule, fixed before its run; Q1..Q4 are v5's by construction.

Rule, fixed before the run (the shooter bench's rule): the variant with the lowest leave-one-season-out mean
last_5_min Brier replaces v5 only if that mean is lower than v5's, its latest forward fold (-> 2017-18) and forward
weighted mean (1/3, 2/3) are lower than v5's too, and no Q1..Q4 leave-one-season-out mean is higher than v5's by more
than 0.0001. It would be a served-feature change (LiveState, the features handler) and a new model format.

Run: `.venv/bin/python bench/ingame_pace_validation.py` (states with ``sec_per_poss`` cached in
/tmp/ingame_states_pace.parquet, ~1 min to replay once).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import fold_table, replay_with, score_folds, shipped_recipe, training_states  # noqa: E402
from courtside.features import live  # noqa: E402
from courtside.models import ingame  # noqa: E402

# The league rate (live.LEAGUE_SECONDS_PER_POSSESSION) was measured here over every training game (`--stats-only`
# prints it) and is a fixed constant, so that no fold sees a rate fitted on its held-out season.
COUNTS = {"changes": 0, "seconds": 0.0}  # over every game replayed: the league rate's measurement


def league_rate_hook() -> Any:
    """Adds each game's possession changes (the tracker's own counter) and game seconds to :data:`COUNTS`; the
    states pass through unchanged (since stop 16 the tracker serves ``sec_per_poss`` itself, the formula this bench
    first computed in a hook)."""
    last_elapsed = 0.0

    def hook(payload: Mapping[str, Any], before: live.LiveState, after: live.LiveState) -> tuple[Any, Any]:
        nonlocal last_elapsed
        COUNTS["changes"] += after.possession_changes - before.possession_changes
        elapsed = live._elapsed(after.period, after.clock)
        if elapsed > last_elapsed:
            COUNTS["seconds"] += elapsed - last_elapsed
            last_elapsed = elapsed
        return after, after

    return hook


VARIANTS: dict[str, tuple[str, ...]] = {
    "v5 (shipped then)": (),
    "v5 + sec_per_poss": ("sec_per_poss",),
    "v5 + margin per sqrt(possessions left)": ("margin_per_sqrt_poss_left",),
    "v5 + both": ("sec_per_poss", "margin_per_sqrt_poss_left"),
}
LATE_ONLY = "v5, late logistic + margin per sqrt(possessions left)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states_pace.parquet"))
    ap.add_argument("--stats-only", action="store_true", help="print the pace measured, then stop")
    ap.add_argument("--late-only", action="store_true", help="score v5 and the late-logistic-only row, no others")
    args = ap.parse_args()
    fresh = not args.cache.exists()
    s = training_states(args.cache, replay_with(league_rate_hook))
    if fresh:
        print(f"league: {COUNTS['seconds'] / max(COUNTS['changes'], 1):.2f} game seconds per possession change")
    s["margin_per_sqrt_poss_left"] = s["margin"] / np.sqrt(s["seconds_left"].clip(lower=0) / s["sec_per_poss"] + 1)
    late = s[(s["period"] >= 4) & (s["seconds_left"] <= ingame.LATE_SECONDS)]
    print(
        f"{len(s)} states; sec_per_poss quantiles (5/50/95%) at the late states: "
        + " / ".join(f"{q:.2f}" for q in late["sec_per_poss"].quantile([0.05, 0.5, 0.95]))
    )
    if args.stats_only:
        return
    v5 = ingame.LATE_FEATURES_V5  # the recipe this bench was measured against (the late-only row is what shipped)
    candidates = {
        name: (s, lambda train, val, extra=extra: shipped_recipe(train, val, extra, late_features=v5))
        for name, extra in VARIANTS.items()
    }
    candidates[LATE_ONLY] = (
        s,
        lambda train, val: shipped_recipe(train, val, late_extra=("margin_per_sqrt_poss_left",), late_features=v5),
    )
    if args.late_only:
        candidates = {k: candidates[k] for k in ("v5 (shipped then)", LATE_ONLY)}
    res = score_folds(candidates)
    print("\n" + fold_table(res, "variant"))


if __name__ == "__main__":
    main()
