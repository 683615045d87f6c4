"""itaku.jsonout writes exactly the bytes of json.dump(report.as_dict(), ensure_ascii=False, indent=1)."""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from enum import Enum

import pytest

from graph.rules import Engine
from graph.rules.findings import Finding, Report
from synthetic.generate import generate
from itaku.jsonout import write_report
from itaku.output import write_json
from loaders import load_dataset

REPO_EXAMPLES = ("city-resident-tax", "ward-designated-managers")


def reference(report: Report) -> str:
    buf = io.StringIO()
    json.dump(report.as_dict(), buf, ensure_ascii=False, indent=1)
    return buf.getvalue()


def ours(report: Report) -> str:
    buf = io.StringIO()
    write_report(report, buf)
    return buf.getvalue()


@pytest.mark.parametrize("name", REPO_EXAMPLES)
def test_examples(name):
    from itaku.settings import EXAMPLES, EXAMPLES_AS_OF

    report = Engine().run(load_dataset(EXAMPLES / name), EXAMPLES_AS_OF)
    assert report.findings
    assert ours(report) == reference(report)


def test_generated(tmp_path):
    generate(tmp_path / "g", 2000, seed=4)
    report = Engine().run(load_dataset(tmp_path / "g"), date(2026, 11, 1))
    assert len(report.findings) > 100
    assert ours(report) == reference(report)
    buf = io.StringIO()
    write_json(report, buf)
    assert buf.getvalue() == reference(report) + "\n"


class Colour(str, Enum):
    red = "red"


@dataclass
class Inner:
    a: int
    b: list


def finding(details) -> Finding:
    return Finding("r", "high", "K-1", 2, "CITY", "A", "B", ["K-0", "K-1"], details, ["x 1", "y 2"],
                   {"ja": "改行\nと\"引用\"\t・\u2028", "en": "</script> \\ \x00"})


@pytest.mark.parametrize("details", [
    {}, {"missing": []}, {"a": {}, "b": [[], {}], "c": None, "d": True, "e": False, "f": 0, "g": -12, "h": 1.5,
                          "i": float("nan"), "j": float("inf"), "k": -float("inf"), "l": 1e300, "m": (1, "2")},
    {"nested": {"deep": [{"x": [1, [2, [3]]]}]}}, {1: "int key", None: "none key", 2.5: "float key"},
    {"enum": Colour.red, Colour.red: "enum key"}, {"inner": Inner(1, [Inner(2, [])])}, {"list": [Inner(3, ["z"])]},
])
def test_unusual_details(details):
    report = Report(date(2026, 11, 1), [finding(details), finding({"plain": "ok"})], 2, ["baseline"])
    assert ours(report) == reference(report)


def test_empty_report():
    report = Report(date(2026, 11, 1), [], 0)
    assert ours(report) == reference(report)


def test_unserialisable_raises_like_json():
    report = Report(date(2026, 11, 1), [finding({"when": date(2026, 1, 1)})], 1)
    with pytest.raises(TypeError):
        reference(report)
    with pytest.raises(TypeError):
        ours(report)
