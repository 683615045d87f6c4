"""The rules of the international packs (INTERNATIONAL.md): GDPR Chapter V transfers and the DORA
register of information. Both are opt-in: only `gdpr-art28` and `dora` (or a user pack) turn them on."""
from __future__ import annotations

from loaders.vocab import TransferMechanism

from ..registry import Hit, rule


@rule("transfer-without-mechanism", "high", "international", ("GDPR 44", "GDPR 45", "GDPR 46"), opt_in=True,
      title={"ja": "移転の根拠がない域外移転", "en": "Transfer outside the EEA without a mechanism"},
      doc={"ja": "（gdpr-art28）委託先の所在国が EEA 外なのに、契約に移転の根拠（transfer_mechanism）がない場合、"
                 "または根拠が「十分性認定」なのにその国が基準日時点でパックの十分性認定リストにない場合に指摘します。"
                 "例: ドイツの管理者→アイルランドの処理者→インドの再処理者で transfer_mechanism が空。",
           "en": "(gdpr-art28) The delegatee's country is outside the EEA and the contract names no "
                 "`transfer_mechanism`, or names `adequacy` for a country not on the pack's adequacy list as of D. "
                 "Example: controller in Germany → processor in Ireland → sub-processor in India, no mechanism."})
def transfer_without_mechanism(v):
    eea, adequacy = v.policy.eea, v.policy.adequacy
    country = v.ds.org[v.c.delegatee_id].country
    if eea is None or country is None or eea.holds(country, v.as_of):
        return None  # inside the EEA (or the country is not recorded: nothing to judge)
    mech = v.c.transfer_mechanism
    who = f"{v.name(v.c.delegatee_id)}（{country}）"
    who_en = f"{v.name(v.c.delegatee_id)} ({country})"
    if mech is None:
        return Hit(ja=f"{v.where['ja']}は EEA 外の {who} への移転ですが、移転の根拠（十分性認定・標準契約条項・拘束的企業準則・例外）が契約にありません。",
                   en=f"{v.where['en']} transfers personal data outside the EEA to {who_en}, and the contract names "
                      "no transfer mechanism (adequacy, SCC, BCR or derogation).",
                   details={"country": country, "transfer_mechanism": None})
    if mech == TransferMechanism.adequacy and not (adequacy and adequacy.holds(country, v.as_of)):
        listed = adequacy.as_of if adequacy else None
        return Hit(ja=f"{v.where['ja']}は十分性認定を移転の根拠としていますが、{who} は {v.as_of} 時点で十分性認定の対象国ではありません"
                      f"（パックのリストは {listed} 時点）。",
                   en=f"{v.where['en']} relies on an adequacy decision, but {who_en} has none as of {v.as_of} "
                      f"(the pack's list is as of {listed}).",
                   details={"country": country, "transfer_mechanism": str(mech)})
    return None


@rule("register-field-missing", "high", "international",
      ("ITS 2024/2956 B_05.01", "ITS B_05.02 c0020"), opt_in=True,
      title={"ja": "登録簿の項目の欠落", "en": "Register of information field missing"},
      doc={"ja": "（dora）重要な機能を支えるチェーン（元請契約の critical_function が真）で、委託先の組織に LEI または所在国がない場合、"
                 "または元請契約に ICT サービス種別（ict_service_type）がない場合に指摘します。情報登録簿 B_05.01・B_05.02 に必要な項目です。"
                 "例: 第2順位の再委託先に LEI がない。",
           "en": "(dora) In a chain supporting a critical or important function (the prime contract's "
                 "`critical_function` is true), the delegatee lacks its `lei` or `country`, or the prime contract "
                 "lacks its `ict_service_type`: fields the register's templates B_05.01 and B_05.02 need. "
                 "Example: the rank-2 subcontractor has no LEI."})
def register_field_missing(v):
    org = v.ds.org[v.c.delegatee_id]
    missing = [f for f in ("lei", "country") if getattr(org, f) is None]
    if v.depth == 1 and v.c.ict_service_type is None:
        missing.append("ict_service_type")
    if not missing:
        return None
    labels = {"lei": ("LEI", "LEI"), "country": ("所在国", "country"), "ict_service_type": ("ICT サービス種別", "ICT service type")}
    return Hit(ja=f"{v.where['ja']}に、情報登録簿に必要な項目がありません: {'、'.join(labels[m][0] for m in missing)}。",
               en=f"{v.where['en']} lacks fields the register of information needs: "
                  f"{', '.join(labels[m][1] for m in missing)}.",
               details={"missing": missing, "org_id": org.org_id})
