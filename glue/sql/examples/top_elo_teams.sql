-- The ten highest Elo ratings at the end of the latest season in the offline store (team feature log).
WITH latest AS (
  SELECT team, season, elo, season_win_pct, event_time,
         ROW_NUMBER() OVER (PARTITION BY team ORDER BY event_time DESC) AS rn
  FROM team_feature_log
  WHERE season = (SELECT MAX(season) FROM team_feature_log)
)
SELECT team, season, ROUND(elo, 1) AS elo, ROUND(season_win_pct, 3) AS season_win_pct, event_time AS as_of
FROM latest
WHERE rn = 1
ORDER BY elo DESC
LIMIT 10;
