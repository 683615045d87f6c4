"""Unit tests of the dashboard's plain functions: data, figures, tree, i18n, security (no browser)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dash_helpers, gen_datasets

import base64
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from dash_helpers import REPO
from dashboard import data, figures, i18n, tree
from analysis import Analyzer, StaticSource
from gen_datasets import HOSTILE_NAMES, big_dataset, hostile_dataset
from graph.rules import Engine, load_rules
from loaders import load_dataset

AS_OF = date(2026, 11, 1)
EXAMPLE = REPO / "examples" / "city-resident-tax"


@pytest.fixture(scope="module")
def example():
    return Analyzer(data.FolderSource(EXAMPLE)).get(AS_OF)


@pytest.fixture(scope="module")
def big():
    return Analyzer(StaticSource(big_dataset())).get(AS_OF)


@pytest.fixture(scope="module")
def hostile():
    return Analyzer(StaticSource(hostile_dataset())).get(AS_OF)


# ---- i18n --------------------------------------------------------------------------------------
def test_every_label_has_japanese_and_english():
    for key, labels in i18n.TEXT.items():
        assert set(labels) == {"ja", "en"}, key
        assert all(labels[lang].strip() for lang in ("ja", "en")), key
        # the same placeholders in both languages
        assert set(re.findall(r"{(\w+)}", labels["ja"])) == set(re.findall(r"{(\w+)}", labels["en"])), key
    assert re.search(r"[ぁ-んァ-ン一-龥]", i18n.t("app.title")), "Japanese is the default"


def test_every_rule_has_a_badge_in_both_languages():
    for rule_id in load_rules():
        assert set(i18n.BADGES[rule_id]) == {"ja", "en"} and all(i18n.BADGES[rule_id].values()), rule_id
    assert set(i18n.BADGES) == set(load_rules())
    assert i18n.badge("unapproved-redelegation", "ja") == "承認なし"
    assert i18n.badge("missing-required-clause", "ja") == "条項不足"
    assert i18n.badge("inspection-overdue", "ja") == "検査期限切れ"


def test_every_vocabulary_value_shown_has_an_english_label():
    from loaders import vocab

    shown = ("DataCategory", "ContractType", "ApprovalStatus", "InspectionMethod", "InspectionTiming",
             "InspectionResult", "OrgKind", "Severity", "Clause")
    for name in shown:
        enum = getattr(vocab, name)
        labels = enum.labels_en()
        assert set(labels) == {m.value for m in enum}, name
        for m in enum:
            assert i18n.enum_label(m, "ja") == m.ja and i18n.enum_label(m, "en") == labels[m.value] == m.en


def test_every_key_the_code_uses_exists():
    used: set[str] = set()
    for path in [*(REPO / "dashboard").glob("*.py"), *(REPO / "dashboard" / "pages").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b[tT]\(\s*["']([a-z_]+\.[a-z0-9_.-]+)["']""", text))
        used |= {f"nav.{name}" for name in re.findall(r'\("(\w+)", "/[a-z]*"\)', text)}
    assert used, "the scan found no keys"
    assert sorted(used - set(i18n.TEXT)) == []


def test_unknown_language_falls_back_to_japanese():
    assert i18n.t("nav.overview", "fr") == "概要"
    assert i18n.t("nav.overview", "en") == "Overview"
    assert i18n.level(2, "ja") == "再委託" and i18n.level(2, "en") == "subcontract (level 2)"


# ---- the analysis and its cache ----------------------------------------------------------------
def test_analysis_is_cached_per_as_of_and_policy():
    an = Analyzer(data.FolderSource(EXAMPLE))
    a = an.get(AS_OF)
    assert an.get(AS_OF) is a
    assert an.get(AS_OF, "nerima") is not a and an.get(AS_OF, "nerima") is an.get(AS_OF, "nerima")
    assert an.get(date(2026, 11, 15)) is not a
    assert an.get(AS_OF, "no-such-pack") is a  # unknown → as in the data
    assert a.report.findings == Engine().run(load_dataset(EXAMPLE), AS_OF).findings
    assert set(an.get(AS_OF, "mic").report.policies) == {"baseline", "mic"}


def test_parse_day():
    assert data.parse_day("2026-11-15T00:00:00", AS_OF) == date(2026, 11, 15)
    assert data.parse_day(None, AS_OF) == AS_OF and data.parse_day("garbage", AS_OF) == AS_OF


