"""Model registry on SageMaker Model Registry (moto locally): register, approve, reject, roll back, and find the
approved model the prediction path serves.

Light on purpose: the predict Lambda imports this module, so only boto3 and the standard library are used here
(no pandas, scikit-learn or sagemaker SDK).

What a model package carries
  InferenceSpecification  a placeholder scikit-learn image and ModelDataUrl = s3://.../model.tar.gz (holding model.json)
  MetadataProperties      CommitId = code version (git commit), GeneratedBy = "courtside train"
  ModelMetrics            ModelQuality statistics -> s3://.../metrics.json (when uploaded)
  CustomerMetadataProperties (string values, <= 256 chars each; moto round-trips them)
      dataset_version, code_version, model_json_url, run_id (optional),
      metric.<name> = value (one key per metric), feature_names.<i> = comma-joined chunk of feature names
  ApprovalDescription     "<status> by <who>: <why>"

Deployment history: every register/approve/reject/rollback appends one JSON line to
`s3://{artifacts}/registry/history/<group>.jsonl` (read-modify-write on a versioned bucket; each event records the
version serving after it, so "which version served when" is a scan of the file). Concurrent writers could lose an
event; approvals are human-paced, so this is accepted and documented in docs/training.md.

Serving pointer: the same events rewrite `s3://{artifacts}/registry/serving/<group>.json`, a small JSON document
naming the version serving after the event (model package ARN, version, artifact URL, since when, approved by
whom) or `"model_version": null` when nothing is approved. The predict Lambda reads it with the S3 client it needs
for the model artifact anyway, so its cold start creates no SageMaker client (whose service model alone costs
~70 ms to load) and makes no List/Describe calls; :func:`serving_model` falls back to the registry lookup when
the pointer is absent (first deploy, or a group approved before pointers existed). The registry stays the source
of truth: :func:`sync_serving_pointer` (`courtside models pointer --sync`) rewrites the pointer from it, e.g. after
an approval made in the console. Like the history, the pointer is last-writer-wins: two approvals racing could
leave it naming the loser's view of the registry until the next event or sync; approvals are human-paced.
"""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from courtside.aws.clients import client, region_from_env

SKLEARN_IMAGE_URI = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
APPROVED, PENDING, REJECTED = "Approved", "PendingManualApproval", "Rejected"
_CHUNK = 250


@dataclass
class ModelRecord:
    group: str
    version: int
    arn: str
    status: str
    model_data_url: str
    created: str = ""
    description: str = ""
    approval_description: str = ""
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def model_version(self) -> str:
        """The string responses carry: `<group>/<version>`."""
        return f"{self.group}/{self.version}"

    @property
    def metrics(self) -> dict[str, float]:
        return {k[len("metric.") :]: float(v) for k, v in self.metadata.items() if k.startswith("metric.")}

    @property
    def feature_names(self) -> list[str]:
        chunks = sorted(
            (int(k.split(".", 1)[1]), v) for k, v in self.metadata.items() if k.startswith("feature_names.")
        )
        joined = "".join(v for _, v in chunks)
        return [n for n in joined.split(",") if n]

    @property
    def dataset_version(self) -> str | None:
        return self.metadata.get("dataset_version")

    @property
    def code_version(self) -> str | None:
        return self.metadata.get("code_version")

    @property
    def model_json_url(self) -> str:
        return self.metadata.get("model_json_url") or self.model_data_url

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "group": self.group,
            "version": self.version,
            "arn": self.arn,
            "status": self.status,
            "model_data_url": self.model_data_url,
            "model_json_url": self.model_json_url,
            "created": self.created,
            "dataset_version": self.dataset_version,
            "code_version": self.code_version,
            "metrics": self.metrics,
            "feature_names": self.feature_names,
            "approval": self.approval_description,
            "description": self.description,
        }


class RegistryError(RuntimeError):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _metadata_properties(
    metrics: dict[str, float], dataset_version: str, code_version: str, feature_names: list[str], extra: dict[str, str]
) -> dict[str, str]:
    props = {"dataset_version": dataset_version, "code_version": code_version}
    for name, value in metrics.items():
        props[f"metric.{name}"] = repr(float(value))
    joined = ",".join(feature_names)
    for i in range(0, max(len(joined), 1), _CHUNK):
        props[f"feature_names.{i // _CHUNK}"] = joined[i : i + _CHUNK]
    props.update({k: str(v) for k, v in extra.items()})
    too_long = [k for k, v in props.items() if len(v) > 256 or len(k) > 128]
    if too_long:
        raise RegistryError(f"customer metadata values longer than 256 characters: {too_long}")
    return props


