"""The retrain job's AWS wiring: state in the artifacts bucket, game rows from the lake, SageMaker registry.

Why these training rows: the offline feature store's pre-game rows (what the champion was trained on) up to the
newest game it holds, then the labeled captures of later games: they carry exactly the features served (request
JSON) and the joined outcome, one row per game (its latest capture), so the challenger learns from what the
platform saw. Why outcomes for the trigger: counting finished games needs one listing and the few outcome files
after the last attempt, not a read of every capture, so the job can run often (the local stack ticks every
few seconds during a replay) and only pay for a retrain when one is due.
"""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as Date
from typing import Any

import pandas as pd

from courtside.config import Settings
from courtside.continual.gates import GateConfig
from courtside.continual.loop import retrain_step
from courtside.continual.policy import RetrainPolicy, RetrainState, should_retrain
from courtside.continual.registry_port import SageMakerRegistry
from courtside.features.pregame import FEATURE_NAMES
from courtside.monitoring.drift import features_from_captures
from courtside.monitoring.outcomes import read_labeled, read_outcomes, relabel_stale

STATE_KEY = "monitoring/retrain/state.json"
DECISIONS_KEY = "monitoring/retrain/decisions.jsonl"
OFFLINE_PREFIX = "features/pregame"


def season_of(day: str) -> int:
    """NBA seasons are named by the year they end (August cut-over, as serving's `season_of`)."""
    d = Date.fromisoformat(day[:10])
    return d.year if d.month < 8 else d.year + 1


def game_rows(labeled: pd.DataFrame) -> pd.DataFrame:
    """One row per game (its latest capture) with FEATURE_NAMES and home_win, in game order."""
    if not len(labeled):
        return pd.DataFrame(columns=["game_key", "game_date", *FEATURE_NAMES, "home_win"])
    df = features_from_captures(labeled).sort_values(["game_date", "captured_at"], kind="stable")
    df = df.drop_duplicates("game_key", keep="last")
    return df.dropna(subset=list(FEATURE_NAMES)).reset_index(drop=True)


def offline_rows(settings: Settings, games: int) -> pd.DataFrame:
    """The newest `games` rows of the offline store (`features/pregame/season=*/`), as `game_date` + features +
    label; empty when the store has none."""
    from courtside.aws.s3io import list_keys
    from courtside.monitoring.capture import read_objects

    bucket = settings.names.lake_bucket
    keys = sorted(k for k in list_keys(bucket, f"{OFFLINE_PREFIX}/season=") if k.endswith(".parquet"))
    frames: list[pd.DataFrame] = []
    n = 0
    for key in reversed(keys):  # newest seasons first, until the window is covered
        df = read_objects(bucket, [key])
        frames.insert(0, df)
        n += len(df)
        if n >= games:
            break
    if not frames:
        return pd.DataFrame(columns=["game_key", "game_date", *FEATURE_NAMES, "home_win"])
    df = pd.concat(frames, ignore_index=True)
    df["game_date"] = df["date"].astype(str).str[:10]
    cols = ["game_key", "game_date", *FEATURE_NAMES, "home_win"]  # served rows have no is_playoff: not a slice here
    return df.sort_values(["game_date", "game_key"], kind="stable")[cols].tail(games).reset_index(drop=True)


def training_rows(settings: Settings, policy: RetrainPolicy) -> pd.DataFrame:
    """Offline-store rows, then labeled-capture rows of later games, in game order (see the module docstring)."""
    relabel_stale(settings)
    served = game_rows(read_labeled(settings))
    history = offline_rows(settings, policy.train_window_games + policy.eval_games)  # widest recipe window
    if len(history) and len(served):
        served = served[served["game_date"] > history["game_date"].max()]
    cols = ["game_key", "game_date", *FEATURE_NAMES, "home_win"]
    parts = [p[cols] for p in (history, served) if len(p)]
    if not parts:
        return game_rows(pd.DataFrame())
    return pd.concat(parts, ignore_index=True)


def load_state(settings: Settings) -> RetrainState:
    from courtside.aws.s3io import exists, get_json

    bucket = settings.names.artifacts_bucket
    return RetrainState.model_validate(get_json(bucket, STATE_KEY)) if exists(bucket, STATE_KEY) else RetrainState()


