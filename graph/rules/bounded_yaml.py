"""YAML from a user's file (a policy pack, an ignore file), read with bounds.

YAML aliases let a few hundred bytes stand for billions of nodes ("billion laughs"): PyYAML
shares the aliased objects, but whatever walks the result (validation, an error message quoting
it) pays for every expansion. The node graph is therefore measured before anything is built:
more than MAX_NODES nodes once aliases are expanded, or a file over MAX_BYTES, is refused.
"""
from __future__ import annotations

from pathlib import Path

import yaml

MAX_BYTES = 1 << 20  # a policy pack or an ignore file is a few kilobytes
MAX_NODES = 100_000  # YAML nodes, aliases expanded
MAX_MESSAGE = 2000  # characters of a parser's or validator's message quoted back


class YamlBoundsError(ValueError):
    pass


def load_bounded(path: Path) -> object:
    """The YAML document in `path`. Raises OSError, UnicodeDecodeError, yaml.YAMLError or
    YamlBoundsError (too large, or aliases expanding past MAX_NODES)."""
    with open(path, "rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise YamlBoundsError(f"larger than {MAX_BYTES // 1024} KB")
    loader = yaml.SafeLoader(raw.decode("utf-8"))
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise YamlBoundsError("nested too deeply") from None
        if node is None:
            return None
        if _expanded_size(node) > MAX_NODES:
            raise YamlBoundsError(f"its aliases (*name) expand to more than {MAX_NODES:,} values "
                                  "(an alias bomb?); write the values out")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node) -> int:
    """Nodes under `root` with every alias expanded, counted without expanding (each distinct node
    once, iteratively), stopping once past MAX_NODES."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if done or not children:
            size[id(node)] = min(MAX_NODES + 1, 1 + sum(size.get(id(c), 0) for c in children))
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def short(message: object) -> str:
    """A parser's or validator's message, cut to MAX_MESSAGE characters (it may quote the input)."""
    text = str(message)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + f"… ({len(text):,} characters)"
