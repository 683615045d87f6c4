"""Unit tests of issue 14's plain functions: the server-side findings grid, the exports, the gap
figures (value labels that never overlap, integer count axes)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, gen_datasets

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from dash_helpers import REPO
from dashboard import charts, data, exports, gaps, grid
from dashboard.data import Analyzer, StaticSource
from gen_datasets import hostile_dataset

AS_OF = date(2026, 11, 1)
EXAMPLE = REPO / "examples" / "city-resident-tax"


@pytest.fixture(scope="module")
def example():
    return Analyzer(data.FolderSource(EXAMPLE)).get(AS_OF)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A generated 20,000-contract dataset (itaku generate: every kind of gap, 8 levels)."""
    from synthetic.generate import generate

    out = tmp_path_factory.mktemp("g20k") / "g20k"
    generate(out, 20_000, seed=1)
    return Analyzer(data.FolderSource(out)).get(AS_OF)


@pytest.fixture(scope="module")
def hostile():
    return Analyzer(StaticSource(hostile_dataset())).get(AS_OF)


# ---- the grid ----------------------------------------------------------------------------------
def test_the_default_order_is_severity_then_path(example):
    tbl = grid.table(example, "ja")
    ranks = [r["severity_rank"] for r in tbl.rows]
    assert ranks == sorted(ranks, reverse=True) and len(tbl.rows) == len(example.report.findings)
    order = {cid: i for i, cid in enumerate(example.order)}
    for a, b in zip(tbl.findings, tbl.findings[1:]):
        if a.severity == b.severity:
            assert order[a.contract_id] <= order[b.contract_id]


def test_filters_select_exactly_the_matching_findings(big):
    tbl = grid.table(big, "ja")
    fs = big.report.findings
    medium = next(f for f in reversed(fs) if f.severity == "medium")
    q = grid.Query.make(filter_model={"contract_id": {"filterType": "text", "type": "contains",
                                                      "filter": medium.contract_id.lower()}})
    got = [tbl.findings[i] for i in grid.select(tbl, q)]
    assert medium in got and all(medium.contract_id.lower() in f.contract_id.lower() for f in got)
    assert len(got) == sum(1 for f in fs if medium.contract_id.lower() in f.contract_id.lower())
    deepest = max(f.depth for f in fs)
    assert grid.levels_present(big)[-1] == deepest and deepest > 3
    q = grid.Query.make(levels=[deepest], families=["approval"])
    got = [tbl.findings[i] for i in grid.select(tbl, q)]
    assert got and all(f.depth == deepest and grid.rule_family(f.rule) == "approval" for f in got)
    assert len(got) == sum(1 for f in fs if f.depth == deepest and grid.rule_family(f.rule) == "approval")
    # two conditions joined by OR, and a sort by contract descending
    q = grid.Query.make(filter_model={"severity": {"filterType": "text", "operator": "OR", "conditions": [
        {"filterType": "text", "type": "equals", "filter": "重大"}, {"filterType": "text", "type": "equals", "filter": "低"}]}},
        sort_model=[{"colId": "contract_id", "sort": "desc"}])
    idx = grid.select(tbl, q)
    assert {tbl.findings[i].severity for i in idx} == {"critical", "low"} or {tbl.findings[i].severity for i in idx} <= {"critical", "low"}
    assert len(idx) == sum(1 for f in fs if f.severity in ("critical", "low"))
    ids = [tbl.rows[i]["contract_id"].casefold() for i in idx]
    assert ids == sorted(ids, reverse=True)


def test_a_known_contract_id_matches_exactly(example):
    tbl = grid.table(example, "en")
    idx = grid.select(tbl, grid.Query.make(contract="K-104"))
    assert idx and {tbl.rows[i]["contract_id"] for i in idx} == {"K-104"}
    assert grid.select(tbl, grid.Query.make(contract="k-10")) != []  # a part of an id: contains


