"""Feature definitions and computations shared by the stream handlers and the batch backfill."""
