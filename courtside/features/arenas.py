"""Arena locations for travel-distance features.

Why a table keyed by the team code *of the time*: a relocated franchise keeps its rating (franchise lineage) but not
its arena, so travel uses the code the games file carries (SEA played in Seattle, OKC plays in Oklahoma City).
Codes without an entry fall back to their franchise's current arena, which is exact for today's 30 teams and an
approximation for a few early, long-gone teams.
"""

from __future__ import annotations

import math

from courtside.teams import franchise_of

EARTH_RADIUS_MILES = 3958.8

# Code -> (latitude, longitude) of the team's (latest) home arena.
ARENAS: dict[str, tuple[float, float]] = {
    # today's 30 franchises
    "ATL": (33.7573, -84.3963),
    "BOS": (42.3662, -71.0621),
    "BRK": (40.6826, -73.9754),
    "CHO": (35.2251, -80.8392),
    "CHI": (41.8807, -87.6742),
    "CLE": (41.4965, -81.6882),
    "DAL": (32.7905, -96.8103),
    "DEN": (39.7487, -105.0077),
    "DET": (42.3410, -83.0552),
    "GSW": (37.7680, -122.3877),
    "HOU": (29.7508, -95.3621),
    "IND": (39.7640, -86.1555),
    "LAC": (34.0430, -118.2673),
    "LAL": (34.0430, -118.2673),
    "MEM": (35.1382, -90.0506),
    "MIA": (25.7814, -80.1870),
    "MIL": (43.0451, -87.9172),
    "MIN": (44.9795, -93.2761),
    "NOP": (29.9490, -90.0821),
    "NYK": (40.7505, -73.9934),
    "OKC": (35.4634, -97.5151),
    "ORL": (28.5392, -81.3839),
    "PHI": (39.9012, -75.1720),
    "PHO": (33.4457, -112.0712),
    "POR": (45.5316, -122.6668),
    "SAC": (38.5802, -121.4997),
    "SAS": (29.4270, -98.4375),
    "TOR": (43.6435, -79.3791),
    "UTA": (40.7683, -111.9011),
    "WAS": (38.8981, -77.0209),
    # relocated / renamed franchises, where they played before
    "SEA": (47.6221, -122.3540),
    "NJN": (40.8116, -74.0675),
    "VAN": (49.2778, -123.1089),
    "CHH": (35.2251, -80.8392),
    "NOK": (35.4634, -97.5151),
    "KCK": (39.0973, -94.5805),
    "SDC": (32.7555, -117.2119),
    "BUF": (42.8864, -78.8784),
    "WSB": (38.8981, -77.0209),
    "NOJ": (29.9511, -90.0812),
    "SDR": (32.7555, -117.2119),
    "SFW": (37.7680, -122.3877),
    "CIN": (39.1031, -84.5120),
    "STL": (38.6270, -90.1994),
    "MNL": (44.9778, -93.2650),
    "SYR": (43.0481, -76.1474),
    "FTW": (41.0793, -85.1394),
    "ROC": (43.1566, -77.6088),
    "KCO": (39.0973, -94.5805),
}


def arena_of(code: str) -> tuple[float, float] | None:
    """(lat, lon) of the arena a team with this code played in, or None when unknown."""
    return ARENAS.get(code) or ARENAS.get(franchise_of(code))


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles: good to ~0.5 %, far better than travel features need."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def travel_miles(from_venue: str, to_venue: str) -> float:
    """Miles between two venues (team codes); 0 when either is unknown or empty (neutral site, first game)."""
    if not from_venue or not to_venue or from_venue == to_venue:
        return 0.0
    a, b = arena_of(from_venue), arena_of(to_venue)
    if a is None or b is None:
        return 0.0
    return haversine_miles(a, b)
