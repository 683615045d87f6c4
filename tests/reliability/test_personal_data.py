"""Personal data (issue 7 § 6): people's names never reach logs or error messages, and
`--pseudonymize` replaces them on load by keyed hashes that keep every people rule working.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from loaders import DatasetError, load_dataset
from loaders.pseudonym import KEY_ENV, PseudonymKeyError, key_from_env, pseudonym
from reliability_helpers import CATALOGUE, GOOD, run_itaku

NAME = "山田太郎"
KEY = "test-key-0123456789abcdef"
ORGS = "org_id,name,kind\nCITY,桜ヶ丘市,principal\nA,A情報システム株式会社,\nB,B印刷株式会社,\n"
CONTRACTS = ("contract_id,parent_contract_id,delegator_id,delegatee_id,data_categories,start_date,end_date,policies\n"
             "K-1,,CITY,A,personal;my_number,2025-04-01,2027-03-31,nerima\n"
             "K-2,K-1,A,B,personal,2025-04-01,2027-03-31,\n")
# 山田太郎 is audit lead and handler of K-1 (audit-lead-conflict under nerima); 佐藤花子 manages K-1 data.
PERSONNEL = ("contract_id,role,person_id,org_id\nK-1,audit_lead,山田太郎,A\nK-1,handler,山田太郎,A\n"
             "K-1,data_manager,佐藤花子,A\nK-2,handler,山田太郎,B\n")
# Every kind of problem a personnel row can have, the name in every column it could be typed into.
BAD_PERSONNEL = ("contract_id,role,person_id,org_id,start_date,end_date,reported_date\n"
                 "K-1,audit_lead,山田太郎,A,2025-13-01,,\n"          # bad date
                 "K-1,山田太郎,handler,A,,,\n"                       # shifted: the name as a role
                 "山田太郎,handler,P-1,A,,,\n"                       # the name as a contract id
                 "K-1,handler,山田太郎,山田太郎,,,\n"                 # the name as an org id
                 "K-1,handler,山田太郎,A,山田太郎,,\n"                 # the name as a date
                 "K-2,handler,山田太郎,B,2026-04-01,2025-04-01,\n"    # inverted dates
                 "K-2,handler,山田太郎,B,,,,山田太郎\n"                # a cell too many
                 "K-2,handler," + "山田太郎" * 30000 + ",B,,,\n")     # a cell too long


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def valid(tmp_path) -> Path:
    return write(tmp_path / "valid", organizations=ORGS, contracts=CONTRACTS, personnel=PERSONNEL)


@pytest.fixture
def invalid(tmp_path) -> Path:
    return write(tmp_path / "invalid", organizations=ORGS, contracts=CONTRACTS, personnel=BAD_PERSONNEL)


def test_pseudonym_is_keyed_stable_and_short():
    p = pseudonym(NAME, KEY)
    assert re.fullmatch(r"P-[0-9a-f]{12}", p)
    assert pseudonym(NAME, KEY) == p and pseudonym(NAME, KEY.encode()) == p
    assert pseudonym(NAME, KEY + "x") != p and pseudonym("佐藤花子", KEY) != p


def test_key_from_environment_only():
    assert key_from_env({KEY_ENV: KEY}) == KEY.encode()
    for env in ({}, {KEY_ENV: ""}, {KEY_ENV: "Zq9xW"}):
        with pytest.raises(PseudonymKeyError) as exc:
            key_from_env(env)
        assert KEY_ENV in str(exc.value) and (not env.get(KEY_ENV) or env[KEY_ENV] not in str(exc.value))


def test_load_dataset_pseudonymizes(valid):
    plain = load_dataset(valid)
    masked = load_dataset(valid, pseudonymize_key=KEY)
    assert [p.person_id for p in plain.personnel] == [NAME, NAME, "佐藤花子", NAME]
    assert [p.person_id for p in masked.personnel] == [pseudonym(NAME, KEY)] * 2 + [pseudonym("佐藤花子", KEY), pseudonym(NAME, KEY)]
    assert NAME not in repr(masked)
    # everything else is untouched
    assert [(p.contract_id, p.role, p.org_id) for p in masked.personnel] == [(p.contract_id, p.role, p.org_id) for p in plain.personnel]
    assert masked.contracts == plain.contracts and masked.organizations == plain.organizations


def test_loader_messages_never_quote_personnel_cells(invalid):
    with pytest.raises(DatasetError) as exc:
        load_dataset(invalid)
    lines = [str(p) for p in exc.value.problems]
    assert lines and not any(NAME in line for line in lines), lines
    assert len([line for line in lines if line.startswith("personnel.csv")]) == 8, lines
    with pytest.raises(DatasetError) as exc:
        load_dataset(invalid, pseudonymize_key=KEY)
    assert [str(p) for p in exc.value.problems] == lines  # the same problems; still no name


@pytest.mark.parametrize("args", [("validate",), ("check", "--format", "json"), ("check", "--format", "csv"), ("check",)])
@pytest.mark.parametrize("pseudonymize", [False, True])
def test_cli_never_shows_a_name_on_bad_input(invalid, args, pseudonymize):
    flag = ("--pseudonymize",) if pseudonymize else ()
    out = run_itaku(args[0], invalid, *args[1:], *flag, "--lang", "en", env={KEY_ENV: KEY})
    assert out.returncode == 2 and out.stdout == ""
    assert NAME not in out.stderr and "Traceback" not in out.stderr and KEY not in out.stderr
    assert "personnel.csv:2:start_date: no such date: [value withheld: personnel data]" in out.stderr.splitlines()


@pytest.mark.parametrize("case", ["personnel-names-withheld", "personnel-header-missing", "dangling-references"])
def test_catalogue_personnel_cases_show_no_name(case):
    for args in (("validate", "."), ("validate", ".", "--pseudonymize")):
        out = run_itaku(*args, cwd=CATALOGUE / case, env={KEY_ENV: KEY})
        assert out.returncode == 2 and NAME not in out.stdout + out.stderr


def test_check_json_with_pseudonyms_only(valid):
    out = run_itaku("check", valid, "--format", "json", "--as-of", "2026-01-01", "--fail-on", "never", "--pseudonymize",
                    env={KEY_ENV: KEY})
    assert out.returncode == 0, out.stderr
    assert NAME not in out.stdout + out.stderr and "佐藤花子" not in out.stdout
    findings = json.loads(out.stdout)["findings"]
    conflict = [f for f in findings if f["rule"] == "audit-lead-conflict"]
    assert [f["contract_id"] for f in conflict] == ["K-1"], "the people rules still work on pseudonyms"
    assert conflict[0]["details"] == {"person_ids": [pseudonym(NAME, KEY)]}
    assert pseudonym(NAME, KEY) in conflict[0]["message"]["ja"]
    # without the flag the same finding names the person: the flag is what keeps names out
    plain = run_itaku("check", valid, "--format", "json", "--as-of", "2026-01-01", "--fail-on", "never")
    assert NAME in plain.stdout


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_check_other_formats_with_pseudonyms_only(valid, fmt):
    out = run_itaku("check", valid, "--format", fmt, "--as-of", "2026-01-01", "--fail-on", "never", "--pseudonymize",
                    env={KEY_ENV: KEY})
    assert out.returncode == 0, out.stderr
    assert NAME not in out.stdout + out.stderr


def test_validate_with_pseudonyms(valid):
    out = run_itaku("validate", valid, "--pseudonymize", "--lang", "en", env={KEY_ENV: KEY})
    assert out.returncode == 0 and out.stdout == "OK: 3 organizations, 2 contracts, 4 other records\n"
    out = run_itaku("validate", valid, "--pseudonymize", env={KEY_ENV: KEY})
    assert out.returncode == 0 and out.stdout == "OK: 組織 3 件、契約 2 件、その他の記録 4 件\n"


@pytest.mark.parametrize("env, message", [
    ({}, f"itaku: --pseudonymize needs a secret key in the environment variable {KEY_ENV}"),
    ({KEY_ENV: "abc"}, f"itaku: {KEY_ENV} is too short: use at least 16 characters (a short key lets names be guessed back)"),
])
@pytest.mark.parametrize("command", ["validate", "check"])
def test_pseudonymize_without_a_usable_key(valid, env, message, command):
    out = run_itaku(command, valid, "--pseudonymize", env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines() == [message]


def test_good_catalogue_personnel_case_loads_with_pseudonyms():
    ds = load_dataset(GOOD / "personnel-names", pseudonymize_key=KEY)
    assert {p.person_id for p in ds.personnel} == {pseudonym(NAME, KEY), pseudonym("佐藤花子", KEY)}
