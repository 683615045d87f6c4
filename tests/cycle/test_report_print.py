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


def print_pdf(browser, url: str, path) -> list[str]:  # noqa: F811
    """Chromium prints the page to A4; the text of each page, squeezed."""
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True, "printBackground": True})["data"])
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [squeeze(p) for p in text.split("\f")]


def cut_rows(doc, pages: list[str]) -> tuple[int, list[str]]:
    """(rows checked, rows cut). pdftotext interleaves the lines of neighbouring cells, but the text
    of one cell within one line stays whole: a row whose first words are on a page and whose last
    words are only on the next was cut by the page break."""
    for details in doc.xpath("//details"):  # folded explanations: Chromium prints them closed
        details.drop_tree()
    rows = [[squeeze(t) for t in tr.xpath("./td//text()")] for tr in doc.xpath("//table//tr[td]")]
    # runs of text long enough to sit in a wide column (a narrow one wraps within the first words)
    rows = [[r for r in row if len(r) >= 20 and not re.fullmatch(r"[a-z0-9]+", r)] for row in rows]
    checked, cut = 0, []
    for n, row in enumerate(rows):
        if not row:
            continue
        head, tail = row[0][:10], row[-1][-8:]
        if any(head in run or tail in run for m, other in enumerate(rows) if m != n for run in other):
            continue  # the same words in another row (a finding listed twice): not placeable
        starts = {i for i, p in enumerate(pages) if head in p}
        ends = {i for i, p in enumerate(pages) if tail in p}
        if not (starts and ends):
            continue  # wrapped inside its first or last words: not placeable
        if any(i + 1 in ends for i in starts - ends):
            cut.append(row[0][:30])
        checked += 1
    return checked, cut


@pytest.mark.parametrize("avoid", [True, False])
def test_the_row_check_sees_a_cut_row(browser, tmp_path, avoid):  # noqa: F811
    """The check above is not vacuous: tall rows printed without `break-inside: avoid` are cut, and seen."""
    words = "個人情報の取扱いに係る業務の外部委託について検査を実施した結果を報告する。"
    rows = "".join(f"<tr><td>{n}</td><td>{'<br>'.join(f'第{n}行の{k}番目: ' + words * 2 + f'（{n}-{k}）' for k in range(8))}</td></tr>"
                   for n in range(1, 9))
    css = "tr { break-inside: avoid; }" if avoid else "tr { break-inside: auto; }"
    page = tmp_path / "t.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>@page {{ size: A4; }} {css}</style></head>"
                    f"<body><table border=1>{rows}</table></body></html>", encoding="utf-8")
    browser.get(page.as_uri())
    pages = print_pdf(browser, page.as_uri(), tmp_path / "t.pdf")
    doc = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    checked, cut = cut_rows(doc, pages)
    assert checked == 8
    assert (not cut) if avoid else cut


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
    pages = print_pdf(browser, page.as_uri(), tmp_path / "report.pdf")
    assert len(pages) > 5
    doc = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    whole = "".join(pages)
    for sid in SECTIONS:
        section = doc.get_element_by_id(sid)
        heading = section.xpath(".//h1|.//h2")[0].text_content()
        assert squeeze(heading) in whole, (sid, heading)
    assert "監査課山田" in whole and "総務部長" in whole
    checked, cut = cut_rows(doc, pages)
    assert not cut, f"rows cut by a page break: {cut}"
    assert checked >= 5, checked  # the rows that can be placed by their words (the unit test above: any row)
