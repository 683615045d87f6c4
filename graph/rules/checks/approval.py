"""Approval of re-delegation, 再委託の承認 (RULES.md § Approval)."""
from __future__ import annotations

from functools import partial

from loaders.vocab import ApprovalStatus, Authorization

import numpy as np

from loaders.lazy import values_at

from ..columns import NONE, iso_days, where
from ..registry import Bulk, Hit, rule


def _root_approval_by(k, dates):
    """Per contract: a root approval known on D dated (in `dates`, per approval) on or before the start."""
    return k.any_of(k.a_rows, k.a_root_ok & (dates != NONE) & (dates <= k.start[k.a_rows]))


def _notified_upstream(k):
    """Per contract at depth ≥ 3 (the rule's least): a root approval known on D notifies the
    parent's delegator."""
    names = list(k.orgs)
    rows = np.flatnonzero(k.a_root_ok & (k.depth[k.a_rows] >= 3))
    upstream = k.up(k.delegator)[k.a_rows[rows]]
    told = np.zeros(len(k.ds.approvals), bool)
    told[rows] = np.fromiter(map(list.__contains__, values_at(k.ds.approvals, "notified_ids", rows),
                                 map(names.__getitem__, upstream.tolist())), bool, rows.size)
    return k.any_of(k.a_rows, told)


@rule("unapproved-redelegation", "critical", "approval",
      ("nict 31(1)二", "nict 31(4)", "nerima 17(1)(3)", "kuki ③", "mic ⑦"),
      min_depth=2, candidates=lambda k: k.unapproved, bulk=lambda k, rows: _unapproved_bulk(k, rows),
      title={"ja": "承認のない再委託", "en": "Re-delegation without the principal's approval"},
      doc={"ja": "再委託・再々委託には、最上位の委託者（本市・本区等）の承認が必要です。元請など他者の承認は数えません。"
                 "例: 市→A社→B社 の再委託 K-2 に、市の「承認」行がない（A社の承認のみ）。"
                 "gdpr-art28 では、authorization が general の契約は、管理者への通知（notified）が異議なく異議申立期間を経過すれば承認とみなします。",
           "en": "Every re-delegation needs the approval of the root principal; an approval by anyone else "
                 "(e.g. the prime contractor) does not count. Example: subcontract K-2 (A→B) has an approval by A only. "
                 "Under gdpr-art28, a contract with `authorization` general is authorised by a `notified` row to "
                 "the controller once its objection window has elapsed without a `rejected` row."})
def unapproved_redelegation(v):
    if not v.unapproved:
        return None
    others = {a.approver_id for a in v.approvals if a.status == ApprovalStatus.approved and a.approver_id != v.principal_id}
    hit = _unapproved_hit(v.name, v.principal_name, others, {str(a.status) for a in v.approvals
                                                             if a.approver_id == v.principal_id}, v.where)
    ja, en, details = hit.ja, hit.en, hit.details
    if v.root_notices:  # GDPR 28(2) general authorisation: a notice, but objected to or still open
        ends = sorted(str(v.window_end(n)) for n in v.root_notices)
        details["objection_window_ends"] = ends
        if v.objection:
            ja += "包括承認の下での通知に対し、委託者が異議を述べています。"
            en += " The principal objected to the notice given under general authorisation."
        else:
            ja += f"包括承認の下での通知の異議申立期間が {ends[0]} まで続いています（経過前は承認とみなしません）。"
            en += (f" The notice under general authorisation is still open to objection until {ends[0]}: "
                   "it counts only once that window has elapsed.")
    return Hit(ja=ja, en=en, details=details)


def _unapproved_hit(name, principal: str, others: set[str], states: set[str], at) -> Hit:
    """unapproved-redelegation's message at `at` (Visit.where): the approvers other than the
    principal (ids, named by `name`) and the principal's own decisions (statuses)."""
    others, states = sorted(others), sorted(states)
    ja = f"{at['ja']}に、委託者 {principal} の承認がありません。"
    en = f"{at['en']} has no approval by the principal {principal}."
    if others:
        names = [name(o) for o in others]
        ja += f"{'、'.join(names)} による承認はありますが、委託者の承認に代わりません。"
        en += f" It was approved by {', '.join(names)}, which does not count: only the principal can approve."
    if states:
        ja += f"委託者への申請の状態: {'・'.join(ApprovalStatus(s).ja for s in states)}。"
        en += f" The principal's decision: {', '.join(states)}."
    return Hit(ja=ja, en=en, details={"approved_by_others": others, "principal_statuses": states})


