"""Inspection coverage, 検査の網羅 (RULES.md § Inspection)."""
from __future__ import annotations

from functools import partial

from loaders.vocab import Answer, InspectionMethod, InspectionResult, InspectionTiming

import numpy as np

from loaders.lazy import per_record, values_at

from ..columns import NONE, dates, iso_days, where
from ..registry import Bulk, Hit, rule


def _last(k) -> np.ndarray:
    """Per contract: its last qualifying inspection's date (NONE: none)."""
    return k.memo("last qualifying", lambda: k.last(k.i_qualifying))


def _overdue(k) -> np.ndarray:
    return k.overdue(_last(k))


def _visible(k) -> np.ndarray:
    """Per inspection: the root principal can see it (Visit.visible)."""
    def compute():
        ins = k.ds.inspections
        reported = dates(ins, "reported_to_principal_date")
        return (k.org_codes(ins, "inspector_id") == k.principal[k.i_rows]) | ((reported != NONE) & (reported <= k.d))
    return k.memo("visible", compute)


def _hidden(k) -> np.ndarray:
    """Per contract: a qualifying inspection the root principal cannot see (Visit.visible)."""
    return k.any_of(k.i_rows, k.i_qualifying & ~_visible(k))


def _inspected(k, result, among: np.ndarray) -> np.ndarray:
    """Per contract: a known inspection with this result, among the inspections `among` (a mask)."""
    return k.any_of(k.i_rows, k.i_known & among & where(k.ds.inspections, "result", lambda r: r == result))


def _improved(k, test: np.ndarray) -> np.ndarray:
    """Per contract: an improvement it sees (Visit.improvements) for which `test` (a mask over
    ds.improvements) holds."""
    rows, seen = k.improvements
    return k.any_of(rows, test[seen])


def _closed(k) -> np.ndarray:
    """Per improvement: closed on or before D."""
    closed = dates(k.ds.improvements, "closed_date")
    return (closed != NONE) & (closed <= k.d)


def _verified(k) -> np.ndarray:
    """Per improvement: its follow-up inspection is dated on or before D."""
    follow_up = k.inspection_of(k.ds.improvements, "follow_up_inspection_id")
    return (follow_up >= 0) & (k.i_date[follow_up] <= k.d)


def _tracked(k) -> np.ndarray:
    """Per inspection: an improvement it found is seen on D."""
    out = np.zeros(len(k.ds.inspections), bool)
    out[k.inspection_of(k.ds.improvements)[k.improvements[1]]] = True
    return out


def _onsite_overdue(k) -> np.ndarray:
    """Policy.onsite_due over columns: some on-site requirement of the chain's packs is past due."""
    ins = k.ds.inspections
    last = k.last(k.i_qualifying & where(ins, "method", lambda m: m == InspectionMethod.on_site))
    years = per_record(k.contracts, "consecutive_years", int, np.int64)
    out = np.zeros(k.n, bool)
    for code, policy in enumerate(k.policies):
        at = k.reached & (k.policy == code)
        for req in (r for p in policy.packs for r in p.onsite):
            hit = at & (years >= req.min_consecutive_years)
            if req.contract_types is not None:
                hit &= where(k.contracts, "contract_type", req.contract_types.__contains__)
            valid, due = (last == NONE, k.end) if req.within_term else k.due(last, req.interval_months)
            out |= hit & valid & (k.d > due)
    return out


def _answered_b_or_c(k) -> np.ndarray:
    """Per inspection: one of its checklist answers is B or C."""
    items = k.ds.checklist_items
    out = np.zeros(len(k.ds.inspections), bool)
    of = k.inspection_of(items)
    out[of[where(items, "answer", lambda a: a in (Answer.B, Answer.C)) & (of >= 0)]] = True
    return out


