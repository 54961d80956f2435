"""Data quality beyond per-record rules: outlier tests and reservoir samples of the validated stream."""
