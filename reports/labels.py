"""The report's words, in Japanese (the default) and English, and Japanese era dates."""
from __future__ import annotations

from datetime import date

from queries.catalog import COVERAGE_LABELS

L: dict[str, dict[str, str]] = {
    "title": {"ja": "委託チェーン監査報告書", "en": "Audit report on personal-data outsourcing chains"},
    "subtitle": {"ja": "個人情報・特定個人情報の委託・再委託・再々委託", "en": "委託 → 再委託 → 再々委託 (contract, subcontract, sub-subcontract)"},
    "cover": {"ja": "表紙", "en": "Cover"},
    "scope": {"ja": "対象", "en": "Scope"},
    "dataset": {"ja": "データセット", "en": "Dataset"},
    "as_of": {"ja": "基準日", "en": "As-of date"},
    "policies": {"ja": "適用ポリシー", "en": "Policy packs in force"},
    "override": {"ja": "（--policy による指定）", "en": "(set with --policy)"},
    "from_data": {"ja": "（データの指定による）", "en": "(as named in the data)"},
    "principals": {"ja": "委託者", "en": "Principals"},
    "organizations": {"ja": "組織数", "en": "Organizations"},
    "contracts": {"ja": "契約数", "en": "Contracts"},
    "primes": {"ja": "委託（元の契約）", "en": "Prime contracts"},
    "deepest": {"ja": "最大階層", "en": "Deepest level"},
    "my_number": {"ja": "特定個人情報を扱う契約", "en": "Contracts with My Number data"},
    "findings": {"ja": "指摘", "en": "Findings"},
    "findings_total": {"ja": "指摘件数", "en": "Findings"},
    "contracts_with_findings": {"ja": "指摘のある契約", "en": "Contracts with findings"},
    "unapproved_count": {"ja": "承認のない再委託・再々委託", "en": "Unapproved re-delegations"},
    "overdue_count": {"ja": "検査期限超過の契約", "en": "Contracts overdue for inspection"},
    "by_severity": {"ja": "重大度別の指摘件数", "en": "Findings by severity"},
    "severity": {"ja": "重大度", "en": "Severity"},
    "count": {"ja": "件数", "en": "Count"},
    "generated_by": {"ja": "作成: Itaku", "en": "Made with Itaku"},
    "contents": {"ja": "目次", "en": "Contents"},
    "coverage": {"ja": "階層別の検査網羅率", "en": "Inspection coverage by level"},
    "coverage_note": {"ja": "基準日に有効な契約について、直近の検査間隔内に委託者から見える検査があるかを階層ごとに数えたもの。",
                      "en": "Contracts active on the as-of date, per level: is there an inspection the principal can see within the last interval?"},
    "level": COVERAGE_LABELS["depth"],
    **{k: v for k, v in COVERAGE_LABELS.items() if k not in ("depth", "contracts")},
    "unapproved": {"ja": "承認のない再委託・再々委託", "en": "Unapproved re-delegations (再委託・再々委託)"},
    "unapproved_note": {"ja": "委託者（最上位）の承認がない再委託。委託先など他者の承認は数えない。",
                        "en": "Re-delegations without the approval of the root principal; an approval by anyone else does not count."},
    "none": {"ja": "該当なし", "en": "None"},
    "contract": {"ja": "契約", "en": "Contract"},
    "contract_title": {"ja": "業務名", "en": "Title"},
    "principal": {"ja": "委託者", "en": "Principal"},
    "delegator": {"ja": "委託元", "en": "Delegator"},
    "delegatee": {"ja": "委託先", "en": "Delegatee"},
    "path": {"ja": "経路", "en": "Path"},
    "message": {"ja": "指摘内容", "en": "Finding"},
    "rule": {"ja": "ルール", "en": "Rule"},
    "category": {"ja": "区分", "en": "Category"},
    "citations": {"ja": "根拠", "en": "Cites"},
    "explanation": {"ja": "説明", "en": "Explanation"},
    "per_principal": {"ja": "委託者別の指摘", "en": "Findings per principal"},
    "no_findings": {"ja": "指摘はありません。", "en": "No findings."},
    "chains": {"ja": "委託チェーン", "en": "Chains"},
    "chains_note": {"ja": "枠の色は契約の最も重い指摘の重大度。赤い破線は委託者の承認がない再委託。",
                    "en": "Box colour: the worst severity of the contract's findings. Red dashed line: re-delegation without the principal's approval."},
    "chains_note_xlsx": {"ja": "重大度は契約の最も重い指摘。［未承認］は委託者の承認がない再委託。",
                         "en": "Severity: the worst of the contract's findings. [unapproved]: re-delegation without the principal's approval."},
    "truncated": {"ja": "契約が多いため、図は先頭 {n} 件までです（残り {rest} 件）。",
                  "en": "The diagram shows the first {n} contracts only ({rest} more)."},
    "schedule": {"ja": "検査予定", "en": "Inspection schedule"},
    "schedule_note": {"ja": "各契約の次の検査期限（定期・実地のうち早いもの）。期限超過を先頭に表示。",
                      "en": "Each contract's next inspection due date (periodic or on-site, whichever is first); overdue first."},
    "next_due": {"ja": "次の期限", "en": "Next due"},
    "kind": {"ja": "種別", "en": "Kind"},
    "kind_periodic": {"ja": "定期", "en": "periodic"},
    "kind_onsite": {"ja": "実地", "en": "on-site"},
    "overdue": {"ja": "期限超過", "en": "Overdue"},
    "yes": {"ja": "超過", "en": "overdue"},
    "no": {"ja": "", "en": ""},
    "legend": {"ja": "凡例", "en": "Legend"},
    "clean": {"ja": "指摘なし", "en": "no finding"},
    "unapproved_mark": {"ja": "未承認", "en": "unapproved"},
    "my_number_mark": {"ja": "特定個人情報", "en": "My Number"},
    "sheet_cover": {"ja": "表紙", "en": "Cover"},
    "sheet_coverage": {"ja": "網羅率", "en": "Coverage"},
    "sheet_unapproved": {"ja": "未承認の再委託", "en": "Unapproved"},
    "sheet_findings": {"ja": "指摘", "en": "Findings"},
    "sheet_chains": {"ja": "チェーン", "en": "Chains"},
    "sheet_schedule": {"ja": "検査予定", "en": "Schedule"},
}


def era_date(day: date) -> str:
    """令和8年11月1日 (元年 for the first year); earlier eras for older dates."""
    for name, first in (("令和", date(2019, 5, 1)), ("平成", date(1989, 1, 8)), ("昭和", date(1926, 12, 25))):
        if day >= first:
            year = day.year - first.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return day.isoformat()
