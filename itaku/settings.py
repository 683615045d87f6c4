"""Where Itaku finds things: bundled examples, defaults."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(os.environ.get("ITAKU_EXAMPLES", REPO / "examples"))
DEMO_DATASETS = ("city-resident-tax", "ward-designated-managers")
# The bundled examples are written as of this date (their READMEs list what an auditor finds then).
EXAMPLES_AS_OF = date(2026, 11, 1)
SEVERITIES = ("critical", "high", "medium", "low")
