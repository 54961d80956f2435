"""What the validate function does with stored events after a batch: reservoir samples and outlier flags.

Failures here never fail the batch (the events are already stored); they are logged by the handler.
Samples are kept in container memory and saved per batch; concurrent containers (several shards) each keep their
own in-memory sample and the last save wins, which is exact with one shard (the default) and otherwise a sample
of one shard's events.
"""

from __future__ import annotations

import json
import re
from typing import Any

from courtside.config import Settings
from courtside.quality.reservoir import Reservoir, load, save

SAMPLE_SIZE = 1000
_RESERVOIRS: dict[tuple[str, str], Reservoir] = {}
_SAFE = re.compile(r"[^A-Za-z0-9_.:=-]")


def after_batch(outcome: Any, settings: Settings) -> None:
    lake = settings.names.lake_bucket
    by_type: dict[str, list[bytes]] = {}
    for etype, _, raw in outcome.stored_records:
        by_type.setdefault(etype, []).append(raw)
    for etype, raws in by_type.items():
        key = (lake, etype)
        res = _RESERVOIRS.get(key)
        if res is None:
            res = _RESERVOIRS[key] = load(lake, etype, SAMPLE_SIZE)
        res.extend(raws)
        res.items = [json.loads(x) if isinstance(x, bytes | str) else x for x in res.items]
        save(lake, etype, res)
    if outcome.flags:
        from courtside.aws.s3io import put_json

        for flag in outcome.flags:
            put_json(lake, f"quality/flags/{_SAFE.sub('_', flag['key'])}.{flag['test']}.{flag['metric']}.json", flag)


def reset() -> None:
    """Forget in-memory samples (tests)."""
    _RESERVOIRS.clear()