def _unapproved_bulk(k, rows):
    """unapproved_redelegation at every candidate row; a GDPR general authorisation's notices are
    left to the predicate."""
    gdpr = where(k.contracts, "authorization", lambda x: x == Authorization.general)[rows]
    gdpr &= k.objection[rows]
    a, ar = k.ds.approvals, k.a_rows
    asked = k.among(rows)
    seen = np.flatnonzero((ar >= 0) & asked[np.maximum(ar, 0)] & ((k.a_decided == NONE) | (k.a_decided <= k.d)))
    org_ids = list(k.orgs)
    others: dict[int, set] = {}
    states: dict[int, set] = {}
    for j, who, status, root in zip(ar[seen].tolist(), values_at(a, "approver_id", seen), values_at(a, "status", seen),
                                    map(org_ids.__getitem__, k.principal[ar[seen]].tolist())):
        if who == root:
            states.setdefault(j, set()).add(str(status))
        elif status == ApprovalStatus.approved:
            others.setdefault(j, set()).add(who)
    empty, at = frozenset(), rows.tolist()
    return Bulk(partial(_unapproved_hit, k.ds.org_name), (k.names_at(k.principal, rows), [others.get(i, empty) for i in at],
                                                         [states.get(i, empty) for i in at]), ask=gdpr)


@rule("late-approval", "high", "approval", ("nict 31(1)二 (事前承認)", "nerima 17(2)"),
      min_depth=2, needs=("approvals_of",),
      candidates=lambda k: k.sub & ~k.unapproved & ~_root_approval_by(k, k.a_decided),
      bulk=lambda k, rows: _late_bulk(k, rows),
      title={"ja": "事後の承認", "en": "Approval after the start"},
      doc={"ja": "委託者の承認はあるが、承認日が契約開始日より後（または承認日の記録がない）場合に指摘します。承認は事前に必要です。"
                 "開始日当日の承認は事前とみなします。例: 開始 2025-04-01、承認 2025-04-15。"
                 "gdpr-art28 の包括承認では、通知日＋異議申立期間（objection_days、既定30日）より前の開始も指摘します。",
           "en": "Approved by the principal, but no such approval is dated on or before the start date "
                 "(approval on the start date itself is in time). Example: start 2025-04-01, approved 2025-04-15. "
                 "Under gdpr-art28's general authorisation, also a start before the notice date + the objection "
                 "window (`objection_days`, 30 by default)."})
def late_approval(v):
    if v.depth < 2 or not (v.root_approvals or v.authorising_notices):
        return None
    start = v.c.start_date
    if any(a.decided_date and a.decided_date <= start for a in v.root_approvals):
        return None
    # GDPR 28(2), general authorisation: the sub-processor may start once the objection window has elapsed.
    if any(v.window_end(n) <= start for n in v.authorising_notices):
        return None
    if not v.root_approvals:
        notices = sorted(str(n.requested_date) for n in v.authorising_notices)
        ends = sorted(str(v.window_end(n)) for n in v.authorising_notices)
        return Hit(
            ja=f"{v.where['ja']}は {start} に開始していますが、委託者 {v.principal_name} への通知日は {'、'.join(notices)}、"
               f"異議申立期間（{v.policy.objection_days} 日）の経過は {ends[0]} です（期間の経過前に開始）。",
            en=f"{v.where['en']} starts {start}, but the notice to the principal {v.principal_name} is dated "
               f"{', '.join(notices)}: the {v.policy.objection_days}-day objection window ends {ends[0]}, after the start.",
            details={"notice_dates": notices, "objection_window_ends": ends, "start_date": str(start)})
    return _late_specific(v)


def _late_specific(v):
    return _late_hit(sorted(str(a.decided_date) for a in v.root_approvals if a.decided_date), str(v.c.start_date),
                     v.principal_name, v.where)


def _late_hit(dates: list[str], start: str, principal: str, at) -> Hit:
    """late-approval's message: the principal's approval dates (sorted), the start."""
    shown = "、".join(dates) or "記録なし"
    return Hit(
        ja=f"{at['ja']}は {start} に開始していますが、委託者 {principal} の承認日は {shown} です（事前承認が必要）。",
        en=f"{at['en']} starts {start} but the principal's approval is dated "
           f"{', '.join(dates) or 'nowhere'}: approval must come first.",
        details={"decided_dates": list(dates), "start_date": start})


def _late_bulk(k, rows):
    """late_approval at every candidate row (a specific approval, given after the start); under a
    pack with an objection window (GDPR general authorisation) the predicate decides."""
    asked = k.among(rows)
    ar = k.a_rows
    dated = np.flatnonzero(k.a_root_ok & (k.a_decided != NONE) & asked[np.maximum(ar, 0)])
    order = np.lexsort((k.a_decided[dated], ar[dated]))  # by contract, then date
    dates: dict[int, list] = {}
    for j, day in zip(ar[dated][order].tolist(), iso_days(k.a_decided[dated][order])):
        dates.setdefault(j, []).append(day)
    none: list = []
    return Bulk(_late_hit, ([dates.get(i, none) for i in rows.tolist()], iso_days(k.start[rows]),
                            k.names_at(k.principal, rows)),
                ask=k.objection[rows])


