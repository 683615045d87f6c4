"""Chain diagrams as inline SVG, laid out here (server side): no script, no font or library to fetch.

A tree reads left to right: the principal, then each level of delegation in its own column.
Leaves take consecutive rows; a parent sits level with the middle of its children.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from loaders.vocab import level_label

from .data import Node

W, H = 208, 48  # node box
COL, ROW = 236, 58  # column and row pitch
PAD = 12
COLOURS = {  # stroke, fill
    "critical": ("#b71c1c", "#fdecea"), "high": ("#d84315", "#fff1e6"), "medium": ("#a17800", "#fff9db"),
    "low": ("#0277bd", "#e6f4fb"), None: ("#2e7d32", "#eaf5ea"), "principal": ("#37474f", "#eceff1"),
}


def _fit(text: str, width_units: int) -> str:
    """Cut a label to `width_units` half-width units (CJK counts 2), with an ellipsis."""
    import unicodedata

    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WFA" else 1
        if used + w > width_units:
            return out.rstrip() + "…"
        out, used = out + ch, used + w
    return out


def short_level(depth: int, lang: str) -> str:
    """委託 / 再委託 / 再々委託 / 第4階層, or "level 2": short enough for a diagram box."""
    if lang == "en":
        return f"level {depth}"
    return level_label(depth)["ja"] if depth <= 3 else f"第{depth}階層"


def chain_svg(principal_name: str, principal_id: str, chains: list[Node], lang: str, labels: dict) -> Markup:
    root = Node(None, principal_name, principal_id, 0, children=chains)
    # Layout: iterative post-order; y of a leaf = next free row, of a parent = middle of its children.
    pos: dict[int, tuple[float, float]] = {}
    next_row = [0]
    stack: list[tuple[Node, bool]] = [(root, False)]
    max_depth = 0
    while stack:
        node, done = stack.pop()
        max_depth = max(max_depth, node.depth)
        if not done and node.children:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.children))
            continue
        if node.children:
            ys = [pos[id(c)][1] for c in node.children]
            y = (ys[0] + ys[-1]) / 2
        else:
            y = next_row[0] * ROW
            next_row[0] += 1
        pos[id(node)] = (node.depth * COL, y)
    width = (max_depth + 1) * COL - (COL - W) + 2 * PAD
    height = max(next_row[0], 1) * ROW - (ROW - H) + 2 * PAD
    edges: list[str] = []
    boxes: list[str] = []
    stack2 = [root]
    while stack2:
        node = stack2.pop()
        x, y = pos[id(node)]
        x, y = x + PAD, y + PAD
        for child in node.children:
            cx, cy = pos[id(child)]
            cx, cy = cx + PAD, cy + PAD
            x1, y1, x2, y2 = x + W, y + H / 2, cx, cy + H / 2
            mid = (x1 + x2) / 2
            cls = "edge unapproved" if child.unapproved else "edge"
            style = ('stroke="#c62828" stroke-width="2.2" stroke-dasharray="7 4"' if child.unapproved
                     else 'stroke="#90a4ae" stroke-width="1.4"')
            edges.append(f'<path class="{cls}" d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
                         f'fill="none" {style}/>')
            stack2.append(child)
        boxes.append(_box(node, x, y, lang, labels))
    title = escape(f"{labels['chains']}: {principal_name}")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chain" role="img" aria-label="{title}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">'
        + "".join(edges) + "".join(boxes) + "</svg>")


def _box(node: Node, x: float, y: float, lang: str, labels: dict) -> str:
    if node.contract_id is None:
        stroke, fill = COLOURS["principal"]
        line1 = f"{labels['principal']} {node.org_id}"
        tip = f"{node.name} ({node.org_id})"
    else:
        stroke, fill = COLOURS[node.worst]
        line1 = f"{node.contract_id} · {short_level(node.depth, lang)}"
        tip = f"{node.contract_id} {node.title}\n{node.name} ({node.org_id})"
        if node.findings:
            tip += f"\n{labels['findings']}: {node.findings}"
        if node.unapproved:
            tip += f"\n{labels['unapproved_mark']}"
    dash = ' stroke-dasharray="6 3"' if node.unapproved else ""
    parts = [f'<g class="node" data-contract="{escape(node.contract_id or "")}" data-severity="{escape(node.worst or "")}">',
             f"<title>{escape(tip)}</title>",
             f'<rect x="{x:.0f}" y="{y:.0f}" width="{W}" height="{H}" rx="6" fill="{fill}" stroke="{stroke}" '
             f'stroke-width="{2.4 if node.unapproved else 1.6}"{dash}/>',
             f'<text x="{x + 10:.0f}" y="{y + 18:.0f}" class="l1" fill="{stroke}">{escape(_fit(line1, 20 if node.my_number else 28))}</text>',
             f'<text x="{x + 10:.0f}" y="{y + 37:.0f}" class="l2">{escape(_fit(node.name, 30 if not node.findings else 26))}</text>']
    if node.findings:
        parts.append(f'<circle cx="{x + W - 16:.0f}" cy="{y + 30:.0f}" r="10" fill="{stroke}"/>'
                     f'<text x="{x + W - 16:.0f}" y="{y + 34:.0f}" class="badge" text-anchor="middle">{node.findings}</text>')
    if node.my_number:
        parts.append(f'<text x="{x + W - 8:.0f}" y="{y + 14:.0f}" class="mn" text-anchor="end">{escape(labels["my_number_mark"])}</text>')
    parts.append("</g>")
    return "".join(parts)
