"""Chain structure (RULES.md § Chain structure)."""
from __future__ import annotations

import numpy as np

from ..registry import Hit, rule


def _first_seen(k) -> np.ndarray:
    """Per contract: the least depth at which its delegatee is a party anywhere in its chain (a
    superset of "on its own path above it"; unreached contracts: depth 0, never a candidate)."""
    chain = k.prime * len(k.orgs)
    pairs, inverse = np.unique(np.concatenate([chain + k.delegator, chain + k.delegatee]), return_inverse=True)
    inverse = inverse.ravel()
    least = np.full(pairs.size, np.iinfo(np.int64).max)
    np.minimum.at(least, inverse, np.concatenate([k.depth, k.depth]))
    return least[inverse[k.n:]]


@rule("chain-inconsistent", "high", "structure", ("nict 31(1)二", "nerima 17"),
      min_depth=2, candidates=lambda k: k.sub & (k.delegator != k.up(k.delegatee)),
      title={"ja": "チェーンの不整合", "en": "Broken chain link"},
      doc={"ja": "再委託以下の契約で、委託元が親契約の委託先と異なる場合に指摘します（例: 子会社が再委託契約を結んだ）。"
                 "例: K-1 が 市→A社、K-2 が B社→C社 で親が K-1 のとき、K-2 の委託元 B社 は A社 ではない。",
           "en": "A subcontract whose delegator is not its parent's delegatee: a link is missing "
                 "(e.g. a subsidiary signed the subcontract). Example: K-1 is City→A, K-2 (child of K-1) is B→C."})
def chain_inconsistent(v):
    if v.parent and v.c.delegator_id != v.parent.delegatee_id:
        return Hit(
            ja=f"{v.where['ja']}の委託元 {v.name(v.c.delegator_id)} は、親契約 {v.parent.contract_id} の委託先 "
               f"{v.name(v.parent.delegatee_id)} ではありません。チェーンの一部が欠けています（子会社も別の事業者です）。",
            en=f"In {v.where['en']} the delegator {v.name(v.c.delegator_id)} is not the delegatee "
               f"{v.name(v.parent.delegatee_id)} of the parent contract {v.parent.contract_id}: a link of the chain is missing "
               f"(a subsidiary is a separate party).",
            details={"parent_contract_id": v.parent.contract_id, "expected_delegator_id": v.parent.delegatee_id})
    return None


@rule("data-scope-expansion", "high", "structure", ("nict 31(6)", "nerima 18"),
      min_depth=2, candidates=lambda k: k.sub & ((k.categories & ~k.up(k.categories)) != 0),
      title={"ja": "取扱情報の範囲拡大", "en": "Data scope wider than the parent"},
      doc={"ja": "再委託先が、親契約にないデータ区分（例: 特定個人情報）を扱う場合に指摘します。"
                 "例: 親契約が「個人情報」のみなのに、再委託が「個人情報;特定個人情報」。",
           "en": "A subcontract carries a data category its parent does not. Example: the parent handles "
                 "`personal` only, the subcontract `personal;my_number`."})
def data_scope_expansion(v):
    if v.parent is None:
        return None
    added = sorted(set(v.c.data_categories) - set(v.parent.data_categories))
    if added:
        ja = "・".join(d.ja for d in v.c.data_categories if d in added)
        return Hit(
            ja=f"{v.where['ja']}は、親契約 {v.parent.contract_id} が扱わない {ja} を扱っています。",
            en=f"{v.where['en']} handles {', '.join(added)}, which its parent {v.parent.contract_id} does not.",
            details={"added": [str(a) for a in added]})
    return None


@rule("period-outside-parent", "medium", "structure", ("nerima 18(2)", "mic ⑧"),
      min_depth=2, candidates=lambda k: k.sub & ((k.start < k.up(k.start)) | (k.end > k.up(k.end))),
      title={"ja": "契約期間が親契約の外", "en": "Period outside the parent's"},
      doc={"ja": "再委託の契約期間が親契約の期間をはみ出す場合に指摘します。例: 親契約が 2026-03-31 終了、再委託が 2026-06-30 終了。",
           "en": "A subcontract starts before or ends after its parent. Example: the parent ends 2026-03-31, "
                 "the subcontract 2026-06-30."})
def period_outside_parent(v):
    p = v.parent
    if p and (v.c.start_date < p.start_date or v.c.end_date > p.end_date):
        return Hit(
            ja=f"{v.where['ja']}の期間 {v.c.start_date}〜{v.c.end_date} は、親契約 {p.contract_id} の期間 "
               f"{p.start_date}〜{p.end_date} の外にあります。",
            en=f"{v.where['en']} runs {v.c.start_date} to {v.c.end_date}, outside its parent {p.contract_id} "
               f"({p.start_date} to {p.end_date}).",
            details={"parent_start_date": str(p.start_date), "parent_end_date": str(p.end_date)})
    return None


@rule("circular-delegation", "medium", "structure", ("nict 31(6)",),
      min_depth=2, candidates=lambda k: k.sub & (_first_seen(k) < k.depth),
      title={"ja": "循環する委託", "en": "Circular delegation"},
      doc={"ja": "委託先が、同じチェーンの上位に委託元・委託先として既に現れている場合に指摘します。"
                 "例: 市→A社→B社→A社。",
           "en": "The delegatee already appears as a delegator or delegatee earlier on its own path from the "
                 "root. Example: City→A→B→A."})
def circular_delegation(v):
    if v.orgs_above[v.c.delegatee_id] > 0:
        return Hit(
            ja=f"{v.where['ja']}の委託先 {v.name(v.c.delegatee_id)} は、このチェーンの上位に既に現れています。",
            en=f"In {v.where['en']} the delegatee {v.name(v.c.delegatee_id)} already appears higher up the same chain.",
            details={"org_id": v.c.delegatee_id})
    return None
