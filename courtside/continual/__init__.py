"""Continual learning: when to retrain, how a challenger is judged against the champion, and how every decision
is recorded (issue 8; practice 16)."""
