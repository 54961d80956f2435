"""Play-by-play events -> sampled in-game states (the training rows of the in-game model).

Why no state machine here: the running state (possession, bonus, timeouts, the two-minute run, overtime) is kept by
:class:`courtside.features.live.LiveState`, the same code the features handler runs on the live stream, so the
model is trained on exactly the values it is served. This module only replays each game's rows through it (via
:func:`courtside.features.live.pbp_payload_from_row`, which resolves team plays as the stream's producer does) and
samples a state every ``STEP_SECONDS`` of game time (every ``OT_STEP_SECONDS`` in overtime) so the training set
stays small. Each row carries the model's field names (``courtside.models.ingame.STATE_FIELDS``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from courtside.errors import EventRejected
from courtside.features.live import REGULATION_PERIODS, LiveState, pbp_payload_from_row
from courtside.ingest.rules import GameState, check_pbp, pbp_facts

STEP_SECONDS = 30
OT_STEP_SECONDS = 10
PBP_COLUMNS = (
    "GAME_ID",
    "EVENTNUM",
    "EVENTMSGTYPE",
    "EVENTMSGACTIONTYPE",
    "PERIOD",
    "PCTIMESTRING",
    "SCORE",
    "PLAYER1_TEAM_ABBREVIATION",
    "PERSON1TYPE",
)


def model_state(features: Mapping[str, float], fields: Mapping[str, str]) -> dict[str, float]:
    """The model's raw state from LiveState.features(): `fields` maps each model name to its live feature name."""
    return {name: features[live] for name, live in fields.items()}


def replay(rows: Iterable[Mapping[str, Any]], home: str, away: str) -> Iterator[LiveState]:
    """The game's LiveState after each play-by-play row the features handler would apply: rows with an unparsable
    clock are skipped (see :func:`replay_payloads` for the rest)."""

    def payloads() -> Iterator[dict[str, Any]]:
        for row in rows:
            try:
                yield pbp_payload_from_row(row, home, away)
            except (ValueError, AttributeError, TypeError):
                continue

    return replay_payloads(payloads(), home, away)


def replay_payloads(payloads: Iterable[Mapping[str, Any]], home: str, away: str) -> Iterator[LiveState]:
    """The game's LiveState after each `pbp` payload the live path would apply, in the order given (the source's,
    which is the game's time order; its event numbers are not): an event number already applied is skipped (the
    features handler's `LiveState.accepts`), and so is a play the validate function would quarantine against the
    game's earlier plays (its within-game rule, :func:`courtside.ingest.rules.check_pbp`: a score below one already
    seen, a clock behind), so the states are the ones the stream serves. On the lake's events, which passed that
    rule already, the check rejects nothing."""
    state, rules = LiveState(home=home, away=away), GameState()
    for payload in payloads:
        if applies(state, rules, payload):
            state = state.apply(payload)
            yield state


def applies(state: LiveState, rules: GameState, payload: Mapping[str, Any]) -> bool:
    """Would the live path apply `payload` to `state`? Not a number already applied (`LiveState.accepts`), and not
    a play the validate function quarantines against the game's earlier plays (`rules`, advanced when it passes).
    One predicate, so a bench's candidate tracker skips exactly the plays the shipped replay skips."""
    if not state.accepts(payload):
        return False
    try:
        check_pbp(pbp_facts(payload), rules)
    except EventRejected:
        return False
    return True


@dataclass(frozen=True)
class GameReplay:
    """One regular-season game of the play-by-play: who played, how it ended, and its tracker states (lazy)."""

    game_id: str  # stats.nba.com's GAME_ID (the lake's events: the public id, as game_key)
    game_key: str  # the public id, YYYYMMDD_AWAY_at_HOME
    home: str
    away: str
    home_win: int  # the final result, from the games index
    states: Iterator[LiveState]  # the LiveState after each event :func:`replay` applies
    season: int | None = None  # the season (year it ends) when the source names it; else read from GAME_ID


class Progress(Protocol):
    """What the replay reports to (a ``tqdm`` bar fits): the number of games, one update per game replayed, and
    ``close`` when the last is done (so the bar's time and rate are the replay's, not the fit's that follows)."""

    total: float | None

    def update(self, n: float = 1) -> Any: ...

    def close(self) -> Any: ...


