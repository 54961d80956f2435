"""The retrain job's AWS wiring: state in the artifacts bucket, games from labeled captures, SageMaker registry.

Why labeled captures as the training rows: they carry exactly the features served (request JSON) and the joined
outcome, one row per game (the latest capture of each game), so the challenger learns from what the platform saw.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from courtside.config import Settings
from courtside.continual.gates import GateConfig
from courtside.continual.loop import retrain_step
from courtside.continual.policy import RetrainPolicy, RetrainState, should_retrain
from courtside.continual.registry_port import SageMakerRegistry
from courtside.features.pregame import FEATURE_NAMES
from courtside.monitoring.drift import features_from_captures
from courtside.monitoring.outcomes import read_labeled

STATE_KEY = "monitoring/retrain/state.json"
DECISIONS_KEY = "monitoring/retrain/decisions.jsonl"


def game_rows(labeled: pd.DataFrame) -> pd.DataFrame:
    """One row per game (its latest capture) with FEATURE_NAMES and home_win, in game order."""
    if not len(labeled):
        return pd.DataFrame(columns=[*FEATURE_NAMES, "home_win"])
    df = features_from_captures(labeled).sort_values(["game_date", "captured_at"], kind="stable")
    df = df.drop_duplicates("game_key", keep="last")
    return df.dropna(subset=list(FEATURE_NAMES)).reset_index(drop=True)


def load_state(settings: Settings) -> RetrainState:
    from courtside.aws.s3io import exists, get_json

    bucket = settings.names.artifacts_bucket
    return RetrainState.model_validate(get_json(bucket, STATE_KEY)) if exists(bucket, STATE_KEY) else RetrainState()


def run_retrain(
    settings: Settings,
    alarms: set[str] | None = None,
    now: datetime | None = None,
    policy: RetrainPolicy | None = None,
    gate: GateConfig | None = None,
) -> dict[str, Any]:
    """One scheduled / alarm-triggered run; returns what was decided (also appended to the decision log)."""
    from courtside.aws.s3io import get_bytes, put_bytes, put_json

    now, policy, gate = now or datetime.now(UTC), policy or RetrainPolicy(), gate or GateConfig()
    bucket = settings.names.artifacts_bucket
    state = load_state(settings)
    rows = game_rows(read_labeled(settings))
    if state.last_trained_at is not None and len(rows):
        cutoff = state.last_trained_at.date().isoformat()
        state.games_since_training = int((rows["game_date"] > cutoff).sum())
    due, trigger = should_retrain(policy, state, now, alarms or set())
    out: dict[str, Any] = {"due": due, "trigger": trigger, "games": len(rows)}
    if due and len(rows) <= policy.eval_games + 50:
        out["skipped"] = f"only {len(rows)} labeled games; need > {policy.eval_games + 50}"
    elif due:
        registry = SageMakerRegistry(settings.names.model_package_group, bucket)
        decision = retrain_step(rows, registry, policy, gate, trigger)
        out["decision"] = decision.as_dict()
        state.games_since_attempt = 0
        if decision.promoted:
            state.last_trained_at, state.games_since_training = now, 0
        try:
            prev = get_bytes(bucket, DECISIONS_KEY)
        except Exception:  # noqa: BLE001 - first decision
            prev = b""
        line = pd.Series(out).to_json(default_handler=str) + "\n"
        put_bytes(bucket, DECISIONS_KEY, prev + line.encode(), "application/x-ndjson")
    put_json(bucket, STATE_KEY, state.model_dump(mode="json"))
    return out
