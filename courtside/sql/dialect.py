"""The Athena (Trino) -> DuckDB dialect shim: the few rewrites the SQL in glue/sql needs, each one tested.

Why a shim and not two SQL copies: analysts must get the same rows locally as Athena gives, so there is one SQL text
and a short, explicit list of rewrites. Anything not listed here must be valid in both dialects.
"""

from __future__ import annotations

import re

LAKE_PLACEHOLDER = "${lake}"

# (pattern, replacement) applied in order, case-insensitively.
REWRITES: tuple[tuple[str, str], ...] = (
    (r"\bapprox_percentile\s*\(", "approx_quantile("),
    (r"\bfrom_iso8601_timestamp\s*\(([^()]*)\)", r"CAST(\1 AS TIMESTAMP)"),
    (r"\bcardinality\s*\(", "len("),
    (r"\bcourtside\.", ""),  # database qualifier: one local schema
)


def athena_to_duckdb(sql: str) -> str:
    """Rewrite one Athena statement for DuckDB."""
    out = sql
    for pattern, repl in REWRITES:
        out = re.sub(pattern, repl, out, flags=re.I)
    return out


def split_statements(sql: str) -> list[str]:
    """Split a file on semicolons outside quotes and `--` comments; drops empty statements."""
    statements, buf, quote = [], [], ""
    i = 0
    while i < len(sql):
        ch = sql[i]
        if not quote and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = len(sql) if j < 0 else j
            continue
        if ch in ("'", '"'):
            quote = "" if quote == ch else (quote or ch)
        if ch == ";" and not quote:
            statements.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
        i += 1
    statements.append("".join(buf).strip())
    return [s for s in statements if s]


_EXTERNAL = re.compile(
    r"CREATE\s+EXTERNAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\w+\.)?(\w+).*?LOCATION\s+'([^']+)'",
    re.I | re.S,
)


def external_table(statement: str) -> tuple[str, str] | None:
    """(table name, lake prefix) of an Athena `CREATE EXTERNAL TABLE`, else None (DuckDB registers it itself)."""
    m = _EXTERNAL.search(statement)
    if not m:
        return None
    location = m.group(2)
    prefix = re.sub(r"^s3://[^/]+/", "", location.replace(LAKE_PLACEHOLDER, "lake"))
    return m.group(1), prefix.rstrip("/")
