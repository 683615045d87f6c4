"""Clauses, 同等以上の規定 (RULES.md § Clauses)."""
from __future__ import annotations

from loaders.vocab import Clause

import numpy as np

from ..columns import CLAUSE_BIT, bits, where
from ..registry import Hit, rule


def _required(k) -> np.ndarray:
    """Per contract: the clauses its policy requires (Policy.required_clauses), as bits."""
    key = ((k.policy * 2 + k.my_number) * 2 + k.sub) * 2 + where(k.contracts, "external_services", bool)
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    required = np.asarray([bits(k.policies[k.policy[i]].required_clauses(k.contracts[i], int(k.depth[i])), CLAUSE_BIT)
                           if k.reached[i] else 0 for i in first.tolist()], np.int64)
    return required[inverse.ravel()]


def _codes(codes) -> tuple[list[str], str, str]:
    ordered = sorted(str(c) for c in codes)
    return ordered, "、".join(f"{Clause(c).ja}（{c}）" for c in ordered), ", ".join(ordered)


@rule("missing-required-clause", "high", "clauses",
      ("nict 31(1)(2)", "kuki 3(1)", "mic (2)", "nerima 18", "jica No.35"),
      candidates=lambda k: (_required(k) & ~k.clauses) != 0,
      title={"ja": "必要な条項の欠落", "en": "Required clause missing"},
      doc={"ja": "適用されるポリシーが、データ区分・階層・外部サービス利用に応じて求める条項が契約にない場合に指摘します（1契約1件、details.missing に条項コード）。"
                 "例: 特定個人情報を扱う契約に「持ち出しの禁止（no_takeout）」がない。",
           "en": "A clause required by the policies in force (for its data categories, depth and external services) "
                 "is absent; one finding per contract, `details.missing` sorted. Example: a My Number contract "
                 "without `no_takeout`."})
def missing_required_clause(v):
    missing = v.policy.required_clauses(v.c, v.depth) - set(v.c.clauses)
    if not missing:
        return None
    codes, ja, en = _codes(missing)
    return Hit(
        ja=f"{v.where['ja']}に、ポリシー（{'・'.join(v.policy.ids)}）が求める条項がありません: {ja}。",
        en=f"{v.where['en']} lacks clauses required by the policies in force ({', '.join(v.policy.ids)}): {en}.",
        details={"missing": codes, "policies": list(v.policy.ids)})


@rule("weaker-than-parent", "high", "clauses", ("nerima 18(1)(3)", "mic ⑦", "jica No.35"),
      min_depth=2, candidates=lambda k: k.sub & ((k.up(k.clauses) & ~k.clauses) != 0),
      title={"ja": "親契約より弱い条項", "en": "Weaker than the parent contract"},
      doc={"ja": "再委託契約は親契約と同等以上の規定を持たなければなりません。親契約の条項が欠けている場合に指摘します（details.missing）。"
                 "例: 親契約に「複製等の制限」があるのに再委託契約にない。",
           "en": "A subcontract must carry at least its parent's clauses (equivalent or stronger); fires when a "
                 "clause of the parent is absent, `details.missing` sorted. Example: the parent restricts copying, "
                 "the subcontract does not."})
def weaker_than_parent(v):
    if v.parent is None:
        return None
    missing = set(v.parent.clauses) - set(v.c.clauses)
    if not missing:
        return None
    codes, ja, en = _codes(missing)
    return Hit(
        ja=f"{v.where['ja']}には、親契約 {v.parent.contract_id} にある条項がありません（同等以上でない）: {ja}。",
        en=f"{v.where['en']} is weaker than its parent {v.parent.contract_id}; it lacks: {en}.",
        details={"missing": codes, "parent_contract_id": v.parent.contract_id})
