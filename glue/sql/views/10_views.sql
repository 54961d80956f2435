-- Denormalised views for analysts (Athena dialect; DuckDB runs them through courtside.sql.dialect).

-- One row per game with the result and both teams' pre-game features.
CREATE OR REPLACE VIEW v_games_pregame AS
SELECT g.game_key, g.season, g.date, g.home_team, g.away_team, g.home_score, g.away_score, g.is_playoff,
       g.home_score > g.away_score AS home_win,
       f.elo_diff, f.home_rest_days, f.away_rest_days, f.home_back_to_back, f.away_back_to_back,
       f.home_form_net_rating, f.away_form_net_rating, f.home_season_win_pct, f.away_season_win_pct,
       f.home_travel_miles, f.away_travel_miles, f.home_availability, f.away_availability, f.features_as_of
FROM games g
LEFT JOIN pregame_features f ON f.game_key = g.game_key;

-- Season standings from the curated games: one row per team and season.
CREATE OR REPLACE VIEW v_team_seasons AS
SELECT season, team, COUNT(*) AS games, SUM(win) AS wins, AVG(margin) AS avg_margin
FROM (
  SELECT season, home_team AS team, CASE WHEN home_score > away_score THEN 1 ELSE 0 END AS win,
         home_score - away_score AS margin
  FROM games WHERE NOT is_playoff
  UNION ALL
  SELECT season, away_team AS team, CASE WHEN away_score > home_score THEN 1 ELSE 0 END AS win,
         away_score - home_score AS margin
  FROM games WHERE NOT is_playoff
) t
GROUP BY season, team;
