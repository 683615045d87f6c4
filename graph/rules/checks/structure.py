"""Chain structure (RULES.md § Chain structure)."""
from __future__ import annotations

import numpy as np

from loaders.lazy import values_at

from ..columns import iso_days
from ..registry import Bulk, Hit, rule


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
      min_depth=2, candidates=lambda k: k.sub & (k.delegator != k.up(k.delegatee)), bulk=lambda k, rows: _broken_bulk(k, rows),
      title={"ja": "チェーンの不整合", "en": "Broken chain link"},
      doc={"ja": "再委託以下の契約で、委託元が親契約の委託先と異なる場合に指摘します（例: 子会社が再委託契約を結んだ）。"
                 "例: K-1 が 市→A社、K-2 が B社→C社 で親が K-1 のとき、K-2 の委託元 B社 は A社 ではない。",
           "en": "A subcontract whose delegator is not its parent's delegatee: a link is missing "
                 "(e.g. a subsidiary signed the subcontract). Example: K-1 is City→A, K-2 (child of K-1) is B→C."})
def chain_inconsistent(v):
    p = v.parent
    if p and v.c.delegator_id != p.delegatee_id:
        return _broken_hit(v.name(v.c.delegator_id), p.contract_id, p.delegatee_id, v.name(p.delegatee_id), v.where)
    return None


def _broken_hit(delegator: str, parent: str, expected_id: str, expected: str, at) -> Hit:
    """chain-inconsistent's message: the delegator's name, the parent and its delegatee (id, name)."""
    return Hit(
        ja=f"{at['ja']}の委託元 {delegator} は、親契約 {parent} の委託先 "
           f"{expected} ではありません。チェーンの一部が欠けています（子会社も別の事業者です）。",
        en=f"In {at['en']} the delegator {delegator} is not the delegatee "
           f"{expected} of the parent contract {parent}: a link of the chain is missing "
           f"(a subsidiary is a separate party).",
        details={"parent_contract_id": parent, "expected_delegator_id": expected_id})


def _broken_bulk(k, rows):
    up = k.parent[rows]
    org_ids = list(k.orgs)
    return Bulk(_broken_hit, (k.names_at(k.delegator, rows), k.ids_at(up),
                              list(map(org_ids.__getitem__, k.delegatee[up].tolist())), k.names_at(k.delegatee, up)))


@rule("data-scope-expansion", "high", "structure", ("nict 31(6)", "nerima 18"),
      min_depth=2, candidates=lambda k: k.sub & ((k.categories & ~k.up(k.categories)) != 0),
      bulk=lambda k, rows: _wider_bulk(k, rows),
      title={"ja": "取扱情報の範囲拡大", "en": "Data scope wider than the parent"},
      doc={"ja": "再委託先が、親契約にないデータ区分（例: 特定個人情報）を扱う場合に指摘します。"
                 "例: 親契約が「個人情報」のみなのに、再委託が「個人情報;特定個人情報」。",
           "en": "A subcontract carries a data category its parent does not. Example: the parent handles "
                 "`personal` only, the subcontract `personal;my_number`."})
def data_scope_expansion(v):
    if v.parent is None:
        return None
    added = _added(v.c.data_categories, v.parent.data_categories)
    return _wider_hit(added, v.parent.contract_id, v.where) if added[0] else None


def _added(own, parents) -> tuple[list, str]:
    """The data categories in `own` and not in `parents` (sorted), and their Japanese labels."""
    added = sorted(set(own) - set(parents))
    return added, "・".join(d.ja for d in own if d in added)


def _wider_hit(added: tuple[list, str], parent: str, at) -> Hit:
    codes, ja = added
    return Hit(ja=f"{at['ja']}は、親契約 {parent} が扱わない {ja} を扱っています。",
               en=f"{at['en']} handles {', '.join(codes)}, which its parent {parent} does not.",
               details={"added": [str(a) for a in codes]})


