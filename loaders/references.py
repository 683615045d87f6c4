"""Checks across rows and files: duplicate ids, dangling references, cycles, impossible spans."""
from __future__ import annotations

from collections.abc import Collection

from .errors import Problem
from .messages import Msg, msg
from .model import Record

# (file, column, target file) for every reference to an id of another file.
REFERENCES = (
    ("organizations", "parent_org_id", "organizations"),
    ("contracts", "parent_contract_id", "contracts"),
    ("contracts", "delegator_id", "organizations"),
    ("contracts", "delegatee_id", "organizations"),
    ("approvals", "contract_id", "contracts"),
    ("approvals", "approver_id", "organizations"),
    ("approvals", "notified_ids", "organizations"),
    ("inspections", "contract_id", "contracts"),
    ("inspections", "inspector_id", "organizations"),
    ("checklist_items", "inspection_id", "inspections"),
    ("improvements", "inspection_id", "inspections"),
    ("improvements", "follow_up_inspection_id", "inspections"),
    ("personnel", "contract_id", "contracts"),
    ("personnel", "org_id", "organizations"),
    ("trainings", "contract_id", "contracts"),
    ("deletions", "contract_id", "contracts"),
    ("incidents", "contract_id", "contracts"),
    ("incidents", "reported_ids", "organizations"),
)
KEYS = {"organizations": "org_id", "contracts": "contract_id", "inspections": "inspection_id",
        "improvements": "improvement_id", "incidents": "incident_id"}
# Files whose two dates must not be inverted: (file, first, second).
SPANS = (("contracts", "start_date", "end_date"), ("personnel", "start_date", "end_date"),
         ("improvements", "issued_date", "due_date"))


def check_references(records: dict[str, list[Record]], rows: dict[str, list[int]],
                     labels: dict[str, str], known_policies: Collection[str] | None,
                     unreadable: Collection[str] = ()) -> list[Problem]:
    """Problems across rows. Records may be partial (a row with cell problems keeps its valid
    cells): an absent attribute is skipped here, its problem was reported already. References
    into an `unreadable` file (missing, undecodable, unusable header: reported already) are not
    checked: every one of them would be a false "unknown id"."""
    problems: list[Problem] = []

    def at(file: str, i: int, column: str, message: Msg) -> None:
        problems.append(Problem(labels.get(file, file + ".csv"), rows[file][i], column, message))

    ids: dict[str, dict[str, int]] = {}
    for file, key in KEYS.items():
        seen: dict[str, int] = {}
        for i, rec in enumerate(records[file]):
            value = getattr(rec, key, None)
            if value is None:
                continue
            if not value.isprintable():  # a newline, a tab, a byte order mark (U+FEFF), U+202E …
                at(file, i, key, msg("id_has_bom" if "\ufeff" in value else "id_has_control", key=key, value=value))
            if value in seen:
                at(file, i, key, msg("duplicate_id", key=key, value=value, first=rows[file][seen[value]]))
            else:
                seen[value] = i
        ids[file] = seen

    for file, column, target in REFERENCES:
        if target in unreadable:
            continue
        for i, rec in enumerate(records[file]):
            value = getattr(rec, column, None)
            for ref in value if isinstance(value, list) else ([value] if value else []):
                if ref not in ids[target]:
                    at(file, i, column, msg("unknown_id", key=KEYS[target], value=ref))

    for file, first, second in SPANS:
        for i, rec in enumerate(records[file]):
            a, b = getattr(rec, first, None), getattr(rec, second, None)
            if a and b and b < a:
                at(file, i, second, msg("dates_inverted", first=first, a=a, second=second, b=b))

    for i, c in enumerate(records["contracts"]):
        if getattr(c, "delegator_id", None) is not None and c.delegator_id == getattr(c, "delegatee_id", None):
            at("contracts", i, "delegatee_id", msg("self_delegation", value=c.delegatee_id))
        if c.policies and c.parent_contract_id:
            at("contracts", i, "policies", msg("policies_below_prime"))
        if known_policies is not None:
            for policy in c.policies:
                if policy not in known_policies:
                    at("contracts", i, "policies", msg("unknown_policy", value=policy, known=", ".join(sorted(known_policies))))

    for i, a in enumerate(records["approvals"]):  # INTERNATIONAL.md: the notice date is requested_date
        if str(getattr(a, "status", "")) == "notified" and hasattr(a, "status") and getattr(a, "requested_date", None) is None:
            at("approvals", i, "requested_date", msg("notified_needs_date"))

    seen_items: dict[tuple[str, str], int] = {}
    for i, item in enumerate(records["checklist_items"]):
        key = (getattr(item, "inspection_id", None), getattr(item, "item", None))
        if None in key:  # a partial row: its missing cell was reported already
            continue
        if key in seen_items:
            at("checklist_items", i, "item", msg("item_twice", item=item.item, inspection=item.inspection_id,
                                                 first=rows["checklist_items"][seen_items[key]]))
        seen_items.setdefault(key, i)

    for file, column in (("contracts", "parent_contract_id"), ("organizations", "parent_org_id")):
        key = KEYS[file]
        parent = {getattr(r, key): getattr(r, column, None) for r in records[file] if hasattr(r, key)}
        cycles = find_cycles(parent)
        for member, (loop, j) in cycles.items():
            at(file, ids[file][member], column, msg("cycle", column=column, cycle=show_cycle(loop, j)))
        if file == "contracts":
            for member in first_too_deep(parent, cycles):
                at(file, ids[file][member], column, msg("too_deep", limit=MAX_CHAIN_DEPTH, value=member, level=MAX_CHAIN_DEPTH + 1))
    return problems


