"""The committee parts of the report: a recommendation for every rule, the legend of every citation
code, improvement status, and the report's own words (rule names) in its language."""
from __future__ import annotations

import lxml.html

from audit.committee import _texts, improvement_status, recommendation
from graph.rules import load_rules
from loaders import load_dataset
from loaders.model import Improvement
from support import EXAMPLES, run_itaku

CITY = EXAMPLES / "city-resident-tax"


def test_every_rule_has_a_recommendation_and_every_code_a_document():
    rules = load_rules()
    assert set(_texts()["recommendations"]) == set(rules)
    for r in rules:
        assert recommendation(r, "ja") and recommendation(r, "en")
    codes = {c.split()[0] for r in rules.values() for c in r.cites}
    # INTERNATIONAL.md (issue 17): the international packs cite the GDPR, DORA, the RTS and the ITS
    from graph.rules.policy import PackLibrary

    packs = PackLibrary().raw.values()
    codes |= {c.split()[0] for p in packs for cites in p.citations.values() for c in cites}
    assert codes == set(_texts()["sources"]) == {"nict", "jica", "nerima", "kuki", "mic", "GDPR", "DORA", "RTS", "ITS"}


def test_improvement_status():
    from datetime import date

    ds = load_dataset(CITY)
    extra = [Improvement(improvement_id=i, inspection_id="IN-141-1", issued_date="2026-05-01", due_date="2026-07-01",
                         closed_date=c) for i, c in (("I-open", None), ("I-late", "2026-07-20"), ("I-ontime", "2026-06-30"))]
    ds = ds.model_copy(update={"improvements": ds.improvements + tuple(extra)})
    status = {r["improvement_id"]: (r["status"], r["days_late"]) for r in improvement_status(ds, date(2026, 11, 1), "ja")}
    assert status["I-open"] == ("overdue", 0) and status["I-late"] == ("closed_late", 19)
    assert status["I-ontime"] == ("closed_on_time", 0)
    early = {r["improvement_id"]: r["status"] for r in improvement_status(ds, date(2026, 6, 1), "ja")}
    assert early["I-open"] == early["I-late"] == early["I-ontime"] == "open"


def test_report_speaks_its_language_and_recommends(tmp_path):
    rules = load_rules()
    for lang in ("ja", "en"):
        out = run_itaku("report", CITY, "--as-of", "2026-11-01", "--out", tmp_path / f"{lang}.html", "--lang", lang)
        assert out.returncode == 0, out.stderr
        doc = lxml.html.fromstring((tmp_path / f"{lang}.html").read_bytes())
        assert doc.xpath("//h1")[0].text_content().count("桜ヶ丘市") == 1  # title from the principal, not the folder
        assert "city-resident-tax" not in doc.xpath("//title")[0].text_content()
        for row in doc.xpath("//table[@class='findings']//tr[@data-rule]"):
            rule = row.get("data-rule")
            assert rules[rule].title[lang] in row.text_content()
            assert recommendation(rule, lang) in row.xpath(".//p[@class='rec']")[0].text_content()
        legend = {tr.get("data-code"): tr.text_content() for tr in doc.xpath("//tr[@data-code]")}
        assert set(legend) == {"nict", "jica", "nerima", "kuki", "mic"}
        assert ("久喜市 個人情報取扱事務" if lang == "ja" else "Kuki City") in legend["kuki"]
