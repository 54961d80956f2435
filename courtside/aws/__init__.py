"""AWS adapters: thin boto3 wrappers. They talk to AWS, or to moto server when `AWS_ENDPOINT_URL` is set.

`courtside.aws.lite` is the exception: a standard-library DynamoDB/S3 client for the predict Lambda's cold start,
opt-in through `COURTSIDE_AWS_CLIENT=lite` (see courtside.aws.clients)."""