def save_state(settings: Settings, state: RetrainState) -> None:
    from courtside.aws.s3io import put_json

    put_json(settings.names.artifacts_bucket, STATE_KEY, state.model_dump(mode="json"))


def init_state(settings: Settings, trained_through: str, now: datetime | None = None) -> RetrainState:
    """Record that the serving model was just trained on games up to `trained_through` (seeding, first deploy)."""
    now = now or datetime.now(UTC)
    state = RetrainState(
        last_trained_at=now, last_attempt_at=now, trained_through=trained_through, attempted_through=trained_through
    )
    state.games_since_training = state.games_since_attempt = 0
    save_state(settings, state)
    return state


def count_new_games(settings: Settings, state: RetrainState) -> tuple[int, int, bool, str | None]:
    """(games since training, games since the last attempt, a new season started since the last attempt,
    newest finished game date) from the outcomes table. Only outcomes after the last attempt are read: the
    attempt is never older than the training, and the triggers need no more."""
    last = state.attempted_through or state.trained_through
    outcomes = read_outcomes(settings, after=last)
    dates = outcomes["game_date"].astype(str)
    since_attempt = len(dates)
    if state.trained_through and state.attempted_through and state.trained_through < state.attempted_through:
        since_training = state.games_before_attempt + since_attempt  # a rejected attempt since the training
    else:
        since_training = since_attempt
    newest = str(dates.max()) if len(dates) else None
    new_season = bool(newest and last and season_of(newest) > season_of(last))
    return since_training, since_attempt, new_season, newest


def decisions(settings: Settings) -> list[dict[str, Any]]:
    """Every recorded retrain decision, oldest first (the registry holds the same verdicts with who/why)."""
    import json

    from courtside.aws.s3io import exists, get_bytes

    bucket = settings.names.artifacts_bucket
    if not exists(bucket, DECISIONS_KEY):
        return []
    return [json.loads(line) for line in get_bytes(bucket, DECISIONS_KEY).decode().splitlines() if line.strip()]


def run_retrain(
    settings: Settings,
    alarms: set[str] | None = None,
    now: datetime | None = None,
    policy: RetrainPolicy | None = None,
    gate: GateConfig | None = None,
) -> dict[str, Any]:
    """One scheduled / alarm-triggered run; returns what was decided (also appended to the decision log)."""
    from courtside.aws.s3io import get_bytes, put_bytes

    now, policy, gate = now or datetime.now(UTC), policy or RetrainPolicy(), gate or GateConfig()
    bucket = settings.names.artifacts_bucket
    state = load_state(settings)
    state.games_since_training, state.games_since_attempt, new_season, newest = count_new_games(settings, state)
    due, trigger = should_retrain(policy, state, now, alarms or set(), new_season)
    out: dict[str, Any] = {"at": now.isoformat(), "due": due, "trigger": trigger, "newest_game": newest}
    if due:
        rows = training_rows(settings, policy)
        out["games"] = len(rows)
        if len(rows) <= policy.eval_games + 50:
            out["skipped"] = f"only {len(rows)} games with features and outcome; need > {policy.eval_games + 50}"
            state.last_attempt_at = now  # the schedule trigger waits a full period before looking again
        else:
            registry = SageMakerRegistry(settings.names.model_package_group, bucket)
            decision = retrain_step(rows, registry, policy, gate, trigger)
            out["decision"] = decision.as_dict()
            out["trained_through"] = str(rows["game_date"].max())
            state.last_attempt_at, state.attempted_through = now, out["trained_through"]
            state.games_before_attempt = 0 if decision.promoted else state.games_since_training
            state.games_since_attempt = 0
            if decision.promoted:
                state.last_trained_at, state.trained_through = now, out["trained_through"]
                state.games_since_training = 0
            try:
                prev = get_bytes(bucket, DECISIONS_KEY)
            except Exception:  # noqa: BLE001 - first decision
                prev = b""
            line = pd.Series(out).to_json(default_handler=str) + "\n"
            put_bytes(bucket, DECISIONS_KEY, prev + line.encode(), "application/x-ndjson")
    save_state(settings, state)
    return out
