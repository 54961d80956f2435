"""Evaluation: metrics, calibration, slices, bias, market benchmarks, perturbation tests and the promotion gate."""
