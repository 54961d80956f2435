"""Small S3 helpers shared by the lake writers (put/get bytes and JSON, list keys, delete)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from courtside.aws.clients import client


def put_bytes(
    bucket: str, key: str, body: bytes, content_type: str = "application/octet-stream", s3: Any = None, **extra: Any
) -> None:
    """PutObject with `s3` (default: the shared boto3 client)."""
    (s3 or client("s3")).put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, **extra)


def get_bytes(bucket: str, key: str) -> bytes:
    return client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def put_json(bucket: str, key: str, obj: Any) -> None:
    put_bytes(bucket, key, json.dumps(obj, separators=(",", ":"), default=str).encode(), "application/json")


def get_json(bucket: str, key: str) -> Any:
    return json.loads(get_bytes(bucket, key))


def list_keys(bucket: str, prefix: str = "") -> Iterator[str]:
    """Every key under `prefix` (paginated)."""
    for page in client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            yield obj["Key"]


def delete(bucket: str, key: str) -> None:
    client("s3").delete_object(Bucket=bucket, Key=key)


def exists(bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client("s3").head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
