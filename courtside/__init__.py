"""Courtside: a serverless NBA analytics ML platform (domain library, AWS adapters, local runtime)."""

__version__ = "0.1.0"
