-- Offline feature store (glue/jobs/backfill_features.py).
-- pregame_features: one row per game, features as of before tip-off; features_as_of = newest result reflected.
CREATE EXTERNAL TABLE IF NOT EXISTS courtside.pregame_features (
  game_key string,
  date string,
  home_team string,
  away_team string,
  is_playoff boolean,
  elo_diff double,
  home_rest_days double,
  away_rest_days double,
  home_back_to_back double,
  away_back_to_back double,
  home_games_last_4_days double,
  away_games_last_4_days double,
  neutral double,
  home_availability double,
  away_availability double,
  home_form_net_rating double,
  away_form_net_rating double,
  home_form_win_rate double,
  away_form_win_rate double,
  home_season_games double,
  away_season_games double,
  home_season_win_pct double,
  away_season_win_pct double,
  home_season_net_rating double,
  away_season_net_rating double,
  home_travel_miles double,
  away_travel_miles double,
  home_win int,
  features_as_of string,
  event_time string
)
PARTITIONED BY (season int)
STORED AS PARQUET
LOCATION 's3://${lake}/features/pregame/';

-- team_feature_log: a team's game-independent feature values, valid from event_time (the result's event time) on.
-- Point-in-time joins take the latest row with event_time strictly before tip-off.
CREATE EXTERNAL TABLE IF NOT EXISTS courtside.team_feature_log (
  team string,
  event_time string,
  elo double,
  form_net_rating double,
  form_win_rate double,
  season_games double,
  season_win_pct double,
  season_net_rating double,
  last_game_date string,
  last_game string
)
PARTITIONED BY (season int)
STORED AS PARQUET
LOCATION 's3://${lake}/features/team_log/';
