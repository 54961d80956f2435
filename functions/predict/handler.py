"""Predict Lambda: API Gateway (REST, proxy integration) -> courtside.serving.

Thin by design: everything is built once per container at import (init), so the model is loaded and the AWS
clients (courtside.aws.lite) exist before the first request; the routes, validation and error bodies live in
courtside.serving.api.
Nothing imported here pulls pandas, numpy, scikit-learn, LightGBM, the SageMaker SDK, pydantic-settings or boto3
(tests/unit/test_predict_imports.py enforces it; bench/predict.py measures import + init).

Thread safety: the router is stateless, but Powertools' ``Metrics`` and ``Logger`` keep one metric set and one key
set per process, so two overlapping invocations would mix their metrics and request ids. Lambda never overlaps
invocations in a container, but a threaded caller (the local API) could; ``handler`` therefore resolves one request
at a time (an uncontended lock costs well under a microsecond).
"""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from courtside.monitoring.capture import install as install_capture_sink
from courtside.serving.api import create_app
from courtside.serving.service import PredictionService

logger = Logger(service="courtside-predict")
metrics = Metrics(namespace="Courtside", service="courtside-predict")
service = PredictionService.from_env()
app = create_app(service, metrics)
install_capture_sink()  # consented requests -> sampled captures in the lake (docs/monitoring.md)
_one_at_a_time = threading.Lock()


@metrics.log_metrics
def _resolve(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = (event.get("requestContext") or {}).get("requestId")
    logger.append_keys(request_id=request_id, path=event.get("path"), method=event.get("httpMethod"))
    return app.resolve(event, context)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with _one_at_a_time:
        return _resolve(event, context)
