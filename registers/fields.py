"""The INTERNATIONAL.md fields of a contract and its delegatee, labelled in Japanese and English, for
the report and the dashboard. Empty for a dataset that uses none of them (the Japanese datasets)."""
from __future__ import annotations

from loaders.model import Contract, Dataset
from loaders.vocab import Labeled

FIELD_LABELS: dict[str, dict[str, str]] = {
    "country": {"ja": "委託先の所在国", "en": "Delegatee's country"},
    "lei": {"ja": "委託先の LEI", "en": "Delegatee's LEI"},
    "authorization": {"ja": "再処理者の承認の方式（GDPR 28(2)）", "en": "Authorisation (GDPR 28(2))"},
    "transfer_mechanism": {"ja": "域外移転の根拠（GDPR 第5章）", "en": "Transfer mechanism (GDPR Chapter V)"},
    "ict_service_type": {"ja": "ICT サービス種別（DORA）", "en": "ICT service type (DORA)"},
    "critical_function": {"ja": "重要な機能を支える（DORA）", "en": "Supports a critical or important function (DORA)"},
}
HEADING = {"ja": "GDPR・DORA の項目", "en": "GDPR and DORA fields"}


def _text(value, lang: str) -> str:
    if isinstance(value, bool):
        return ("はい" if value else "いいえ") if lang == "ja" else ("yes" if value else "no")
    if isinstance(value, Labeled):
        return value.ja if lang == "ja" else value.labels_en().get(value.value, value.value)
    return str(value)


def contract_fields(ds: Dataset, c: Contract, lang: str) -> list[tuple[str, str, str]]:
    """(field, label, value) for each field the contract or its delegatee has."""
    org = ds.org[c.delegatee_id]
    values = {"country": org.country, "lei": org.lei, "authorization": c.authorization,
              "transfer_mechanism": c.transfer_mechanism, "ict_service_type": c.ict_service_type,
              "critical_function": c.critical_function or None}
    lang = "ja" if lang == "ja" else "en"
    return [(k, FIELD_LABELS[k][lang], _text(v, lang)) for k, v in values.items() if v not in (None, "")]


def uses_fields(ds: Dataset) -> bool:
    return any(o.country or o.lei for o in ds.organizations) or any(
        c.authorization or c.transfer_mechanism or c.ict_service_type or c.critical_function for c in ds.contracts)
