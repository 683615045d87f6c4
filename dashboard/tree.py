"""The chain tree for dash-cytoscape, built on the server within an element budget.

cytoscape.js slows sharply past a few thousand elements, so a view never holds more than `cap`
elements (nodes + edges). A view is small state the browser keeps (`View`): the principal, and
either nothing (the whole tree, or one box per first-level contractor when it is too big), a
first-level contractor (`group`), or a contract (`focus`: its path from the principal and its
subtree). Children are laid out breadth-first; a contract shows at most `fanout` children, the
rest — and whatever does not fit — collapse into a counted node 「+N 件」 that expands on click.

Node ids are synthetic (`p`, `c12`, `g3`, `m4` …): contract ids and names stay in `data` as text,
so no id from the dataset ever reaches a cytoscape selector.
"""
from __future__ import annotations

import unicodedata
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from analysis import SEVERITY_ORDER, SEVERITY_RANK, Analysis

from . import i18n
from .i18n import t

CAP = 1000  # elements (nodes + edges) on screen at once, at most
FANOUT = 25  # children shown under one contract before 「+N 件」
TOP_PAGE = 60  # children of the view's top shown at once (「+N 件」 pages on)
MAX_WIDTH = 40  # node slots across: a deeper view that would be wider shows fewer levels
MAX_ANCESTORS = 12  # path nodes shown above a focused contract
MAX_BADGES = 3
BANDS = 24  # elements kept for the level gutter's labels

SEVERITY_COLOURS = {"critical": "#b71c1c", "high": "#e65100", "medium": "#f9a825", "low": "#0277bd", "none": "#2e7d32"}