def register_model(
    group: str,
    model_data_url: str,
    metrics: dict[str, float],
    dataset_version: str,
    code_version: str,
    feature_names: list[str],
    description: str = "",
    model_json_url: str | None = None,
    metrics_url: str | None = None,
    extra_metadata: dict[str, str] | None = None,
    who: str = "courtside",
) -> ModelRecord:
    """Create a model package in `group`, pending manual approval, carrying its lineage and metrics."""
    extra = dict(extra_metadata or {})
    if model_json_url:
        extra["model_json_url"] = model_json_url
    request: dict[str, Any] = {
        "ModelPackageGroupName": group,
        "ModelPackageDescription": description[:1000] or f"dataset {dataset_version}, code {code_version[:12]}",
        "ModelApprovalStatus": PENDING,
        "InferenceSpecification": {
            "Containers": [
                {"Image": SKLEARN_IMAGE_URI.format(region=region_from_env()), "ModelDataUrl": model_data_url}
            ],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        "MetadataProperties": {"CommitId": code_version[:1024], "GeneratedBy": "courtside train"},
        "CustomerMetadataProperties": _metadata_properties(
            metrics, dataset_version, code_version, feature_names, extra
        ),
        "Domain": "MACHINE_LEARNING",
        "Task": "CLASSIFICATION",
    }
    if metrics_url:
        request["ModelMetrics"] = {
            "ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": metrics_url}}
        }
    arn = client("sagemaker").create_model_package(**request)["ModelPackageArn"]
    record = describe(arn)
    _record_event(group, "registered", record, who, description or "new training run")
    return record


def describe(arn: str) -> ModelRecord:
    d = client("sagemaker").describe_model_package(ModelPackageName=arn)
    containers = d.get("InferenceSpecification", {}).get("Containers", [])
    created = d.get("CreationTime")
    return ModelRecord(
        group=d["ModelPackageGroupName"],
        version=int(d["ModelPackageVersion"]),
        arn=d["ModelPackageArn"],
        status=d["ModelApprovalStatus"],
        model_data_url=containers[0].get("ModelDataUrl", "") if containers else "",
        created=created.isoformat() if hasattr(created, "isoformat") else str(created or ""),
        description=d.get("ModelPackageDescription", ""),
        approval_description=d.get("ApprovalDescription", ""),
        metadata=dict(d.get("CustomerMetadataProperties", {})),
    )


def _summaries(group: str, status: str | None = None) -> list[dict[str, Any]]:
    sm = client("sagemaker")
    kwargs: dict[str, Any] = {"ModelPackageGroupName": group, "MaxResults": 100}
    if status:
        kwargs["ModelApprovalStatus"] = status
    out: list[dict[str, Any]] = []
    while True:
        page = sm.list_model_packages(**kwargs)
        out.extend(page.get("ModelPackageSummaryList", []))
        token = page.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
    return sorted(out, key=lambda s: int(s.get("ModelPackageVersion", 0)))


def list_models(group: str) -> list[ModelRecord]:
    """Every package of `group`, oldest version first, with metadata."""
    return [describe(s["ModelPackageArn"]) for s in _summaries(group)]


def approved_model(group: str) -> ModelRecord | None:
    """The newest Approved package of `group` (the one the prediction path serves), or None."""
    approved = _summaries(group, APPROVED)
    return describe(approved[-1]["ModelPackageArn"]) if approved else None


def _set_status(arn: str, status: str, who: str, why: str) -> ModelRecord:
    word = {APPROVED: "approved", REJECTED: "rejected", PENDING: "pending"}[status]
    request: dict[str, Any] = {"ModelPackageArn": arn, "ModelApprovalStatus": status}
    request["ApprovalDescription"] = f"{word} by {who}: {why}"[:1000]
    # Re-sent unchanged: AWS merges them (a no-op), moto replaces them with None when absent, which dropped the
    # metrics, lineage and model_json_url of every approved package (the serving pointer then named model.tar.gz).
    metadata = describe(arn).metadata
    if metadata:
        request["CustomerMetadataProperties"] = metadata
    client("sagemaker").update_model_package(**request)
    return describe(arn)


