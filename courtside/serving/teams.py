"""Request-side team code cleaning: NBA.com or basketball-reference code -> today's franchise code.

Why franchise-mapped: ratings belong to franchises (SEA's history is OKC's), and the online store keys teams by
franchise, so "SEA", "OKC", "NJN", "BKN" and "BRK" must all find the same item.
"""

from __future__ import annotations

from functools import lru_cache

from courtside.serving import errors
from courtside.serving.errors import ServiceError
from courtside.teams import SEASONS, franchise_of, to_bref


@lru_cache(maxsize=1024)
def _known_franchise(raw: str) -> str | None:
    """Franchise of a raw request code, or None when unknown.

    Why cached: every request resolves two codes (strip, upper, NBA.com alias, successor chain); the valid raw
    codes are a few hundred strings, so each is resolved once per container."""
    code = to_bref(raw)
    return franchise_of(code) if code in SEASONS else None


def franchise_code(raw: str, field: str) -> str:
    """The franchise code for `raw`, or a 422 ``unknown_team`` naming the offending field."""
    franchise = _known_franchise(raw)
    if franchise is None:
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
    return franchise