@dataclass(frozen=True)
class View:
    principal: str | None = None
    group: str | None = None  # a first-level contractor (org id): its prime contracts' subtrees
    focus: str | None = None  # a contract id: its path from the principal and its subtree
    offset: int = 0  # first child shown at the top of the view (paging through 「+N 件」)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> View:
        d = d or {}
        offset = d.get("offset") or 0
        return cls(d.get("principal"), d.get("group"), d.get("focus"), offset if isinstance(offset, int) and offset >= 0 else 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Tree:
    elements: list[dict[str, Any]]
    mode: str  # "full", "aggregate", "group", "focus" or "empty"
    shown: int  # contracts drawn as nodes
    total: int  # contracts under the principal


def badges(a: Analysis, contract_id: str, lang: str) -> list[str]:
    """Short labels for a contract's findings (承認なし, 条項不足, 検査期限切れ …), worst first."""
    out: list[str] = []
    for f in a.findings_of.get(contract_id, ()):
        label = i18n.badge(f.rule, lang)
        if label not in out:
            out.append(label)
    return out


def _cells(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def fit(text: str, width: int = 24, lines: int = 2) -> str:
    """`text` in at most `lines` lines of `width` cells (a CJK character is 2 cells), broken at
    the last space where there is one, an ellipsis where it is cut: names never overflow their box."""
    out: list[str] = []
    line = ""
    for ch in " ".join(text.split()):
        if sum(map(_cells, line + ch)) <= width:
            line += ch
            continue
        if " " in line and ch != " ":
            head, _, tail = line.rpartition(" ")
            out.append(head)
            line = tail + ch
        else:
            out.append(line.rstrip())
            line = ch.strip()
        if len(out) == lines:
            return "\n".join(out[:-1] + [_ellipsis(out[-1], width)])
    return "\n".join(out + [line] if line else out)


def _ellipsis(line: str, width: int) -> str:
    while line and sum(map(_cells, line)) > width - 1:
        line = line[:-1]
    return line.rstrip() + "…"


_wrap = fit


def status_of(c, as_of) -> str | None:
    """'ended' or 'not_started' for a contract not active on the as-of date, else None."""
    if c.end_date < as_of:
        return "ended"
    if c.start_date > as_of:
        return "not_started"
    return None


UNAPPROVED_RULES = ("unapproved-redelegation",)  # an edge into such a contract is an unapproved link


class _Builder:
    def __init__(self, a: Analysis, lang: str, cap: int, fanout: int, depth: int | None = None,
                 marks: dict[str, str] | None = None):
        self.a, self.lang, self.cap, self.fanout = a, i18n.norm_lang(lang), cap, fanout
        self.marks = marks or {}  # compare mode: contract id → new / worsened / resolved (dashboard.compare)
        self.depth = depth  # levels drawn below the view's top (None: as many as fit)
        self.elements: list[dict[str, Any]] = []
        self.reserved = 0  # elements kept for the 「+N 件」 nodes of contracts still to expand
        self.shown = 0
        self.ids: dict[str, str] = {}
        self._seq = 0

    @property
    def room(self) -> int:
        return self.cap - len(self.elements) - self.reserved

    def _id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq}"

    def edge(self, source: str, target: str, classes: str = "") -> None:
        e = {"data": {"id": f"e{source}-{target}", "source": source, "target": target}}
        if classes:
            e["classes"] = classes
        self.elements.append(e)

    def principal(self, org: str) -> str:
        name = self.a.ds.org_name(org)
        self.elements.append({"data": {"id": "p", "kind": "principal", "org": org, "name": name, "depth": 0,
                                       "hover": f"{name} [{org}]", "label": fit(name, 22)}, "classes": "principal"})
        return "p"

    def contract(self, cid: str, parent: str | None) -> str:
        a = self.a
        c = a.ds.contract[cid]
        nid = self._id("c")
        self.ids[cid] = nid
        name = a.ds.org_name(c.delegatee_id)
        marks = badges(a, cid, self.lang)
        shown = marks[:MAX_BADGES - 1] + ([f"+{len(marks) - MAX_BADGES + 1}"] if len(marks) > MAX_BADGES else marks[MAX_BADGES - 1:MAX_BADGES])
        status = status_of(c, a.as_of)
        tag = f"〔{t('tree.' + status, self.lang)}〕" if status else ""
        mark = self.marks.get(cid)
        if mark:
            from .compare import mark_label

            tag = f"{mark_label(mark, self.lang)}{tag}"
        label = f"{fit(name)}\n{cid}{' ' + tag if tag else ''}" + ("\n" + fit(" ".join(f"[{b}]" for b in shown), 26, 1) if shown else "")
        worst = a.worst(cid) or "none"
        depth = a.graph.position[cid].depth
        hover = " · ".join(x for x in (f"{cid} ({i18n.level(depth, self.lang)})", name, c.title or "", tag) if x)
        self.elements.append({"data": {"id": nid, "kind": "contract", "contract_id": cid, "name": name,
                                       "title": c.title or "", "hover": hover, "status": status or "active",
                                       "badges": marks, "rules": list(dict.fromkeys(f.rule for f in a.findings_of.get(cid, ()))),
                                       "severity": worst, "label": label, "depth": depth, "change": mark or ""},
                              "classes": f"contract sev-{worst}" + (f" inactive {status}" if status else "")
                              + (f" chg-{mark}" if mark else "")})
        self.shown += 1
        if parent:
            unapproved = any(f.rule in UNAPPROVED_RULES for f in a.findings_of.get(cid, ()))
            self.edge(parent, nid, "unapproved" if unapproved else "")
        return nid

    def more(self, parent_node: str, parent_cid: str | None, hidden: list[str], next_offset: int | None) -> None:
        n = sum(self.a.subtree[k][0] for k in hidden)
        worst = max((self.a.subtree[k][2] for k in hidden), default=-1)
        sev = SEVERITY_ORDER[3 - worst] if worst >= 0 else "none"
        nid = self._id("m")
        inside = i18n.severity(sev, self.lang) if sev != "none" else t("common.none", self.lang)
        label = t("tree.more", self.lang, n=i18n.number(n)) + "\n" + t("tree.worst_inside", self.lang, sev=inside)
        self.elements.append({"data": {"id": nid, "kind": "more", "parent_contract": parent_cid, "count": n,
                                       "next_offset": next_offset, "severity": sev, "hover": label.replace("\n", " · "),
                                       "label": label},
                              "classes": f"more sev-{sev}"})
        self.edge(parent_node, nid)

    def prev(self, parent_node: str, skipped: list[str]) -> None:
        n = sum(self.a.subtree[k][0] for k in skipped)
        nid = self._id("m")
        self.elements.append({"data": {"id": nid, "kind": "prev", "count": n,
                                       "label": t("tree.prev", self.lang, n=i18n.number(n))}, "classes": "more"})
        self.edge(parent_node, nid)

    def place(self, node: str, kids: list[str], start: int, limit: int, queue: deque[tuple[str, str, int]],
              level: int = 1) -> int:
        """Draw kids[start:] under `node` while they fit (at most `limit`), keeping 2 elements for
        each drawn contract's own 「+N 件」 and 2 for this node's; queue those with children.
        Returns the index of the first kid not drawn."""
        i = start
        while i < len(kids) and i - start < limit:
            k = kids[i]
            has_kids = bool(self.a.ds.children.get(k))
            cost = 2 + (2 if has_kids else 0)
            if self.room < cost + (2 if i + 1 < len(kids) else 0):
                break
            nid = self.contract(k, node)
            if has_kids:
                self.reserved += 2
                queue.append((k, nid, level))
            i += 1
        return i

    def expand(self, queue: deque[tuple[str, str, int]]) -> None:
        """Breadth-first below the queued contracts, `fanout` children each, down to `depth`
        levels below the top; what is left under a contract is its 「+N 件」."""
        while queue:
            cid, nid, level = queue.popleft()
            self.reserved -= 2  # its 「+N 件」 reservation is now its own to spend
            kids = self.a.kids(cid)
            deep = self.depth is not None and level >= self.depth
            i = 0 if deep else self.place(nid, kids, 0, self.fanout, queue, level + 1)
            if i < len(kids):
                self.more(nid, cid, kids[i:], None)


def build(a: Analysis, view: View, lang: str, cap: int = CAP, fanout: int = FANOUT,
          marks: dict[str, str] | None = None) -> Tree:
    """The elements of one view of a principal's chains, never more than `cap` of them, laid out.

    The deepest view whose layout stays within MAX_WIDTH node slots is chosen (as many levels
    as fit, else 3, 2, 1 below the top): wide trees show fewer levels, never a thin line."""
    principal = view.principal if view.principal in a.primes_of else (a.principals[0] if a.principals else None)
    if principal is None:
        return Tree([], "empty", 0, 0)
    best = None
    for depth in (None, 3, 2, 1):
        tree = _build(a, view, principal, lang, cap - BANDS, fanout, depth, marks)
        width = _width(tree.elements)
        if best is None or width < best[0]:
            best = (width, tree)
        if width <= MAX_WIDTH * SLOT_W or tree.mode == "aggregate":
            break
    tree = best[1]
    place(tree.elements, lang)
    return tree


def _width(elements: list[dict[str, Any]]) -> float:
    pos, _ = positions(elements)
    xs = [x for x, _ in pos.values()]
    return (max(xs) - min(xs) + SLOT_W) if xs else 0.0


def _build(a: Analysis, view: View, principal: str, lang: str, cap: int, fanout: int, depth: int | None,
           marks: dict[str, str] | None = None) -> Tree:
    total = a.contracts_of(principal)
    b = _Builder(a, lang, cap, fanout, depth, marks)
    top = b.principal(principal)
    primes = a.primes_of[principal]
    if view.focus in a.ds.contract and a.graph.position[view.focus].root_principal_id == principal:
        path = a.graph.path(view.focus)
        above, parent = path[:-1], top
        if len(above) > MAX_ANCESTORS:
            elided = len(above) - MAX_ANCESTORS + 1
            b.elements.append({"data": {"id": "x", "kind": "elided",
                                        "label": t("tree.elided", b.lang, n=i18n.number(elided))}, "classes": "more"})
            b.edge(top, "x")
            above, parent = above[elided:], "x"
        for cid in above:
            parent = b.contract(cid, parent)
        focus = b.contract(view.focus, parent)
        _grow_top(b, focus, a.kids(view.focus), view.offset)
        return Tree(b.elements, "focus", b.shown, total)
    if view.group is not None:
        kids = [k for k in primes if a.ds.contract[k].delegatee_id == view.group]
        if kids:
            _grow_top(b, top, kids, view.offset)
            return Tree(b.elements, "group", b.shown, total)
    if 2 * total + 1 <= cap:
        _grow_top(b, top, primes, view.offset)
        return Tree(b.elements, "full" if b.shown == total else "principal", b.shown, total)
    _aggregate(b, top, principal, view.offset)
    return Tree(b.elements, "aggregate", b.shown, total)


def _grow_top(b: _Builder, node: str, kids: list[str], offset: int) -> None:
    """The view's top: its children from `offset` (a page of TOP_PAGE, as many as fit;
    「+N 件」 pages on), then below."""
    offset = offset if 0 <= offset < len(kids) else 0
    if offset:
        b.reserved += 2  # for the 「← 先頭へ」 node
    queue: deque[tuple[str, str, int]] = deque()
    i = b.place(node, kids, offset, TOP_PAGE, queue)
    if offset:
        b.reserved -= 2
        b.prev(node, kids[:offset])
    if i < len(kids):
        b.more(node, "__top__", kids[i:], i)
    b.expand(queue)


def _aggregate(b: _Builder, top: str, principal: str, offset: int) -> None:
    """One box per first-level contractor: its prime contracts' subtrees counted, worst colour."""
    a = b.a
    groups: dict[str, list[str]] = {}
    for k in a.primes_of[principal]:
        groups.setdefault(a.ds.contract[k].delegatee_id, []).append(k)
    orgs = sorted(groups, key=lambda o: -sum(a.subtree[k][0] for k in groups[o]))
    offset = offset if 0 <= offset < len(orgs) else 0
    budget = (b.cap - len(b.elements)) // 2 - 2
    for org in orgs[offset:offset + budget]:
        kids = groups[org]
        size = sum(a.subtree[k][0] for k in kids)
        gaps = sum(a.subtree[k][1] for k in kids)
        worst = max(a.subtree[k][2] for k in kids)
        sev = SEVERITY_ORDER[3 - worst] if worst >= 0 else "none"
        name = a.ds.org_name(org)
        gid = b._id("g")
        inside = i18n.severity(sev, b.lang) if sev != "none" else t("common.none", b.lang)
        label = t("tree.group", b.lang, name=fit(name, 24, 1), n=i18n.number(size), gaps=i18n.number(gaps))
        b.elements.append({"data": {"id": gid, "kind": "group", "org": org, "name": name, "count": size,
                                    "severity": sev, "depth": 1,
                                    "hover": f"{name} [{org}] · " + label.split("\n", 1)[-1].replace("\n", " · "),
                                    "label": label + "\n" + t("tree.worst_inside", b.lang, sev=inside)},
                           "classes": f"group sev-{sev}"})
        b.edge(top, gid)
    rest = orgs[offset + budget:]
    if rest:
        b.more(top, "__groups__", [k for o in rest for k in groups[o]], offset + budget)


# ---- layout: row = level, computed here (cytoscape's "preset" layout) ---------------------------
SLOT_W = 160  # horizontal slot per node
LEVEL_H = 130  # vertical distance between levels: a contract of depth d sits at y = d * LEVEL_H
GUTTER_W = 130  # the level gutter's least width, left of the leftmost node (wider for longer level names)
BAND_FONT = 12


def levels(elements: list[dict[str, Any]], root: str = "p") -> dict[str, int]:
    """Each node's level (row): a contract's depth, the principal 0, a 「+N 件」/group box one below
    its parent, the elided path marker one above the first contract under it."""
    kids: dict[str, list[str]] = {}
    depth = {e["data"]["id"]: e["data"].get("depth") for e in elements if "source" not in e["data"]}
    for e in elements:
        d = e["data"]
        if "source" in d:
            kids.setdefault(d["source"], []).append(d["target"])
    out = {root: 0}
    todo = [root]
    while todo:
        n = todo.pop()
        for k in kids.get(n, ()):
            if depth.get(k) is not None:
                out[k] = depth[k]
            elif k == "x":  # the elided stretch of a long path
                below = kids.get(k, [])
                out[k] = (depth.get(below[0]) or out[n] + 2) - 1 if below else out[n] + 1
            else:
                out[k] = out[n] + 1
            todo.append(k)
    return out


def positions(elements: list[dict[str, Any]], root: str = "p") -> tuple[dict[str, tuple[float, float]], set[str]]:
    """Node positions: y = level * LEVEL_H (every node of one level in one row, never wrapped),
    leaves side by side in pre-order, each parent centred over its children. Iterative: any depth.
    (The second value, nodes laid out in blocks, is always empty since rows stopped wrapping.)"""
    kids: dict[str, list[str]] = {}
    for e in elements:
        d = e["data"]
        if "source" in d:
            kids.setdefault(d["source"], []).append(d["target"])
    level = levels(elements, root)
    order: list[str] = []
    todo = [root]
    while todo:  # pre-order
        n = todo.pop()
        order.append(n)
        todo.extend(reversed(kids.get(n, [])))
    xs: dict[str, float] = {}
    slot = 0
    for n in order:  # leaves get the next slot, left to right
        if not kids.get(n):
            xs[n] = slot * SLOT_W
            slot += 1
    for n in reversed(order):  # post-order: parents centred over their children
        ks = kids.get(n)
        if ks:
            xs[n] = (xs[ks[0]] + xs[ks[-1]]) / 2
    return {n: (xs[n], level.get(n, 0) * LEVEL_H) for n in order}, set()


def place(elements: list[dict[str, Any]], lang: str = "ja") -> list[dict[str, Any]]:
    """Give every node its position (cytoscape's preset layout: no layout work in the browser) and
    add the level gutter: one label per row (委託 / 再委託 / 再々委託 / 第4階層 …) left of the tree."""
    pos, _ = positions(elements)
    level = levels(elements)
    for e in elements:
        d = e["data"]
        if "source" not in d and d["id"] in pos:
            x, y = pos[d["id"]]
            e["position"] = {"x": round(x, 1), "y": round(y, 1)}
            d["level"] = level.get(d["id"], 0)
    if pos:
        labels = {lv: i18n.level(lv, lang) for lv in sorted({level[n] for n in pos if n in level and level[n] > 0})}
        gutter = max([GUTTER_W] + [label_px(label) + 24 for label in labels.values()])  # every label on one line
        left = min(x for x, _ in pos.values()) - SLOT_W / 2 - gutter / 2
        for lv, label in labels.items():
            elements.append({"data": {"id": f"band{lv}", "kind": "band", "level": lv, "depth": lv,
                                      "label": label, "w": gutter - 10},
                             "position": {"x": round(left, 1), "y": lv * LEVEL_H}, "classes": "band",
                             "selectable": False, "grabbable": False})
    return elements


def label_px(text: str, size: int = BAND_FONT) -> int:
    """A generous width of `text` in bold `size` px: a CJK character is `size` wide, others 0.62 of it."""
    return round(sum(size if _cells(ch) == 2 else 0.62 * size for ch in text))


def next_view(view: View, node: dict[str, Any] | None) -> View | None:
    """Where a click on a node leads: a group box loads its subtree, 「+N 件」 expands, the
    principal goes back to the whole tree. None: the click only selects (a contract)."""
    if not node:
        return None
    kind = node.get("kind")
    if kind == "group":
        return View(view.principal, group=node.get("org"))
    if kind == "principal":
        return View(view.principal)
    if kind == "prev":
        return View(view.principal, view.group, view.focus, 0)
    if kind == "elided":
        return None
    if kind == "more":
        parent = node.get("parent_contract")
        if parent in ("__top__", "__groups__") or parent is None:
            return View(view.principal, view.group, view.focus, int(node.get("next_offset") or 0))
        if parent == view.focus:
            return View(view.principal, view.group, view.focus, int(node.get("next_offset") or 0))
        return View(view.principal, focus=parent)
    return None


FONTS = "Noto Sans CJK JP, Noto Sans JP, Meiryo, Yu Gothic, Hiragino Sans, sans-serif"
MIN_FONT = 10  # CSS px: the initial zoom never draws a label smaller (see assets' chains.js)
NODE_FONT = 11


def stylesheet() -> list[dict[str, Any]]:
    base = [
        {"selector": "node", "style": {
            "label": "data(label)", "text-wrap": "wrap", "text-valign": "center", "text-halign": "center",
            "font-size": NODE_FONT, "font-family": FONTS, "color": "#1a1a1a", "line-height": 1.15,
            "shape": "round-rectangle", "width": 150, "height": 72, "background-color": "#ffffff",
            "border-width": 3, "border-color": SEVERITY_COLOURS["none"], "text-max-width": 146}},
        {"selector": "edge", "style": {"width": 1.5, "line-color": "#8a97a5", "target-arrow-color": "#8a97a5",
                                       "target-arrow-shape": "triangle", "arrow-scale": 0.8, "curve-style": "taxi", "events": "no",
                                       "taxi-direction": "downward", "taxi-turn": "50%", "z-index": 1}},
        {"selector": "edge.unapproved", "style": {"line-color": "#c62828", "target-arrow-color": "#c62828",
                                                  "line-style": "dashed", "line-dash-pattern": [7, 4], "width": 2.5}},
        {"selector": "edge.on-path", "style": {"line-color": "#1f3a5f", "target-arrow-color": "#1f3a5f", "width": 4}},
        {"selector": "edge.unapproved.on-path", "style": {"line-color": "#c62828", "target-arrow-color": "#c62828"}},
        {"selector": ".principal", "style": {"background-color": "#1f3a5f", "color": "#ffffff", "border-color": "#1f3a5f",
                                             "font-size": 12, "font-weight": "bold", "width": 170, "height": 48}},
        {"selector": ".group", "style": {"width": 150, "height": 72, "border-style": "double", "border-width": 6}},
        {"selector": ".more", "style": {"shape": "round-tag", "background-color": "#eceff1", "border-style": "dashed",
                                        "border-color": "#607d8b", "width": 130, "height": 44, "font-weight": "bold"}},
        {"selector": ".inactive", "style": {"opacity": 0.55, "border-style": "dotted"}},
        {"selector": ".band", "style": {"shape": "rectangle", "width": "data(w)", "height": LEVEL_H - 20,
                                        "background-color": "#eef2f6", "border-width": 0, "color": "#1f3a5f",
                                        "font-size": BAND_FONT, "font-weight": "bold", "events": "no", "text-wrap": "none"}},
        {"selector": "node.on-path", "style": {"border-width": 5, "underlay-color": "#1f3a5f", "underlay-padding": 4,
                                               "underlay-opacity": 0.25}},
        {"selector": "node:selected", "style": {"overlay-color": "#1f3a5f", "overlay-opacity": 0.15, "border-width": 6}},
    ]
    from .compare import stylesheet as compare_marks

    base[-2:-2] = compare_marks()  # before the path and selection styles, which stay on top
    for sev, colour in SEVERITY_COLOURS.items():
        fill = {"critical": "#ffebee", "high": "#fff3e0", "medium": "#fffde7", "low": "#e1f5fe", "none": "#e8f5e9"}[sev]
        base.append({"selector": f".contract.sev-{sev}, .group.sev-{sev}",
                     "style": {"border-color": colour, "background-color": fill}})
        base.append({"selector": f".more.sev-{sev}", "style": {"border-color": colour}})
    return base


# Positions come from `positions` (computed here, so cytoscape.js does no layout work).
LAYOUT = {"name": "preset", "fit": False, "animate": False}


def severity_rank(sev: str | None) -> int:
    return SEVERITY_RANK.get(sev or "", -1)