# Deeper chains are refused: a finding carries its whole path, so findings on a chain of n levels
# are O(n²) in all (10,000 levels: 2.8 GB of JSON; 50,000: out of memory). Real chains have a handful of levels.
MAX_CHAIN_DEPTH = 1_000


def first_too_deep(parent: dict[str, str | None], cyclic: Collection[str]) -> list[str]:
    """The ids at level MAX_CHAIN_DEPTH + 1 (level 1 has no parent), in `parent` order; ids on or
    below a cycle are left out (the cycle is reported). Iterative, O(n)."""
    depth: dict[str, int] = {}
    for start in parent:
        walk: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in depth and node not in cyclic:
            walk.append(node)
            node = parent[node]
            if len(walk) > len(parent):  # below a cycle: the walk would never end
                break
        base = 0 if node is None or node not in parent else depth.get(node, -1)
        for n in reversed(walk):
            base = -1 if base < 0 else base + 1
            depth[n] = base
    return [cid for cid in parent if depth.get(cid) == MAX_CHAIN_DEPTH + 1]


MAX_CYCLE_SHOWN = 10


def show_cycle(loop: list[str], start: int = 0) -> str | Msg:
    """The cycle from loop[start] round back to it; a long one shortened, so that the lines of a
    cycle of n ids stay O(n) in all, not O(n²)."""
    n = len(loop)
    shown = [loop[(start + k) % n] for k in range(min(n, MAX_CYCLE_SHOWN))]
    if n <= MAX_CYCLE_SHOWN:
        return " → ".join(shown + [loop[start]])
    return msg("cycle_long", shown=" → ".join(shown), start=loop[start], n=n)


def find_cycles(parent: dict[str, str | None]) -> dict[str, tuple[list[str], int]]:
    """For each id that lies on a cycle of parent links: the cycle (one list shared by all its
    members) and the id's place in it. Iterative, O(n) time and memory."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    cycles: dict[str, tuple[list[str], int]] = {}
    for start in parent:
        walk: list[str] = []
        node: str | None = start
        while node is not None and node in parent and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1:
            loop = walk[walk.index(node):]
            for j, member in enumerate(loop):
                cycles[member] = (loop, j)
        for n in walk:
            state[n] = 2
    return cycles
