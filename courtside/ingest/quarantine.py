"""The quarantine record format, shared by the stream and the batch loads.

One JSON object per rejected record at `reason=<code>/<date>/<id>.json`, holding the raw bytes (base64) so the
record can be re-driven unchanged after a fix. The id is the event id (when readable) plus a digest of the bytes,
so a byte-identical redelivery overwrites the same object instead of being counted twice. `<date>` is the game's
date when the bytes name a game id, else the record's arrival date.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field

_GAME_DATE = re.compile(rb'"game_id"\s*:\s*"([0-9]{4})([0-9]{2})([0-9]{2})_')
_EVENT_ID = re.compile(rb'"event_id"\s*:\s*"([^"\\]{1,200})"')
_SAFE = re.compile(r"[^A-Za-z0-9_.:=-]")


def digest(raw: bytes) -> int:
    """Content digest telling a redelivery (same id, same bytes) from a conflicting event (same id, other bytes).

    CRC-32 with bit 32 set (never 0, so `-digest` can mark a quarantined record): it only has to separate versions
    *of one event id*, so a 32-bit checksum suffices and it is several times cheaper than a cryptographic hash on
    the hot path (the core inlines the same expression).
    """
    return zlib.crc32(raw) | (1 << 32)


def object_digest(raw: bytes) -> str:
    """Collision-resistant digest for quarantine object names (different bad records must not overwrite)."""
    return hashlib.blake2b(raw, digest_size=10).hexdigest()


@dataclass
class Source:
    """Where a record came from (Kinesis coordinates, or a batch file)."""

    stream: str = ""
    shard: str = ""
    sequence_number: str = ""
    partition_key: str = ""
    arrival: str = ""  # ISO-8601

    def as_dict(self) -> dict[str, str]:
        return {
            "stream": self.stream,
            "shard": self.shard,
            "sequence_number": self.sequence_number,
            "partition_key": self.partition_key,
            "arrival": self.arrival,
        }


@dataclass
class QuarantineRecord:
    reason: str
    detail: str
    data: bytes
    source: Source = field(default_factory=Source)
    quarantined_at: str = ""

    def key(self) -> str:
        m = _GAME_DATE.search(self.data[:4096])
        if m:
            day = f"{m[1].decode()}-{m[2].decode()}-{m[3].decode()}"
        else:
            day = (self.source.arrival or self.quarantined_at or dt.datetime.now(dt.UTC).isoformat())[:10]
        e = _EVENT_ID.search(self.data[:4096])
        name = _SAFE.sub("_", e[1].decode(errors="replace")) + "." if e else ""
        return f"reason={self.reason}/{day}/{name}{object_digest(self.data)}.json"

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "reason": self.reason,
                "detail": self.detail,
                "data_b64": base64.b64encode(self.data).decode(),
                "source": self.source.as_dict(),
                "quarantined_at": self.quarantined_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_json(cls, body: bytes) -> QuarantineRecord:
        d = json.loads(body)
        return cls(
            reason=d["reason"],
            detail=d.get("detail", ""),
            data=base64.b64decode(d["data_b64"]),
            source=Source(**d.get("source", {})),
            quarantined_at=d.get("quarantined_at", ""),
        )
