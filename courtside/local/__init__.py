"""Local runtime: what moto cannot execute (Lambda invocation, API Gateway, Athena SQL, schedules), driving the
same handlers and scripts the cloud runs."""
