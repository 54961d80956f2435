-- Point-in-time training set (portable Athena/DuckDB form): each 2018-19 game with the home team's logged
-- feature values as of strictly before tip-off (the game's date at 00:00 UTC).
WITH spine AS (
  SELECT game_key, home_team AS entity, date || 'T00:00:00Z' AS ts FROM games WHERE season = 2019
),
ranked AS (
  SELECT s.game_key, s.entity, s.ts, l.elo, l.form_net_rating, l.event_time,
         ROW_NUMBER() OVER (PARTITION BY s.game_key ORDER BY l.event_time DESC) AS rn
  FROM spine s
  LEFT JOIN team_feature_log l ON l.team = s.entity AND l.event_time < s.ts
)
SELECT game_key, entity AS home_team, ts AS tipoff, elo AS home_elo, form_net_rating AS home_form, event_time AS as_of
FROM ranked
WHERE rn = 1
ORDER BY game_key
LIMIT 20;
