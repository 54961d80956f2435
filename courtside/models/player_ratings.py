"""Player-based pre-game strength from box scores: who is available tonight and how good they have been.

Why (MODELLING_NOTES): results-only models top out near Brier 0.209; the rest needs player information. Each
player carries exponentially-decayed per-minute ratings built only from games already finished:

- ``pm``: box plus-minus per minute, shrunk toward 0 by a prior of ``PRIOR_MINUTES`` minutes (noisy but unbiased);
- ``gs``: Hollinger Game Score per minute, shrunk toward the league mean (stable, box-only).

A team's strength for a game sums rating x expected minutes over the players who appear in that game's box score
(the availability known at tip-off from injury reports and lineups; the minutes they actually play are NOT used,
the expected minutes are their pre-game average), rescaled to 240 player-minutes. Rotation players who played
for the team recently but are absent give the "missing" strength. Features are home minus away:
``pl_pm_diff``, ``pl_gs_diff``, ``pl_missing_diff``; games without box data get 0 (no information).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courtside.teams import to_bref

PLAYER_FEATURES: tuple[str, ...] = ("pl_pm_diff", "pl_gs_diff", "pl_missing_diff")
DECAY = 0.97  # per player-game: ~33 games of memory
PRIOR_MINUTES = 400.0
DEFAULT_MINUTES = 12.0
ROSTER_GAMES = 10  # a player counts as a rotation player for 10 team games after his latest appearance
TEAM_MINUTES = 240.0


@dataclass
class PlayerState:
    pm: float = 0.0  # decayed sum of plus-minus
    gs: float = 0.0  # decayed sum of game score
    minutes: float = 0.0  # decayed sum of minutes
    games: float = 0.0  # decayed count of games played
    team: str = ""
    last_team_game: int = -1

    def pm_rate(self) -> float:
        return self.pm / (self.minutes + PRIOR_MINUTES)

    def gs_rate(self, league_gs: float) -> float:
        return (self.gs + league_gs * PRIOR_MINUTES) / (self.minutes + PRIOR_MINUTES)

    def expected_minutes(self) -> float:
        return self.minutes / self.games if self.games > 0.5 else DEFAULT_MINUTES


@dataclass
class PlayerBook:
    players: dict[int, PlayerState] = field(default_factory=dict)
    team_games: dict[str, int] = field(default_factory=dict)
    rosters: dict[str, dict[int, PlayerState]] = field(default_factory=dict)
    league_gs_sum: float = 0.0
    league_min_sum: float = 0.0

    def league_gs(self) -> float:
        return self.league_gs_sum / self.league_min_sum if self.league_min_sum > 0 else 0.33

    def strength(self, team: str, present: list[int]) -> tuple[float, float, float]:
        """(pm strength, gs strength, missing gs strength) of `team` with the `present` players."""
        lg = self.league_gs()
        states = [self.players.get(pid, PlayerState()) for pid in present]
        mins = [s.expected_minutes() for s in states]
        scale = TEAM_MINUTES / max(sum(mins), 1.0)
        pm = sum(s.pm_rate() * m for s, m in zip(states, mins, strict=True)) * scale
        gs = sum((s.gs_rate(lg) - lg) * m for s, m in zip(states, mins, strict=True)) * scale
        now = self.team_games.get(team, 0)
        present_set = set(present)
        missing = sum(
            (s.gs_rate(lg) - lg) * s.expected_minutes()
            for pid, s in self.rosters.get(team, {}).items()
            if pid not in present_set and now - s.last_team_game <= ROSTER_GAMES
        )
        return pm, gs, missing

    def apply(self, team: str, lines: list[Mapping[str, Any]]) -> None:
        """Fold one finished game's box lines of one team into the players' ratings."""
        self.team_games[team] = self.team_games.get(team, 0) + 1
        for ln in lines:
            s = self.players.setdefault(int(ln["PLAYER_ID"]), PlayerState())
            s.pm = s.pm * DECAY + ln["pm"]
            s.gs = s.gs * DECAY + ln["gs"]
            s.minutes = s.minutes * DECAY + ln["minutes"]
            s.games = s.games * DECAY + 1.0
            if s.team and s.team != team:
                self.rosters.get(s.team, {}).pop(int(ln["PLAYER_ID"]), None)
            s.team, s.last_team_game = team, self.team_games[team]
            self.rosters.setdefault(team, {})[int(ln["PLAYER_ID"])] = s
            self.league_gs_sum += ln["gs"]
            self.league_min_sum += ln["minutes"]


def _minutes(v: Any) -> float:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return 0.0
    text = str(v)
    if ":" in text:
        m, s = text.split(":", 1)
        return float(m or 0) + float(s or 0) / 60.0
    try:
        return float(text)
    except ValueError:
        return 0.0


def game_score(r: Any) -> Any:
    """Hollinger's Game Score, vectorised over a DataFrame of box lines."""
    g = {
        k: r[k].fillna(0.0).astype(float)
        for k in ("PTS", "FGM", "FGA", "FTA", "FTM", "OREB", "DREB", "STL", "AST", "BLK", "PF", "TO")
    }
    return (
        g["PTS"]
        + 0.4 * g["FGM"]
        - 0.7 * g["FGA"]
        - 0.4 * (g["FTA"] - g["FTM"])
        + 0.7 * g["OREB"]
        + 0.3 * g["DREB"]
        + g["STL"]
        + 0.7 * g["AST"]
        + 0.7 * g["BLK"]
        - 0.4 * g["PF"]
        - g["TO"]
    )


