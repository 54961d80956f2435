"""Analyst SQL on a laptop: the Athena SQL in glue/sql run by DuckDB over the same Parquet lake.

Public API: :func:`run_sql`, :func:`run_sql_file`, :func:`connect`.
"""

from courtside.sql.runner import connect, run_sql, run_sql_file

__all__ = ["connect", "run_sql", "run_sql_file"]
