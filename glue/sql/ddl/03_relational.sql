-- Normalised relational model (practice 17), built by glue/jobs/build_relational.py.
-- Keys: franchises(franchise_id); teams(team_code) -> franchise_id, valid first_season..last_season;
-- seasons(season); games(game_key) -> teams; team_games(game_key, team_code); players(player_id);
-- player_games(game_key, player_id); pbp_events(game_key, event_num).
CREATE EXTERNAL TABLE IF NOT EXISTS courtside.franchises (
  franchise_id string,
  current_code string,
  first_season int,
  last_season int
)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/franchises/';

CREATE EXTERNAL TABLE IF NOT EXISTS courtside.teams (
  team_code string,
  franchise_id string,
  first_season int,
  last_season int,
  arena_lat double,
  arena_lon double
)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/teams/';

CREATE EXTERNAL TABLE IF NOT EXISTS courtside.seasons (
  season int,
  first_date string,
  last_date string,
  regular_games int,
  playoff_games int,
  teams int
)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/seasons/';

CREATE EXTERNAL TABLE IF NOT EXISTS courtside.team_games (
  game_key string,
  team_code string,
  opponent_code string,
  is_home boolean,
  points int,
  opponent_points int,
  win boolean,
  date string,
  is_playoff boolean
)
PARTITIONED BY (season int)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/team_games/';

CREATE EXTERNAL TABLE IF NOT EXISTS courtside.players (
  player_id bigint,
  player_name string,
  first_game_date string,
  last_game_date string
)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/players/';

CREATE EXTERNAL TABLE IF NOT EXISTS courtside.player_games (
  game_key string,
  player_id bigint,
  team_code string,
  starter boolean,
  minutes double,
  pts int,
  reb int,
  ast int,
  plus_minus int
)
PARTITIONED BY (season int)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/player_games/';

CREATE EXTERNAL TABLE IF NOT EXISTS courtside.pbp_events (
  game_key string,
  event_num int,
  period int,
  clock_seconds double,
  event_code int,
  action_code int,
  home_score int,
  away_score int,
  team_code string,
  player1_id bigint
)
PARTITIONED BY (season int)
STORED AS PARQUET
LOCATION 's3://${lake}/relational/pbp_events/';
