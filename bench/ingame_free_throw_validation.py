"""Free throws still to come: does the in-game model do better if a state knows the points on their way?

Why: states are sampled right after the first event that crosses the 30 s grid, and in a game's last minutes that
event is often a foul. The free throws it awards are shot at the same clock second, but they are later events, so
the sampled state's margin does not have them yet: a state taken after a shooting foul says "tied" where the fouled
side is about to score 1.5 points on average. Neither the model nor the margin-and-time baseline can see that today,
because the live tracker (:class:`courtside.features.live.LiveState`) does not count free throws awarded and not yet
shot. This replays the training seasons with one extra state field, ``ft_pending`` (free throws awarded and not yet
shot: + for the home side, - for the away side), and fits the v5 recipe (label model, monotone trees, late logistic
at ``LATE_WEIGHT``) three ways against v5 itself, on the leave-one-season-out and forward folds of the other bench
scripts. 2018-19 is never read.

How ``ft_pending`` is counted (bench only; it would move into LiveState if it passed):
- a free throw sets it to what that attempt leaves of its trip (1 of 2 leaves 1, 1 of 3 leaves 2, ..., the last
  leaves 0); technical free throws do not change it (they are shot apart from any trip);
- a shooting foul awards 2 to the fouled side (1 if the fouled side scored a field goal at the same clock second: an
  and-one; a three-point trip's third shot shows up with its "1 of 3"); a clear-path or flagrant foul awards 2;
- a common foul (personal, loose ball, inbound, away from play, block, take) awards 2 if the fouled side was in the
  penalty before it (the tracker's own bonus rule, ``LiveState._next_foul_shoots``); offensive and technical fouls
  award none;
- a field goal, a turnover or a period's start clears it (the trip is over or never happened).

Variants:
- ``+ ft_pending``: the field as one more input of the trees and the late logistic;
- ``expected margin``: ``FT_RATE x ft_pending`` added to the margin before ``ingame.derive``, so every margin-based
  input (``brownian_z``, ``margin_per_sqrt_time``, ``margin_per_poss``) counts the free throws at the league rate;
- both.

Rule, fixed before the run (the shooter bench's rule): the variant with the lowest leave-one-season-out mean
last_5_min Brier replaces v5 only if that mean is lower than v5's, its latest forward fold (-> 2017-18) and forward
weighted mean (1/3, 2/3) are lower than v5's too, and no Q1..Q4 leave-one-season-out mean is higher than v5's by more
than 0.0001. It would be a served-feature change (LiveState, the features handler) and a new model format.

Run: `.venv/bin/python bench/ingame_free_throw_validation.py` (states with ``ft_pending`` cached in
/tmp/ingame_states_ft.parquet, ~3 min to replay once).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import WithFields, fold_table, replay_with, score_variants, training_states  # noqa: E402
from courtside.features import live  # noqa: E402
from courtside.models import ingame  # noqa: E402

# League free-throw rate of the training seasons' regular seasons (pbp: 0.757, 0.772, 0.767), a fixed constant here.
FT_RATE = 0.765
LEFT_AFTER = {11: 1, 13: 2, 14: 1, 18: 1, 25: 1, 27: 2, 28: 1}  # free-throw action -> attempts left of its trip
TECHNICAL_FREE_THROWS = frozenset({16, 21, 22})  # shot apart from any trip
SHOOTING_FOULS = frozenset({2, 29})
ALWAYS_SHOOT_FOULS = frozenset({9, 14, 15})  # clear path, flagrant 1 and 2
COMMON_FOULS = frozenset({1, 3, 5, 6, 27, 28})  # shoot only in the penalty
FIELD_GOALS = (live.MADE, live.MISS)


def free_throw_hook() -> Any:
    """Free throws awarded and not yet shot, signed by side (:func:`bench.ingame_validation.replay_with`)."""
    pending = 0
    last_make: tuple[float, int, int] | None = None  # (period, clock, side) of the last made field goal

    def hook(payload: Mapping[str, Any], before: live.LiveState, after: live.LiveState) -> tuple[Any, Any]:
        nonlocal pending, last_make
        code, action = payload.get("event_code", 0), payload.get("action_code", 0)
        side = before.side(payload.get("team"))
        if code == live.FREE_THROW:
            if action not in TECHNICAL_FREE_THROWS and side:
                pending = side * LEFT_AFTER.get(action, 0)
        elif code == live.FOUL and side:
            fouled = -side
            shoots = 0
            if action in SHOOTING_FOULS:
                and_one = last_make == (after.period, after.clock, fouled)
                shoots = 1 if and_one else 2
            elif action in ALWAYS_SHOOT_FOULS:
                shoots = 2
            elif action in COMMON_FOULS:
                bonus = before.features()["home_in_bonus" if fouled == 1 else "away_in_bonus"]
                shoots = 2 if bonus else 0
            if shoots:
                pending = fouled * shoots
        elif code in FIELD_GOALS or code in (live.TURNOVER, live.START_PERIOD):
            pending = 0
        if code == live.MADE and side:
            last_make = (after.period, after.clock, side)
        return after, WithFields(after, ft_pending=pending)

    return hook


def expected_margin(r: dict[str, Any]) -> dict[str, Any]:
    """The margin with the pending free throws counted at the league rate."""
    r["margin"] = r["margin"] + FT_RATE * r["ft_pending"]
    return r


VARIANTS: dict[str, tuple[tuple[str, ...], Any]] = {
    "shipped recipe": ((), None),
    "v5 + ft_pending": (("ft_pending",), None),
    "v5 with the expected free throws in the margin": ((), expected_margin),
    "v5 + ft_pending, expected margin": (("ft_pending",), expected_margin),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ingame_states_ft.parquet"))
    ap.add_argument("--stats-only", action="store_true", help="print how often free throws are pending, then stop")
    args = ap.parse_args()
    s = training_states(args.cache, replay_with(free_throw_hook), ("ft_pending",))
    late = s[(s["period"] >= 4) & (s["seconds_left"] <= ingame.LATE_SECONDS)]
    for name, part in (("all", s), ("late", late)):
        pending = part["ft_pending"] != 0
        print(
            f"{name}: {len(part)} states, free throws pending in {float(pending.mean()):.3f}, "
            f"mean |pending| there {float(part.loc[pending, 'ft_pending'].abs().mean()):.2f}"
        )
    if args.stats_only:
        return
    res = score_variants(s, VARIANTS)
    print("\n" + fold_table(res, "variant"))


if __name__ == "__main__":
    main()
