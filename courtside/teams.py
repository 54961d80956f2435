"""Team codes, franchise lineage and code harmonisation.

Courtside speaks basketball-reference codes (as the games file and the public game ids do). NBA.com feeds
(play-by-play, box scores) use a few different codes; :func:`to_bref` is the one cleaning rule that maps them.
Ratings belong to franchises, not codes: a relocated or renamed team (SEA -> OKC, NJN -> BRK) keeps its rating,
so :func:`franchise_of` follows the lineage to today's code.
"""

from __future__ import annotations

from functools import lru_cache

# NBA.com (stats.nba.com) abbreviation -> basketball-reference code, where they differ.
NBA_COM_TO_BREF: dict[str, str] = {
    "BKN": "BRK",
    "CHA": "CHO",
    "PHX": "PHO",
    "NOH": "NOP",
    "NOK": "NOK",
    "GS": "GSW",
    "SA": "SAS",
    "NY": "NYK",
    "NO": "NOP",
    "UTAH": "UTA",
    "WSH": "WAS",
}

# Codes of the time -> the code the same franchise used next (relocations and renames).
SUCCESSOR: dict[str, str] = {
    # NBA relocations and renames
    "SEA": "OKC",
    "NJN": "BRK",
    "VAN": "MEM",
    "WSB": "WAS",
    "CAP": "WSB",
    "BAL": "CAP",
    "CHZ": "BAL",
    "CHP": "CHZ",
    "KCK": "SAC",
    "KCO": "KCK",
    "CIN": "KCO",
    "ROC": "CIN",
    "SDC": "LAC",
    "BUF": "SDC",
    "NOJ": "UTA",
    "CHH": "NOP",
    "NOK": "NOP",
    "SDR": "HOU",
    "SFW": "GSW",
    "PHW": "SFW",
    "MNL": "LAL",
    "STL": "ATL",
    "MLH": "STL",
    "TRI": "MLH",
    "SYR": "PHI",
    "FTW": "DET",
    # ABA franchises that joined the NBA in 1976, and their ABA moves
    "NJA": "NYA",
    "NYA": "NYN",
    "NYN": "NJN",
    "DNR": "DNA",
    "DNA": "DEN",
    "INA": "IND",
    "DLC": "SAA",
    "TEX": "SAA",
    "SAA": "SAS",
    # ABA franchises that folded (lineage kept for rating continuity within the ABA)
    "ANA": "LAS",
    "LAS": "UTS",
    "OAK": "WSA",
    "WSA": "VIR",
    "HSM": "CAR",
    "CAR": "SSL",
    "MNM": "MMF",
    "MMF": "FLO",
    "NOB": "MMP",
    "MMP": "MMT",
    "MMT": "MMS",
    "PTP": "MNP",
    "MNP": "PTC",
    "SDA": "SDS",
}

# Code -> (first season, last season or None while active). Seasons are named by the year they end.
SEASONS: dict[str, tuple[int, int | None]] = {
    "BOS": (1947, None),
    "CHS": (1947, 1950),
    "CLR": (1947, 1947),
    "DTF": (1947, 1947),
    "NYK": (1947, None),
    "PHW": (1947, 1962),
    "PIT": (1947, 1947),
    "PRO": (1947, 1949),
    "STB": (1947, 1950),
    "TRH": (1947, 1947),
    "WSC": (1947, 1951),
    "BLB": (1948, 1954),
    "FTW": (1949, 1957),
    "INJ": (1949, 1949),
    "MNL": (1949, 1960),
    "ROC": (1949, 1957),
    "AND": (1950, 1950),
    "DNN": (1950, 1950),
    "INO": (1950, 1953),
    "SHE": (1950, 1950),
    "SYR": (1950, 1963),
    "TRI": (1950, 1951),
    "WAT": (1950, 1950),
    "MLH": (1952, 1955),
    "STL": (1956, 1968),
    "CIN": (1958, 1972),
    "DET": (1958, None),
    "LAL": (1961, None),
    "CHP": (1962, 1962),
    "CHZ": (1963, 1963),
    "SFW": (1963, 1971),
    "BAL": (1964, 1973),
    "PHI": (1964, None),
    "CHI": (1967, None),
    "ANA": (1968, 1968),
    "DLC": (1968, 1973),
    "DNR": (1968, 1974),
    "HSM": (1968, 1969),
    "INA": (1968, 1976),
    "KEN": (1968, 1976),
    "MNM": (1968, 1968),
    "NJA": (1968, 1968),
    "NOB": (1968, 1970),
    "OAK": (1968, 1969),
    "PTP": (1968, 1970),
    "SDR": (1968, 1971),
    "SEA": (1968, 2008),
    "ATL": (1969, None),
    "LAS": (1969, 1970),
    "MIL": (1969, None),
    "MMF": (1969, 1970),
    "MNP": (1969, 1969),
    "NYA": (1969, 1976),
    "PHO": (1969, None),
    "CAR": (1970, 1974),
    "WSA": (1970, 1970),
    "BUF": (1971, 1978),
    "CLE": (1971, None),
    "FLO": (1971, 1972),
    "MMP": (1971, 1972),
    "POR": (1971, None),
    "PTC": (1971, 1972),
    "TEX": (1971, 1971),
    "UTS": (1971, 1976),
    "VIR": (1971, 1976),
    "GSW": (1972, None),
    "HOU": (1972, None),
    "KCO": (1973, 1975),
    "MMT": (1973, 1974),
    "SDA": (1973, 1975),
    "CAP": (1974, 1974),
    "SAA": (1974, 1976),
    "DNA": (1975, 1976),
    "MMS": (1975, 1975),
    "NOJ": (1975, 1979),
    "SSL": (1975, 1976),
    "WSB": (1975, 1997),
    "KCK": (1976, 1985),
    "SDS": (1976, 1976),
    "DEN": (1977, None),
    "IND": (1977, None),
    "NYN": (1977, 1977),
    "SAS": (1977, None),
    "NJN": (1978, 2012),
    "SDC": (1979, 1984),
    "UTA": (1980, None),
    "DAL": (1981, None),
    "LAC": (1985, None),
    "SAC": (1986, None),
    "CHH": (1989, 2002),
    "MIA": (1989, None),
    "MIN": (1990, None),
    "ORL": (1990, None),
    "TOR": (1996, None),
    "VAN": (1996, 2001),
    "WAS": (1998, None),
    "MEM": (2002, None),
    "NOP": (2003, None),
    "CHO": (2005, None),
    "NOK": (2006, 2007),
    "OKC": (2009, None),
    "BRK": (2013, None),
}

# Later seasons may bring codes the shipped data never saw; these are today's 30 franchises.
CURRENT_TEAMS: frozenset[str] = frozenset(code for code, (_, last) in SEASONS.items() if last is None)


def to_bref(code: str) -> str:
    """Harmonise an NBA.com or basketball-reference team code to the basketball-reference code."""
    code = code.strip().upper()
    return NBA_COM_TO_BREF.get(code, code)


@lru_cache(maxsize=512)
def franchise_of(code: str) -> str:
    """Today's (or the last known) code of the franchise that `code` belonged to."""
    seen: set[str] = set()
    while code in SUCCESSOR and code not in seen:
        seen.add(code)
        code = SUCCESSOR[code]
    return code


def is_valid_for_season(code: str, season: int) -> bool:
    """True when `code` names a team that played in `season` (current teams stay valid for later seasons)."""
    span = SEASONS.get(code)
    if span is None:
        return False
    first, last = span
    return first <= season and (last is None or season <= last)
