"""Models: training-time estimators and the compact serving formats the prediction path loads."""
