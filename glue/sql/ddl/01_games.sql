-- Curated games (written by glue/jobs/load_history.py): one row per game, key game_key.
CREATE EXTERNAL TABLE IF NOT EXISTS courtside.games (
  game_key string,
  date string,
  is_playoff boolean,
  neutral boolean,
  home_team string,
  away_team string,
  home_score int,
  away_score int
)
PARTITIONED BY (season int)
STORED AS PARQUET
LOCATION 's3://${lake}/curated/games/';
