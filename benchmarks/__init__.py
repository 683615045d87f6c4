"""Itaku benchmarks: `python -m benchmarks.run --sizes 10000,100000,1000000 --repeat 3 --out docs/benchmarks.md`.

Not part of the test suite (tests/bench runs a 10k smoke version that checks the output's shape).
"""
