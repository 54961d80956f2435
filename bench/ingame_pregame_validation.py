"""Which pre-game probability should the in-game model be trained on: Elo's, or the pre-game model's?

Why: the live endpoint feeds the in-game model the approved pre-game model's probability
(``courtside.serving.pregame.PregamePredictor.prior_for_game``; Elo only before a model is approved), but the
training states carry Elo's (``courtside.models.ingame.pregame_probs``). That is a train/serve skew on the input
with the largest late-phase coefficient after ``brownian_z``, and the pre-game model is also the better forecast
(walk-forward Brier 0.2078 against 538's 0.2133 and our Elo's ~0.21). The pre-game model's walk-forward
predictions (``courtside backtest``, committed as docs/results/predictions.csv: every game predicted by a model
trained only on games before it) are leakage-free inputs for every training state. This fits the v5 recipe (label
model, monotone trees, late logistic at ``LATE_WEIGHT``) on the same training states with each source, on the
leave-one-season-out and forward folds of the other bench scripts. 2018-19 is never read.

Rule, fixed before the run (as bench/ingame_shooter_validation.py): the walk-forward source replaces Elo only if its
last_5_min leave-one-season-out mean, latest forward fold (-> 2017-18) and forward weighted mean (1/3, 2/3) are all
lower than Elo's, and no Q1..Q4 leave-one-season-out mean is higher than Elo's by more than 0.0001.

Third row, added after the first run (which found the walk-forward input much better in Q1-Q3 and worse in the last
five minutes): the trees on the walk-forward probability, the late logistic on Elo's. The trees carry Q1-Q3 alone and
40% of the last five minutes, the late logistic the other 60%, so this is the split that could keep both gains. Same
rule against Elo's row, fixed before that run; serving would then pass both probabilities.

Run: `.venv/bin/python bench/ingame_pregame_validation.py [--predictions docs/results/predictions.csv]` (states
cached in /tmp/ingame_states.parquet as the other bench scripts do).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingame_validation import fold_table, score_folds, shipped_recipe, walk_forward_states  # noqa: E402


def main() -> None:
    elo, wf = walk_forward_states()
    sets = {
        "Elo pre-game probability (v5, shipped)": elo,
        "pre-game model's walk-forward probability": elo.assign(pregame_prob=wf),
    }
    candidates = {name: (s, shipped_recipe) for name, s in sets.items()}
    split = sets["pre-game model's walk-forward probability"].assign(elo_prob=elo["pregame_prob"])
    candidates["trees on the walk-forward probability, late logistic on Elo's"] = (
        split,
        lambda train, val: shipped_recipe(train, val, late_prepare=lambda r: {**r, "pregame_prob": r["elo_prob"]}),
    )
    res = score_folds(candidates)
    print("\n" + fold_table(res, "pre-game input"))


if __name__ == "__main__":
    main()
