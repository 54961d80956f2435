"""The drift drill: replay the 2017-18 season with home advantage taken away and watch monitoring and continual
learning repair the forecast within gates (tests/e2e/test_drift_drill.py; numbers in docs/monitoring.md).

Set-up: pre-game features from the games file (`pregame_rows`, real results drive the ratings, as the stream
would); the champion is `fit_logistic` on seasons 1985..2016-17. From game `shift_start` of 2017-18 on, each home
win is turned into a home loss with probability `flip` (fixed seed): home teams win ~44% instead of ~59%, a
bubble-like shift the features cannot see (requests are not flagged neutral), so the champion keeps applying its
home edge. Every `check_every` games the monitor runs (rolling Brier over the last 100 labeled predictions, and
the drift comparison of the last 300 requests with the training baseline); a firing alarm triggers a retrain
through :func:`courtside.continual.loop.retrain_step`, and on the first trigger a deliberately bad challenger
(Elo coefficient reversed) is also offered to show the gate rejecting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from courtside.continual.gates import GateConfig
from courtside.continual.loop import Decision, judge_and_record, predictor, retrain_step
from courtside.continual.policy import RetrainPolicy, RetrainState, should_retrain
from courtside.continual.registry_port import InMemoryRegistry
from courtside.features.history import pregame_rows
from courtside.features.pregame import FEATURE_NAMES
from courtside.models.linear import LinearModel, fit_logistic
from courtside.monitoring.cloudwatch import DRIFT_PSI_THRESHOLD, ROLLING_BRIER_THRESHOLD
from courtside.monitoring.drift import PREDICTION, Baseline, evaluate

DRILL_SEASON = 2018  # 2017-18 (the games file labels a season by the year it ends)
FIRST_HISTORY_SEASON = 1977
FIRST_TRAIN_SEASON = 1985


@dataclass
class DrillConfig:
    shift_start: int = 600  # mid-season, as the bubble restarted a season in progress
    flip: float = 0.25
    seed: int = 2020
    window: int = 100
    check_every: int = 10
    drift_window: int = 300
    policy: RetrainPolicy = field(
        default_factory=lambda: RetrainPolicy(
            new_games=10**6,
            schedule_every_hours=10**6,
            cooldown_games=30,
            on_alarms=("RollingBrier", "PredictionDrift"),
        )
    )
    gate: GateConfig = field(default_factory=GateConfig)


@dataclass
class DrillResult:
    n_games: int
    shift_start: int
    pre_shift_brier: float
    champion_shifted_brier: float  # champion kept serving after the shift (counterfactual)
    served_shifted_brier: float  # what users got with continual learning
    alarm_game: int | None
    alarm_name: str | None
    decisions: list[dict[str, Any]]
    promoted_game: int | None
    recovered_game: int | None
    max_rolling_brier_pre_shift: float
    final_rolling_brier: float
    rolling: pd.DataFrame
    drift_reports: list[dict[str, Any]]
    alarms: list[tuple[int, list[str]]]
    served_model_games: list[tuple[int, str]]

    @property
    def games_to_recover(self) -> int | None:
        """Games from the alarm to the rolling Brier back under the alarm threshold."""
        if self.alarm_game is None or self.recovered_game is None:
            return None
        return self.recovered_game - self.alarm_game

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in {"rolling", "drift_reports"}} | {
            "games_to_recover": self.games_to_recover
        }


def load_rows(data_dir: Path) -> pd.DataFrame:
    games = pd.read_parquet(data_dir / "games" / "nba_games_1947_2019.parquet")
    games = games[(games.season >= FIRST_HISTORY_SEASON) & (games.season <= DRILL_SEASON)]
    games = games.sort_values(["date", "game_key"], kind="stable")
    return pd.DataFrame(pregame_rows(games.to_dict("records")))


def bad_challenger(model: LinearModel) -> LinearModel:
    """The Elo coefficient reversed: favourites become underdogs (what a sign bug in a feature pipeline does)."""
    coef = tuple(-c if n == "elo_diff" else c for n, c in zip(model.feature_names, model.coef, strict=True))
    return LinearModel(model.feature_names, model.mean, model.scale, coef, model.intercept, {"drill": "bad"})


def run_drill(data_dir: Path, cfg: DrillConfig | None = None, rows: pd.DataFrame | None = None) -> DrillResult:
    cfg = cfg or DrillConfig()
    rows = load_rows(data_dir) if rows is None else rows
    train = rows[(rows.season >= FIRST_TRAIN_SEASON) & (rows.season < DRILL_SEASON)].reset_index(drop=True)
    season = rows[rows.season == DRILL_SEASON].reset_index(drop=True).copy()
    rng = np.random.default_rng(cfg.seed)
    flip = (np.arange(len(season)) >= cfg.shift_start) & (season.home_win.to_numpy() == 1)
    flip &= rng.random(len(season)) < cfg.flip
    season["home_win"] = np.where(flip, 0, season.home_win)

    registry = InMemoryRegistry()
    champion = fit_logistic(train, FEATURE_NAMES)
    first = registry.register(champion, {}, "drill champion: seasons 1985..2016-17")
    registry.approve(first, "drill", "initial champion")
    baseline = Baseline.from_training(
        train.assign(**{PREDICTION: predictor(champion)(train)}), list(FEATURE_NAMES), first.ref
    )
    counterfactual = predictor(champion)(season)

    y = season.home_win.to_numpy(float)
    served = np.full(len(season), np.nan)
    served_by: list[str] = [""] * len(season)
    state = RetrainState(last_trained_at=datetime.now(UTC))
    decisions: list[Decision] = []
    drift_reports: list[dict[str, Any]] = []
    alarm_game = alarm_name = promoted_game = None
    alarm_log: list[tuple[int, list[str]]] = []
    bad_offered = False
    for start in range(0, len(season), cfg.check_every):
        stop = min(start + cfg.check_every, len(season))
        champ = registry.champion()
        assert champ is not None
        chunk = season.iloc[start:stop]
        served[start:stop] = predictor(champ.model)(chunk)
        served_by[start:stop] = [champ.ref] * (stop - start)
        state.games_since_training += stop - start
        state.games_since_attempt += stop - start
        # monitor run after these games finished (outcomes joined)
        lo = max(0, stop - cfg.window)
        rolling = float(np.mean((served[lo:stop] - y[lo:stop]) ** 2)) if stop >= cfg.window else float("nan")
        alarms: set[str] = set()
        if rolling > ROLLING_BRIER_THRESHOLD:
            alarms.add("RollingBrier")
        recent = season.iloc[max(0, stop - cfg.drift_window) : stop].assign(
            **{PREDICTION: served[max(0, stop - cfg.drift_window) : stop]}
        )
        drift = evaluate(baseline, recent, min_samples=cfg.drift_window)
        if drift.feature_psi_max > DRIFT_PSI_THRESHOLD:
            alarms.add("FeatureDrift")
        if (drift.prediction_psi or 0.0) > DRIFT_PSI_THRESHOLD:
            alarms.add("PredictionDrift")
        if drift.prediction_psi is not None:
            drift_reports.append(
                {"game": stop, "feature_psi_max": drift.feature_psi_max, "prediction_psi": drift.prediction_psi}
            )
        triggering = alarms & set(cfg.policy.on_alarms)
        if triggering:
            alarm_log.append((stop, sorted(triggering)))
        if triggering and alarm_game is None and stop > cfg.shift_start:
            alarm_game, alarm_name = stop, sorted(triggering)[0]
        due, trigger = should_retrain(cfg.policy, state, datetime.now(UTC), alarms)
        if not due:
            continue
        history = pd.concat([train, season.iloc[:stop]], ignore_index=True)
        if not bad_offered:
            bad_offered = True
            eval_rows = history.iloc[-cfg.policy.eval_games :]
            decisions.append(judge_and_record(bad_challenger(champ.model), eval_rows, registry, cfg.gate, trigger))
        decision = retrain_step(history, registry, cfg.policy, cfg.gate, trigger)
        decision.extra["game"] = stop
        decisions.append(decision)
        state.games_since_attempt = 0
        if decision.promoted:
            state.games_since_training = 0
            state.last_trained_at = datetime.now(UTC)
            if promoted_game is None and stop > cfg.shift_start:
                promoted_game = stop
            new = registry.champion()
            assert new is not None
            baseline = Baseline.from_training(
                history.assign(**{PREDICTION: predictor(new.model)(history)}), list(FEATURE_NAMES), new.ref
            )

    sq = pd.Series((served - y) ** 2)
    roll = sq.rolling(cfg.window, min_periods=cfg.window).mean()
    recovered_game = None
    if promoted_game is not None:
        after = roll.iloc[promoted_game:]
        below = after[after <= ROLLING_BRIER_THRESHOLD]
        recovered_game = int(below.index[0]) + 1 if len(below) else None
    pre = slice(0, cfg.shift_start)
    post = slice(cfg.shift_start, len(season))
    return DrillResult(
        n_games=len(season),
        shift_start=cfg.shift_start,
        pre_shift_brier=float(np.mean((served[pre] - y[pre]) ** 2)),
        champion_shifted_brier=float(np.mean((counterfactual[post] - y[post]) ** 2)),
        served_shifted_brier=float(np.mean((served[post] - y[post]) ** 2)),
        alarm_game=alarm_game,
        alarm_name=alarm_name,
        decisions=[d.as_dict() | {"game": d.extra.get("game")} for d in decisions],
        promoted_game=promoted_game,
        recovered_game=recovered_game,
        max_rolling_brier_pre_shift=float(roll.iloc[: cfg.shift_start].max()),
        final_rolling_brier=float(roll.iloc[-1]),
        rolling=pd.DataFrame(
            {
                "game": np.arange(1, len(season) + 1),
                "rolling_brier": roll,
                "counterfactual": pd.Series((counterfactual - y) ** 2).rolling(cfg.window).mean(),
            }
        ),
        drift_reports=drift_reports,
        alarms=alarm_log,
        served_model_games=[(i + 1, v) for i, v in enumerate(served_by) if i == 0 or served_by[i - 1] != v],
    )
