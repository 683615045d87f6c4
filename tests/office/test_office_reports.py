"""`itaku report`: the HTML parses and the workbook opens, both hold every section and the figures
of the engine and the audit queries for the bundled examples; text is escaped (HTML) and
neutralised (Excel); nothing is fetched from the network."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import lxml.html
import pytest
from openpyxl import load_workbook

from support import EXAMPLES, run_itaku, write_dataset
from graph.rules import Engine, PackLibrary
from loaders import load_dataset
from queries import run_embedded

AS_OF = date(2026, 11, 1)
EXAMPLE_NAMES = ("city-resident-tax", "ward-designated-managers")
# issue 15 added the committee sections: summary, improvements and the two appendices
SECTIONS = ("cover", "summary", "coverage", "unapproved", "findings", "chains", "schedule", "improvements", "accepted", "legend")


def expected(name: str, policy: tuple[str, ...] = ()) -> dict:
    ds = load_dataset(EXAMPLES / name)
    engine = Engine(PackLibrary(), policy_override=policy)
    report = engine.run(ds, AS_OF)
    return {"ds": ds, "report": report,
            "coverage": run_embedded("coverage-by-level", ds, AS_OF, engine=engine),
            "unapproved": run_embedded("unapproved-redelegations", ds, AS_OF, engine=engine),
            "schedule": run_embedded("inspection-schedule", ds, AS_OF, engine=engine)}


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("reports")
    made = {}
    for name in EXAMPLE_NAMES:
        for fmt, lang in (("html", "ja"), ("xlsx", "ja"), ("html", "en"), ("xlsx", "en")):
            path = out / f"{name}-{lang}.{fmt}"
            args = ["report", EXAMPLES / name, "--as-of", AS_OF.isoformat(), "--out", path]
            result = run_itaku(*args, *(["--lang", "en"] if lang == "en" else []))
            assert result.returncode == 0, result.stderr
            made[(name, f"{fmt}-{lang}")] = path
    return made


def html(path: Path):
    return lxml.html.fromstring(path.read_bytes())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_html_report_holds_every_section_and_the_figures(reports, name):
    doc = html(reports[(name, "html-ja")])
    exp = expected(name)
    assert [s.get("data-section") for s in doc.xpath("//section")] == list(SECTIONS)
    figure = {e.get("data-figure"): e.text_content().strip() for e in doc.xpath("//*[@data-figure]")}
    assert figure["unapproved"] == str(len(exp["unapproved"]))
    assert figure["findings"] == str(len(exp["report"].findings))
    assert figure["contracts"] == str(len(exp["ds"].contracts))
    assert figure["as-of"].startswith("2026-11-01（令和8年11月1日）")
    assert sorted(e.get("data-severity") for e in doc.xpath("//td[@data-severity]")) == sorted(
        ("critical", "high", "medium", "low"))
    by_sev = {e.get("data-severity"): int(e.text_content()) for e in doc.xpath("//td[@data-severity]")}
    assert by_sev == {s: sum(1 for f in exp["report"].findings if f.severity == s) for s in by_sev}
    # Coverage: one row per level with the query's ratio.
    rows = doc.xpath("//table[@class='coverage']//tr[@data-depth]")
    assert [(int(r.get("data-depth")), float(r.xpath(".//td[@data-ratio]")[0].get("data-ratio"))) for r in rows] == [
        (c["depth"], c["coverage_ratio"]) for c in exp["coverage"]]
    # Unapproved re-delegations with their paths of names.
    rows = doc.xpath("//table[@class='unapproved']//tr[@data-contract]")
    assert [r.get("data-contract") for r in rows] == [u["contract_id"] for u in exp["unapproved"]]
    for row, u in zip(rows, exp["unapproved"]):
        assert " → ".join(u["path"]) in row.text_content()
    # Findings per principal, each with its citations and an explanation.
    found = doc.xpath("//table[@class='findings']//tr[@data-rule]")
    assert sorted((r.get("data-rule"), r.get("data-contract")) for r in found) == sorted(
        (f.rule, f.contract_id) for f in exp["report"].findings)
    for row in found:
        assert row.xpath(".//span[@class='cite']") and row.xpath(".//details/p")
    # A chain diagram per principal with a box per contract.
    for principal in {f.root_principal_id for f in exp["report"].findings}:
        svg = doc.xpath(f"//div[@data-principal='{principal}']//*[local-name()='svg']")
        assert len(svg) == 1
        boxes = svg[0].xpath(".//*[local-name()='g'][@data-contract!='']")
        contracts = {c.contract_id for c in exp["ds"].contracts}
        assert {b.get("data-contract") for b in boxes} <= contracts
    all_boxes = doc.xpath("//*[local-name()='g'][@data-contract!='']")
    assert sorted(b.get("data-contract") for b in all_boxes) == sorted(c.contract_id for c in exp["ds"].contracts)
    # The inspection schedule.
    sched = doc.xpath("//table[@class='schedule']//tr[@data-contract]")
    assert sorted(r.get("data-contract") for r in sched) == sorted(s["contract_id"] for s in exp["schedule"])
    assert len(doc.xpath("//table[@class='schedule']//span[@class='overdue']")) == sum(s["overdue"] for s in exp["schedule"])


def test_city_report_figures(reports):
    """The city example as its README tells it: 3 unapproved re-delegations, 21 findings, 4 levels."""
    doc = html(reports[("city-resident-tax", "html-ja")])
    figure = {e.get("data-figure"): e.text_content().strip() for e in doc.xpath("//*[@data-figure]")}
    assert (figure["unapproved"], figure["findings"], figure["deepest"], figure["contracts"]) == ("3", "21", "4", "20")
    assert "nerima" in figure["policies"] and "jica" in figure["policies"]
    unapproved = doc.xpath("//table[@class='unapproved']//tr[@data-contract]")
    assert [r.get("data-contract") for r in unapproved] == ["K-104", "K-109", "K-112"]
    assert "桜ヶ丘市 → 株式会社翠嶺システムズ → 株式会社七星データエントリー → 七星パンチサービス株式会社" in unapproved[0].text_content()
    text = doc.text_content()
    for heading in ("委託チェーン監査報告書", "階層別の検査網羅率", "承認のない再委託・再々委託", "委託者別の指摘", "委託チェーン", "検査予定"):
        assert heading in text
    assert "nerima 17(1)(3)" in text


def test_english_report(reports):
    doc = html(reports[("ward-designated-managers", "html-en")])
    assert doc.get("lang") == "en"
    text = doc.text_content()
    for heading in ("Audit report on personal-data outsourcing chains", "Inspection coverage by level",
                    "Unapproved re-delegations", "Findings per principal", "Chains", "Inspection schedule"):
        assert heading in text
    assert "委託チェーン監査報告書" not in text


def test_html_is_self_contained(reports):
    raw = reports[("city-resident-tax", "html-ja")].read_text(encoding="utf-8")
    doc = lxml.html.fromstring(raw)
    assert not doc.xpath("//script") and not doc.xpath("//link") and not doc.xpath("//img")
    assert not [e for e in doc.xpath("//*[@src or @href]") if (e.get("src") or e.get("href") or "").startswith(("http", "//"))]
    assert "default-src 'none'" in doc.xpath("//meta[@http-equiv='Content-Security-Policy']")[0].get("content")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_xlsx_report_holds_every_section_and_the_figures(reports, name):
    exp = expected(name)
    wb = load_workbook(reports[(name, "xlsx-ja")])
    assert wb.sheetnames == ["表紙", "網羅率", "未承認の再委託", "指摘", "チェーン", "検査予定", "総括（要旨）", "推奨される対応",
                             "改善要求の状況", "付録 承知済みの指摘（受容したリスク）", "付録 根拠文書の略称"]
    cover = {row[0].value: row[1].value for row in wb["表紙"].iter_rows(min_row=4) if row[0].value}
    assert cover["承認のない再委託・再々委託"] == len(exp["unapproved"])
    assert cover["指摘件数"] == len(exp["report"].findings)
    assert cover["契約数"] == len(exp["ds"].contracts)
    cov = [r for r in wb["網羅率"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[1], r[7]) for r in cov] == [(c["contracts"], c["coverage_ratio"]) for c in exp["coverage"]]
    un = [r for r in wb["未承認の再委託"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [r[0] for r in un] == [u["contract_id"] for u in exp["unapproved"]]
    assert [r[6] for r in un] == [" → ".join(u["path"]) for u in exp["unapproved"]]
    found = [r for r in wb["指摘"].iter_rows(min_row=4, values_only=True) if r[2]]
    assert sorted((r[2], r[4]) for r in found) == sorted((f.rule, f.contract_id) for f in exp["report"].findings)
    assert all(r[7] and r[8] for r in found)  # citations and explanation
    chains = "\n".join(str(r[0]) for r in wb["チェーン"].iter_rows(min_row=5, values_only=True) if r[0])
    assert all(c.contract_id in chains for c in exp["ds"].contracts)
    sched = [r for r in wb["検査予定"].iter_rows(min_row=5, values_only=True) if r[2]]
    assert sorted(r[2] for r in sched) == sorted(s["contract_id"] for s in exp["schedule"])
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 9 and ws.sheet_properties.pageSetUpPr.fitToPage  # A4


def test_xlsx_report_in_english(reports):
    wb = load_workbook(reports[("city-resident-tax", "xlsx-en")])
    assert wb.sheetnames == ["Cover", "Coverage", "Unapproved", "Findings", "Chains", "Schedule", "Executive summary",
                             "Recommendation", "Status of improvements", "Appendix accepted gaps", "Appendix citation codes"]
    assert wb["Cover"]["A1"].value == "Audit report on personal-data outsourcing chains"


def test_hostile_names_are_escaped_and_neutralised(tmp_path):
    ds = write_dataset(tmp_path / "hostile", {
        "organizations": "org_id,name,kind\nCITY,<script>alert(1)</script>市,principal\n"
                         "A,=HYPERLINK(\"http://x.invalid\"),\nB,+B社,\n",
        "contracts": "contract_id,parent_contract_id,delegator_id,delegatee_id,title,data_categories,start_date,end_date\n"
                     "K-1,,CITY,A,@業務,personal,2025-04-01,2027-03-31\nK-2,K-1,A,B,-再委託,personal,2025-04-01,2027-03-31\n"})
    page, book = tmp_path / "r.html", tmp_path / "r.xlsx"
    for out in (page, book):
        result = run_itaku("report", ds, "--as-of", "2026-11-01", "--out", out)
        assert result.returncode == 0, result.stderr
    doc = lxml.html.fromstring(page.read_bytes())
    assert not doc.xpath("//script")
    assert "<script>alert(1)</script>市" in doc.text_content()
    wb = load_workbook(book)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert any(c.value.startswith("'=HYPERLINK") for c in cells)


def test_report_bad_input(tmp_path):
    out = run_itaku("report", EXAMPLES / "city-resident-tax", "--out", tmp_path / "r.pdf")
    assert out.returncode == 2 and "FILE.xlsx or FILE.html" in out.stderr
    out = run_itaku("report", tmp_path / "nope", "--out", tmp_path / "r.html")
    assert out.returncode == 2 and not (tmp_path / "r.html").exists()
    out = run_itaku("report", "--out", tmp_path / "r.html")
    assert out.returncode == 2 and "give a DATASET" in out.stderr
    out = run_itaku("report", EXAMPLES / "city-resident-tax", "--neo4j", "bolt://127.0.0.1:9", "--out", tmp_path / "r.html")
    assert out.returncode == 2 and "give a DATASET" in out.stderr and not (tmp_path / "r.html").exists()


def test_policy_override_is_on_the_cover(tmp_path):
    out = tmp_path / "r.html"
    result = run_itaku("report", EXAMPLES / "ward-designated-managers", "--as-of", "2026-11-01", "--out", out,
                       "--policy", "nict")
    assert result.returncode == 0, result.stderr
    doc = html(out)
    policies = doc.xpath("//*[@data-figure='policies']")[0].text_content()
    assert "nict" in policies and "--policy" in policies and "kuki" not in policies
    exp = expected("ward-designated-managers", ("nict",))
    assert doc.xpath("//*[@data-figure='findings']")[0].text_content() == str(len(exp["report"].findings))
