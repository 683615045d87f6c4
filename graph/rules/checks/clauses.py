"""Clauses, 同等以上の規定 (RULES.md § Clauses)."""
from __future__ import annotations

from loaders.vocab import Clause

import numpy as np

from ..columns import CLAUSE_BIT, bits, where
from ..registry import Bulk, Hit, rule


def _required(k) -> np.ndarray:
    """Per contract: the clauses its policy requires (Policy.required_clauses), as bits."""
    return k.memo("required clauses", lambda: _required_bits(k))


def _required_bits(k) -> np.ndarray:
    key = ((k.policy * 2 + k.my_number) * 2 + k.sub) * 2 + where(k.contracts, "external_services", bool)
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    required = np.asarray([bits(k.policies[k.policy[i]].required_clauses(k.contracts[i], int(k.depth[i])), CLAUSE_BIT)
                           if k.reached[i] else 0 for i in first.tolist()], np.int64)
    return required[inverse.ravel()]


def _codes(codes) -> tuple[list[str], str, str]:
    ordered = sorted(str(c) for c in codes)
    return ordered, "、".join(f"{Clause(c).ja}（{c}）" for c in ordered), ", ".join(ordered)


def _bulk(missing: np.ndarray, hit, extra: list) -> Bulk:
    """hit((codes, ja, en), extra, Visit.where) at each row, the clauses `missing` there as bits
    (worded once per distinct set), `extra` per row."""
    worded: dict[int, tuple] = {}

    def words(bits_: int) -> tuple:
        got = worded.get(bits_)
        if got is None:
            got = worded[bits_] = _codes([c for c, b in CLAUSE_BIT.items() if bits_ & b])
        return got

    return Bulk(hit, (list(map(words, missing.tolist())), extra))


@rule("missing-required-clause", "high", "clauses",
      ("nict 31(1)(2)", "kuki 3(1)", "mic (2)", "nerima 18", "jica No.35"),
      candidates=lambda k: (_required(k) & ~k.clauses) != 0, bulk=lambda k, rows: _missing_bulk(k, rows),
      title={"ja": "必要な条項の欠落", "en": "Required clause missing"},
      doc={"ja": "適用されるポリシーが、データ区分・階層・外部サービス利用に応じて求める条項が契約にない場合に指摘します（1契約1件、details.missing に条項コード）。"
                 "例: 特定個人情報を扱う契約に「持ち出しの禁止（no_takeout）」がない。",
           "en": "A clause required by the policies in force (for its data categories, depth and external services) "
                 "is absent; one finding per contract, `details.missing` sorted. Example: a My Number contract "
                 "without `no_takeout`."})
def missing_required_clause(v):
    missing = v.policy.required_clauses(v.c, v.depth) - set(v.c.clauses)
    return _missing_hit(_codes(missing), v.policy.ids, v.where) if missing else None


def _missing_hit(words: tuple, ids, at) -> Hit:
    codes, ja, en = words
    return Hit(ja=f"{at['ja']}に、ポリシー（{'・'.join(ids)}）が求める条項がありません: {ja}。",
               en=f"{at['en']} lacks clauses required by the policies in force ({', '.join(ids)}): {en}.",
               details={"missing": codes, "policies": list(ids)})


def _missing_bulk(k, rows):
    ids = [p.ids for p in k.policies]
    return _bulk(_required(k)[rows] & ~k.clauses[rows], _missing_hit, list(map(ids.__getitem__, k.policy[rows].tolist())))


@rule("weaker-than-parent", "high", "clauses", ("nerima 18(1)(3)", "mic ⑦", "jica No.35"),
      min_depth=2, candidates=lambda k: k.sub & ((k.up(k.clauses) & ~k.clauses) != 0),
      bulk=lambda k, rows: _weaker_bulk(k, rows),
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
    return _weaker_hit(_codes(missing), v.parent.contract_id, v.where) if missing else None


def _weaker_hit(words: tuple, parent: str, at) -> Hit:
    codes, ja, en = words
    return Hit(ja=f"{at['ja']}には、親契約 {parent} にある条項がありません（同等以上でない）: {ja}。",
               en=f"{at['en']} is weaker than its parent {parent}; it lacks: {en}.",
               details={"missing": codes, "parent_contract_id": parent})


def _weaker_bulk(k, rows):
    up = k.parent[rows]
    return _bulk(k.clauses[up] & ~k.clauses[rows], _weaker_hit, k.ids_at(up))
