"""One source of resource names and runtime settings, read by the CDK app and the local stack alike.

Why one module: a name that differs between `cdk deploy` and `make up` is a bug that only shows in production.
Both `infra/` and `courtside.local` import :func:`get_settings`, and a test compares the synthesized templates
with the names the local stack creates.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from courtside._settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "COURTSIDE_"


class ResourceNames(BaseModel):
    """Physical names of every AWS resource Courtside owns. Derived from one prefix."""

    prefix: str = "courtside"

    @property
    def stream(self) -> str:
        """Public input stream: one JSON event per record, partition key = game id."""
        return f"{self.prefix}-events"

    @property
    def validated_stream(self) -> str:
        """Validated events, consumed by the features function."""
        return f"{self.prefix}-validated"

    @property
    def lake_bucket(self) -> str:
        return f"{self.prefix}-lake"

    @property
    def quarantine_bucket(self) -> str:
        return f"{self.prefix}-quarantine"

    @property
    def artifacts_bucket(self) -> str:
        return f"{self.prefix}-artifacts"

    @property
    def online_table(self) -> str:
        """DynamoDB online feature store."""
        return f"{self.prefix}-online-features"

    @property
    def state_table(self) -> str:
        """DynamoDB table for ingestion state: seen event ids (dedup) and per-game consistency state."""
        return f"{self.prefix}-ingest-state"

    @property
    def consent_table(self) -> str:
        return f"{self.prefix}-consent"

    @property
    def glue_database(self) -> str:
        return self.prefix.replace("-", "_")

    @property
    def athena_workgroup(self) -> str:
        return self.prefix

    @property
    def model_package_group(self) -> str:
        """SageMaker model package group of the pre-game home-win model family."""
        return f"{self.prefix}-pregame"

    @property
    def live_model_package_group(self) -> str:
        return f"{self.prefix}-live"

    @property
    def api_name(self) -> str:
        return f"{self.prefix}-api"

    @property
    def api_stage(self) -> str:
        return "v1"

    def as_dict(self) -> dict[str, str]:
        """Every name, keyed by role (used by tests and `courtside config`)."""
        return {
            k: getattr(self, k)
            for k, v in vars(type(self)).items()
            if isinstance(v, property) and not k.startswith("_")
        }


def env_setting(field: str) -> str | None:
    """The raw environment value of a setting, matched as pydantic-settings matches it (case-insensitively)."""
    wanted = f"{ENV_PREFIX}{field}".lower()
    exact = os.environ.get(wanted.upper())
    if exact is not None:
        return exact
    return next((v for k, v in os.environ.items() if k.lower() == wanted), None)


def resource_names() -> ResourceNames:
    """Resource names from ``COURTSIDE_PREFIX`` alone, without importing pydantic-settings.

    Why: importing pydantic-settings costs a few hundred milliseconds on a cold start and the predict Lambda needs
    nothing from it but the prefix. Same field name and default as :class:`Settings` (a test keeps them equal).
    """
    return ResourceNames(prefix=env_setting("prefix") or "courtside")


def __getattr__(name: str) -> Any:
    """``Settings`` is imported on first use (PEP 562) so ``import courtside.config`` stays light."""
    if name == "Settings":
        from courtside._settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    from courtside._settings import Settings

    return Settings()
