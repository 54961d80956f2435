"""One source of resource names and runtime settings, read by the CDK app and the local stack alike.

Why one module: a name that differs between `cdk deploy` and `make up` is a bug that only shows in production.
Both `infra/` and `courtside.local` import :func:`get_settings`, and a test compares the synthesized templates
with the names the local stack creates.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


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


class Settings(BaseSettings):
    """Runtime settings. Environment variables prefixed `COURTSIDE_` override the defaults."""

    model_config = SettingsConfigDict(env_prefix="COURTSIDE_", extra="ignore")

    prefix: str = "courtside"
    region: str = Field(default_factory=lambda: os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    aws_port: int = 5000
    api_port: int = 3000
    host: str = "127.0.0.1"
    state_dir: Path = REPO_ROOT / ".courtside"
    data_dir: Path = REPO_ROOT / "data"
    shard_count: int = 1

    @property
    def names(self) -> ResourceNames:
        return ResourceNames(prefix=self.prefix)

    @property
    def local_endpoint_url(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    @property
    def api_base_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
