"""AWS adapters: thin boto3 wrappers. They talk to AWS, or to moto server when `AWS_ENDPOINT_URL` is set.

`courtside.aws.lite` is the exception: a standard-library DynamoDB/S3 client for the predict Lambda's cold start,
asked for explicitly with `courtside.aws.clients.lite_client` on the serving path."""
