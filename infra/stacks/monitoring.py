"""Courtside-Monitoring: the Courtside dashboard and the service-level alarms, all notifying one encrypted topic."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.constructs import InfraConfig

NAMESPACE = "Courtside"
DASHBOARD_NAME = "Courtside"
API_P99_LATENCY_MS = 300
DRIFT_PSI_THRESHOLD = 0.2
ROLLING_BRIER_THRESHOLD = 0.24
#: 10-bin ECE over a model version's latest 100 labeled predictions. ECE of a well-calibrated model on 100 games is
#: itself ~0.08-0.12 (noise), so the alarm sits above that; it catches a calibration loss the Brier barely shows
#: (home edge gone: Brier ~0.220, under the Brier alarm).
CALIBRATION_ERROR_THRESHOLD = 0.15
#: A stream consumer more than a minute behind (same bound as the validate function's alarm in Courtside-Ingestion).
ITERATOR_AGE_MS = 60_000


#: Names the handlers publish today for the dashboard's contract names (both are drawn until they converge).
METRIC_ALIASES: dict[str, tuple[str, ...]] = {
    "EventsIn": ("RecordsIn",),
    "EventsStored": ("RecordsStored",),
    "EventsQuarantined": ("RecordsQuarantined",),
    "PredictLatencyMs": ("Latency",),
    "FeatureFreshnessSeconds": ("FeatureFreshness",),
}


def search(
    metric_name: str, statistic: str = "Sum", period: int = 60, label: str | None = None
) -> cloudwatch.MathExpression:
    """Every series of a Courtside metric (and its aliases) whatever its dimensions (service, model_version, ...)."""
    names = " OR ".join(f'MetricName="{n}"' for n in (metric_name, *METRIC_ALIASES.get(metric_name, ())))
    return cloudwatch.MathExpression(
        expression=f"SEARCH('{{{NAMESPACE}}} ({names})', '{statistic}', {period})",
        using_metrics={},
        label=label or metric_name,
        period=Duration.seconds(period),
    )


def insights_max(metric_name: str, period: Duration = Duration.minutes(5)) -> cloudwatch.MathExpression:
    """One alarmable series: the maximum of a Courtside metric across all its dimensions (Metrics Insights)."""
    return cloudwatch.MathExpression(
        expression=f'SELECT MAX("{metric_name}") FROM "{NAMESPACE}"',
        using_metrics={},
        label=f"max {metric_name}",
        period=period,
    )


class MonitoringStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: InfraConfig,
        ops_key: kms.IKey,
        api: apigw.RestApi,
        validate_function: lambda_.IFunction,
        features_function: lambda_.IFunction,
        predict_function: lambda_.IFunction,
        retrain_function: lambda_.IFunction | None = None,
        outcomes_function: lambda_.IFunction | None = None,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description="Courtside monitoring: dashboard, alarms, notifications", **kwargs)
        names = config.names

        self.topic = sns.Topic(
            self, "AlarmTopic", display_name="Courtside alarms", master_key=ops_key, enforce_ssl=True
        )
        email = self.node.try_get_context("alarmEmail")
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        action = actions.SnsAction(self.topic)
        if retrain_function is not None:
            # Drift / Brier alarms trigger a retrain check. L1 resources on this side keep the dependency one-way
            # (Monitoring -> ML); the L2 LambdaSubscription would put them in the ML stack and close a cycle.
            lambda_.CfnPermission(
                self,
                "RetrainInvokeFromAlarms",
                action="lambda:InvokeFunction",
                function_name=retrain_function.function_arn,
                principal="sns.amazonaws.com",
                source_arn=self.topic.topic_arn,
            )
            sns.CfnSubscription(
                self,
                "RetrainOnAlarm",
                protocol="lambda",
                endpoint=retrain_function.function_arn,
                topic_arn=self.topic.topic_arn,
            )

        stage = names.api_stage
        api_dims = {"ApiName": names.api_name, "Stage": stage}

        def api_metric(name: str, statistic: str, period: Duration = Duration.minutes(1)) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map=api_dims,
                statistic=statistic,
                period=period,
            )

        # Alarms -----------------------------------------------------------------------------------------------
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        def alarm(key: str, description: str, metric: cloudwatch.IMetric, threshold: float, periods: int) -> None:
            created = cloudwatch.Alarm(
                self,
                f"{key}Alarm",
                # Named "<prefix>-<key>": the retrain function reads the key back from the SNS notification
                # (functions/retrain/handler.alarms_in) and RetrainPolicy.on_alarms lists keys.
                alarm_name=f"{names.prefix}-{key}",
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            created.add_alarm_action(action)
            created.add_ok_action(action)
            self.alarms[key] = created

        alarm("Api5xx", "API returned 5xx responses", api_metric("5XXError", "Sum", Duration.minutes(5)), 0, 1)
        alarm(
            "ApiP99Latency",
            f"API p99 latency above {API_P99_LATENCY_MS} ms (SLO)",
            api_metric("Latency", "p99", Duration.minutes(5)),
            API_P99_LATENCY_MS,
            3,
        )
        alarm(
            "FeatureDrift",
            f"Feature drift: a feature's PSI above {DRIFT_PSI_THRESHOLD}",
            insights_max("FeatureDriftPSI", Duration.hours(1)),
            DRIFT_PSI_THRESHOLD,
            1,
        )
        alarm(
            "PredictionDrift",
            f"Prediction drift: PSI of served probabilities above {DRIFT_PSI_THRESHOLD}",
            insights_max("PredictionDriftPSI", Duration.hours(1)),
            DRIFT_PSI_THRESHOLD,
            1,
        )
        alarm(
            "RollingBrier",
            f"Rolling Brier score of served predictions above {ROLLING_BRIER_THRESHOLD}",
            insights_max("RollingBrier", Duration.hours(1)),
            ROLLING_BRIER_THRESHOLD,
            1,
        )

        alarm(
            "CalibrationError",
            f"Calibration error (ECE) of served predictions above {CALIBRATION_ERROR_THRESHOLD}",
            insights_max("CalibrationError", Duration.hours(1)),
            CALIBRATION_ERROR_THRESHOLD,
            1,
        )
        consumers = [(features_function, "features"), *([(outcomes_function, "outcomes")] if outcomes_function else [])]
        for fn, label in consumers:
            alarm(
                f"{label.capitalize()}IteratorAge",
                f"The {label} function is more than {ITERATOR_AGE_MS // 1000} s behind the validated stream",
                fn.metric("IteratorAge", statistic="Maximum", period=Duration.minutes(1)),
                ITERATOR_AGE_MS,
                5,
            )

        # Dashboard --------------------------------------------------------------------------------------------
        def graph(title: str, left: list[cloudwatch.IMetric], width: int = 8, **kw) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=left, width=width, height=6, **kw)

        iterator_age = [
            fn.metric("IteratorAge", statistic="Maximum", period=Duration.minutes(1), label=label)
            for fn, label in ((validate_function, "validate"), *consumers)
        ]
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=DASHBOARD_NAME,
            default_interval=Duration.hours(6),
            widgets=[
                [
                    cloudwatch.TextWidget(
                        markdown="# Courtside\nIngestion, features, predictions and model health. "
                        "Runbooks: `docs/infra.md`.",
                        width=24,
                        height=2,
                    )
                ],
                [
                    graph(
                        "Ingestion: events in / stored / quarantined",
                        [search("EventsIn"), search("EventsStored"), search("EventsQuarantined")],
                    ),
                    graph("Stream consumers: iterator age (ms)", iterator_age),
                    graph("Feature freshness (s)", [search("FeatureFreshnessSeconds", "Maximum")]),
                ],
                [
                    graph(
                        "Predict latency (ms)",
                        [search("PredictLatencyMs", "p50"), search("PredictLatencyMs", "p99")],
                    ),
                    graph("Predictions by model version", [search("PredictionCount", "Sum", 300)]),
                    graph(
                        "Predict function errors / throttles",
                        [
                            predict_function.metric_errors(period=Duration.minutes(1)),
                            predict_function.metric_throttles(period=Duration.minutes(1)),
                        ],
                    ),
                ],
                [
                    graph(
                        "API 4xx / 5xx",
                        [api_metric("4XXError", "Sum"), api_metric("5XXError", "Sum"), api_metric("Count", "Sum")],
                    ),
                    graph(
                        "API latency (ms)",
                        [api_metric("Latency", "p50"), api_metric("Latency", "p99")],
                        left_annotations=[cloudwatch.HorizontalAnnotation(value=API_P99_LATENCY_MS, label="p99 SLO")],
                    ),
                    cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=8, height=6),
                ],
                [
                    graph(
                        "Drift (PSI)",
                        [search("FeatureDriftPSI", "Maximum", 3600), search("PredictionDriftPSI", "Maximum", 3600)],
                        width=12,
                        left_annotations=[cloudwatch.HorizontalAnnotation(value=DRIFT_PSI_THRESHOLD, label="alarm")],
                    ),
                    graph(
                        "Rolling Brier score and calibration error (ECE)",
                        [search("RollingBrier", "Average", 3600), search("CalibrationError", "Average", 3600)],
                        width=12,
                        left_annotations=[
                            cloudwatch.HorizontalAnnotation(value=ROLLING_BRIER_THRESHOLD, label="alarm")
                        ],
                    ),
                ],
            ],
        )
        del api  # API metrics are addressed by name and stage (known at synth time)
