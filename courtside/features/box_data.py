"""Historical box lines for the batch backfill: who played, and how long, in each game.

Why a minimal extract (`data/box/player_minutes_2015_2019.parquet`: game_key, team, player_id, minutes): the
availability features need only who played and their minutes, and the same four fields make a `player_box`
payload, so the backfill folds exactly what the stream would receive.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd

MINUTES_FILE = Path("box") / "player_minutes_2015_2019.parquet"

BoxLines = dict[str, list[dict[str, Any]]]  # game_key -> player_box payloads (team, player_id, minutes)


def load_box_lines(data_dir: Path | str, game_keys: Collection[str] | None = None) -> BoxLines:
    """Box lines by game key from the shipped extract ({} when the file is absent: availability stays 1.0)."""
    path = Path(data_dir) / MINUTES_FILE
    if not path.exists():
        return {}
    df = pd.read_parquet(path)
    if game_keys is not None:
        df = df[df["game_key"].isin(set(game_keys))]
    out: BoxLines = {}
    for key, team, pid, minutes in zip(df["game_key"], df["team"], df["player_id"], df["minutes"], strict=True):
        out.setdefault(str(key), []).append({"team": str(team), "player_id": int(pid), "minutes": float(minutes)})
    return out