@rule("prior-check-missing", "high", "approval", ("nerima 17(2)", "nerima 17(4)(1)", "nict 31(4)", "mic ⑦"),
      min_depth=2, needs=("approvals_of",),
      candidates=lambda k: k.sub & k.root_approved & ~_root_approval_by(k, k.a_prior_check),
      bulk=lambda k, rows: Bulk(_unchecked_hit, (iso_days(k.start[rows]),)),
      title={"ja": "事前確認がない", "en": "No prior check of the subcontractor"},
      doc={"ja": "委託者の承認はあるが、再委託先が安全管理措置を講じることの書面による事前確認（prior_check_date）が開始日までにない場合に指摘します。例: 承認は 2025-03-20 だが、事前確認日の記録がない。",
           "en": "Approved by the principal, but no approval records a written prior check (prior_check_date) "
                 "on or before the start date that the subcontractor takes the required measures. Example: approved 2025-03-20 with no prior_check_date."})
def prior_check_missing(v):
    if v.depth < 2 or not v.root_approvals:
        return None
    if any(a.prior_check_date and a.prior_check_date <= v.c.start_date for a in v.root_approvals):
        return None
    return _unchecked_hit(str(v.c.start_date), v.where)


def _unchecked_hit(start: str, at) -> Hit:
    return Hit(ja=f"{at['ja']}の承認に、開始日 {start} までの事前確認（安全管理措置の確認）の記録がありません。",
               en=f"The approval of {at['en']} records no prior check of the subcontractor's measures "
                  f"on or before its start {start}.",
               details={"start_date": start})


@rule("upstream-not-notified", "medium", "approval", ("nerima 17(4)(2)",), opt_in=True,
      min_depth=3, needs=("approvals_of",), candidates=lambda k: k.root_approved & ~_notified_upstream(k),
      title={"ja": "上位の委託先への通知なし", "en": "Upstream contractor not notified"},
      doc={"ja": "（練馬区）再々委託以下の承認で、親契約の委託元（上位の受託者）が通知先に含まれていない場合に指摘します。"
                 "例: 市→A社→B社→C社 の K-3 の承認の notified_ids に A社 がない。",
           "en": "(nerima) For a contract at depth ≥ 3 approved by the principal, the parent's delegator is in none "
                 "of the approvals' notified_ids. Example: City→A→B→C, the approval of K-3 does not notify A."})
def upstream_not_notified(v):
    if v.depth < 3 or not v.root_approvals or v.parent is None:
        return None
    upstream = v.parent.delegator_id
    if any(upstream in a.notified_ids for a in v.root_approvals):
        return None
    return Hit(
        ja=f"{v.where['ja']}の承認申請が、上位の委託元 {v.name(upstream)} に通知されていません。",
        en=f"The application for {v.where['en']} was not notified to the upstream contractor {v.name(upstream)}.",
        details={"upstream_id": upstream})


@rule("inherited-unapproved-chain", "high", "approval", ("nict 31(6)", "nerima 18(3)"),
      min_depth=3, candidates=lambda k: k.nearest >= 0, bulk=lambda k, rows: _below_bulk(k, rows),
      title={"ja": "未承認の再委託の下にある契約", "en": "Below an unapproved re-delegation"},
      doc={"ja": "再々委託以下の契約で、上位（第2階層以下）に承認のない再委託がある場合に指摘します。details.nearest は最も近いものです。"
                 "例: K-2 が未承認なら、その下の K-3, K-4 はすべて指摘されます。",
           "en": "A contract at depth ≥ 3 with an ancestor at depth ≥ 2 that has unapproved-redelegation; "
                 "`details.nearest` names the nearest. Example: K-2 is unapproved, so K-3 and K-4 below it fire."})
def inherited_unapproved_chain(v):
    if v.depth < 3 or v.nearest_unapproved is None:
        return None
    near = v.ds.contract[v.nearest_unapproved]
    return _below_hit(v.principal_name, near.contract_id, v.name(near.delegator_id), v.name(near.delegatee_id), v.where)


def _below_hit(principal: str, near: str, delegator: str, delegatee: str, at) -> Hit:
    """inherited-unapproved-chain's message: the nearest unapproved contract above, its parties' names."""
    return Hit(ja=f"{at['ja']}は、委託者 {principal} の承認のない再委託 {near}（{delegator} → {delegatee}）の下にあります。",
               en=f"{at['en']} lies below {near} ({delegator} → {delegatee}), a re-delegation the principal "
                  f"{principal} never approved.",
               details={"nearest": near})


def _below_bulk(k, rows):
    near = k.nearest[rows]
    return Bulk(_below_hit, (k.names_at(k.principal, rows), k.ids_at(near), k.names_at(k.delegator, near),
                             k.names_at(k.delegatee, near)), fires=k.depth[rows] >= 3)
