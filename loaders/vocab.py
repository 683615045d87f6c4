"""The product's vocabulary (GLOSSARY.md): enum values, their Japanese aliases and labels."""
from __future__ import annotations

from enum import StrEnum


class Labeled(StrEnum):
    """A StrEnum whose members carry a Japanese label (also accepted as an input alias) and an English one."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        return _LABELS[cls.__name__]

    @property
    def ja(self) -> str:
        return self.labels()[self.value]

    @classmethod
    def labels_en(cls) -> dict[str, str]:
        return _LABELS_EN.get(cls.__name__, {})

    @property
    def en(self) -> str:
        return self.labels_en().get(self.value, self.value.replace("_", " "))

    @classmethod
    def aliases(cls) -> dict[str, str]:
        """Every accepted spelling (value, Japanese label, extra aliases) → value."""
        out = {m.value: m.value for m in cls}
        for value, label in cls.labels().items():
            for alias in label.split("/"):
                out[alias.strip()] = value
        out.update(_EXTRA_ALIASES.get(cls.__name__, {}))
        return out


class OrgKind(Labeled):
    principal = "principal"
    contractor = "contractor"


class DataCategory(Labeled):
    personal = "personal"
    my_number = "my_number"


class ContractType(Labeled):
    designated_manager = "designated_manager"
    long_term = "long_term"
    annual = "annual"
    short = "short"


class ApprovalStatus(Labeled):
    approved = "approved"
    rejected = "rejected"
    pending = "pending"
    notified = "notified"  # GDPR 28(2): notice of an intended sub-processor under general authorisation


class Authorization(Labeled):
    specific = "specific"
    general = "general"


class TransferMechanism(Labeled):
    adequacy = "adequacy"
    scc = "scc"
    bcr = "bcr"
    derogation = "derogation"


# DORA ITS 2024/2956 Annex III: the ICT service types S01 … S19.
IctServiceType = Labeled("IctServiceType", {f"S{n:02d}": f"S{n:02d}" for n in range(1, 20)})


class InspectionMethod(Labeled):
    on_site = "on_site"
    written = "written"
    self_check = "self_check"
    hearing = "hearing"
    third_party_audit = "third_party_audit"


class InspectionTiming(Labeled):
    pre_contract = "pre_contract"
    periodic = "periodic"
    follow_up = "follow_up"


class InspectionResult(Labeled):
    ok = "ok"
    needs_improvement = "needs_improvement"


class Answer(Labeled):
    A = "A"
    B = "B"
    C = "C"
    NA = "NA"


class Role(Labeled):
    general_manager = "general_manager"
    audit_lead = "audit_lead"
    data_manager = "data_manager"
    handler = "handler"


class DeletionMethod(Labeled):
    destroy = "destroy"
    erase = "erase"
    return_ = "return"


class Evidence(Labeled):
    photo = "photo"
    process_record = "process_record"
    none = "none"


class Clause(Labeled):
    confidentiality = "confidentiality"
    purpose_limitation = "purpose_limitation"
    redelegation_control = "redelegation_control"
    copy_restriction = "copy_restriction"
    incident_response = "incident_response"
    return_deletion = "return_deletion"
    termination_damages = "termination_damages"
    safety_measures = "safety_measures"
    compliance_reporting = "compliance_reporting"
    audit_inspection = "audit_inspection"
    no_takeout = "no_takeout"
    staff_supervision = "staff_supervision"
    security_policy = "security_policy"
    responsible_persons = "responsible_persons"
    publication = "publication"
    external_service_control = "external_service_control"
    # INTERNATIONAL.md, pack gdpr-art28: GDPR Art. 28(3) (a), (c), (e), (f).
    documented_instructions = "documented_instructions"
    security_measures_art32 = "security_measures_art32"
    data_subject_assistance = "data_subject_assistance"
    compliance_assistance = "compliance_assistance"


class Severity(Labeled):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 3 … low 0."""
        return _SEVERITY_RANK[self.value]


_SEVERITY_RANK = {"critical": 3, "high": 2, "medium": 1, "low": 0}