def resolve(group: str, ref: str | int) -> str:
    """ARN of a package given its ARN, `<group>/<version>` or version number."""
    text = str(ref)
    if text.startswith("arn:"):
        return text
    version = int(text.rsplit("/", 1)[-1])
    for s in _summaries(group):
        if int(s["ModelPackageVersion"]) == version:
            return s["ModelPackageArn"]
    raise RegistryError(f"no version {version} in model package group {group}")


def approve(arn: str, who: str, why: str) -> ModelRecord:
    """Approve a package; if it is the newest approved one, it starts serving."""
    record = _set_status(arn, APPROVED, who, why)
    _record_event(record.group, "approved", record, who, why)
    return record


def reject(arn: str, who: str, why: str) -> ModelRecord:
    record = _set_status(arn, REJECTED, who, why)
    _record_event(record.group, "rejected", record, who, why)
    return record


def rollback(group: str, who: str, why: str) -> tuple[ModelRecord, ModelRecord]:
    """Reject the serving version and re-approve the one that served before it; returns (rejected, restored).

    "Before it" is the newest lower version that is still Approved, else the newest lower version that the
    deployment history shows serving, else the newest lower version that was ever approved.
    """
    current = approved_model(group)
    if current is None:
        raise RegistryError(f"no approved version in {group}: nothing to roll back")
    lower = [s for s in _summaries(group) if int(s["ModelPackageVersion"]) < current.version]
    previous_arn = next((s["ModelPackageArn"] for s in reversed(lower) if s["ModelApprovalStatus"] == APPROVED), None)
    if previous_arn is None:
        served = [
            e["serving_version"]
            for e in history(group)
            if e.get("serving_version") is not None and e["serving_version"] < current.version
        ]
        ever_approved = [
            e["version"] for e in history(group) if e["event"] == "approved" and e["version"] < current.version
        ]
        candidates = served or ever_approved
        if not candidates:
            raise RegistryError(f"no version before {current.model_version} has been approved: nothing to roll back to")
        previous_arn = resolve(group, candidates[-1])
    rejected = _set_status(current.arn, REJECTED, who, f"rollback: {why}")
    restored = _set_status(previous_arn, APPROVED, who, f"rollback from v{current.version}: {why}")
    _record_event(group, "rollback", restored, who, why, extra={"from_version": current.version})
    return rejected, restored


# ---- deployment history -------------------------------------------------------------------------------------


def _artifacts_bucket() -> str:
    from courtside.config import resource_names  # not get_settings: keeps pydantic-settings off the Lambda path

    return resource_names().artifacts_bucket


def history_key(group: str) -> str:
    return f"registry/history/{group}.jsonl"


def serving_pointer_key(group: str) -> str:
    """Object key of the serving pointer of `group` in the artifacts bucket (the predict role may read it)."""
    return f"registry/serving/{group}.json"


def history(group: str, bucket: str | None = None) -> list[dict[str, Any]]:
    """Registry events of `group`, oldest first."""
    try:
        body = client("s3").get_object(Bucket=bucket or _artifacts_bucket(), Key=history_key(group))["Body"].read()
    except ClientError as err:
        if err.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            return []
        raise
    return [json.loads(line) for line in body.decode().splitlines() if line.strip()]