def test_the_rows_callback_serves_any_page_of_the_whole_result(big):
    from dashboard.app import create_app

    app = create_app(StaticSource(big.ds), as_of=AS_OF)
    client = app.server.test_client()
    key = next(k for k in app.callback_map if "fi-grid.getRowsResponse" in k)
    spec = app.callback_map[key]
    fm = {"message": {"filterType": "text", "type": "contains", "filter": "承認"}}
    values = {"fi-grid": {"startRow": 100, "endRow": 150, "filterModel": fm, "sortModel": []},
              "lang": "ja", "as-of": AS_OF.isoformat(), "policy": "data"}
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in spec["inputs"]]
    states = [{"id": s["id"], "property": s["property"], "value": values.get(s["id"])} for s in spec["state"]]
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in key.strip(".").split("...")]
    resp = client.post("/_dash-update-component", json={"output": key, "outputs": outputs, "inputs": inputs,
                                                         "state": states, "changedPropIds": ["fi-grid.getRowsRequest"]})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    body = resp.get_json()["response"]
    expected = [f for f in grid.table(big, "ja").findings if "承認" in f.message["ja"]]
    assert body["fi-grid"]["getRowsResponse"]["rowCount"] == len(expected) > 150
    assert [(r["contract_id"], r["rule"]) for r in body["fi-grid"]["getRowsResponse"]["rowData"]] == \
        [(f.contract_id, f.rule) for f in expected[100:150]]
    assert body["fi-count-text"]["data-count"] == str(len(expected))


# ---- exports -----------------------------------------------------------------------------------
def test_exports_speak_the_users_language_and_flatten_details(example):
    for lang, first in (("ja", "重大度"), ("en", "Severity")):
        tbl = grid.table(example, lang)
        idx = grid.select(tbl, grid.Query())
        wb = load_workbook(io.BytesIO(exports.export_xlsx(example, tbl, idx, grid.Query(), lang)))
        sheet = wb.worksheets[1]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == first and len(rows) == len(idx) + 1
        assert all(not str(h).startswith("{") for h in rows[0])
        details = [h for h in rows[0] if str(h).startswith(("詳細: ", "detail: "))]
        assert details  # one column per detail key, no JSON blob
        assert not any(str(v).startswith("{") for r in rows[1:] for v in r if v)
        sev = rows[0].index(first)
        assert {r[sev] for r in rows[1:]} <= ({"重大", "高", "中", "低"} if lang == "ja" else {"critical", "high", "medium", "low"})
    ja = grid.table(example, "ja")
    idx = grid.select(ja, grid.Query())
    assert exports.export_csv(ja, idx, "ja").startswith("\ufeff重大度".encode("utf-8"))
    assert exports.export_csv(ja, idx, "ja", "cp932").decode("cp932").startswith("重大度,ルール")


def test_exports_neutralise_formulas(hostile):
    tbl = grid.table(hostile, "ja")
    idx = grid.select(tbl, grid.Query())
    text = exports.export_csv(tbl, idx, "ja").decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@"))
    wb = load_workbook(io.BytesIO(exports.export_xlsx(hostile, tbl, idx, grid.Query(), "ja")))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"


# ---- figures: labels that never overlap, integer axes -------------------------------------------
def share_label_boxes(fig, plot_w: int = charts.MIN_PLOT_W):
    """Every value label of a horizontal 100 % bar chart as (row, x0, x1) in px, with its segment."""
    boxes, ends = [], {}
    for tr in fig.data:
        for i, (y, x) in enumerate(zip(tr.y, tr.x)):
            x0 = ends.get(y, 0.0)
            ends[y] = x0 + x
            text = tr.text[i] if tr.text is not None else ""
            if text:
                w = charts.text_width(text)
                seg0, seg1 = x0 / 100 * plot_w, (x0 + x) / 100 * plot_w
                mid = (seg0 + seg1) / 2
                boxes.append((y, mid - w / 2, mid + w / 2, seg0, seg1))
    return boxes


