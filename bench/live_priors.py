"""Live endpoint core cost of the v6 in-game model's second pre-game input (issue #6, stop 17).

Why: since v6 the live endpoint passes the in-game model two pre-game probabilities, Elo's and the approved pre-game
model's (``PregamePredictor.live_priors``, kept per game for a TTL), so computing them also scores the pre-game
model, and periods 1-3 go through the early trees. This measures ``LivePredictor.predict`` (the live handler's core:
stored state -> inputs -> priors -> in-game model) with in-memory stores, so the figures are the code's own cost,
against the stop-16 behaviour in the same process: Elo's probability only and the model without early trees (the
shipped document with ``early`` removed). The pre-game model is the production form (compiled trees, as served).

Run: `.venv/bin/python bench/live_priors.py` (~1.5 min: it trains the pre-game teacher once). Prints thread-CPU and
wall p50/p99 per phase (a 2nd-quarter and a last-minutes state) and the ratio v6 / stop 16 (medians of 5 interleaved
rounds; this machine is shared).
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.predict import seeded_local_stack, timed  # noqa: E402

GAME = "20190613_TOR_at_GSW"
ROUNDS, ITERS = 5, 2000


class MemoryStore:
    """The online store's two reads, from memory: one pre-game state and one live state."""

    def __init__(self, pregame: Any, live: dict[str, Any]) -> None:
        self.pregame, self.live = pregame, live

    def get_pregame_state(self, home: str, away: str, season: int, date: str | None = None) -> Any:
        return self.pregame

    def get_live_state(self, game_id: str) -> dict[str, Any]:
        return self.live


def live_state(period: int, clock: float, margin: int) -> dict[str, Any]:
    """A stored live state as the features handler writes it (its ``f`` dict is LiveState.features())."""
    from courtside.features.live import LiveState

    state = LiveState(home="GSW", away="TOR", period=period, clock=clock, home_score=60 + margin, away_score=60)
    return {"f": state.features(), "as_of": "2019-06-13T02:00:00Z"}


def main() -> int:
    from courtside.features.pregame import FEATURE_NAMES
    from courtside.models import ingame
    from courtside.models.dataset import pregame_frame
    from courtside.models.ingame_train import SHIPPED_MODEL
    from courtside.serving.compiled import CompiledTrees
    from courtside.serving.compression import build_forms
    from courtside.serving.live import LivePredictor
    from courtside.serving.model_source import StaticModelProvider
    from courtside.serving.pregame import PregamePredictor

    names = list(FEATURE_NAMES)
    frame = pregame_frame()
    teacher = build_forms(frame[(frame["season"] >= 1980) & (frame["season"] <= 2014)], names)["trees"]
    pregame_model = CompiledTrees.from_tree_model(teacher)
    v6 = ingame.load_model(SHIPPED_MODEL.read_text())
    assert v6.early is not None, "the shipped model predates v6"
    v5 = dataclasses.replace(v6, early=None)

    with seeded_local_stack():  # only to read one real pre-game state from the seeded store
        from courtside.online_store import OnlineStore

        pre_state = OnlineStore().get_pregame_state("GSW", "TOR", 2019, "2019-06-13")

    report: dict[str, Any] = {}
    for phase, live in {"2nd quarter": live_state(2, 400.0, 4), "last minutes": live_state(4, 200.0, 2)}.items():
        store = MemoryStore(pre_state, live)
        pregame = PregamePredictor(store=store, provider=StaticModelProvider(pregame_model, "bench"))

        def elo_only(game_id: str, p: PregamePredictor = pregame) -> dict[str, float]:
            return {k: v for k, v in p.live_priors(game_id).items() if k == "pregame_home_win_probability"}

        def elo_only_cost(game_id: str, p: PregamePredictor = pregame) -> dict[str, float]:
            """Stop 16's prior: Elo's from the game's features, without scoring the pre-game model."""
            from courtside.ratings import elo
            from courtside.serving.schemas import PregameRequest

            _, _, _, feats, _ = p.features_for(PregameRequest(date="2019-06-13", home_team="GSW", away_team="TOR"))
            return {"pregame_home_win_probability": elo.win_probability(feats["elo_diff"])}

        old = LivePredictor(store=store, provider=StaticModelProvider(v5, "stop16"), priors=elo_only_cost)
        new = LivePredictor(store=store, provider=StaticModelProvider(v6, "v6"), priors=pregame.live_priors)
        assert elo_only(GAME) == elo_only_cost(GAME)
        rounds: dict[str, list[dict[str, float]]] = {"stop 16": [], "v6": []}
        for _ in range(ROUNDS):  # interleaved, so drift on the shared machine hits both alike
            rounds["stop 16"].append(timed(lambda o=old: o.predict(GAME), ITERS))
            rounds["v6"].append(timed(lambda n=new: n.predict(GAME), ITERS))
        med = {k: {m: statistics.median(r[m] for r in rs) for m in rs[0]} for k, rs in rounds.items()}
        med["ratio_cpu_p50_v6_over_stop16"] = round(med["v6"]["cpu_p50_ms"] / med["stop 16"]["cpu_p50_ms"], 2)
        med["probability"] = {
            "stop 16": old.predict(GAME)["home_win_probability"],
            "v6": new.predict(GAME)["home_win_probability"],
        }
        report[phase] = med
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