def _record_event(
    group: str, event: str, record: ModelRecord, who: str, why: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    bucket = _artifacts_bucket()
    serving = approved_model(group)
    entry = {
        "at": _now(),
        "event": event,
        "group": group,
        "version": record.version,
        "model_version": record.model_version,
        "arn": record.arn,
        "who": who,
        "why": why,
        "serving_version": serving.version if serving else None,
        **(extra or {}),
    }
    lines = [json.dumps(e, sort_keys=True) for e in history(group, bucket)] + [json.dumps(entry, sort_keys=True)]
    client("s3").put_object(Bucket=bucket, Key=history_key(group), Body=("\n".join(lines) + "\n").encode())
    write_serving_pointer(group, serving, who, f"{event} v{record.version}: {why}", bucket, at=entry["at"])
    return entry


# ---- serving pointer ----------------------------------------------------------------------------------------


def read_serving_pointer(group: str, bucket: str | None = None, s3: Any = None) -> dict[str, Any] | None:
    """The pointer document of `group`, or None when none was written yet. `s3`: the client to read with (the
    predict path passes its standard-library client, :func:`courtside.aws.clients.lite_client`); default boto3."""
    try:
        body = (s3 or client("s3")).get_object(Bucket=bucket or _artifacts_bucket(), Key=serving_pointer_key(group))[
            "Body"
        ]
    except ClientError as err:
        if err.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            return None
        raise
    doc: dict[str, Any] = json.loads(body.read())
    return doc


def write_serving_pointer(
    group: str,
    serving: ModelRecord | None,
    who: str,
    why: str,
    bucket: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    """Point the serving path at `serving` (None: nothing approved). `since`/`approved_by` survive events that
    leave the serving version unchanged (a registration, a rejection of another version)."""
    bucket = bucket or _artifacts_bucket()
    at = at or _now()
    previous = read_serving_pointer(group, bucket)
    doc: dict[str, Any] = {"schema": 1, "group": group, "updated_at": at, "reason": why[:500]}
    if serving is None:
        doc.update(model_version=None, version=None, arn=None, model_data_url=None, model_json_url=None)
        doc.update(since=at, approved_by=None)
    else:
        unchanged = previous is not None and previous.get("arn") == serving.arn
        doc.update(
            model_version=serving.model_version,
            version=serving.version,
            arn=serving.arn,
            model_data_url=serving.model_data_url,
            model_json_url=serving.model_json_url,
            since=previous["since"] if unchanged and previous else at,
            approved_by=previous.get("approved_by") if unchanged and previous else who,
        )
    client("s3").put_object(
        Bucket=bucket,
        Key=serving_pointer_key(group),
        Body=json.dumps(doc, sort_keys=True).encode(),
        ContentType="application/json",
    )
    return doc


def sync_serving_pointer(group: str, who: str = "courtside", why: str = "sync from the registry") -> dict[str, Any]:
    """Rewrite the pointer from the registry (the source of truth), e.g. after a console approval."""
    return write_serving_pointer(group, approved_model(group), who, why)


def record_from_pointer(doc: dict[str, Any]) -> ModelRecord | None:
    """The serving version a pointer names, as a record (None when the pointer says nothing is approved)."""
    if doc.get("model_version") is None:
        return None
    return ModelRecord(
        group=str(doc["group"]),
        version=int(doc["version"]),
        arn=str(doc["arn"]),
        status=APPROVED,
        model_data_url=str(doc.get("model_data_url") or doc["model_json_url"]),
        created=str(doc.get("since") or ""),
        approval_description=f"approved by {doc.get('approved_by')}",
        metadata={"model_json_url": str(doc.get("model_json_url") or doc["model_data_url"])},
    )


def serving_model(group: str, s3: Any = None) -> ModelRecord | None:
    """What the prediction path serves: the serving pointer when one exists, else the registry's newest Approved
    package (first deploy). One S3 GetObject in the common case (with `s3`, default boto3); no SageMaker call."""
    doc = read_serving_pointer(group, s3=s3)
    if doc is None:
        return approved_model(group)
    return record_from_pointer(doc)


def serving_timeline(group: str) -> list[dict[str, Any]]:
    """Intervals `{version, from, to}` during which each version was the served (approved) one; `to` None = now."""
    out: list[dict[str, Any]] = []
    for e in history(group):
        v = e.get("serving_version")
        if out and out[-1]["version"] == v:
            continue
        if out:
            out[-1]["to"] = e["at"]
        if v is not None:
            out.append({"version": v, "model_version": f"{group}/{v}", "from": e["at"], "to": None})
        elif out:
            pass
    return out


# ---- model artifacts ----------------------------------------------------------------------------------------


def split_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url}")
    bucket, _, key = url[len("s3://") :].partition("/")
    return bucket, key


def load_model_json(model_data_url: str, s3: Any = None) -> str:
    """The model JSON document behind a model URL: `s3://.../model.json`, or a `model.tar.gz` holding model.json."""
    bucket, key = split_s3_url(model_data_url)
    body = (s3 or client("s3")).get_object(Bucket=bucket, Key=key)["Body"].read()
    if key.endswith((".tar.gz", ".tgz")):
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
            member = next((m for m in tar.getmembers() if m.name.rsplit("/", 1)[-1] == "model.json"), None)
            if member is None:
                raise RegistryError(f"{model_data_url} holds no model.json")
            fh = tar.extractfile(member)
            assert fh is not None
            return fh.read().decode()
    return body.decode()


def load_approved_model_json(group: str) -> tuple[ModelRecord, str] | None:
    """(record, model JSON) of the approved version of `group`, or None when nothing is approved."""
    record = approved_model(group)
    if record is None:
        return None
    return record, load_model_json(record.model_json_url)
