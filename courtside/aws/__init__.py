"""AWS adapters: thin boto3 wrappers. They talk to AWS, or to moto server when `AWS_ENDPOINT_URL` is set."""
