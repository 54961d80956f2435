"""Shared by the tests that feed real plays to the features function directly (no stream in between)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from courtside.events import make_event
from courtside.features.live import pbp_payload_from_row
from courtside.local.lambda_context import LocalLambdaContext

OPENER = "20181016_PHI_at_BOS"  # NBA 0021800001, the first game of the shipped 2018-19 play-by-play extract
OPENER_NBA_ID, OPENER_HOME = "0021800001", "BOS"


def opening_plays(data_dir: Path, n: int, occurred_at: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `pbp` payloads and events of the opener's first `n` plays (event id = game:pbp:EVENTNUM, as produced)."""
    pbp = pd.read_parquet(data_dir / "pbp" / "pbp_2018-19_first300.parquet")
    rows = pbp[pbp["GAME_ID"] == OPENER_NBA_ID].head(n).to_dict("records")
    payloads = [pbp_payload_from_row(r, OPENER_HOME) for r in rows]
    events = [make_event("pbp", OPENER, occurred_at, p, seq=p["event_num"]) for p in payloads]
    return payloads, events


def features_ctx() -> LocalLambdaContext:
    """A fresh invocation context of the features function, as the local poller passes it."""
    return LocalLambdaContext("courtside-features")
