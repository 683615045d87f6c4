"""JSON text exactly as `json.dump(obj, out, ensure_ascii=False, indent=1)` writes it, faster.

With an indent, the json module always takes its pure-Python encoder (~100 µs per finding), and
`Report.as_dict()` first deep-copies every finding (dataclasses.asdict). At a million contracts
that was a minute of `itaku check --format json`. Here strings go through json's own C
`encode_basestring`, the layout is built in one recursive pass, findings are read field by field
(as asdict would) without copying, and each finding is written as it is encoded. Anything
unusual (non-string keys, other types) is handed to the json module itself, re-indented.
tests/bench/test_jsonout.py checks the bytes against json.dump.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, fields, is_dataclass
from json.encoder import encode_basestring  # the C implementation where available
from typing import Any, TextIO

_INF = float("inf")


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return float.__repr__(o)


def encode(o: Any, level: int, parts: list[str], asdict_: bool = False) -> None:
    """Append the text of `o`, nested `level` deep (indent 1), to `parts`. With `asdict_`, a
    dataclass instance is encoded as `dataclasses.asdict` turns it into a dict."""
    t = type(o)
    if t is str:
        parts.append(encode_basestring(o))
    elif t is int:
        parts.append(int.__repr__(o))
    elif t is dict and all(type(k) is str for k in o):
        if not o:
            parts.append("{}")
            return
        inner = "\n" + " " * (level + 1)
        sep = "{" + inner
        for k, v in o.items():
            if type(v) is str:
                parts.append(sep + encode_basestring(k) + ": " + encode_basestring(v))
            else:
                parts.append(sep + encode_basestring(k) + ": ")
                encode(v, level + 1, parts, asdict_)
            sep = "," + inner
        parts.append("\n" + " " * level + "}")
    elif t is list or t is tuple:
        if not o:
            parts.append("[]")
            return
        inner = "\n" + " " * (level + 1)
        sep = "[" + inner
        for v in o:
            if type(v) is str:
                parts.append(sep + encode_basestring(v))
            else:
                parts.append(sep)
                encode(v, level + 1, parts, asdict_)
            sep = "," + inner
        parts.append("\n" + " " * level + "]")
    elif isinstance(o, str):
        parts.append(encode_basestring(o))
    elif o is None:
        parts.append("null")
    elif o is True:
        parts.append("true")
    elif o is False:
        parts.append("false")
    elif isinstance(o, int):
        parts.append(int.__repr__(o))
    elif isinstance(o, float):
        parts.append(_float(o))
    elif isinstance(o, (list, tuple)) or (isinstance(o, dict) and all(type(k) is str for k in o)):
        encode(list(o) if isinstance(o, (list, tuple)) else dict(o), level, parts, asdict_)
    elif asdict_ and is_dataclass(o) and not isinstance(o, type):
        encode(asdict(o), level, parts)
    else:  # the json module's own rules (and errors), shifted to this depth
        parts.append(json.dumps(o, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level))


def encode_dataclass(o: Any, level: int, parts: list[str]) -> None:
    """`o` as `json` encodes `dataclasses.asdict(o)`, without copying it first."""
    encode({f.name: getattr(o, f.name) for f in fields(o)}, level, parts, asdict_=True)


def write_report(report, out: TextIO, findings: Iterable | None = None) -> None:
    """`json.dump(report.as_dict(), out, ensure_ascii=False, indent=1)`, finding by finding. With
    `findings` (an iterable, in report order), those are written instead of report.findings, each
    as it comes, and the summary is tallied on the way: none of them is kept."""
    from graph.rules.findings import Tally

    write = out.write
    write("{\n " + encode_basestring("as_of") + ": " + encode_basestring(report.as_of.isoformat())
          + ",\n " + encode_basestring("findings") + ": ")
    tally = Tally()
    sep = "[\n  "
    for f in map(tally.add, report.findings if findings is None else findings):
        parts = [sep]
        encode_dataclass(f, 2, parts)
        write("".join(parts))
        sep = ",\n  "
    write("[]" if sep == "[\n  " else "\n ]")
    parts = [",\n " + encode_basestring("summary") + ": "]
    encode(tally.summary(report), 1, parts)
    parts.append("\n}")
    write("".join(parts))
