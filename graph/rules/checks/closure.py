"""End of contract and incidents (RULES.md § End of contract and incidents)."""
from __future__ import annotations

from datetime import timedelta

import numpy as np

from ..columns import dates, iso_days, where
from ..registry import Bulk, Hit, rule


def _certified(k, test=None):
    """Per contract: a deletion certificate dated on or before D whose
    includes_subcontractor_certificates passes `test`."""
    dels = k.ds.deletions
    known = k.memo("certified", lambda: dates(dels, "certificate_date") <= k.d)
    if test is not None:
        known = known & where(dels, "includes_subcontractor_certificates", test)
    return k.any_of(k.rows(dels), known)


@rule("deletion-certificate-missing", "high", "closure", ("nict 31(1)五", "jica 3(3)", "nerima 23"), scope="ended",
      candidates=lambda k: (k.end + k.by_policy(lambda p: p.deletion_grace_days) < k.d) & ~_certified(k),
      bulk=lambda k, rows: _uncertified_bulk(k, rows),
      title={"ja": "廃棄・削除証明書なし", "en": "No deletion certificate"},
      doc={"ja": "契約終了日から猶予期間（既定30日）を過ぎても、廃棄・削除証明書の記録がない場合に指摘します。例: 2026-03-31 終了、基準日 2026-11-01 に deletions の行がない。",
           "en": "The contract ended more than the grace period (30 days by default) ago and no deletion "
                 "certificate is recorded. Example: ended 2026-03-31, no deletions row as of 2026-11-01."})
def deletion_certificate_missing(v):
    grace = v.policy.deletion_grace_days
    if not v.c.end_date + timedelta(days=grace) < v.as_of:
        return None
    if any(d.certificate_date <= v.as_of for d in v.ds.deletions_of.get(v.c.contract_id, ())):
        return None
    return _uncertified_hit(str(v.c.end_date), grace, v.where)


def _uncertified_hit(end: str, grace: int, at) -> Hit:
    return Hit(ja=f"{at['ja']}は {end} に終了しましたが、{grace} 日を過ぎても廃棄・削除証明書がありません。",
               en=f"{at['en']} ended {end}; no deletion certificate after {grace} days.",
               details={"end_date": end, "grace_days": grace})


def _uncertified_bulk(k, rows):
    grace = [p.deletion_grace_days for p in k.policies]
    return Bulk(_uncertified_hit, (iso_days(k.end[rows]), list(map(grace.__getitem__, k.policy[rows].tolist()))))


@rule("subcontractor-certificates-missing", "medium", "closure", ("jica 別添4 注1", "nerima 23(3)"), scope="ended",
      needs=("children", "deletions_of"),
      candidates=lambda k: _certified(k, lambda included: included is False),
      title={"ja": "再委託先の証明書なし", "en": "Subcontractors' certificates missing"},
      doc={"ja": "再委託先がある契約の廃棄・削除証明書に、再委託先の証明書が添付されていない場合に指摘します。例: 再委託 K-2 がある K-1 の証明書で includes_subcontractor_certificates が false。",
           "en": "A deletion certificate says the subcontractors' certificates are not attached while the contract "
                 "has child contracts. Example: K-1 has subcontract K-2, and its certificate says includes_subcontractor_certificates false."})
def subcontractor_certificates_missing(v):
    children = v.ds.children.get(v.c.contract_id)
    if not children:
        return None
    if not any(d.includes_subcontractor_certificates is False and d.certificate_date <= v.as_of
               for d in v.ds.deletions_of.get(v.c.contract_id, ())):
        return None
    kids = sorted(k.contract_id for k in children)
    return Hit(ja=f"{v.where['ja']}の廃棄・削除証明書に、再委託先（{'、'.join(kids)}）の証明書が添付されていません。",
               en=f"The deletion certificate of {v.where['en']} lacks the certificates of its subcontracts ({', '.join(kids)}).",
               details={"child_contract_ids": kids})


@rule("incident-report-incomplete", "high", "closure", ("nerima 26(1)(2)", "mic ⑨"),
      needs=("incidents_of",),
      title={"ja": "事故の報告漏れ", "en": "Incident not fully reported"},
      doc={"ja": "事故等（漏えい・滅失・毀損）が、最上位の委託者に、また再委託以下では直接の委託元にも報告されていない場合に指摘します。例: 再々委託先の漏えいが元請にだけ報告され、市に報告されていない。",
           "en": "An incident was not reported to the root principal or, at depth ≥ 2, to the contract's delegator. Example: a leak at level 3 reported to the prime contractor only, not to the city."})
def incident_report_incomplete(v):
    gaps: dict[str, list[str]] = {}
    for inc in v.ds.incidents_of.get(v.c.contract_id, ()):
        if inc.occurred_date > v.as_of:
            continue
        told = set(inc.reported_ids) if v.known(inc.reported_date) or inc.reported_date is None else set()
        need = [v.principal_id] + ([v.c.delegator_id] if v.depth >= 2 else [])
        missing = [o for o in dict.fromkeys(need) if o not in told]
        if missing:
            gaps[inc.incident_id] = missing
    if not gaps:
        return None
    ja = "、".join(f"{i}（未報告: {'・'.join(v.name(o) for o in m)}）" for i, m in sorted(gaps.items()))
    en = "; ".join(f"{i} (not reported to {', '.join(v.name(o) for o in m)})" for i, m in sorted(gaps.items()))
    return Hit(ja=f"{v.where['ja']}の事故等の報告が不足しています: {ja}。",
               en=f"Incidents of {v.where['en']} were not fully reported: {en}.",
               details={"incidents": {i: m for i, m in sorted(gaps.items())}})
