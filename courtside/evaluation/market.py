"""Sportsbook moneylines as a benchmark: American odds -> implied probability -> vig removed -> game key.

Why: the closing line is the strongest public forecast; the report compares against it on the same games and
simulates betting against it. Lines are joined to games by date + home team (the file names teams by city).
The closing price used is Pinnacle's (the sharpest book) when both sides are quoted, else the median over books.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LINES_FILE = Path("lines") / "sbr_moneyline_by_book_2014_2019.csv.gz"
BOOKS = ("pinnacle", "fiveDimes", "bookmaker", "BOL", "Bovada", "Heritage", "Intertops", "youwager", "justbet",
         "sportsbet")  # fmt: skip

CITY_TO_BREF: dict[str, str] = {
    "Atlanta": "ATL", "Boston": "BOS", "Brooklyn": "BRK", "Charlotte": "CHO", "Chicago": "CHI", "Cleveland": "CLE",
    "Dallas": "DAL", "Denver": "DEN", "Detroit": "DET", "Golden State": "GSW", "Houston": "HOU", "Indiana": "IND",
    "L.A. Clippers": "LAC", "L.A. Lakers": "LAL", "Memphis": "MEM", "Miami": "MIA", "Milwaukee": "MIL",
    "Minnesota": "MIN", "New Orleans": "NOP", "New York": "NYK", "Oklahoma City": "OKC", "Orlando": "ORL",
    "Philadelphia": "PHI", "Phoenix": "PHO", "Portland": "POR", "Sacramento": "SAC", "San Antonio": "SAS",
    "Toronto": "TOR", "Utah": "UTA", "Washington": "WAS",
}  # fmt: skip


def implied_probability(american: float) -> float:
    """Break-even probability of American odds (includes the book's margin)."""
    return 100.0 / (american + 100.0) if american > 0 else -american / (-american + 100.0)


def decimal_odds(american: float) -> float:
    """Total return per unit staked (stake included) at American odds."""
    return 1.0 + (american / 100.0 if american > 0 else 100.0 / -american)


def devig(home_american: float, away_american: float) -> float:
    """Home win probability with the vig removed proportionally (multiplicative normalisation)."""
    ph, pa = implied_probability(home_american), implied_probability(away_american)
    return ph / (ph + pa)


def _valid(x: Any) -> bool:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return False
    return v == v and abs(v) >= 100.0


def closing_line(row: Any) -> tuple[float, float, float, str] | None:
    """(home odds, away odds, de-vigged home probability, source) for one lines row, or None."""
    h, a = row.get("home_pinnacle_line"), row.get("away_pinnacle_line")
    if _valid(h) and _valid(a):
        return float(h), float(a), devig(float(h), float(a)), "pinnacle"
    probs, prices = [], []
    for book in BOOKS[1:]:
        h, a = row.get(f"home_{book}_line"), row.get(f"away_{book}_line")
        if _valid(h) and _valid(a):
            probs.append(devig(float(h), float(a)))
            prices.append((float(h), float(a)))
    if not probs:
        return None
    order = sorted(range(len(probs)), key=probs.__getitem__)
    mid = order[len(order) // 2]
    return prices[mid][0], prices[mid][1], probs[mid], "median_book"


def market_probabilities(games: Any, data_dir: Path | str) -> Any:
    """game_key, bench_market_prob, bench_home_odds, bench_away_odds for the games that have a usable line."""
    import pandas as pd

    lines = pd.read_csv(Path(data_dir) / LINES_FILE)
    lines["home"] = lines["home_Team"].str.strip().map(CITY_TO_BREF)
    lines["away"] = lines["away_Team"].str.strip().map(CITY_TO_BREF)
    lines = lines.dropna(subset=["home", "away"])
    lines["date"] = pd.to_datetime(lines["Date"].astype(str), format="%Y%m%d").dt.strftime("%Y-%m-%d")
    recs = []
    for row in lines.to_dict("records"):
        cl = closing_line(row)
        if cl is not None:
            recs.append({"date": row["date"], "home_team": row["home"], "away_team": row["away"],
                         "bench_home_odds": cl[0], "bench_away_odds": cl[1], "bench_market_prob": cl[2]})  # fmt: skip
    market = pd.DataFrame(recs).drop_duplicates(subset=["date", "home_team"], keep="last")
    keys = games[["game_key", "date", "home_team", "away_team"]].assign(date=lambda d: d["date"].astype(str).str[:10])
    out = keys.merge(market, on=["date", "home_team", "away_team"], how="inner")
    return out[["game_key", "bench_market_prob", "bench_home_odds", "bench_away_odds"]]
