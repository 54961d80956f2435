"""courtside.aws.lite against moto server: for every call the prediction path makes, the lite client returns what
boto3 returns (ResponseMetadata aside: request ids differ), errors included, and the online store serves the same
pregame state through either client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from courtside.aws import clients, lite
from courtside.aws.clients import client
from courtside.config import Settings
from courtside.online_store import OnlineStore
from courtside.serving.testing import seed_store

TABLE = "lite-test"
BUCKET = "lite-test-bucket"


def _strip(resp: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


@pytest.fixture()
def table(aws: Settings) -> str:
    ddb = client("dynamodb")
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return TABLE


@pytest.fixture()
def bucket(aws: Settings) -> str:
    client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture()
def ddb_lite(moto_endpoint: str) -> lite.DynamoDBClient:
    return lite.DynamoDBClient()


@pytest.fixture()
def s3_lite(moto_endpoint: str) -> lite.S3Client:
    return lite.S3Client()


ITEM = {
    "pk": {"S": "team#BOS"},
    "sk": {"S": "pregame"},
    "r": {"N": "1512.25"},
    "blob": {"B": b"\x00\x01\xffbinary"},
    "blobs": {"BS": [b"a", b"\x00b"]},
    "m": {"M": {"B": {"S": "attribute named B"}, "l": {"L": [{"N": "1"}, {"BOOL": True}, {"NULL": True}]}}},
    "ss": {"SS": ["x", "y"]},
}


def test_get_item_and_put_item_match_boto3(table: str, ddb_lite: lite.DynamoDBClient) -> None:
    boto = client("dynamodb")
    put = ddb_lite.put_item(TableName=table, Item=ITEM, ReturnConsumedCapacity="TOTAL")
    assert _strip(put) == _strip(boto.put_item(TableName=table, Item=ITEM, ReturnConsumedCapacity="TOTAL"))
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200 and put["ResponseMetadata"]["RequestId"]
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    got = ddb_lite.get_item(TableName=table, Key=key, ConsistentRead=True)
    assert _strip(got) == _strip(boto.get_item(TableName=table, Key=key, ConsistentRead=True))
    assert got["Item"]["blob"] == {"B": b"\x00\x01\xffbinary"}  # bytes, as boto3 gives
    assert set(got["ResponseMetadata"]) == set(boto.get_item(TableName=table, Key=key)["ResponseMetadata"])
    missing = {"pk": {"S": "nope"}, "sk": {"S": "pregame"}}
    assert (
        _strip(ddb_lite.get_item(TableName=table, Key=missing))
        == {}
        == _strip(boto.get_item(TableName=table, Key=missing))
    )


def test_batch_get_item_with_binary_and_a_missing_key(table: str, ddb_lite: lite.DynamoDBClient) -> None:
    boto = client("dynamodb")
    second = {**ITEM, "pk": {"S": "team#PHI"}, "blob": {"B": bytes(range(256))}}
    ddb_lite.put_item(TableName=table, Item=ITEM)
    boto.put_item(TableName=table, Item=second)
    keys = [{"pk": {"S": pk}, "sk": {"S": "pregame"}} for pk in ("team#BOS", "team#PHI", "team#NONE")]
    request = {table: {"Keys": keys, "ConsistentRead": True}}
    got, want = ddb_lite.batch_get_item(RequestItems=request), boto.batch_get_item(RequestItems=request)

    def by_pk(resp: dict[str, Any]) -> dict[str, Any]:
        return {it["pk"]["S"]: it for it in resp["Responses"][table]}

    assert by_pk(got) == by_pk(want)
    assert set(by_pk(got)) == {"team#BOS", "team#PHI"}
    assert by_pk(got)["team#PHI"]["blob"]["B"] == bytes(range(256))
    assert got.get("UnprocessedKeys") == want.get("UnprocessedKeys")


def test_query_and_transact_write_match_boto3(table: str, ddb_lite: lite.DynamoDBClient) -> None:
    boto = client("dynamodb")
    for sk in ("a", "b", "c"):
        ddb_lite.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "q"}, "sk": {"S": sk}, "b": {"B": sk.encode()}}}}
            ]
        )
    args: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p AND sk > :s",
        "ExpressionAttributeValues": {":p": {"S": "q"}, ":s": {"S": "a"}},
    }
    got = ddb_lite.query(**args)
    assert _strip(got) == _strip(boto.query(**args))
    assert [it["b"]["B"] for it in got["Items"]] == [b"b", b"c"]


def test_dynamodb_errors_are_boto3_client_errors(table: str, ddb_lite: lite.DynamoDBClient) -> None:
    boto = client("dynamodb")
    ddb_lite.put_item(TableName=table, Item=ITEM)
    kwargs = {"TableName": table, "Item": ITEM, "ConditionExpression": "attribute_not_exists(pk)"}
    with pytest.raises(ClientError) as lite_err:
        ddb_lite.put_item(**kwargs)
    with pytest.raises(ClientError) as boto_err:
        boto.put_item(**kwargs)
    assert lite_err.value.response["Error"] == boto_err.value.response["Error"]
    assert lite_err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert lite_err.value.operation_name == boto_err.value.operation_name == "PutItem"
    assert lite_err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as no_table:
        ddb_lite.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
    assert no_table.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_s3_put_get_head_delete_match_boto3(bucket: str, s3_lite: lite.S3Client) -> None:
    boto = client("s3")
    key = "models/dir with space/ünïcødé+model.json"
    body = b'{"model": 1}\n' * 100
    put = s3_lite.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    boto_put = boto.put_object(Bucket=bucket, Key=key + ".boto", Body=body, ContentType="application/json")
    assert _strip(put) == _strip(boto_put)
    got, want = s3_lite.get_object(Bucket=bucket, Key=key), boto.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == want["Body"].read() == body
    assert _strip({**got, "Body": None}) == _strip({**want, "Body": None})
    assert got["ContentLength"] == len(body) and got["ContentType"] == "application/json"
    head, boto_head = s3_lite.head_object(Bucket=bucket, Key=key), boto.head_object(Bucket=bucket, Key=key)
    assert _strip(head) == _strip(boto_head)
    s3_lite.put_object(Bucket=bucket, Key="text.txt", Body="héllo")  # str bodies are utf-8, as boto3
    assert boto.get_object(Bucket=bucket, Key="text.txt")["Body"].read() == "héllo".encode()
    deleted = s3_lite.delete_object(Bucket=bucket, Key=key)
    assert _strip(deleted) == _strip(boto.delete_object(Bucket=bucket, Key=key + ".boto"))
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        boto.head_object(Bucket=bucket, Key=key)


def test_s3_missing_key_errors_match_boto3(bucket: str, s3_lite: lite.S3Client) -> None:
    boto = client("s3")
    with pytest.raises(ClientError) as lite_get:
        s3_lite.get_object(Bucket=bucket, Key="missing.json")
    with pytest.raises(ClientError) as boto_get:
        boto.get_object(Bucket=bucket, Key="missing.json")
    assert lite_get.value.response["Error"]["Code"] == "NoSuchKey"
    assert lite_get.value.response["Error"] == boto_get.value.response["Error"]
    assert lite_get.value.operation_name == "GetObject"
    with pytest.raises(ClientError) as lite_head:
        s3_lite.head_object(Bucket=bucket, Key="missing.json")
    with pytest.raises(ClientError) as boto_head:
        boto.head_object(Bucket=bucket, Key="missing.json")
    assert (
        lite_head.value.response["Error"]
        == boto_head.value.response["Error"]
        == {"Code": "404", "Message": "Not Found"}
    )
    with pytest.raises(ClientError) as no_bucket:
        s3_lite.get_object(Bucket="no-such-bucket-here", Key="k")
    assert no_bucket.value.response["Error"]["Code"] == "NoSuchBucket"


def test_online_store_serves_the_same_pregame_state(aws: Settings, ddb_lite: lite.DynamoDBClient) -> None:
    seed_store(aws, until="2019-01-15")
    boto_store = OnlineStore(aws.names.online_table, client=client("dynamodb"))
    lite_store = OnlineStore(aws.names.online_table, client=ddb_lite)
    for home, away in [("BOS", "PHI"), ("LAL", "GSW"), ("NJN", "BKN")]:
        want = boto_store.get_pregame_state(home, away, 2019, date="2019-01-16")
        got = lite_store.get_pregame_state(home, away, 2019, date="2019-01-16")
        assert got == want
        assert got.features("2019-01-16", False) == want.features("2019-01-16", False)
    assert lite_store.get_pregame_state("BOS", "PHI", 2019).features_as_of == "2019-01-14T23:59:59Z"
    # the stream path's conditional TransactWriteItems through lite, read back through boto3
    game = {
        "season": 2019,
        "date": "2019-01-16",
        "home_team": "BOS",
        "away_team": "PHI",
        "home_score": 110,
        "away_score": 100,
        "neutral": False,
        "is_playoff": False,
    }
    assert lite_store.apply_game_final(game, "2019-01-16T23:59:59Z", game_id="g-lite") == "applied"
    assert lite_store.apply_game_final(game, "2019-01-16T23:59:59Z", game_id="g-lite") == "duplicate"
    after = boto_store.get_pregame_state("BOS", "PHI", 2019)
    assert after.features_as_of == "2019-01-16T23:59:59Z"
    assert after == lite_store.get_pregame_state("BOS", "PHI", 2019)


def test_lite_clients_are_cached_per_endpoint_and_only_for_their_services(moto_endpoint: str, monkeypatch) -> None:
    clients.reset()
    try:
        assert isinstance(clients.lite_client("dynamodb"), lite.DynamoDBClient)
        assert isinstance(clients.lite_client("s3"), lite.S3Client)
        first = clients.lite_client("dynamodb")
        assert clients.lite_client("dynamodb") is first  # cached like boto3 clients
        clients.reset()
        assert clients.lite_client("dynamodb") is not first  # reset() forgets lite clients too
        with pytest.raises(ValueError, match="lite client supports"):
            clients.lite_client("sqs")
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1")
        assert clients.lite_client("dynamodb").endpoint_url == "http://127.0.0.1:1"  # a new endpoint: a new client
        assert not isinstance(client("dynamodb"), lite.DynamoDBClient)  # client() is always boto3
    finally:
        clients.reset()