def test_counts_and_rules(example):
    c = data.counts(example)
    assert (c["principals"], c["contracts"], c["deepest"]) == (1, 20, 4)
    assert c["level1"] + c["level2"] + c["level3"] == 20
    assert sum(c["by_severity"].values()) == c["findings"] == len(example.report.findings) == 21
    rows = data.rule_counts(example)
    assert sum(r["count"] for r in rows) == 21
    ranks = [data.SEVERITY_RANK[r["severity"]] for r in rows]
    assert ranks == sorted(ranks, reverse=True)


def test_subtree_sizes_add_up(big):
    assert sum(big.subtree[p][0] for p in big.primes_of["BIG"]) == 10_000 == big.contracts_of("BIG")
    assert sum(big.subtree[p][1] for p in big.primes_of["BIG"]) == len(big.findings_of)


def test_contract_detail(example):
    d = data.contract_detail(example, "K-104", "ja")
    assert [p["name"] for p in d["path"]][0] == "桜ヶ丘市" and d["path"][-1]["contract_id"] == "K-104"
    assert d["level"] == "再々委託" and d["approval_needed"]
    assert {f["rule"] for f in d["findings"]} >= {"unapproved-redelegation"}
    assert all(f["citations"] for f in d["findings"])
    assert d["approvals"] and not any(a["by_root"] for a in d["approvals"])  # 申請中, not approved
    en = data.contract_detail(example, "K-104", "en")
    assert en["level"] == "sub-subcontract (level 3)" and en["findings"][0]["message"] != d["findings"][0]["message"]


def test_contract_detail_marks_clauses_weaker_than_the_parent(example):
    weaker = [f for f in example.report.findings if f.rule == "weaker-than-parent"]
    assert weaker
    f = weaker[0]
    d = data.contract_detail(example, f.contract_id, "ja")
    assert not d["equivalent"]
    assert sorted(c["code"] for c in d["clauses"] if c["weaker"]) == f.details["missing"]


# ---- findings grid and exports -----------------------------------------------------------------
def test_filter_findings(example):
    everything = data.filter_findings(example)
    assert len(everything) == 21
    crit = data.filter_findings(example, severities=["critical"])
    assert crit and all(f.severity == "critical" for f in crit)
    deep = data.filter_findings(example, levels=[3])
    assert deep and all(f.depth >= 3 for f in deep)
    one = data.filter_findings(example, rules=["unapproved-redelegation"], principals=["SKG"])
    assert {f.rule for f in one} == {"unapproved-redelegation"}
    assert data.filter_findings(example, principals=["nobody"]) == []


def test_finding_rows_follow_the_language(example):
    ja = data.finding_rows(example, example.report.findings, "ja")
    en = data.finding_rows(example, example.report.findings, "en")
    assert ja[0]["contract_id"] == en[0]["contract_id"]
    assert ja[0]["severity"] in {"重大", "高", "中", "低"} and en[0]["severity"] in data.SEVERITY_ORDER
    assert ja[0]["message"] == example.report.findings[0].message["ja"]


