"""The full runtime settings model (pydantic-settings), imported lazily by :mod:`courtside.config`.

Why a separate module: pydantic-settings is slow to import and only the CLI, the local stack and the CDK app need
every setting; Lambda handlers read resource names through :func:`courtside.config.resource_names`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from courtside.config import ENV_PREFIX, REPO_ROOT, ResourceNames


class Settings(BaseSettings):
    """Runtime settings. Environment variables prefixed `COURTSIDE_` override the defaults."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    prefix: str = "courtside"
    region: str = Field(default_factory=lambda: os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    aws_port: int = 5000
    api_port: int = 3000
    host: str = "127.0.0.1"
    state_dir: Path = REPO_ROOT / ".courtside"
    data_dir: Path = REPO_ROOT / "data"
    shard_count: int = 1
    # Local scheduler (the stand-in for the EventBridge rules): the monitor job (drift + rolling metrics; hourly in
    # the cloud) and the retrain check (daily + alarms in the cloud; often locally so a replayed season, which
    # runs far faster than real time, retrains on its "every N games" / season-boundary triggers as it goes).
    monitor_interval_s: float = 60.0
    retrain_interval_s: float = 3.0

    @property
    def names(self) -> ResourceNames:
        return ResourceNames(prefix=self.prefix)

    @property
    def local_endpoint_url(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    @property
    def api_base_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"
