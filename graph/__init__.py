"""The chain graph built from a validated Dataset, and the rules that run on it."""
