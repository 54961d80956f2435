"""Streaming ingestion: decode Kinesis records, validate, dedup, store raw, forward, quarantine the rest.

The pure parts (:mod:`.records`, :mod:`.rules`, :mod:`.core`, :mod:`.quarantine`) import no boto3; the AWS adapters
live in :mod:`.aws_sinks` so the core runs with in-memory sinks in unit tests and in the benchmark.
"""