def test_exports_hold_the_findings_and_neutralise_formulas(hostile):
    found = hostile.report.findings
    assert found
    wb = load_workbook(io.BytesIO(data.export_xlsx(hostile, found, "ja")))
    ws = wb["指摘"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    assert head[:3] == ("rule", "severity", "contract_id") and len(rows) == len(found) + 1
    assert [r[head.index("contract_id")] for r in rows[1:]] == [f.contract_id for f in found]
    names = {r[head.index("delegatee_name")] for r in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in names  # neutralised: text, not a formula
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
    csv_text = data.export_csv(found).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("rule,severity,contract_id")
    assert len(csv_text.strip().splitlines()) >= len(found) + 1


# ---- the tree ----------------------------------------------------------------------------------
def _nodes(t: tree.Tree, kind: str | None = None) -> list[dict]:
    return [e["data"] for e in t.elements if "source" not in e["data"] and (kind is None or e["data"]["kind"] == kind)]


def test_small_principal_shows_the_whole_tree_with_badges(example):
    t = tree.build(example, tree.View("SKG"), "ja")
    assert t.mode == "full" and t.shown == t.total == 20
    k104 = next(n for n in _nodes(t, "contract") if n["contract_id"] == "K-104")
    assert "承認なし" in k104["badges"] and "[承認なし]" in k104["label"] and k104["severity"] == "critical"
    clean = [n for n in _nodes(t, "contract") if n["contract_id"] not in example.findings_of]
    assert clean and all(n["severity"] == "none" and not n["badges"] for n in clean)
    en = tree.build(example, tree.View("SKG"), "en")
    assert any("no approval" in n["badges"] for n in _nodes(en, "contract"))


def test_node_ids_are_synthetic(hostile):
    t = tree.build(hostile, tree.View("CITY"), "ja")
    ids = [e["data"]["id"] for e in t.elements]
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    assert {n["name"] for n in _nodes(t, "contract")} == set(HOSTILE_NAMES)  # names stay text, verbatim


def _within_cap(t: tree.Tree, cap: int = tree.CAP) -> None:
    assert len(t.elements) <= cap
    ids = {e["data"]["id"] for e in t.elements if "source" not in e["data"]}
    for e in t.elements:
        if "source" in e["data"]:
            assert e["data"]["source"] in ids and e["data"]["target"] in ids


def test_ten_thousand_contracts_stay_within_the_cap(big):
    top = tree.build(big, tree.View("BIG"), "ja")
    _within_cap(top)
    assert top.mode == "aggregate" and top.total == 10_000
    groups = _nodes(top, "group")
    assert len(groups) == 5 and sum(g["count"] for g in groups) == 10_000
    view = tree.next_view(tree.View("BIG"), groups[0])
    sub = tree.build(big, view, "ja")
    _within_cap(sub)
    assert sub.mode == "group" and sub.shown >= 13  # the prime contract and its 12 subcontracts at least
    more = _nodes(sub, "more")
    assert more and all(re.fullmatch(r"\+[\d,]+ 件\n内の最重: \S+", m["label"]) for m in more)  # count, worst inside
    # conservation: every contract of the group is drawn or counted in one 「+N 件」
    assert sub.shown + sum(m["count"] for m in more) == groups[0]["count"]
    # expanding a 「+N 件」 focuses its contract: still within the cap, now showing what was hidden
    deeper = tree.build(big, tree.next_view(view, more[0]), "ja")
    _within_cap(deeper)
    assert deeper.mode == "focus"
    drawn = {n["contract_id"] for n in _nodes(deeper, "contract")}
    assert more[0]["parent_contract"] in drawn and len(drawn) > 1


@pytest.mark.parametrize("cap", [20, 50, 200])
def test_small_caps_are_respected_everywhere(big, cap):
    view = tree.View("BIG")
    for _ in range(6):  # walk down through groups and 「+N 件」 nodes
        t = tree.build(big, view, "ja", cap=cap)
        _within_cap(t, cap)
        clickable = [n for n in _nodes(t) if n["kind"] in ("group", "more")]
        if not clickable:
            break
        view = tree.next_view(view, clickable[-1]) or view


def test_paging_through_a_wide_level():
    ds = big_dataset(contracts=2_000, primes=1, fanout=1_999)  # one contract with 1,999 children
    a = Analyzer(StaticSource(ds)).get(AS_OF)
    view = tree.View("BIG", focus="G-00001")
    first = tree.build(a, view, "ja")
    _within_cap(first)
    more = _nodes(first, "more")
    assert len(more) == 1 and more[0]["parent_contract"] == "__top__"
    second = tree.build(a, tree.next_view(view, more[0]), "ja")
    _within_cap(second)
    assert _nodes(second, "prev") and not ({n["contract_id"] for n in _nodes(first, "contract")} - {"G-00001"}) & \
        ({n["contract_id"] for n in _nodes(second, "contract")} - {"G-00001"})
    back = tree.next_view(tree.next_view(view, more[0]), _nodes(second, "prev")[0])
    assert back.offset == 0


def test_deep_chain_path_is_elided(big):
    ds = big_dataset(contracts=60, primes=1, fanout=1)  # a chain 60 levels deep
    a = Analyzer(StaticSource(ds)).get(AS_OF)
    t = tree.build(a, tree.View("BIG", focus="G-00050"), "ja")
    _within_cap(t)
    assert _nodes(t, "elided") and len([n for n in _nodes(t, "contract")]) <= tree.MAX_ANCESTORS + 12


def test_next_view():
    v = tree.View("P", focus="K-1", offset=40)
    assert tree.next_view(v, {"kind": "contract", "contract_id": "K-9"}) is None
    assert tree.next_view(v, {"kind": "principal"}) == tree.View("P")
    assert tree.next_view(v, {"kind": "group", "org": "A"}) == tree.View("P", group="A")
    assert tree.next_view(v, {"kind": "more", "parent_contract": "K-7"}) == tree.View("P", focus="K-7")
    assert tree.next_view(v, {"kind": "more", "parent_contract": "__top__", "next_offset": 80}).offset == 80
    assert tree.View.from_dict({"principal": "P", "offset": -3}).offset == 0
    assert tree.View.from_dict(tree.View("P", "G", None, 5).to_dict()) == tree.View("P", "G", None, 5)


def test_wide_trees_show_fewer_levels_rather_than_a_thin_line(big):
    view = tree.next_view(tree.View("BIG"), {"kind": "group", "org": "V00001"})
    t = tree.build(big, view, "ja")
    xs = [e["position"]["x"] for e in t.elements if "position" in e]
    assert max(xs) - min(xs) <= tree.MAX_WIDTH * tree.SLOT_W
    deeper = tree._build(big, view, "BIG", "ja", tree.CAP, tree.FANOUT, None)
    assert deeper.shown > t.shown and tree._width(deeper.elements) > tree.MAX_WIDTH * tree.SLOT_W


def test_layout_places_every_node_without_overlap(big, example):
    for t in (tree.build(example, tree.View("SKG"), "ja"),
              tree.build(big, tree.next_view(tree.View("BIG"), {"kind": "group", "org": "V00001"}), "ja")):
        pos = {e["data"]["id"]: (e["position"]["x"], e["position"]["y"]) for e in t.elements if "source" not in e["data"]}
        assert len(pos) == len(_nodes(t))
        cells = {(round(x / 10), round(y / 10)) for x, y in pos.values()}
        assert len(cells) == len(pos), "two nodes share a place"
        xs = sorted(pos.values())
        for (x1, y1), (x2, y2) in zip(xs, xs[1:]):
            assert not (abs(x1 - x2) < 140 and abs(y1 - y2) < 62), "nodes overlap"
        for e in t.elements:
            if "source" in e["data"]:
                assert pos[e["data"]["source"]][1] < pos[e["data"]["target"]][1], "children sit below parents"


# ---- levels ------------------------------------------------------------------------------------
def test_level_sectors(example, big):
    s = data.level_sectors(example, "ja")
    assert s.values[0] == 20 and s.parents[0] == "" and len(s) == 21
    assert all(0 <= g <= 1 for g in s.gap_share)
    b = data.level_sectors(big, "ja", max_sectors=300)
    assert len(b) <= 300 and b.values[0] == 10_000
    children: dict[str, int] = {}
    for p, v in zip(b.parents, b.values):
        children[p] = children.get(p, 0) + v
    for i, v in zip(b.ids, b.values):
        assert children.get(i, 0) <= v
    assert any(label.startswith("その他") for label in b.labels)


def test_level_table(example):
    rows = data.level_table(example, "en")
    assert [r["depth"] for r in rows] == [1, 2, 3, 4] and sum(r["contracts"] for r in rows) == 20
    assert rows[1]["level"] == "subcontract (level 2)"


# ---- organisations and schedule ---------------------------------------------------------------
def test_exposure_and_concentration(example):
    org = data.org_options(example)[0]["value"]
    rows = data.exposure_rows(example, org, "ja")
    assert rows and all(r["path"].startswith("桜ヶ丘市 → ") for r in rows)
    assert data.exposure_rows(example, "no-such-org", "ja") == []
    ranking = data.concentration_rows(example)
    keys = [(-r["principals"], -r["chains"]) for r in ranking]
    assert keys == sorted(keys)


def test_schedule(example):
    rows = data.schedule_rows(example, "ja")
    assert rows and [r["due"] for r in rows] == sorted(r["due"] for r in rows)
    overdue = data.schedule_rows(example, "ja", only_overdue=True)
    assert overdue and all(r["overdue"] for r in overdue)
    months = data.schedule_by_month(rows)
    assert sum(m["overdue"] + m["upcoming"] for m in months) == len(rows)


# ---- figures -----------------------------------------------------------------------------------
def test_coverage_figure(example):
    fig = figures.coverage_figure(data.coverage(example), "ja")
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert [b.name for b in bars] == ["委託者が直接検査", "受託事業者が検査", "未検査（期限超過）", "期限前"]
    assert fig.layout.barmode == "stack" and any(tr.yaxis == "y2" for tr in fig.data)
    assert list(bars[0].x) == ["委託", "再委託", "再々委託", "第4階層"]
    en = figures.coverage_figure(data.coverage(example), "en")
    assert en.data[0].name == "Inspected by the principal"


def test_rule_and_severity_figures(example):
    fig = figures.rule_figure(data.rule_counts(example), "ja")
    assert sum(fig.data[0].x) == 21 and "承認のない再委託" in fig.data[0].y
    sev = figures.severity_figure(data.counts(example)["by_severity"], "en")
    assert list(sev.data[0].x) == ["critical", "high", "medium", "low"]


def test_levels_figure_escapes_names(hostile):
    fig = figures.levels_figure(data.level_sectors(hostile, "ja"), "ja", maxdepth=3)
    icicle = fig.data[0]
    assert icicle.maxdepth == 3 and icicle.marker.cmax == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in icicle.labels
    assert not any("<script>" in label for label in icicle.labels)


def test_timeline_and_schedule_figures(example):
    d = data.contract_detail(example, "K-104", "ja")
    fig = figures.timeline_figure(d, AS_OF, "ja")
    assert fig.data and list(fig.data[0].x) == [i["date"] for i in d["inspections"]]
    months = data.schedule_by_month(data.schedule_rows(example, "en"))
    sched = figures.schedule_figure(months, AS_OF, "en")
    assert [t.name for t in sched.data] == ["overdue", "due"]


# ---- the app: headers, CSP, login (Flask test client; the browser tests load it for real) ------
def test_security_headers_and_csp():
    from dashboard.app import create_app

    client = create_app(EXAMPLE).server.test_client()
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    csp = r.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-eval'" not in script_src and "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    # every inline script of the page is allowed by a hash
    import hashlib

    page = r.get_data(as_text=True)
    for script in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, script[:80]


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_login_required_with_credentials(monkeypatch):
    import hmac

    from dashboard import app as app_module

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(app_module.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    client = app_module.create_app(EXAMPLE, credentials=("auditor", "s3cret-パス")).server.test_client()
    for headers in ({}, _basic("auditor", "wrong"), _basic("someone", "s3cret-パス"),
                    {"Authorization": "Basic !!!notbase64"}, {"Authorization": "Bearer x"},
                    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}):
        r = client.get("/", headers=headers)
        assert r.status_code == 401, headers
        assert "WWW-Authenticate" in r.headers and r.headers["X-Frame-Options"] == "DENY"
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/", headers=_basic("auditor", "s3cret-パス")).status_code == 200
    assert calls, "credentials are compared with hmac.compare_digest"


def test_hostile_names_are_data_not_markup(hostile):
    d = data.contract_detail(hostile, hostile.ds.contracts[0].contract_id, "ja")
    assert d["delegatee"] == "<script>alert(1)</script>"
    rows = data.finding_rows(hostile, hostile.report.findings, "ja")
    assert any("<script>alert(1)</script>" in r["delegatee"] for r in rows)


def test_the_grid_gets_the_most_severe_findings_when_there_are_too_many(big):
    found = big.report.findings
    assert len(found) > 50
    shown = data.grid_findings(found, limit=50)
    assert len(shown) == 50 and data.grid_findings(found[:40], limit=50) == found[:40]
    worst_left_out = max(data.SEVERITY_RANK[f.severity] for f in found if f not in shown)
    assert min(data.SEVERITY_RANK[f.severity] for f in shown) >= worst_left_out


# The grid is served whole, page by page: test_dashboard_part2_units.py::test_the_rows_callback_serves_any_page_of_the_whole_result


def test_the_app_warms_the_first_visitors_analysis(big):
    from dashboard.app import create_app

    app = create_app(StaticSource(big.ds), as_of=AS_OF)
    analyzer = app.server.extensions["itaku"].analyzer
    info = analyzer._cached.cache_info()
    assert info.currsize == 1 and info.misses == 1
    a = analyzer.get(AS_OF)
    assert analyzer._cached.cache_info().hits == 1
    assert {"subtree", "principals", "primes_of", "findings_of"} <= set(vars(a))
    assert {name for name, _ in a._queries} == set(data.WARM_QUERIES)
    cold = create_app(StaticSource(big.ds), as_of=AS_OF, warm=False).server.extensions["itaku"].analyzer
    assert cold._cached.cache_info().currsize == 0
