"""People, 体制 (RULES.md § People)."""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from loaders.lazy import per_record, value_codes
from loaders.vocab import Role

from ..dates import add_months
from ..columns import add_months as add_months_column, dates, where
from ..registry import Hit, rule


def _designated(k, role):
    people = k.ds.personnel
    return k.any_of(k.rows(people), where(people, "role", lambda r: r == role))


def _untrained(k):
    """training-missing's scope (My Number, active on D, started ≥ 12 months before D) without a
    training in the 12 months up to D."""
    scope = k.my_number & (k.start <= k.d) & (k.d <= k.end) & (add_months_column(k.start, 12) <= k.d)
    trainings = k.ds.trainings
    day = dates(trainings, "date")
    since = add_months(k.as_of, -12).toordinal()
    return scope & ~k.any_of(k.rows(trainings), (day > since) & (day <= k.d))


@rule("designation-missing", "medium", "people", ("nerima 8・9", "jica 3(1)"),
      candidates=lambda k: k.my_number & k.started & ~(_designated(k, Role.data_manager) & _designated(k, Role.handler)),
      title={"ja": "管理責任者・事務取扱担当者の未指定", "en": "Data manager or handler not designated"},
      doc={"ja": "特定個人情報を扱い既に開始した契約で、管理責任者（data_manager）または事務取扱担当者（handler）が指定されていない場合に指摘します。例: マイナンバーを扱う再委託に 事務取扱担当者 の行がない。",
           "en": "A My Number contract that has started lacks a designated data manager or handler. Example: a My Number subcontract with no handler row."})
def designation_missing(v):
    if not (v.c.my_number and v.started):
        return None
    roles = {p.role for p in v.ds.personnel_of.get(v.c.contract_id, ())}
    lacking = [r for r in (Role.data_manager, Role.handler) if r not in roles]
    if not lacking:
        return None
    return Hit(ja=f"{v.where['ja']}に {'・'.join(r.ja for r in lacking)} の指定がありません。",
               en=f"{v.where['en']} has no designated {' or '.join(str(r) for r in lacking)}.",
               details={"missing_roles": [str(r) for r in lacking]})


def _conflicted(k):
    """Per contract: one person on it is audit lead and also data manager or handler."""
    people = k.ds.personnel
    rows = k.rows(people)
    role = per_record(people, "role", lambda r: 1 if r == Role.audit_lead else 2 if r in (Role.data_manager, Role.handler) else 0, np.int64)
    person = value_codes(people, "person_id") + 1  # (-1: no id)
    keep = (rows >= 0) & (role > 0)
    span = int(person.max(initial=0)) + 1
    pairs, inverse = np.unique(rows[keep].astype(np.int64) * span + person[keep], return_inverse=True)
    roles = np.zeros(pairs.size, np.int64)
    np.bitwise_or.at(roles, inverse.ravel(), role[keep])
    out = np.zeros(k.n, bool)
    out[pairs[roles == 3] // span] = True
    return out


@rule("audit-lead-conflict", "medium", "people", ("nerima 7",), opt_in=True,
      needs=("personnel_of",), candidates=_conflicted,
      title={"ja": "監査責任者の兼任", "en": "Audit lead also manages or handles the data"},
      doc={"ja": "（練馬区）監査責任者が、同じ契約の管理責任者または事務取扱担当者を兼ねている場合に指摘します（第7条）。例: P-003 が監査責任者と事務取扱担当者の両方。",
           "en": "(nerima) The same person is audit lead and also data manager or handler on the contract (art. 7). Example: P-003 is both audit_lead and handler."})
def audit_lead_conflict(v):
    roles = defaultdict(set)
    for p in v.ds.personnel_of.get(v.c.contract_id, ()):
        roles[p.person_id].add(p.role)
    people = sorted(pid for pid, r in roles.items() if Role.audit_lead in r and r & {Role.data_manager, Role.handler})
    if not people:
        return None
    return Hit(ja=f"{v.where['ja']}で、監査責任者 {'、'.join(people)} が管理責任者または事務取扱担当者を兼ねています。",
               en=f"On {v.where['en']} the audit lead {', '.join(people)} is also data manager or handler.",
               details={"person_ids": people})


@rule("training-missing", "low", "people", ("nerima 11", "jica 3(2)"), opt_in=True, candidates=_untrained,
      title={"ja": "教育の未実施", "en": "No training in the last 12 months"},
      doc={"ja": "（練馬区）特定個人情報を扱い、基準日に有効で、12か月以上前に開始した契約に、直近12か月の教育の記録がない場合に指摘します。例: 2024-04-01 開始、最終教育 2025-09-30、基準日 2026-11-01。",
           "en": "(nerima) A My Number contract active on D that started at least 12 months before D has had no "
                 "training in the last 12 months. Example: started 2024-04-01, last training 2025-09-30, as of 2026-11-01."})
def training_missing(v):
    c, d = v.c, v.as_of
    if not (c.my_number and c.start_date <= d <= c.end_date and add_months(c.start_date, 12) <= d):
        return None
    since = add_months(d, -12)
    if any(since < t.date <= d for t in v.ds.trainings_of.get(c.contract_id, ())):
        return None
    return Hit(ja=f"{v.where['ja']}で、{since} より後に従事者への教育の記録がありません。",
               en=f"{v.where['en']} recorded no staff training after {since}.",
               details={"since": str(since)})