@rule("inspection-overdue", "high", "inspection",
      ("nict 31(5)", "jica 3(2)", "kuki 4(4)", "nerima 24", "mic (3)"), scope="started", candidates=_overdue,
      bulk=lambda k, rows: _overdue_bulk(k, rows),
      title={"ja": "検査期限切れ", "en": "Inspection overdue"},
      doc={"ja": "定期の検査（契約前を除く）が、間隔（既定12か月）を過ぎても行われていない場合に指摘します。"
                 "検査がなければ期限は 開始日+12か月（終了日が先ならその日）。例: 最終検査 2025-06-30、基準日 2026-07-01。",
           "en": "No qualifying (not pre-contract) inspection within the interval (12 months by default). With none, "
                 "due = start + 12 months capped at the end date. Example: last inspection 2025-06-30, as of 2026-07-01."})
def inspection_overdue(v):
    due = v.overdue(v.qualifying, v.policy.interval_months)
    if due is None:
        return None
    last = max((i.date for i in v.qualifying), default=None)
    return _overdue_hit(str(due), str(last) if last else None, v.policy.interval_months, v.where)


def _overdue_hit(due: str, last: str | None, months: int, at) -> Hit:
    seen = f"最終検査 {last}" if last else "検査の記録なし"
    return Hit(
        ja=f"{at['ja']}の検査期限 {due} を過ぎています（{seen}、間隔 {months} か月）。",
        en=f"{at['en']} was due for inspection on {due} "
           f"({'last inspected ' + last if last else 'never inspected'}; interval {months} months).",
        details={"due_date": due, "last_inspection": last})


def _overdue_bulk(k, rows):
    last = _last(k)
    seen = last[rows]
    months = [p.interval_months for p in k.policies]
    return Bulk(_overdue_hit, (iso_days(k.due_at(last, rows)), [None if day == NONE else text for day, text in zip(
        seen.tolist(), iso_days(np.maximum(seen, 1)))], list(map(months.__getitem__, k.policy[rows].tolist()))))


@rule("subcontractor-not-covered", "high", "inspection", ("nict 31(6)", "mic (3) 再委託", "nerima 24(5)"), scope="started",
      min_depth=2, needs=("inspections_of",), candidates=lambda k: ~_overdue(k) & _hidden(k),
      bulk=lambda k, rows: _hidden_bulk(k, rows),
      title={"ja": "委託者から見えない階層", "en": "Level not visible to the principal"},
      doc={"ja": "再委託以下の契約が検査されてはいるが、その結果が委託者に届いていない（委託者自身の検査でも報告でもない）ため、"
                 "委託者から見ると期限切れの場合に指摘します。例: 第3階層を元請が検査したが市に報告していない。",
           "en": "A contract at depth ≥ 2 is inspected in time, but not as far as the principal can see: no inspection "
                 "by the principal and no result reported to it in time. Example: the prime contractor inspected "
                 "level 3 and never reported to the city."})
def subcontractor_not_covered(v):
    months = v.policy.interval_months
    if v.depth < 2 or v.overdue(v.qualifying, months) is not None:
        return None
    due = v.overdue([i for i in v.qualifying if v.visible(i)], months)
    if due is None:
        return None
    return _hidden_hit(v.name, {i.inspector_id for i in v.qualifying if not v.visible(i)}, str(due), v.principal_name,
                       v.where)


def _hidden_hit(name, inspectors: set[str], due: str, principal: str, at) -> Hit:
    """subcontractor-not-covered's message: who inspected unseen (ids, named by `name`), the due
    date as the principal sees it."""
    hidden = sorted(inspectors)
    names = [name(o) for o in hidden]
    return Hit(
        ja=f"{at['ja']}は {'、'.join(names)} が検査していますが、その結果が委託者 {principal} に報告されておらず、"
           f"委託者から見ると {due} に期限切れです。",
        en=f"{at['en']} was inspected by {', '.join(names)}, but the result never reached "
           f"the principal {principal}: as the principal sees it, inspection was due on {due}.",
        details={"due_date": due, "inspectors": hidden})


def _hidden_bulk(k, rows):
    seen = k.i_qualifying & _visible(k)
    last = k.last(seen)
    asked = k.among(rows)
    unseen = np.flatnonzero(k.i_qualifying & ~seen & asked[np.maximum(k.i_rows, 0)])
    by: dict[int, set] = {}
    for j, who in zip(k.i_rows[unseen].tolist(), values_at(k.ds.inspections, "inspector_id", unseen)):
        by.setdefault(j, set()).add(who)
    return Bulk(partial(_hidden_hit, k.ds.org_name), ([by[i] for i in rows.tolist()], iso_days(k.due_at(last, rows)),
                                                       k.names_at(k.principal, rows)), fires=k.overdue(last)[rows])


