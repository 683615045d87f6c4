"""Last year's data for the compare-mode tests: the example edited by hand (tests/cycle/cycle_hand.Copy)
so that, seen from the example, findings are new, resolved and changed:
- K-105's approval removed   → its unapproved re-delegation is resolved in the example;
- a contract K-199 added under K-104 (no approval, no inspection) → its findings are resolved (the
  contract is gone from the example: a resolved row in the grid, no node in the tree);
- K-162 removed              → K-161's missing subcontractor certificates are new;
- an on-site inspection of K-141 added (2026-06-01) → K-141's overdue inspection is new;
- K-102's publication clause removed → weaker-than-parent at K-102 resolved, K-107's changed."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # cycle.cycle_hand

from cycle.cycle_hand import Copy  # noqa: E402

from dash_helpers import REPO  # noqa: E402

EXAMPLE = REPO / "examples" / "city-resident-tax"
DAY = "2026-11-01"


def last_year(dst: Path) -> Path:
    c = Copy(EXAMPLE, dst)
    c.set("approvals", [r for r in c.rows("approvals") if r["contract_id"] != "K-105"])
    k104 = next(r for r in c.rows("contracts") if r["contract_id"] == "K-104")
    c.add_contract({**k104, "contract_id": "K-199", "parent_contract_id": "K-104", "delegator_id": "NNP",
                    "delegatee_id": "HBN", "title": "旧 データ入力補助", "start_date": "2025-05-01"})
    c.set("contracts", [r for r in c.rows("contracts") if r["contract_id"] != "K-162"])
    c.drop_records({"K-162"})
    c.inspect("K-141", "2026-06-01")
    c.clause("K-102", "publication", add=False)
    return c.save()
