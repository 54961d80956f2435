-- Home-court advantage over the decades: home win rate and average home margin per season (non-neutral games).
SELECT season,
       COUNT(*) AS games,
       ROUND(AVG(CASE WHEN home_score > away_score THEN 1.0 ELSE 0.0 END), 4) AS home_win_rate,
       ROUND(AVG(home_score - away_score), 2) AS avg_home_margin
FROM games
WHERE NOT neutral
GROUP BY season
ORDER BY season;