@rule("onsite-inspection-missing", "medium", "inspection", ("nict 31(5)", "kuki 4(4)"), scope="started",
      candidates=_onsite_overdue,
      title={"ja": "実地検査の不足", "en": "On-site inspection missing"},
      doc={"ja": "ポリシーが実地検査を求める契約（nict: 毎年、kuki: 指定管理は毎年・長期継続は期間内に1回・3年以上連続の委託は3年ごと）で、"
                 "実地検査が期限を過ぎている場合に指摘します。例: kuki の指定管理で、最終実地検査が 2025-06-01、基準日 2026-11-01。",
           "en": "A pack requires on-site inspection (nict: yearly; kuki: designated managers yearly, long-term "
                 "contracts once within the term, the same contractor 3+ years running every 36 months) and it is overdue. Example: a kuki designated manager last inspected on site 2025-06-01, as of 2026-11-01."})
def onsite_inspection_missing(v):
    onsite = [i for i in v.qualifying if i.method == InspectionMethod.on_site]
    last = max((i.date for i in onsite), default=None)
    found = v.policy.onsite_due(v.c, last)
    if found is None or v.as_of <= found[0]:
        return None
    due, requirement = found
    return Hit(
        ja=f"{v.where['ja']}の実地検査の期限 {due} を過ぎています（{requirement}、最終実地検査 {last or 'なし'}）。",
        en=f"{v.where['en']} was due for an on-site inspection on {due} ({requirement}; last on-site {last or 'never'}).",
        details={"due_date": str(due), "requirement": requirement, "last_onsite": str(last) if last else None})


@rule("pre-contract-check-missing", "medium", "inspection", ("jica 1(2)", "kuki 3(1)", "kuki 4(2)"),
      opt_in=True, scope="started", candidates=lambda k: ~k.any_of(
          k.i_rows, k.i_known & ~k.i_qualifying & (k.i_date <= k.start[k.i_rows])),
      title={"ja": "契約前の確認なし", "en": "No pre-contract check"},
      doc={"ja": "（jica: 特定個人情報を扱う契約、kuki: 全契約）開始日までに契約前の検査（調査シート・遵守確認表）がない場合に指摘します。例: 開始 2025-04-01 だが、契約前の検査が 2025-04-10。",
           "en": "(jica for My Number contracts, kuki for all) No inspection with timing `pre_contract` dated on or "
                 "before the start date (the survey sheet / compliance checklist before contracting). Example: start 2025-04-01, the pre-contract inspection dated 2025-04-10."})
def pre_contract_check_missing(v):
    if any(i.timing == InspectionTiming.pre_contract and i.date <= v.c.start_date for i in v.inspections):
        return None
    return Hit(
        ja=f"{v.where['ja']}に、開始日 {v.c.start_date} までの契約前の確認（調査シート・遵守確認表）がありません。",
        en=f"{v.where['en']} had no pre-contract check on or before its start {v.c.start_date}.",
        details={"start_date": str(v.c.start_date)})


@rule("improvement-overdue", "medium", "inspection", ("mic (3)", "kuki 4(4)⑤"), scope="started",
      needs=("inspections_of",),
      candidates=lambda k: _improved(k, (dates(k.ds.improvements, "due_date") < k.d) & ~_closed(k)),
      title={"ja": "改善の期限切れ", "en": "Improvement overdue"},
      doc={"ja": "検査で求めた改善が期限を過ぎても完了していない場合に指摘します。例: 期限 2026-06-30、基準日 2026-07-01 に完了日なし。",
           "en": "An improvement requested by one of its inspections is past its due date and not closed by D. Example: due 2026-06-30, no closed_date as of 2026-07-01."})
