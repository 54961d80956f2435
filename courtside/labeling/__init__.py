"""Weak supervision over play-by-play: labelling functions and a generative label model (practice 23)."""