@pytest.mark.parametrize("which", ["example", "big"])
def test_share_labels_fit_their_segments_and_never_overlap(which, request):
    a = request.getfixturevalue(which)
    for fig in (charts.gaps_figure(gaps.family_by_level(a), "ja"), charts.coverage_share_figure(data.coverage(a), "en")):
        boxes = share_label_boxes(fig)
        assert boxes
        for y, x0, x1, s0, s1 in boxes:
            assert s0 <= x0 and x1 <= s1, (y, x0, x1, s0, s1)
        for i, b in enumerate(boxes):
            for c in boxes[i + 1:]:
                assert b[0] != c[0] or b[2] <= c[1] or c[2] <= b[1], (b, c)
        # rows far enough apart for one line of text
        rows = len({b[0] for b in boxes})
        assert (fig.layout.height - 90) / max(rows, 1) >= charts.FONT_SIZE * 2
        # totals: each level's segments add up to 100 %
        per: dict = {}
        for tr in fig.data:
            for y, x in zip(tr.y, tr.x):
                per[y] = per.get(y, 0) + x
        assert all(abs(v - 100) < 1e-6 or v == 0 for v in per.values())


@pytest.mark.parametrize("which", ["example", "big"])
def test_outside_labels_stay_inside_the_axis(which, request):
    a = request.getfixturevalue(which)
    fig = charts.rule_figure(data.rule_counts(a), "ja")
    bar = fig.data[0]
    top = fig.layout.xaxis.range[1]
    w = charts.MIN_PLOT_W / 2
    for x, text in zip(bar.x, bar.text):
        assert x / top * w + charts.text_width(text) + 3 <= w, (x, text, top)
    assert 26 >= charts.FONT_SIZE * 1.5  # row pitch of the rule chart vs one line of text
    sev = charts.severity_figure(data.counts(a)["by_severity"], "ja")
    plot_h = sev.layout.height - 34
    for y in sev.data[0].y:
        assert y / sev.layout.yaxis.range[1] * plot_h + charts.FONT_SIZE + 4 <= plot_h


def _integer(axis) -> bool:
    return axis.tickformat == ",d" and isinstance(axis.dtick, int) and axis.dtick >= 1


@pytest.mark.parametrize("which", ["example", "big"])
def test_count_axes_have_integer_ticks(which, request):
    a = request.getfixturevalue(which)
    assert _integer(charts.rule_figure(data.rule_counts(a), "ja").layout.xaxis)
    assert _integer(charts.severity_figure(data.counts(a)["by_severity"], "ja").layout.yaxis)
    p, c = charts.concentration_figures(data.concentration_rows(a), "en")
    assert _integer(p.layout.xaxis) and _integer(c.layout.xaxis)
    assert _integer(charts.schedule_figure(gaps.schedule_months(a), a.as_of.isoformat(), "ja").layout.yaxis)
    for n in (1, 3, 7, 40, 754, 9220):
        assert charts.int_axis(n)["dtick"] >= 1 and n / charts.int_axis(n)["dtick"] <= 10


def test_clicks_lead_to_the_filtered_grid(example):
    fig = charts.gaps_figure(gaps.family_by_level(example), "ja")
    approval = next(tr for tr in fig.data if tr.meta == "approval")
    target = charts.link_of({"points": [{"customdata": list(approval.customdata[1])}]})
    assert target == "/findings?level=2&family=approval"
    heat = charts.heat_figure(gaps.level_rule_matrix(example), "en")
    assert charts.link_of({"points": [{"customdata": heat.data[0].customdata[0][0]}]}).startswith("/findings?rule=")


def test_schedule_months_by_level_add_up(big):
    months = gaps.schedule_months(big)
    rows = big.query("inspection-schedule")
    assert sum(sum(m["by_level"].values()) for m in months) == len(rows)
    assert sum(m["overdue"] for m in months) == sum(1 for r in rows if r["overdue"])
    fig = charts.schedule_figure(months, big.as_of.isoformat(), "en")
    step = int(fig.layout.xaxis.dtick[1:])
    assert len(months) / step <= 16 and fig.layout.xaxis.tickangle == 0


def test_the_level_matrix_keeps_every_level(big):
    m = gaps.level_rule_matrix(big)
    assert m["depths"] == sorted({p.depth for p in big.graph.position.values()})
    fig = charts.heat_figure(m, "ja")
    assert len(fig.data[0].x) == len(m["depths"])