def _wider_bulk(k, rows):
    up = k.parent[rows]
    said: dict[tuple, tuple] = {}  # (own, parent's) → what they add: few distinct lists

    def added(own, parents) -> tuple:
        key = (tuple(own), tuple(parents))
        got = said.get(key)
        if got is None:
            got = said[key] = _added(own, parents)
        return got

    found = list(map(added, values_at(k.contracts, "data_categories", rows), values_at(k.contracts, "data_categories", up)))
    return Bulk(_wider_hit, (found, k.ids_at(up)), fires=np.fromiter((bool(a[0]) for a in found), bool, len(found)))


@rule("period-outside-parent", "medium", "structure", ("nerima 18(2)", "mic ⑧"),
      min_depth=2, candidates=lambda k: k.sub & ((k.start < k.up(k.start)) | (k.end > k.up(k.end))),
      bulk=lambda k, rows: _outside_bulk(k, rows),
      title={"ja": "契約期間が親契約の外", "en": "Period outside the parent's"},
      doc={"ja": "再委託の契約期間が親契約の期間をはみ出す場合に指摘します。例: 親契約が 2026-03-31 終了、再委託が 2026-06-30 終了。",
           "en": "A subcontract starts before or ends after its parent. Example: the parent ends 2026-03-31, "
                 "the subcontract 2026-06-30."})
def period_outside_parent(v):
    p = v.parent
    if p and (v.c.start_date < p.start_date or v.c.end_date > p.end_date):
        return _outside_hit(str(v.c.start_date), str(v.c.end_date), p.contract_id, str(p.start_date),
                            str(p.end_date), v.where)
    return None


def _outside_hit(start: str, end: str, parent: str, parent_start: str, parent_end: str, at) -> Hit:
    return Hit(
        ja=f"{at['ja']}の期間 {start}〜{end} は、親契約 {parent} の期間 {parent_start}〜{parent_end} の外にあります。",
        en=f"{at['en']} runs {start} to {end}, outside its parent {parent} ({parent_start} to {parent_end}).",
        details={"parent_start_date": parent_start, "parent_end_date": parent_end})


def _outside_bulk(k, rows):
    up = k.parent[rows]
    return Bulk(_outside_hit, (iso_days(k.start[rows]), iso_days(k.end[rows]), k.ids_at(up), iso_days(k.start[up]),
                               iso_days(k.end[up])))


@rule("circular-delegation", "medium", "structure", ("nict 31(6)",),
      min_depth=2, candidates=lambda k: k.sub & (_first_seen(k) < k.depth), bulk=lambda k, rows: _again_bulk(k, rows),
      title={"ja": "循環する委託", "en": "Circular delegation"},
      doc={"ja": "委託先が、同じチェーンの上位に委託元・委託先として既に現れている場合に指摘します。"
                 "例: 市→A社→B社→A社。",
           "en": "The delegatee already appears as a delegator or delegatee earlier on its own path from the "
                 "root. Example: City→A→B→A."})
def circular_delegation(v):
    if v.orgs_above[v.c.delegatee_id] > 0:
        return _again_hit(v.c.delegatee_id, v.name(v.c.delegatee_id), v.where)
    return None


def _again_hit(org_id: str, name: str, at) -> Hit:
    return Hit(ja=f"{at['ja']}の委託先 {name} は、このチェーンの上位に既に現れています。",
               en=f"In {at['en']} the delegatee {name} already appears higher up the same chain.",
               details={"org_id": org_id})


def _again_bulk(k, rows):
    """circular_delegation: the delegatee is a party of a contract above (ancestors, a level at a time)."""
    dee = k.delegatee[rows]
    seen = np.zeros(rows.size, bool)
    at, up = np.arange(rows.size), k.parent[rows]
    while at.size:
        seen[at] |= (k.delegator[up] == dee[at]) | (k.delegatee[up] == dee[at])
        keep = (k.parent[up] >= 0) & (k.depth[up] > 1)
        at, up = at[keep], k.parent[up[keep]]
    org_ids = list(k.orgs)
    return Bulk(_again_hit, (list(map(org_ids.__getitem__, dee.tolist())), k.names_at(k.delegatee, rows)), fires=seen)