_LABELS: dict[str, dict[str, str]] = {
    "OrgKind": {"principal": "委託元", "contractor": "委託先"},
    "DataCategory": {"personal": "個人情報", "my_number": "特定個人情報"},
    "ContractType": {"designated_manager": "指定管理", "long_term": "長期継続",
                     "annual": "1年", "short": "1年未満"},
    "ApprovalStatus": {"approved": "承認", "rejected": "不承認", "pending": "申請中", "notified": "通知済"},
    "Authorization": {"specific": "個別承認", "general": "包括承認"},
    "TransferMechanism": {"adequacy": "十分性認定", "scc": "標準契約条項", "bcr": "拘束的企業準則",
                          "derogation": "例外"},
    "IctServiceType": {f"S{n:02d}": f"S{n:02d}" for n in range(1, 20)},
    "InspectionMethod": {"on_site": "実地", "written": "書面", "self_check": "自己点検",
                         "hearing": "ヒアリング", "third_party_audit": "第三者監査報告"},
    "InspectionTiming": {"pre_contract": "契約前", "periodic": "定期", "follow_up": "改善確認"},
    "InspectionResult": {"ok": "問題なし", "needs_improvement": "要改善"},
    "Answer": {"A": "実施", "B": "一部のみ実施", "C": "未実施", "NA": "対象外"},
    "Role": {"general_manager": "総括責任者", "audit_lead": "監査責任者",
             "data_manager": "管理責任者", "handler": "事務取扱担当者"},
    "DeletionMethod": {"destroy": "廃棄", "erase": "削除", "return": "返却"},
    "Evidence": {"photo": "写真", "process_record": "作業記録", "none": "なし"},
    "Clause": {
        "confidentiality": "秘密保持",
        "purpose_limitation": "目的外利用・第三者提供の禁止",
        "redelegation_control": "再委託の制限又は事前承認",
        "copy_restriction": "複製等の制限",
        "incident_response": "漏えい等の事案発生時の対応",
        "return_deletion": "終了時の消去・媒体の返却",
        "termination_damages": "違反時の契約解除・損害賠償",
        "safety_measures": "安全管理措置",
        "compliance_reporting": "遵守状況の報告",
        "audit_inspection": "委託元(及び甲)による監査・検査・実地調査の権限",
        "no_takeout": "持ち出しの禁止",
        "staff_supervision": "従事者の明確化・監督・教育",
        "security_policy": "情報セキュリティポリシー等の遵守",
        "responsible_persons": "責任者・作業者・作業場所の特定",
        "publication": "事故時の公表",
        "external_service_control": "外部サービス利用の制限",
        "documented_instructions": "文書化された指示に基づく処理（移転を含む）",
        "security_measures_art32": "GDPR第32条の安全管理措置",
        "data_subject_assistance": "データ主体の権利行使への対応の支援",
        "compliance_assistance": "第32条〜第36条の義務遵守の支援",
    },
    "Severity": {"critical": "重大", "high": "高", "medium": "中", "low": "低"},
}

# English labels (what the dashboard and reports show in English; values without one read as the value).
_LABELS_EN: dict[str, dict[str, str]] = {
    "DataCategory": {"personal": "personal information", "my_number": "My Number information"},
    "ContractType": {"designated_manager": "designated manager", "long_term": "long-term contract",
                     "annual": "annual", "short": "under a year"},
    "ApprovalStatus": {"approved": "approved", "rejected": "rejected", "pending": "pending",
                       "notified": "notified (general authorisation)"},
    "Authorization": {"specific": "prior specific authorisation", "general": "general written authorisation"},
    "TransferMechanism": {"adequacy": "adequacy decision (Art. 45)", "scc": "standard contractual clauses (Art. 46(2)(c))",
                          "bcr": "binding corporate rules (Art. 47)", "derogation": "derogation (Art. 49)"},
    "InspectionMethod": {"on_site": "on-site", "written": "written", "self_check": "self-check",
                         "hearing": "hearing", "third_party_audit": "third-party audit"},
    "InspectionTiming": {"pre_contract": "pre-contract", "periodic": "periodic", "follow_up": "follow-up"},
    "InspectionResult": {"ok": "no issues", "needs_improvement": "needs improvement"},
    "OrgKind": {"principal": "principal", "contractor": "contractor"},
    "Severity": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
    "Clause": {
        "confidentiality": "confidentiality",
        "purpose_limitation": "no use beyond the purpose or disclosure to third parties",
        "redelegation_control": "re-delegation restricted or approved in advance",
        "copy_restriction": "copying restricted",
        "incident_response": "response to leaks and incidents",
        "return_deletion": "deletion and return of media at the end",
        "termination_damages": "termination and damages on breach",
        "safety_measures": "security control measures",
        "compliance_reporting": "compliance reporting",
        "audit_inspection": "the delegator's right to audit and inspect",
        "no_takeout": "no taking data out",
        "staff_supervision": "staff named, supervised and trained",
        "security_policy": "information security policy observed",
        "responsible_persons": "responsible persons, workers and sites named",
        "publication": "publication of incidents",
        "external_service_control": "external services restricted",
        "documented_instructions": "processing only on documented instructions, including transfers",
        "security_measures_art32": "all measures required by Art. 32",
        "data_subject_assistance": "assistance with data subjects' requests",
        "compliance_assistance": "assistance with Art. 32-36 (security, breach notification, DPIA)",
    },
}

_EXTRA_ALIASES: dict[str, dict[str, str]] = {
    "DataCategory": {"マイナンバー": "my_number", "特定個人情報(マイナンバー)": "my_number"},
    "InspectionMethod": {"実地検査": "on_site", "立入検査": "on_site", "書面検査": "written",
                         "報告": "written"},
    "InspectionResult": {"要改善": "needs_improvement"},
    "ContractType": {"長期継続契約": "long_term", "1年未満": "short", "１年": "annual",
                     "１年未満": "short"},
    "Answer": {"N/A": "NA", "ー": "NA", "-": "NA"},
}


def level_label(depth: int) -> dict[str, str]:
    """委託 / 再委託 / 再々委託 … for a depth, in Japanese and English."""
    if depth <= 1:
        return {"ja": "委託", "en": "contract (level 1)"}
    if depth == 2:
        return {"ja": "再委託", "en": "subcontract (level 2)"}
    if depth == 3:
        return {"ja": "再々委託", "en": "sub-subcontract (level 3)"}
    return {"ja": f"再々委託等（第{depth}階層）", "en": f"further subcontract (level {depth})"}
