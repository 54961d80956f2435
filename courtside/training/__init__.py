"""Training: the script-mode core behind `sagemaker/train.py`, the local runner, dataset versions, experiment
tracking, reproduction, the cloud launcher and the SageMaker Pipeline definition.

Nothing heavy is imported here: `courtside.training.core` pulls in pandas/scikit-learn, `tracking` pulls in MLflow
and `cloud`/`pipeline` pull in the SageMaker SDK, each only when used.
"""
