"""Request-side team code cleaning: NBA.com or basketball-reference code -> today's franchise code.

Why franchise-mapped: ratings belong to franchises (SEA's history is OKC's), and the online store keys teams by
franchise, so "SEA", "OKC", "NJN", "BKN" and "BRK" must all find the same item.
"""

from __future__ import annotations

from courtside.serving import errors
from courtside.serving.errors import ServiceError
from courtside.teams import SEASONS, franchise_of, to_bref


def franchise_code(raw: str, field: str) -> str:
    """The franchise code for `raw`, or a 422 ``unknown_team`` naming the offending field."""
    code = to_bref(raw)
    if code not in SEASONS:
        raise ServiceError(
            422,
            errors.UNKNOWN_TEAM,
            f"unknown team code {raw!r}",
            [
                {
                    "loc": ["body", field],
                    "msg": "not a basketball-reference or NBA.com team code",
                    "type": "unknown_team",
                }
            ],
        )
    return franchise_of(code)
