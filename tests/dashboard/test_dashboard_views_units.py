"""The dashboard's per-analysis views (dashboard.data.memo, the grid's column indexes, the export
cells, the report download): what makes a callback a lookup gives exactly what the direct
computation gives."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # test_dashboard_part2_units

import pytest
from dash import html

from dashboard import data, grid, i18n
from test_dashboard_part2_units import AS_OF, EXAMPLE, example  # noqa: F401  (example: a fixture)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A generated 3,000-contract dataset (every kind of gap, several levels)."""
    from synthetic.generate import generate

    generate(out := tmp_path_factory.mktemp("g3k") / "g3k", 3_000, seed=2)
    return data.Analyzer(data.FolderSource(out)).get(AS_OF)


def test_exposure_from_the_index_is_the_query(example, small):
    for a in (example, small):
        orgs = {c.delegatee_id for c in a.ds.contracts} | {next(iter(a.ds.org))}
        for org in sorted(orgs):
            assert data.exposure(a, org) == a.query("exposure", org=org), org


def test_memo_computes_once_per_analysis_and_key(example):
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(data.memo(example, "test-slow", slow))) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 1 and len({id(g) for g in got}) == 1
    assert data.memo(example, "test-slow", slow) is got[0] and len(calls) == 1


def _reference(tbl: grid.FindingTable, q: grid.Query) -> list[int]:
    """The grid's selection row by row, as AG Grid's own client-side filter and sort would."""
    def text_ok(r, col, m):
        if "conditions" in m:
            parts = [text_ok(r, col, c) for c in m["conditions"]]
            return any(parts) if m.get("operator") == "OR" else all(parts)
        if m.get("filterType") == "number":
            return col in r and grid.NUMBER_OPS[m["type"]](r[col], m.get("filter"), m.get("filterTo"))
        return grid.TEXT_OPS[m["type"]](str(r.get(col, "")).casefold(), str(m["filter"]).casefold())

    idx = [r["i"] for r in tbl.rows
           if (not q.rules or r["rule"] in q.rules) and (not q.severities or r["sev"] in q.severities)
           and (not q.levels or r["depth"] in q.levels) and (not q.families or r["family"] in q.families)
           and all(text_ok(r, col, m) for col, m in q.filter_dict.items())]
    for col, direction in reversed(q.sort_model):
        key = grid.SORT_KEYS.get(col, col)
        idx.sort(key=lambda i: grid._sortable(tbl.rows[i][key]), reverse=direction == "desc")
    return idx


def test_selections_from_the_column_indexes_match_row_by_row(small):
    tbl = grid.warm(grid.table(small, "en"))
    text = {"filterType": "text", "type": "contains"}
    first = tbl.rows[len(tbl.rows) // 2]["delegatee"][:1]
    queries = [
        grid.Query.make(filter_model={"message": {**text, "filter": "Approv"}}),
        grid.Query.make(filter_model={"delegatee": {**text, "type": "startsWith", "filter": first}},
                        sort_model=[{"colId": "delegatee", "sort": "desc"}, {"colId": "level", "sort": "asc"}]),
        grid.Query.make(filter_model={"message": {"operator": "OR", "conditions": [
            {**text, "filter": "inspect"}, {**text, "type": "endsWith", "filter": "."}]}},
            sort_model=[{"colId": "severity", "sort": "asc"}]),
        grid.Query.make(filter_model={"depth": {"filterType": "number", "type": "greaterThan", "filter": 2}},
                        sort_model=[{"colId": "contract_id", "sort": "desc"}]),
        grid.Query.make(levels=[2, 3], families=["approval", "clauses"], severities=["high", "medium"],
                        filter_model={"title": {**text, "type": "notContains", "filter": "x"}},
                        sort_model=[{"colId": "principal", "sort": "asc"}]),
        grid.Query.make(sort_model=[{"colId": "rule_title", "sort": "desc"}]),
    ]
    for q in queries:
        got = grid.select(tbl, q)
        assert got == _reference(tbl, q), q
        assert got, q


def test_the_print_table_is_the_components_json(example):
    from dashboard.app import create_app

    create_app(EXAMPLE, warm=False)  # (the pages register only within an app)
    from dashboard.pages import findings as page

    tbl = grid.table(example, "ja")
    rows = grid.page(tbl, list(range(len(tbl.rows))), 0, 5)
    keys = ["severity", "contract_id", "level", "rule_title", "message", "delegatee", "citations"]
    heads = ["findings.severity", "findings.contract", "findings.level", "findings.rule", "findings.message",
             "findings.delegatee", "findings.cites"]
    want = [html.P(page.t("findings.print_capped", "ja", n=i18n.number(5), total=i18n.number(len(tbl.rows))), className="note"),
            html.Table(className="print-table", children=[
                html.Thead(html.Tr([html.Th(page.t(k, "ja")) for k in heads])),
                html.Tbody([html.Tr([html.Td(r[k], className=f"sev-{r['sev']}" if k == "severity" else None)
                                     for k in keys]) for r in rows])])]
    from plotly.io.json import to_json_plotly

    assert to_json_plotly(page.print_table(rows, len(tbl.rows), "ja")) == to_json_plotly(want)


def test_the_report_download_is_itaku_reports_bytes_and_kept():
    from dashboard import report_download
    from dashboard.app import create_app

    app = create_app(EXAMPLE, warm=False)
    state = app.server.extensions["itaku"]
    client = app.server.test_client()
    a = state.analysis(AS_OF.isoformat(), "data")
    want = report_download.report_bytes(a, state.analyzer.library, "html", "en", EXAMPLE)
    url = report_download.href("html", AS_OF.isoformat(), "data", "en")
    first = client.get(url)
    assert first.status_code == 200 and first.get_data() == want
    assert first.headers["Content-Disposition"] == f'attachment; filename="itaku-report-{AS_OF.isoformat()}.html"'
    assert report_download.cached_report(state, a, "html", "en") is report_download.cached_report(state, a, "html", "en")
    xlsx = client.get(report_download.href("xlsx", AS_OF.isoformat(), "data", "ja"))
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    assert client.get("/report/pdf").status_code == 404
