"""The shot clock against the game clock: does the in-game model do better if it knows who can hold the ball out?

Why: in a game's last half minute the side with the ball can often run out the clock, which no time-and-margin input
says: with 20 s left, a side that got the ball 2 s ago has a shot clock that covers the game, a side that has held it
for 15 s does not. The play-by-play has no shot clock, but the live tracker (:class:`courtside.features.live.
LiveState`) knows when the side with the ball changed, so the shot clock can be estimated: 24 s from a change of
possession or an offensive rebound (the training seasons' rule; 2018-19 reset to 14 s after an offensive rebound,
which a shipped tracker would have to know), minus the game seconds since. This replays the training seasons with one
extra state field, ``ball_to_the_end`` = home_possession x min(1, estimated shot clock / (seconds_left + 1)): +1 the
home side holds the ball with the shot clock covering the game, near 0 when nobody has it or much game is left. It
fits the shipped recipe (label model, monotone trees, late logistic at ``LATE_WEIGHT``, with the pace term) with the
field in the late logistic only and in both parts, on the leave-one-season-out and forward folds of the other bench
scripts. 2018-19 is never read.

Rule, fixed before the run (the shooter bench's rule): the variant with the lowest leave-one-season-out mean
last_5_min Brier replaces the shipped recipe only if that mean is lower than the shipped one's, its latest forward
fold (-> 2017-18) and forward weighted mean (1/3, 2/3) are lower too, and no Q1..Q4 leave-one-season-out mean is
higher by more than 0.0001. It would be a served-feature change (LiveState, the features handler).

Run: `.venv/bin/python bench/ingame_shot_clock_validation.py` (states cached in /tmp/ingame_states_shot_clock.parquet,
~1 min to replay once).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import (  # noqa: E402
    WithFields,
    fold_table,
    replay_with,
    rule_lines,
    score_folds,
    shipped_recipe,
    training_states,
)
from courtside.features import live  # noqa: E402
from courtside.models import ingame  # noqa: E402

SHOT_CLOCK = 24.0


def shot_clock_hook() -> Any:
    """The estimated shot clock: reset to 24 s when the side with the ball changes or rebounds its own miss."""
    started = 0.0  # elapsed game seconds when the current possession's shot clock started

    def hook(payload: Mapping[str, Any], before: live.LiveState, after: live.LiveState) -> tuple[Any, Any]:
        nonlocal started
        now = live._elapsed(after.period, after.clock)
        new_ball = after.possession != 0 and after.possession != before.possession
        if new_ball or after.period != before.period:
            started = now  # a change of the side with the ball, a rebound after a loose ball, a new period
        value = 0.0
        if after.possession:
            shot_clock = max(SHOT_CLOCK - (now - started), 0.0)
            value = after.possession * min(1.0, shot_clock / (after.game_seconds_remaining + 1.0))
        return after, WithFields(after, ball_to_the_end=value)

    return hook


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states_shot_clock.parquet"))
    args = ap.parse_args()
    s = training_states(args.cache, replay_with(shot_clock_hook), ("ball_to_the_end",))
    late = s[(s["period"] >= 4) & (s["seconds_left"] <= ingame.LATE_SECONDS)]
    covered = late["ball_to_the_end"].abs() >= 1.0
    print(f"{len(s)} states; late: {len(late)}, the shot clock covers the game in {float(covered.mean()):.3f}")
    col = ("ball_to_the_end",)
    res = score_folds(
        {
            "shipped (with the pace term)": (s, shipped_recipe),
            "late logistic + ball_to_the_end": (s, lambda train, val: shipped_recipe(train, val, late_extra=col)),
            "both parts + ball_to_the_end": (s, lambda train, val: shipped_recipe(train, val, col)),
        }
    )
    print("\n" + fold_table(res, "variant"))
    print("\n".join(rule_lines(res)))  # the rule compares means that can tie at five decimals


if __name__ == "__main__":
    main()
