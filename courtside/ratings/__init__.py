"""Team ratings updated game by game; the same code runs in the stream handler and in batch backfills."""