def load_box(box_path: Path | str, index_path: Path | str) -> Any:
    """Box lines (regular season + playoffs) with game_key, date and bref team codes; minutes > 0 only."""
    import pandas as pd

    box = pd.read_parquet(box_path)
    idx = pd.read_csv(index_path, dtype={"GAME_ID": str})
    idx["GAME_ID"] = idx["GAME_ID"].str.zfill(10)
    box["GAME_ID"] = box["GAME_ID"].astype(str).str.zfill(10)
    box = box[box["GAME_ID"].str[:3].isin(["002", "004"])]
    idx["home"] = idx["home"].map(to_bref)
    idx["away"] = idx["away"].map(to_bref)
    idx["game_key"] = pd.to_datetime(idx["game_date"]).dt.strftime("%Y%m%d") + "_" + idx["away"] + "_at_" + idx["home"]
    box = box.merge(idx[["GAME_ID", "game_date", "game_key", "home", "away"]], on="GAME_ID", how="inner")
    box["team"] = box["TEAM_ABBREVIATION"].map(to_bref)
    box["minutes"] = box["MIN"].map(_minutes)
    box = box[box["minutes"] > 0].copy()
    box["pm"] = box["PLUS_MINUS"].fillna(0.0).astype(float)
    box["gs"] = game_score(box)
    return box.sort_values(["game_date", "GAME_ID"], kind="mergesort")


def player_features(box: Any) -> Any:
    """One row per game_key with the PLAYER_FEATURES as of tip-off (then the game is folded into the ratings)."""
    import pandas as pd

    book = PlayerBook()
    rows = []
    games: dict[str, list[dict[str, Any]]] = {}
    cols = ["game_key", "home", "away", "team", "PLAYER_ID", "pm", "gs", "minutes"]
    for rec in box[cols].to_dict("records"):  # box is sorted by date: dict order keeps time order
        games.setdefault(rec["game_key"], []).append(rec)
    for key, lines in games.items():
        home, away = lines[0]["home"], lines[0]["away"]
        by_team: dict[str, list[dict[str, Any]]] = {}
        for ln in lines:
            by_team.setdefault(ln["team"], []).append(ln)
        if home not in by_team or away not in by_team:
            continue
        h = book.strength(home, [int(ln["PLAYER_ID"]) for ln in by_team[home]])
        a = book.strength(away, [int(ln["PLAYER_ID"]) for ln in by_team[away]])
        rows.append(
            {"game_key": key, "pl_pm_diff": h[0] - a[0], "pl_gs_diff": h[1] - a[1], "pl_missing_diff": h[2] - a[2]}
        )
        for team in (home, away):
            book.apply(team, by_team[team])
    return pd.DataFrame(rows)


def default_box_path(data_dir: Path | str | None, hp: Mapping[str, Any]) -> tuple[Path, Path]:
    """(box parquet, games index) from ``hp['box_dir']`` (e.g. the shared full data) or the repo extract."""
    if hp.get("box_dir"):
        d = Path(hp["box_dir"])
        return d / "box" / "player_box_2015_2019.parquet", d / "pbp" / "games_index_2015_2019.csv"
    from courtside.models.dataset import default_data_dir

    d = Path(data_dir or default_data_dir())
    return d / "box" / "player_box_2018-19_first300.parquet", d / "pbp" / "games_index_2018-19_first300.csv"


def add_player_features(frame: Any, paths: tuple[Path, Path]) -> Any:
    """Join PLAYER_FEATURES to the pre-game frame; games without box data get 0 and ``pl_known`` = 0."""
    feats = player_features(load_box(*paths))
    out = frame.merge(feats, on="game_key", how="left")
    out["pl_known"] = out["pl_pm_diff"].notna().astype(float)
    for c in PLAYER_FEATURES:
        out[c] = out[c].fillna(0.0)
    return out
