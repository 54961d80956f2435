"""Register (and approve) a trained in-game model in the live model package group.

Why its own path and not :func:`courtside.training.record.record_training_run`: the in-game model is not a SageMaker
training job over a lake dataset; it is a JSON document trained from play-by-play (``courtside models train-live``,
:mod:`courtside.models.ingame_train`) and shipped in ``data/models/``. What it shares with the pre-game model is
everything the serving side reads: artifacts under ``s3://{artifacts}/models/<group>/<id>/`` (model.json,
model.tar.gz, metrics.json), a model package in the registry carrying metrics, dataset and code version, and on
approval the serving pointer that :class:`courtside.serving.model_source.RegistryModelProvider` reads, so
``GET /v1/games/{id}/live`` serves ``courtside-live/<version>`` instead of the closed-form baseline.

The document is parsed with the live endpoint's own loader before anything is written, so a file the endpoint
could not load is never registered. Promotion is gated (practice 26): the perturbation checks of
:func:`courtside.evaluation.ingame_checks.ingame_suite` run on the document that would serve; their figures go into
the package's metrics and ``perturbation.json``, and a model that fails one is registered and rejected with the
failed checks as the reason, never approved.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from courtside import registry
from courtside.aws.clients import client
from courtside.config import Settings
from courtside.training.record import model_tarball


def _metrics(meta: dict[str, Any]) -> dict[str, float]:
    keys = ("test_brier", "train_states", "train_games", "test_states", "test_games")
    return {k: float(meta[k]) for k in keys if isinstance(meta.get(k), int | float)}


def register_live_model(
    settings: Settings, document: bytes, *, approve: bool, who: str, why: str
) -> registry.ModelRecord:
    """Upload the in-game document, register it in the live group and, if asked, approve it (it starts serving)."""
    from courtside.evaluation.ingame_checks import failed_checks, gate_metrics, ingame_suite
    from courtside.models.ingame import FORMAT, load_model
    from courtside.models.ingame_train import read_metadata

    model = load_model(document)  # refuse anything the live endpoint could not parse
    meta = read_metadata(document)
    checks = ingame_suite(model)
    group = settings.names.live_model_package_group
    content = hashlib.sha256(document).hexdigest()
    key = f"models/{group}/ingame-{content[:16]}/"
    bucket = settings.names.artifacts_bucket
    metrics = {**_metrics(meta), **gate_metrics(checks)}
    extra = {"content_sha256": content}
    if meta.get("created"):  # a bare model document has none, and SageMaker refuses an empty property value
        extra["created"] = str(meta["created"])
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=key + "model.json", Body=document, ContentType="application/json")
    s3.put_object(Bucket=bucket, Key=key + "model.tar.gz", Body=model_tarball(document))
    s3.put_object(Bucket=bucket, Key=key + "metrics.json", Body=json.dumps(metrics, sort_keys=True).encode())
    s3.put_object(Bucket=bucket, Key=key + "perturbation.json", Body=json.dumps(checks, default=float).encode())
    base = f"s3://{bucket}/{key}"
    seasons = meta.get("train_seasons") or []
    dataset = f"pbp:{seasons[0]}..{seasons[-1]}" if seasons else "pbp:unknown"
    record = registry.register_model(
        group,
        model_data_url=base + "model.tar.gz",
        metrics=metrics,
        dataset_version=dataset,
        code_version=str(meta.get("code_version") or "unknown"),
        feature_names=list(model.feature_names),
        description=f"in-game model {FORMAT}, trained on {dataset}",
        model_json_url=base + "model.json",
        metrics_url=base + "metrics.json",
        extra_metadata=extra,
        who=who,
    )
    if not approve:
        return record
    if not checks["passed"]:
        return registry.reject(record.arn, who, f"perturbation checks failed: {', '.join(failed_checks(checks))}")
    return registry.approve(record.arn, who, why)
