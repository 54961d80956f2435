"""`courtside stats`: counts computed from what really is in the lake raw zone and the quarantine bucket.

Accounting: `stored` = distinct event ids in the raw zone (a lake object rewritten by a retried batch is not
counted twice); `quarantined` = quarantine objects (a byte-identical bad record redelivered overwrites its object);
`in = stored + quarantined` by definition; `duplicates_ignored` (byte-identical redeliveries of stored events,
from the state table counter) is reported separately and is not part of `in`.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from typing import Any

from courtside.aws.s3io import get_bytes, list_keys
from courtside.config import Settings
from courtside.ingest.core import RAW_PREFIX


def ingest_stats(settings: Settings) -> dict[str, Any]:
    names = settings.names
    ids: set[str] = set()
    by_type: Counter = Counter()
    for key in list_keys(names.lake_bucket, f"{RAW_PREFIX}/"):
        if not key.endswith(".jsonl.gz"):
            continue
        etype = key.split("event_type=", 1)[1].split("/", 1)[0]
        for line in gzip.decompress(get_bytes(names.lake_bucket, key)).splitlines():
            if line.strip():
                eid = json.loads(line)["event_id"]
                if eid not in ids:
                    ids.add(eid)
                    by_type[etype] += 1
    by_reason: Counter = Counter()
    for key in list_keys(names.quarantine_bucket, "reason="):
        by_reason[key.split("/", 1)[0].removeprefix("reason=")] += 1
    from courtside.ingest.aws_sinks import DynamoStateStore

    try:
        dups = DynamoStateStore(names.state_table).duplicates_ignored()
    except Exception:  # noqa: BLE001 - stats must still print if the table is missing
        dups = 0
    stored, quarantined = len(ids), sum(by_reason.values())
    return {
        "in": stored + quarantined,
        "stored": stored,
        "quarantined": quarantined,
        "by_reason": dict(sorted(by_reason.items())),
        "duplicates_ignored": dups,
        "stored_by_type": dict(sorted(by_type.items())),
    }
