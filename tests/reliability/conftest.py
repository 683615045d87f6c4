"""Reliability tests (issue 7): bad input, fuzzing, personal data. Their helpers sit beside this file."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # reliability_helpers for the test modules here
