"""Hostile names through the real `itaku` entry point: rich markup prints as typed, never as markup or a
hyperlink, and no control character (ESC, newline, bidi override) reaches the terminal raw."""
from __future__ import annotations

import pytest

from support import run_itaku, write_dataset

HOSTILE = {
    "CITY": "[/]市[bold]",
    "A": "[link=http://evil.example]A社[/link]",
    "B": "B\x1b[31m赤\x1b]8;;http://evil.example\x07社",
    "C": "C\u202e社\nnext",
}


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    orgs = "org_id,name,kind\n" + "".join(f"{k},{_csv(v)},{'principal' if k == 'CITY' else ''}\n" for k, v in HOSTILE.items())
    contracts = ("contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
                 "K-1,,CITY,A,personal,2025-04-01,2027-03-31\nK-2,K-1,A,B,personal,2025-04-01,2027-03-31\n"
                 "K-3,K-2,B,C,personal,2025-04-01,2027-03-31\n")
    return write_dataset(tmp_path_factory.mktemp("hostile") / "d", {"organizations": orgs, "contracts": contracts})


def assert_safe(out, *shown: str) -> None:
    text = out.stdout + out.stderr
    assert "Traceback" not in text and "MarkupError" not in text and out.returncode in (0, 1), text[-2000:]
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    for s in shown:
        assert s in out.stdout, (s, out.stdout[-3000:])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_check_table_prints_names_as_typed(hostile, lang):
    out = run_itaku("check", hostile, "--as-of", "2026-11-01", "--lang", lang)
    assert_safe(out, "[/]市[bold]", "[link=http://evil.example]A社[/link]", "B\\x1b[31m赤\\x1b]8;;http://evil.example\\x07社",
                "C\\u202e社\\nnext")


@pytest.mark.parametrize("query", ["unapproved-redelegations", "exposure", "coverage-by-level", "concentration",
                                   "inspection-schedule"])
def test_query_tables_print_names_as_typed(hostile, query):
    params = ["--param", "org=B"] if query == "exposure" else []
    out = run_itaku("query", query, hostile, "--as-of", "2026-11-01", *params, env={"COLUMNS": "400"})
    shown = {"unapproved-redelegations": ["[link=http://evil.example]A社[/link] > B\\x1b[31m赤"],
             "exposure": ["[/]市[bold] > [link=http://evil.example]A社[/link] > B\\x1b"]}.get(query, [])
    assert_safe(out, *shown)


def test_demo_and_rules_stay_plain():
    for args in (["rules"], ["rules", "--lang", "en"], ["rules", "explain", "weaker-than-parent"]):
        assert_safe(run_itaku(*args))


def test_error_lines_show_control_characters(tmp_path):
    """A problem line quoting a hostile value, and a --principal typo echoing one."""
    folder = write_dataset(tmp_path / "d", {"organizations": "org_id,name,kind\nCITY,市,principal\nA,A社,\n",
                                            "contracts": "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
                                                         "K-1,CITY,\"A\x1b[2J\",personal,2025-04-01,2027-03-31\n"})
    out = run_itaku("validate", folder)
    assert out.returncode == 2 and "\x1b" not in out.stderr and "A\\x1b[2J" in out.stderr
    folder = write_dataset(tmp_path / "ok", {"organizations": "org_id,name,kind\nCITY,市,principal\nA,A社,\n",
                                             "contracts": "contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date\n"
                                                          "K-1,CITY,A,personal,2025-04-01,2027-03-31\n"})
    out = run_itaku("check", folder, "--principal", "X\x1b[31m")
    assert out.returncode == 2 and "\x1b" not in out.stderr and "X\\x1b[31m" in out.stderr