def improvement_overdue(v):
    late = sorted(i.improvement_id for i in v.improvements
                  if v.as_of > i.due_date and not v.known(i.closed_date))
    if not late:
        return None
    return Hit(ja=f"{v.where['ja']}の改善要求 {'、'.join(late)} が期限を過ぎても完了していません。",
               en=f"Improvement(s) {', '.join(late)} of {v.where['en']} are past due and not closed.",
               details={"improvement_ids": late})


@rule("improvement-untracked", "medium", "inspection", ("mic (3)", "jica 最終評価"), scope="started",
      needs=("inspections_of",),
      candidates=lambda k: _inspected(k, InspectionResult.needs_improvement, ~_tracked(k)),
      title={"ja": "要改善の追跡なし", "en": "Needs improvement, nothing tracked"},
      doc={"ja": "検査結果が「要改善」なのに、改善要求の記録がない場合に指摘します。例: 2026-06-01 の検査が「要改善」で、improvements に行がない。",
           "en": "An inspection's result is `needs_improvement` but no improvement was recorded. Example: the 2026-06-01 inspection says needs_improvement, no improvements row."})
def improvement_untracked(v):
    tracked = {i.inspection_id for i in v.improvements}
    bare = sorted(i.inspection_id for i in v.inspections
                  if i.result == InspectionResult.needs_improvement and i.inspection_id not in tracked)
    if not bare:
        return None
    return Hit(ja=f"{v.where['ja']}の検査 {'、'.join(bare)} は「要改善」ですが、改善要求の記録がありません。",
               en=f"Inspection(s) {', '.join(bare)} of {v.where['en']} found it needs improvement, but no improvement is recorded.",
               details={"inspection_ids": bare})


@rule("improvement-unverified", "low", "inspection", ("mic (3) 改めて実施",), opt_in=True, scope="started",
      needs=("inspections_of",), candidates=lambda k: _improved(k, _closed(k) & ~_verified(k)),
      title={"ja": "改善の確認なし", "en": "Improvement not verified"},
      doc={"ja": "（mic）完了した改善に、改善を確かめる検査（follow_up_inspection_id）がない場合に指摘します。例: 2026-08-01 に完了とされた改善に follow_up_inspection_id がない。",
           "en": "(mic) An improvement closed by D has no follow-up inspection verifying the fix. Example: an improvement closed 2026-08-01 with no follow_up_inspection_id."})
def improvement_unverified(v):
    known = v.ds.inspection
    bare = sorted(i.improvement_id for i in v.improvements if v.known(i.closed_date)
                  and not (i.follow_up_inspection_id and known[i.follow_up_inspection_id].date <= v.as_of))
    if not bare:
        return None
    return Hit(ja=f"{v.where['ja']}の改善 {'、'.join(bare)} は完了とされていますが、確認の検査がありません。",
               en=f"Improvement(s) {', '.join(bare)} of {v.where['en']} were closed without a follow-up inspection.",
               details={"improvement_ids": bare})


@rule("checklist-inconsistent", "low", "inspection", ("jica 最終評価",), scope="started",
      needs=("inspections_of",),
      candidates=lambda k: _inspected(k, InspectionResult.ok, _answered_b_or_c(k)),
      title={"ja": "チェックリストと評価の矛盾", "en": "Checklist contradicts the result"},
      doc={"ja": "最終評価が「問題なし」なのに、チェックリストに B（一部のみ実施）や C（未実施）の回答がある場合に指摘します。例: 調査シートの No.12 が C なのに最終評価が「問題なし」。",
           "en": "An inspection's result is `ok` while one of its checklist answers is B or C. Example: item 12 of the survey sheet is C, yet the result is ok."})
def checklist_inconsistent(v):
    bad = sorted(i.inspection_id for i in v.inspections if i.result == InspectionResult.ok
                 and any(a.answer in (Answer.B, Answer.C) for a in v.ds.checklist_of.get(i.inspection_id, ())))
    if not bad:
        return None
    return Hit(ja=f"{v.where['ja']}の検査 {'、'.join(bad)} は「問題なし」ですが、チェックリストに B または C の回答があります。",
               en=f"Inspection(s) {', '.join(bad)} of {v.where['en']} are rated ok although the checklist has B or C answers.",
               details={"inspection_ids": bad})
