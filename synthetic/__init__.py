"""Synthetic datasets for benchmarks, tests and demos (`itaku generate`): see generate.py."""
