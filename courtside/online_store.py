"""DynamoDB online feature store: the hot half of the hybrid storage (practice 12, 20).

The key design and item encoding live in :mod:`courtside.features.online_items` (pure, testable without AWS);
this module does the I/O: one BatchGetItem on the prediction path, conditional transactional writes on the stream
path, BatchWriteItem for seeding from a batch backfill.

Out-of-order rule for `game_final` (see docs/features.md): results are applied in arrival order, but a result
whose event time is *older* than either team's `as_of` is ignored for ratings (status ``"late"``, counted by the
handler as the `LateGameFinal` metric) because applying it would rewrite history the newer values already built
on; the result still lands in the lake and the next batch backfill (authoritative) reflects it. Equal event times
are allowed (games on the same night). A result whose game id equals both teams' last applied game is a
duplicate and ignored (status ``"duplicate"``).

Concurrency: the three items (home, away, league) are written in one TransactWriteItems, each conditioned on the
version read (`v = :v`, or `attribute_not_exists(pk)` for a new item). Two game_finals racing on the league item
(different shards) make one transaction fail; it re-reads and retries, so no update is ever lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from courtside.aws.clients import client as aws_client
from courtside.config import resource_names
from courtside.features import online_items as oi
from courtside.features import players as player_state
from courtside.features.history import LeagueBook
from courtside.features.pregame import (
    TeamState,
    carry_into_season,
    extended_features,
    pregame_features,
)
from courtside.ratings import elo
from courtside.teams import franchise_of, to_bref

log = logging.getLogger(__name__)

MAX_CONFLICT_RETRIES = 8


@dataclass(frozen=True)
class PregameState:
    """What the prediction path needs for one match-up, as the online store holds it now."""

    home: TeamState
    away: TeamState
    league: elo.LeagueRating
    features_as_of: str | None  # event time of the newest result reflected; None when the store is empty
    home_players: player_state.PlayersState | None = None  # availability states (None: no box lines yet)
    away_players: player_state.PlayersState | None = None
    home_available: list[int] | None = None  # the game's `game_scheduled` lists (None: not sent)
    away_available: list[int] | None = None

    @property
    def availability(self) -> tuple[float, float]:
        """(home, away) availability with the batch code; 1.0 for a side whose list or state is unknown."""
        return (
            player_state.availability(self.home_players, self.home_available),
            player_state.availability(self.away_players, self.away_available),
        )

    def features(self, game_date: str, neutral: bool, extended: bool = False, venue: str = "") -> dict[str, float]:
        """FEATURE_NAMES values (EXTENDED_FEATURE_NAMES with `extended`; `venue` = home code for travel)."""
        h_av, a_av = self.availability
        if extended:
            venue = venue or self.home.team
            return extended_features(self.home, self.away, self.league, game_date, neutral, venue, h_av, a_av)
        return pregame_features(self.home, self.away, self.league, game_date, neutral, h_av, a_av)


class OnlineStore:
    """Reads and writes feature state in the online table (`names.online_table` by default)."""

    def __init__(
        self,
        table_name: str | None = None,
        client: Any = None,
        cfg: elo.EloConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table = table_name or resource_names().online_table
        self._client = client
        self.cfg = cfg or elo.EloConfig()
        self.clock = clock

    @property
    def ddb(self) -> Any:
        return self._client or aws_client("dynamodb")

    # ---- reads -------------------------------------------------------------------------------------------------

    def _fresh(self, item: oi.Item | None) -> oi.Item | None:
        """Staleness check: DynamoDB deletes expired items up to days late, so never serve one past its TTL."""
        if item is None:
            return None
        ttl = oi.ttl_of(item)
        return item if ttl == 0 or ttl > self.clock() else None

    def _batch_get(self, keys: list[oi.Item], consistent: bool = False) -> dict[tuple[str, str], oi.Item]:
        found: dict[tuple[str, str], oi.Item] = {}
        request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": consistent}}
        for attempt in range(10):
            resp = self.ddb.batch_get_item(RequestItems=request)
            for item in resp.get("Responses", {}).get(self.table, []):
                fresh = self._fresh(item)
                if fresh is not None:
                    found[(item["pk"]["S"], item["sk"]["S"])] = fresh
            request = resp.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        return found

    def _read_pregame(
        self, home: str, away: str, consistent: bool
    ) -> tuple[oi.Item | None, oi.Item | None, oi.Item | None]:
        hk, ak = oi.team_pk(home), oi.team_pk(away)
        keys = [oi.key(hk, oi.TEAM_SK), oi.key(oi.LEAGUE_PK, oi.TEAM_SK)]
        if ak != hk:
            keys.append(oi.key(ak, oi.TEAM_SK))
        got = self._batch_get(keys, consistent)
        return got.get((hk, oi.TEAM_SK)), got.get((ak, oi.TEAM_SK)), got.get((oi.LEAGUE_PK, oi.TEAM_SK))

    def _team(self, item: oi.Item | None, franchise: str, season: int) -> TeamState:
        state = oi.decode_team(item) if item else TeamState(elo.new_team(franchise, season, self.cfg))
        return carry_into_season(state, season, self.cfg)

    def _league(self, item: oi.Item | None) -> elo.LeagueRating:
        return oi.decode_league(item) if item else elo.LeagueRating(hca=self.cfg.initial_hca)

    def get_pregame_state(self, home: str, away: str, season: int, date: str | None = None) -> PregameState:
        """Both teams (franchise-mapped, carried into `season`), the league, both teams' player availability
        states and (with `date`) the game's availability lists, in ONE BatchGetItem."""
        h, a = franchise_of(to_bref(home)), franchise_of(to_bref(away))
        hk, ak, pregame, players = oi.team_pk(h), oi.team_pk(a), oi.TEAM_SK, oi.PLAYERS_SK
        keys = [(hk, pregame), (oi.LEAGUE_PK, pregame), (hk, players)]
        if ak != hk:
            keys += [(ak, pregame), (ak, players)]
        sched = oi.schedule_pk(date, h, a) if date else None
        if sched:
            keys.append((sched, oi.SCHEDULE_SK))
        got = self._batch_get([oi.key(pk, sk) for pk, sk in keys])
        li, hp, ap = got.get((oi.LEAGUE_PK, pregame)), got.get((hk, players)), got.get((ak, players))
        home_av, away_av = oi.decode_schedule(got.get((sched, oi.SCHEDULE_SK)) if sched else None)
        return PregameState(
            home=self._team(got.get((hk, pregame)), h, season),
            away=self._team(got.get((ak, pregame)), a, season),
            league=self._league(li),
            features_as_of=(oi.decode_league(li).as_of or None) if li else None,
            home_players=oi.decode_json_state(hp) if hp else None,
            away_players=oi.decode_json_state(ap) if ap else None,
            home_available=home_av,
            away_available=away_av,
        )

    # ---- writes ------------------------------------------------------------------------------------------------

    def _ttl(self, seconds: int) -> int:
        return int(self.clock()) + seconds

    def write_book(self, book: LeagueBook) -> int:
        """Seed the store from a batch LeagueBook (unconditional BatchWriteItem: the backfill is authoritative).

        Run it before the stream starts or while it is paused; returns the number of items written.
        """
        assert book.league is not None
        version, ttl = time.time_ns(), self._ttl(oi.TEAM_TTL_SECONDS)
        items = [oi.encode_team(s, version, ttl) for s in book.teams.values()]
        items.append(oi.encode_league(book.league, version, ttl))
        # players states restart their write sequence above any earlier one (n = version, a nanosecond clock), so a
        # warm features container still holding an older state gets its next conditional put refused and re-reads
        items += [
            oi.encode_json_state(oi.team_pk(team), oi.PLAYERS_SK, {**st, "n": version}, book.league.as_of, version, ttl)
            for team, st in book.players.items()
        ]
        for start in range(0, len(items), 25):
            request = {self.table: [{"PutRequest": {"Item": it}} for it in items[start : start + 25]]}
            for attempt in range(10):
                resp = self.ddb.batch_write_item(RequestItems=request)
                request = resp.get("UnprocessedItems") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2**attempt, 1.0))
            else:
                raise RuntimeError("BatchWriteItem kept returning unprocessed items")
        return len(items)

    def read_book(self) -> LeagueBook:
        """Every team and the league as a LeagueBook (a Scan: for tests, audits and the equality check)."""
        book = LeagueBook(cfg=self.cfg)
        pages = self.ddb.get_paginator("scan").paginate(TableName=self.table, ConsistentRead=True)
        for page in pages:
            for item in page.get("Items", []):
                if self._fresh(item) is None or item["sk"]["S"] not in (oi.TEAM_SK, oi.PLAYERS_SK):
                    continue
                if item["sk"]["S"] == oi.PLAYERS_SK:
                    state = oi.decode_json_state(item)
                    state.pop("n", None)
                    book.players[item["pk"]["S"].split("#", 1)[1]] = state
                elif item["pk"]["S"] == oi.LEAGUE_PK:
                    book.league = oi.decode_league(item)
                else:
                    state = oi.decode_team(item)
                    book.teams[state.team] = state
        return book

    @staticmethod
    def _put_if_version(item: oi.Item, old_version: int | None) -> dict[str, Any]:
        put: dict[str, Any] = {"Item": item}
        if old_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "v = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(old_version)}}
        return put

    def apply_game_final(self, payload: Mapping[str, Any], occurred_at: str, game_id: str | None = None) -> str:
        """Apply one final score to the stored states with the batch code; returns applied/late/duplicate."""
        season = int(payload["season"])
        h, a = franchise_of(to_bref(str(payload["home_team"]))), franchise_of(to_bref(str(payload["away_team"])))
        gid = game_id or str(payload.get("game_id") or payload.get("game_key") or "")
        for _attempt in range(MAX_CONFLICT_RETRIES):
            hi, ai, li = self._read_pregame(h, a, consistent=True)
            home, away = self._team(hi, h, season), self._team(ai, a, season)
            if occurred_at < home.rating.as_of or occurred_at < away.rating.as_of:
                return "late"
            if gid and home.last_game == gid and away.last_game == gid:
                return "duplicate"
            book = LeagueBook(cfg=self.cfg, teams={h: home, a: away}, league=self._league(li))
            book.apply(payload, as_of=occurred_at, game_id=gid)
            assert book.league is not None
            ttl = self._ttl(oi.TEAM_TTL_SECONDS)
            puts = [
                self._put_if_version(
                    oi.encode_team(book.teams[h], (oi.version_of(hi) or 0) + 1, ttl), oi.version_of(hi)
                ),
                self._put_if_version(
                    oi.encode_team(book.teams[a], (oi.version_of(ai) or 0) + 1, ttl), oi.version_of(ai)
                ),
                self._put_if_version(
                    oi.encode_league(book.league, (oi.version_of(li) or 0) + 1, ttl), oi.version_of(li)
                ),
            ]
            for p in puts:
                p["TableName"] = self.table
            try:
                self.ddb.transact_write_items(TransactItems=[{"Put": p} for p in puts])
                return "applied"
            except ClientError as err:
                if err.response["Error"]["Code"] not in {
                    "TransactionCanceledException",
                    "ConditionalCheckFailedException",
                }:
                    raise
                log.info("online store conflict on %s, retrying", gid)
        raise RuntimeError(f"gave up applying {gid} after {MAX_CONFLICT_RETRIES} conflicting attempts")

    # ---- free-form states: live game features, player availability -------------------------------------------

    def _put_json(self, pk: str, sk: str, state: dict[str, Any], as_of: str, seq: int, ttl_seconds: int) -> bool:
        """Conditional put: only when no item exists or the stored sequence number is lower. False when refused."""
        try:
            self.ddb.put_item(
                TableName=self.table,
                Item=oi.encode_json_state(pk, sk, state, as_of, seq, self._ttl(ttl_seconds)),
                ConditionExpression="attribute_not_exists(pk) OR n < :n",
                ExpressionAttributeValues={":n": {"N": str(int(seq))}},
            )
            return True
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def _get_json(self, pk: str, sk: str) -> dict[str, Any] | None:
        resp = self.ddb.get_item(TableName=self.table, Key=oi.key(pk, sk), ConsistentRead=True)
        item = self._fresh(resp.get("Item"))
        return None if item is None else oi.decode_json_state(item)

    def put_live_state(self, game_id: str, state: dict[str, Any], as_of: str, seq: int) -> bool:
        """Store a game's live features; `seq` (events applied so far) orders writes so a stale one is refused."""
        return self._put_json(oi.game_pk(game_id), oi.LIVE_SK, state, as_of, seq, oi.LIVE_TTL_SECONDS)

    def get_live_state(self, game_id: str) -> dict[str, Any] | None:
        """The game's live features (as written by put_live_state) with ``as_of``, the event time of the newest
        play-by-play event they reflect (the item's `as_of`); None when unknown or expired. One strongly
        consistent GetItem: the live endpoint must show the event the stream just applied."""
        resp = self.ddb.get_item(TableName=self.table, Key=oi.key(oi.game_pk(game_id), oi.LIVE_SK), ConsistentRead=True)
        item = self._fresh(resp.get("Item"))
        if item is None:
            return None
        as_of = item.get("as_of", {}).get("S", "")
        return {**oi.decode_json_state(item), "as_of": as_of if as_of not in ("", "-") else None}

    def put_players_state(self, team: str, state: dict[str, Any], as_of: str, seq: int) -> bool:
        return self._put_json(
            oi.team_pk(franchise_of(to_bref(team))), oi.PLAYERS_SK, state, as_of, seq, oi.TEAM_TTL_SECONDS
        )

    def get_players_state(self, team: str) -> dict[str, Any] | None:
        return self._get_json(oi.team_pk(franchise_of(to_bref(team))), oi.PLAYERS_SK)

    def put_schedule(self, payload: Mapping[str, Any], occurred_at: str) -> str:
        """Store a `game_scheduled` event's availability lists for the prediction path's batch read.

        Returns "ignored" when neither side is listed, "stale" when a newer list for the game is already stored
        (an updated injury report replaces an older one, never the reverse), else "applied".
        """
        home, away = payload.get("home_players"), payload.get("away_players")
        if home is None and away is None:
            return "ignored"
        h = franchise_of(to_bref(str(payload["home_team"])))
        a = franchise_of(to_bref(str(payload["away_team"])))
        item = oi.encode_schedule(
            oi.schedule_pk(str(payload["date"]), h, a),
            None if home is None else [int(p) for p in home],
            None if away is None else [int(p) for p in away],
            occurred_at,
            self._ttl(oi.SCHEDULE_TTL_SECONDS),
        )
        try:
            self.ddb.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR as_of <= :t",
                ExpressionAttributeValues={":t": {"S": occurred_at}},
            )
            return "applied"
        except ClientError as err:
            if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return "stale"
            raise