def replayed_games(pbp: Any, index: Any, progress: Progress | None = None) -> Iterator[GameReplay]:
    """Every regular-season game of `pbp` that `index` knows, replayed through the live tracker, in pbp order.

    Only regular-season games (id prefix 002) are whole here, and the tracker's score needs every earlier period.
    The replay is looked up at call time, so a bench can measure a candidate tracker through the same loop.
    `progress` learns the number of games before the first and is updated after each (a replay of four seasons
    takes about a minute, and a bar is what the person waiting would rather look at).
    """
    from courtside.teams import to_bref

    idx = index.assign(GAME_ID=index["GAME_ID"].astype(str).str.zfill(10)).set_index("GAME_ID")
    pbp = pbp.assign(GAME_ID=pbp["GAME_ID"].astype(str).str.zfill(10))
    pbp = pbp[(pbp["GAME_ID"].str[:3] == "002") & pbp["GAME_ID"].isin(idx.index)]
    cols = [c for c in PBP_COLUMNS if c in pbp.columns]
    if progress is not None:
        progress.total = int(pbp["GAME_ID"].nunique())
    for gid, g in pbp[cols].groupby("GAME_ID", sort=False):
        info = idx.loc[gid]
        home, away = to_bref(str(info["home"])), to_bref(str(info["away"]))
        date = str(info["game_date"]).replace("-", "")[:8]
        rows = (dict(zip(cols, values, strict=True)) for values in g.itertuples(index=False, name=None))
        yield GameReplay(
            str(gid),
            f"{date}_{away}_at_{home}",
            home,
            away,
            int(info["home_pts"] > info["away_pts"]),
            replay(rows, home, away),
        )
        if progress is not None:
            progress.update(1)
    if progress is not None:
        progress.close()


def training_row(
    game: GameReplay,
    state: LiveState,
    pregame: Mapping[str, float],
    pregame_model: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """One training row: the game's ids, the model's raw state (``ingame.STATE_FIELDS``), Elo's pre-game
    probability (0.5 where unknown), the pre-game model's (only when `pregame_model` is given; None where it has no
    prediction) and the label."""
    from courtside.models.ingame import STATE_FIELDS

    row = {
        "game_key": game.game_key,
        "GAME_ID": game.game_id,
        **model_state(state.features(), STATE_FIELDS),
        "pregame_prob": pregame.get(game.game_key, 0.5),
        "home_win": game.home_win,
    }
    if pregame_model is not None:
        row["pregame_model_prob"] = pregame_model.get(game.game_key)
    if game.season is not None:
        row["season"] = game.season
    return row


def states_from_pbp(
    pbp: Any,
    index: Any,
    pregame: Mapping[str, float] | None = None,
    pregame_model: Mapping[str, float] | None = None,
    progress: Progress | None = None,
) -> Any:
    """Sampled regular-season game states with label ``home_win`` (the final result from the games index);
    with `pregame_model` (game_key -> the pre-game model's walk-forward probability) a ``pregame_model_prob``
    column too, the early trees' input. `progress` follows the replay game by game (see :func:`replayed_games`)."""
    return sample_states(replayed_games(pbp, index, progress), pregame, pregame_model)


def sample_states(
    games: Iterable[GameReplay],
    pregame: Mapping[str, float] | None = None,
    pregame_model: Mapping[str, float] | None = None,
) -> Any:
    """One training row per ``STEP_SECONDS`` of game time (``OT_STEP_SECONDS`` in overtime) of each replayed game,
    whatever the games were replayed from (play-by-play files or the lake's validated events)."""
    import pandas as pd

    pregame = pregame or {}
    out = []
    for game in games:
        period, next_sample = 1, None
        for state in game.states:
            if state.period != period:
                period = state.period
                if period > REGULATION_PERIODS:
                    next_sample = None  # overtime restarts the clock: sample it too
            t = state.game_seconds_remaining
            if next_sample is not None and t > next_sample:
                continue
            out.append(training_row(game, state, pregame, pregame_model))
            next_sample = t - (STEP_SECONDS if state.period <= REGULATION_PERIODS else OT_STEP_SECONDS)
    out_frame = pd.DataFrame(out)
    if len(out_frame):
        out_frame["period"] = out_frame["period"].astype(int)
    return out_frame
