"""Verdicts from runs: the CI regression check against a baseline, and papers' claims under matched
compute."""
