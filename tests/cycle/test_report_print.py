"""The committee report printed on A4 from a real Chromium (CDP Page.printToPDF), read back with
pdftotext: every section is there, and no table row is cut by a page break."""
from __future__ import annotations

import base64
import re
import shutil
import subprocess

import lxml.html
import pytest

from office.test_office_browser import browser  # noqa: F401  (the Chromium fixture)
from support import EXAMPLES, run_itaku

CITY = EXAMPLES / "city-resident-tax"
pytestmark = pytest.mark.browser
SECTIONS = ("cover", "summary", "coverage", "unapproved", "findings", "chains", "schedule", "improvements", "accepted", "legend")


def squeeze(text: str) -> str:
    """Text without spaces and hyphens (a line wrapped at a hyphen loses it in the PDF)."""
    return re.sub(r"[\s\-‐]+", "", text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_prints_on_a4_without_cutting_rows(browser, tmp_path, lang):  # noqa: F811
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: apt-get install -y poppler-utils")
    ignore = tmp_path / "accepted.yaml"
    ignore.write_text("- rule: unapproved-redelegation\n  contract_id: K-109\n  reason: 令和8年11月10日に承認済み\n"
                      "  expires: 2027-03-31\n", encoding="utf-8")
    page = tmp_path / f"report-{lang}.html"
    out = run_itaku("report", CITY, "--as-of", "2026-11-01", "--out", page, "--lang", lang, "--ignore-file", ignore,
                    "--baseline", CITY, "--baseline-as-of", "2025-11-01", "--author", "監査課 山田", "--approver", "総務部長",
                    "--organisation", "桜ヶ丘市", "--period", "令和8年度")
    assert out.returncode == 0, out.stderr
    browser.get(page.as_uri())
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True, "printBackground": True})["data"])
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [squeeze(p) for p in text.split("\f")]
    assert len(pages) > 5
    doc = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    whole = "".join(pages)
    for sid in SECTIONS:
        section = doc.get_element_by_id(sid)
        heading = section.xpath(".//h1|.//h2")[0].text_content()
        assert squeeze(heading) in whole, (sid, heading)
    assert "監査課山田" in whole and "総務部長" in whole
    # No row cut by a page break. pdftotext interleaves the lines of neighbouring cells, but a cell's
    # text within one line stays whole: a run of text that begins on a page must end on it too.
    checked = 0
    for details in doc.xpath("//details"):  # folded explanations: Chromium prints them closed
        details.drop_tree()
    # Each run of text in a table cell (between <br>s): wrapped over two pages, its start and end part.
    runs = [squeeze(t) for t in doc.xpath("//table//td//text()")]
    for n, run in enumerate(runs):
        if len(run) < 24 or re.fullmatch(r"[a-z0-9]+", run):  # a rule id in a narrow column breaks anywhere
            continue
        head, tail = run[:10], run[-8:]
        if any(head in other for m, other in enumerate(runs) if m != n):
            continue  # the same words begin another cell (a finding listed twice): not placeable
        starts = {i for i, p in enumerate(pages) if head in p}
        ends = {i for i, p in enumerate(pages) if tail in p}
        assert starts, f"row missing from the PDF: {run[:40]}"
        cut = [i for i in starts - ends if i + 1 in ends]
        assert not cut, f"row cut by a page break (pages {sorted(starts)} / {sorted(ends)}): {run[:40]} … {run[-20:]}"
        checked += 1
    assert checked > 10, checked
