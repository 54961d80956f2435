"""Model monitoring: consent-aware capture, outcome joins, performance over time, drift against Model Monitor
baselines, and the HTML report (issue 8; practices 3 and 14)."""
