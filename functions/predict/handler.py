"""Predict Lambda: API Gateway (REST, proxy integration) -> courtside.serving.

Thin by design: everything is built once per container at import (init), so the model is loaded and the boto3
clients exist before the first request; the routes, validation and error bodies live in courtside.serving.api.
Nothing imported here pulls pandas, numpy, scikit-learn, LightGBM or the SageMaker SDK (tests enforce it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics

from courtside.serving.api import create_app
from courtside.serving.service import PredictionService

logger = Logger(service="courtside-predict")
metrics = Metrics(namespace="Courtside", service="courtside-predict")
service = PredictionService.from_env()
app = create_app(service, metrics)


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = (event.get("requestContext") or {}).get("requestId")
    logger.append_keys(request_id=request_id, path=event.get("path"), method=event.get("httpMethod"))
    return app.resolve(event, context)
