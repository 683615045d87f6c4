"""Approval of re-delegation, 再委託の承認 (RULES.md § Approval)."""
from __future__ import annotations

from loaders.vocab import ApprovalStatus

import numpy as np

from loaders.lazy import values_at

from ..columns import NONE
from ..registry import Hit, rule


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
      min_depth=2, candidates=lambda k: k.unapproved,
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
    others = sorted({a.approver_id for a in v.approvals
                     if a.status == ApprovalStatus.approved and a.approver_id != v.principal_id})
    states = sorted({str(a.status) for a in v.approvals if a.approver_id == v.principal_id})
    ja = f"{v.where['ja']}に、委託者 {v.principal_name} の承認がありません。"
    en = f"{v.where['en']} has no approval by the principal {v.principal_name}."
    if others:
        names = "、".join(v.name(o) for o in others)
        ja += f"{names} による承認はありますが、委託者の承認に代わりません。"
        en += f" It was approved by {', '.join(v.name(o) for o in others)}, which does not count: only the principal can approve."
    if states:
        ja += f"委託者への申請の状態: {'・'.join(ApprovalStatus(s).ja for s in states)}。"
        en += f" The principal's decision: {', '.join(states)}."
    details = {"approved_by_others": others, "principal_statuses": states}
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


@rule("late-approval", "high", "approval", ("nict 31(1)二 (事前承認)", "nerima 17(2)"),
      min_depth=2, needs=("approvals_of",),
      candidates=lambda k: k.sub & ~k.unapproved & ~_root_approval_by(k, k.a_decided),
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
    dates = sorted(str(a.decided_date) for a in v.root_approvals if a.decided_date)
    shown = "、".join(dates) or "記録なし"
    return Hit(
        ja=f"{v.where['ja']}は {v.c.start_date} に開始していますが、委託者 {v.principal_name} の承認日は {shown} です（事前承認が必要）。",
        en=f"{v.where['en']} starts {v.c.start_date} but the principal's approval is dated "
           f"{', '.join(dates) or 'nowhere'}: approval must come first.",
        details={"decided_dates": dates, "start_date": str(v.c.start_date)})


@rule("prior-check-missing", "high", "approval", ("nerima 17(2)", "nerima 17(4)(1)", "nict 31(4)", "mic ⑦"),
      min_depth=2, needs=("approvals_of",),
      candidates=lambda k: k.sub & k.root_approved & ~_root_approval_by(k, k.a_prior_check),
      title={"ja": "事前確認がない", "en": "No prior check of the subcontractor"},
      doc={"ja": "委託者の承認はあるが、再委託先が安全管理措置を講じることの書面による事前確認（prior_check_date）が開始日までにない場合に指摘します。例: 承認は 2025-03-20 だが、事前確認日の記録がない。",
           "en": "Approved by the principal, but no approval records a written prior check (prior_check_date) "
                 "on or before the start date that the subcontractor takes the required measures. Example: approved 2025-03-20 with no prior_check_date."})
def prior_check_missing(v):
    if v.depth < 2 or not v.root_approvals:
        return None
    if any(a.prior_check_date and a.prior_check_date <= v.c.start_date for a in v.root_approvals):
        return None
    return Hit(
        ja=f"{v.where['ja']}の承認に、開始日 {v.c.start_date} までの事前確認（安全管理措置の確認）の記録がありません。",
        en=f"The approval of {v.where['en']} records no prior check of the subcontractor's measures "
           f"on or before its start {v.c.start_date}.",
        details={"start_date": str(v.c.start_date)})


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
      min_depth=3, candidates=lambda k: k.nearest >= 0,
      title={"ja": "未承認の再委託の下にある契約", "en": "Below an unapproved re-delegation"},
      doc={"ja": "再々委託以下の契約で、上位（第2階層以下）に承認のない再委託がある場合に指摘します。details.nearest は最も近いものです。"
                 "例: K-2 が未承認なら、その下の K-3, K-4 はすべて指摘されます。",
           "en": "A contract at depth ≥ 3 with an ancestor at depth ≥ 2 that has unapproved-redelegation; "
                 "`details.nearest` names the nearest. Example: K-2 is unapproved, so K-3 and K-4 below it fire."})
def inherited_unapproved_chain(v):
    if v.depth < 3 or v.nearest_unapproved is None:
        return None
    near = v.ds.contract[v.nearest_unapproved]
    return Hit(
        ja=f"{v.where['ja']}は、委託者 {v.principal_name} の承認のない再委託 {near.contract_id}"
           f"（{v.name(near.delegator_id)} → {v.name(near.delegatee_id)}）の下にあります。",
        en=f"{v.where['en']} lies below {near.contract_id} ({v.name(near.delegator_id)} → "
           f"{v.name(near.delegatee_id)}), a re-delegation the principal {v.principal_name} never approved.",
        details={"nearest": near.contract_id})
