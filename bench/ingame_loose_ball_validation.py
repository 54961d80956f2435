"""Loose ball after a miss: does the in-game model do better if possession is "unknown" until the rebound?

Why: LiveState (the live tracker the model is trained and served on) keeps the ball with the shooter after a missed
shot until the rebound, though about three in four rebounds go to the defence. On the training states the tracker's
possession in close late games barely predicts the winner, or points the wrong way right after a miss
(docs/results/ingame/validation_switches.md, the Markov section). This replays the training seasons with one change,
possession 0 ("unknown", as at a period's start) from a missed field goal or a missed last free throw until the
rebound, and fits the v4 recipe (label model, trees, late logistic at ``LATE_WEIGHT``) on those states, against v4
on today's states, on the same leave-one-season-out and forward folds. 2018-19 is never read.

Rule, fixed before the run: the loose-ball states replace today's semantics only if, in last_5_min, the mean over
the leave-one-season-out folds, the latest forward fold (-> 2017-18) and the forward weighted mean (1/3, 2/3) are
all lower than v4's, and no Q1..Q4 leave-one-season-out mean is higher than v4's. It would be a served-feature
change (LiveState, the features handler) and a new model format, so it must win everywhere on validation.

Adopted since (model format v5): LiveState itself now leaves the ball loose from a miss to its rebound, so on the
current code both sides of this comparison replay the same states. The recorded table
(docs/results/ingame/validation_switches.md) compared against v4's tracker, as of commit 756c21d.

Run: `.venv/bin/python bench/ingame_loose_ball_validation.py` (today's states cached in /tmp/ingame_states.parquet as
the other bench scripts do; the loose-ball states in /tmp/ingame_states_loose.parquet, ~2 min to replay once).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import fold_table, replay_with, score_folds, shipped_recipe, training_states  # noqa: E402
from courtside.features import live  # noqa: E402
from courtside.models import ingame  # noqa: E402


def loose_after_miss(payload: Mapping[str, Any], before: live.LiveState, after: live.LiveState) -> bool:
    """A missed field goal, or a missed last free throw of a trip: the ball is loose until the rebound."""
    code = payload.get("event_code", 0)
    if code == live.MISS:
        return True
    scored = after.home_score != before.home_score or after.away_score != before.away_score
    return code == live.FREE_THROW and payload.get("action_code", 0) in live.LAST_FREE_THROW_ACTIONS and not scored


def loose_hook() -> Any:
    """Possession 0 from a miss until the next possession event (:func:`bench.ingame_validation.replay_with`)."""

    def hook(payload: Mapping[str, Any], before: live.LiveState, after: live.LiveState) -> tuple[Any, Any]:
        if loose_after_miss(payload, before, after):
            after = dataclasses.replace(after, possession=0)
        return after, after

    return hook


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states.parquet"))
    ap.add_argument("--loose-cache", type=Path, default=Path("/tmp/ingame_states_loose.parquet"))
    args = ap.parse_args()
    sets = {
        "v4 (today's possession)": training_states(args.cache),
        "v4 on loose-ball states": training_states(args.loose_cache, replay_with(loose_hook)),
    }
    for name, s in sets.items():
        late = s[(s["period"] >= 4) & (s["seconds_left"] <= ingame.LATE_SECONDS)]
        print(f"{name}: {len(s)} states, late possession 0 share {float((late['home_possession'] == 0).mean()):.3f}")
    res = score_folds({name: (s, shipped_recipe) for name, s in sets.items()})
    print("\n" + fold_table(res, "states"))


if __name__ == "__main__":
    main()
