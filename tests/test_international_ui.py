"""The report and the dashboard on the English examples of INTERNATIONAL.md: `itaku report --lang en`
succeeds and shows the new fields with their labels; the dashboard's data layer builds every page's
data and the contract panel shows the fields; the Japanese datasets show none of it."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from support import EXAMPLES, run_itaku

AS_OF = "2026-11-01"
LABELS = ["GDPR and DORA fields", "Delegatee's country", "Delegatee's LEI", "Authorisation (GDPR 28(2))",
          "Transfer mechanism (GDPR Chapter V)", "ICT service type (DORA)",
          "Supports a critical or important function (DORA)"]


@pytest.mark.parametrize("name", ["eu-processor-chain", "eu-dora-ict-chain"])
def test_report_in_english_shows_the_new_fields(name: str, tmp_path: Path):
    out = tmp_path / "report.html"
    result = run_itaku("report", EXAMPLES / name, "--lang", "en", "--as-of", AS_OF, "--out", out)
    assert result.returncode == 0, result.stderr
    doc = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    text = doc.text_content()
    for label in LABELS:
        assert label in text, label
    table = doc.xpath("//table[@class='register']")[0]
    rows = {tr.get("data-contract"): [td.text_content() for td in tr.xpath("td")] for tr in table.xpath("tr[@data-contract]")}
    if name == "eu-processor-chain":
        assert rows["SUB-1"][2:4] == ["US", "549300BLUEPEAK000058"]
        assert rows["SUB-1"][4:6] == ["prior specific authorisation", "standard contractual clauses (Art. 46(2)(c))"]
        assert rows["SUB-2"][4:6] == ["general written authorisation", ""]
        assert "weaker-than-parent" in text and "transfer-without-mechanism" in text
    else:
        assert rows["ICT-1"][6:8] == ["S02", "yes"] and rows["ICT-1.2"][3] == ""
    # the findings' citations name the EU texts in the legend
    assert "General Data Protection Regulation" in text or "Digital Operational Resilience Act" in text


def test_report_in_english_as_excel(tmp_path: Path):
    out = tmp_path / "report.xlsx"
    result = run_itaku("report", EXAMPLES / "eu-dora-ict-chain", "--lang", "en", "--as-of", AS_OF, "--out", out)
    assert result.returncode == 0, result.stderr and out.stat().st_size > 0


def test_japanese_report_has_no_international_table(tmp_path: Path):
    out = tmp_path / "report.html"
    result = run_itaku("report", EXAMPLES / "city-resident-tax", "--as-of", AS_OF, "--out", out)
    assert result.returncode == 0, result.stderr
    assert not lxml_html.fromstring(out.read_text(encoding="utf-8")).xpath("//table[@class='register']")


@pytest.mark.parametrize("name, principal, contract, field, value", [
    ("eu-processor-chain", "NORD", "SUB-2", "authorization", "general written authorisation"),
    ("eu-dora-ict-chain", "RHEIN", "ICT-1", "critical_function", "yes"),
])
def test_dashboard_data_layer_builds(name, principal, contract, field, value):
    from analysis import Analyzer
    from dashboard import data, tree
    from dashboard.app import create_app

    create_app(EXAMPLES / name)  # registers the pages: the contract panel is the chains page's
    from dashboard.pages.chains import detail_panel

    a = Analyzer(data.FolderSource(EXAMPLES / name)).get(date.fromisoformat(AS_OF))
    assert data.rule_counts(a) and data.level_table(a, "en") is not None
    assert data.schedule_rows(a, "en") is not None and data.concentration_rows(a) is not None
    t = tree.build(a, tree.View(principal), "en")
    assert t.elements
    for c in a.ds.contracts:
        d = data.contract_detail(a, c.contract_id, "en")
        assert json.dumps(d)  # serialisable for the browser
    d = data.contract_detail(a, contract, "en")
    got = {f["field"]: f["value"] for f in d["international"]}
    assert got[field] == value
    assert any(f["label"] == "Delegatee's country" for f in d["international"])
    assert "intl-" + field in str(detail_panel(a, contract, "en"))
    ja = data.contract_detail(a, contract, "ja")
    assert any(f["label"] == "委託先の所在国" for f in ja["international"])


def test_dashboard_detail_of_a_japanese_contract_has_no_international_fields():
    from analysis import Analyzer
    from dashboard import data

    a = Analyzer(data.FolderSource(EXAMPLES / "city-resident-tax")).get(date.fromisoformat(AS_OF))
    assert data.contract_detail(a, "K-104", "en")["international"] == []
