"""The online prediction service's core: request models, predictors, model cache, backends, capture hook.

Everything here is imported by the predict Lambda, so nothing in this package may import pandas, numpy,
scikit-learn, LightGBM or the SageMaker SDK at module level (``compression`` is the one offline exception and is
never imported by the handler). ``tests/unit/test_predict_imports.py`` enforces it.
"""
