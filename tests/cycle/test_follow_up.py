"""A follow-up checklist import closes exactly the improvements whose items became A."""
from __future__ import annotations

import csv
import io
import json

from office.office_support import copy_example, fill, make_checklist
from support import run_itaku


def improvements(ds) -> dict[str, dict]:
    return {r["improvement_id"]: r for r in csv.DictReader(io.StringIO((ds / "improvements.csv").read_text(encoding="utf-8-sig")))}


def test_follow_up_closes_what_became_a_and_reports_late_closing(tmp_path):
    ds = copy_example(tmp_path)
    last_year = tmp_path / "before"
    import shutil

    book = make_checklist(tmp_path, "jica-35", "K-141", ds)
    first = fill(book, answers={"3": "B 一部のみ実施", "5": "C 未実施", "7": "B 一部のみ実施"}, when="2026-06-01",
                 inspector="SKG", method="on_site", out=tmp_path / "periodic.xlsx")
    out = run_itaku("import", "checklist", first, "--dataset", ds)
    assert out.returncode == 0, out.stderr
    opened = {k: v for k, v in improvements(ds).items() if k.startswith("IMP-K-141-20260601")}
    assert sorted(opened) == ["IMP-K-141-20260601-3", "IMP-K-141-20260601-5", "IMP-K-141-20260601-7"]
    assert all(not r["closed_date"] for r in opened.values())
    shutil.copytree(ds, last_year)

    # Follow-up: 3 and 5 are now A, 7 still B; an item that was A before and is now C opens a new one.
    follow = fill(book, answers={"7": "B 一部のみ実施", "9": "C 未実施"}, when="2026-06-25", inspector="SKG",
                  method="on_site", out=tmp_path / "follow.xlsx")
    out = run_itaku("import", "checklist", follow, "--dataset", ds, "--timing", "follow_up")
    assert out.returncode == 0, out.stderr
    assert "改善確認 IMP-K-141-20260601-3: item 3 → A; 完了 (closed) 2026-06-25" in out.stdout
    assert "未完了 IMP-K-141-20260601-7: item 7 → B; 継続 (stays open, due 2026-07-01)" in out.stdout
    rows = improvements(ds)
    for closed in ("IMP-K-141-20260601-3", "IMP-K-141-20260601-5"):
        assert (rows[closed]["closed_date"], rows[closed]["follow_up_inspection_id"]) == ("2026-06-25", "IN-K-141-20260625")
    assert (rows["IMP-K-141-20260601-7"]["closed_date"], rows["IMP-K-141-20260601-7"]["follow_up_inspection_id"]) == ("", "")
    assert not rows["IMP-K-141-20260625-9"]["closed_date"]  # the new finding of the follow-up itself
    assert "IMP-K-141-20260625-7" not in rows  # still open: not issued a second time
    untouched = {k: v for k, v in rows.items() if not k.startswith("IMP-K-141-2026")}
    assert untouched == {k: v for k, v in improvements(last_year).items() if not k.startswith("IMP-K-141-2026")}

    # A second follow-up after the due date closes 7 late: said at import and in the diff.
    late = fill(book, when="2026-08-10", inspector="SKG", method="on_site", out=tmp_path / "late.xlsx")
    out = run_itaku("import", "checklist", late, "--dataset", ds, "--timing", "follow_up")
    assert out.returncode == 0, out.stderr
    assert "IMP-K-141-20260601-7: item 7 → A; 完了 (closed) 2026-08-10 — 期限 2026-07-01 から 40 日遅れ" in out.stdout
    assert improvements(ds)["IMP-K-141-20260625-9"]["closed_date"] == "2026-08-10"
    doc = json.loads(run_itaku("diff", last_year, ds, "--as-of", "2026-11-01", "--format", "json").stdout)
    assert [r["improvement_id"] for r in doc["improvements_closed_late"]] == ["IMP-K-141-20260601-7", "IMP-K-141-20260625-9"]
    assert doc["improvements_closed_late"][0]["days_late"] == 40
    assert set(doc["records"]["improvements"]["changed"]) == {"IMP-K-141-20260601-3", "IMP-K-141-20260601-5",
                                                             "IMP-K-141-20260601-7"}
    assert run_itaku("validate", ds).returncode == 0
