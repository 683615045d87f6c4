"""What a committee (監査委員, 個人情報保護審議会) expects of a report, beyond the findings: the cover
(organisation, period, author, approver), the executive summary by severity and level, new and
resolved since the last audit, a recommendation per rule, the status of improvements, the accepted
gaps, and a legend of the citation codes. Attached to reports.ReportData as `committee`."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from graph.rules import Report, load_rules
from graph.rules.suppress import Suppression
from loaders.model import Dataset
from loaders.vocab import Severity, level_label

SEVERITIES = ("critical", "high", "medium", "low")
STATUS = {"open": {"ja": "対応中", "en": "Open"}, "overdue": {"ja": "期限超過", "en": "Overdue"},
          "closed_on_time": {"ja": "期限内に完了", "en": "Closed on time"},
          "closed_late": {"ja": "期限後に完了", "en": "Closed late"}}
WORDS = {
    "summary": {"ja": "総括（要旨）", "en": "Executive summary"},
    "by_level": {"ja": "階層別の指摘件数", "en": "Findings by level"},
    "coverage_by_level": {"ja": "階層別の検査の網羅率", "en": "Inspection coverage by level"},
    "since": {"ja": "前回監査からの変化", "en": "Since the last audit"},
    "new": {"ja": "新規", "en": "New"}, "resolved": {"ja": "解消", "en": "Resolved"},
    "changed": {"ja": "変化", "en": "Changed"}, "persisting": {"ja": "継続", "en": "Persisting"},
    "baseline": {"ja": "比較対象", "en": "Baseline"},
    "recommendation": {"ja": "推奨される対応", "en": "Recommendation"},
    "improvements": {"ja": "改善要求の状況", "en": "Status of improvements"},
    "improvement": {"ja": "改善要求", "en": "Improvement"}, "inspection": {"ja": "検査", "en": "Inspection"},
    "issued": {"ja": "発出日", "en": "Issued"}, "due": {"ja": "期限", "en": "Due"},
    "closed": {"ja": "完了日", "en": "Closed"}, "status": {"ja": "状況", "en": "Status"},
    "follow_up": {"ja": "改善確認の検査", "en": "Follow-up inspection"},
    "accepted": {"ja": "付録: 承知済みの指摘（受容したリスク）", "en": "Appendix: accepted gaps"},
    "reason": {"ja": "理由", "en": "Reason"}, "expires": {"ja": "有効期限", "en": "Expires"},
    "suppressed": {"ja": "除外した指摘", "en": "Findings suppressed"},
    "all_contracts": {"ja": "（全契約）", "en": "(every contract)"},
    "expired": {"ja": "期限切れ（適用せず）", "en": "expired (not applied)"},
    "legend": {"ja": "付録: 根拠文書の略称", "en": "Appendix: citation codes"},
    "code": {"ja": "略称", "en": "Code"}, "document": {"ja": "文書", "en": "Document"},
    "organisation": {"ja": "組織", "en": "Organisation"}, "period": {"ja": "対象期間", "en": "Period"},
    "author": {"ja": "作成者", "en": "Author"}, "approver": {"ja": "承認者", "en": "Approved by"},
    "signature": {"ja": "（署名・押印）", "en": "(signature)"},
    "report_of": {"ja": "委託チェーン監査報告書", "en": "Audit report on personal-data outsourcing chains"},
    "none": {"ja": "該当なし", "en": "None"}, "total": {"ja": "計", "en": "Total"},
}


class ReportMeta(BaseModel):
    """report.yaml (or the options of `itaku report`)."""
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    organisation: str | None = None
    period: str | None = None
    author: str | None = None
    approver: str | None = None


def read_meta(path: Path) -> ReportMeta:
    try:
        return ReportMeta.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path}: invalid report settings: {exc}") from None


@lru_cache(maxsize=1)
def _texts() -> dict:
    return yaml.safe_load(Path(__file__).with_name("committee.yaml").read_text(encoding="utf-8"))


def recommendation(rule: str, lang: str) -> str:
    return _texts()["recommendations"][rule][lang]


@dataclass
class Committee:
    lang: str
    title: str
    meta: ReportMeta
    w: dict[str, str]
    by_level: list[tuple[str, dict[str, int], int]]
    improvements: list[dict]
    improvement_counts: dict[str, int]
    accepted: list[dict]
    suppressed: int
    legend: list[tuple[str, str]]
    recommendations: dict[str, str]
    baseline: dict | None = None
    status_labels: dict[str, str] = field(default_factory=dict)


def improvement_status(ds: Dataset, as_of: date, lang: str) -> list[dict]:
    rows = []
    for imp in sorted(ds.improvements, key=lambda i: (i.due_date, i.improvement_id)):
        if imp.issued_date > as_of:
            continue
        closed = imp.closed_date if imp.closed_date is not None and imp.closed_date <= as_of else None
        status = (("closed_late" if closed > imp.due_date else "closed_on_time") if closed else
                  ("overdue" if as_of > imp.due_date else "open"))
        ins = ds.inspection.get(imp.inspection_id)
        rows.append({"improvement_id": imp.improvement_id, "inspection_id": imp.inspection_id,
                     "contract_id": ins.contract_id if ins else "", "issued": imp.issued_date.isoformat(),
                     "due": imp.due_date.isoformat(), "closed": closed.isoformat() if closed else "",
                     "follow_up": imp.follow_up_inspection_id or "", "status": status,
                     "status_label": STATUS[status][lang],
                     "days_late": (closed - imp.due_date).days if closed and closed > imp.due_date else 0})
    return rows


def title_of(ds: Dataset, graph_principals: list[str], lang: str) -> str:
    names = [ds.org_name(p) for p in graph_principals]
    shown = ("・" if lang == "ja" else ", ").join(names[:3]) + (" ほか" if lang == "ja" and len(names) > 3 else
                                                               " et al." if len(names) > 3 else "")
    return f"{shown} {WORDS['report_of'][lang]}" if lang == "ja" else f"{WORDS['report_of'][lang]}: {shown}"


def _codes_in_force(report: Report, rules) -> set[str]:
    """The source documents the rules of the packs in force cite (each pack's own citations:
    the international packs cite EU texts, the Japanese packs the five source documents)."""
    from graph.rules.policy import PackLibrary, PolicyError

    try:
        policy = PackLibrary().policy(tuple(report.policies))
    except PolicyError:  # a user pack not known here: every rule's own citations
        return {c.split()[0] for r in rules.values() for c in r.cites}
    return {c.split()[0] for p in policy.own for r in rules.values()
            if (p.only_rules is None or r.id in p.only_rules) and r.id not in p.rules_off
            and (not r.opt_in or r.id in p.rules) for c in p.citations.get(r.id, r.cites)}


def build_committee(ds: Dataset, report: Report, lang: str, meta: ReportMeta | None = None,
                    entries: list[Suppression] = (), baseline=None) -> Committee:
    """`report` is the check after suppressions; `baseline` an audit.diff.Diff against the last audit."""
    meta = meta or ReportMeta()
    w = {k: v[lang] for k, v in WORDS.items()}
    principals = sorted({f.root_principal_id for f in report.findings} |
                        {c.delegator_id for c in ds.contracts if not c.parent_contract_id},
                        key=lambda p: (ds.org_name(p), p))
    levels: dict[int, Counter] = {}
    for f in report.findings:
        levels.setdefault(f.depth, Counter())[f.severity] += 1
    by_level = [(level_label(d)[lang], {s: c.get(s, 0) for s in SEVERITIES}, sum(c.values()))
                for d, c in sorted(levels.items())]
    imps = improvement_status(ds, report.as_of, lang)
    rules = load_rules()
    accepted = []
    for e in entries:
        accepted.append({"rule": e.rule, "rule_title": rules[e.rule].title[lang] if e.rule in rules else e.rule,
                         "contract_id": e.contract_id or w["all_contracts"], "reason": e.reason,
                         "expires": e.expires.isoformat(), "expired": e.expires < report.as_of,
                         "known": e.contract_id is None or e.contract_id in ds.contract})
    cited = {c.split()[0] for f in report.findings for c in f.citations} | _codes_in_force(report, rules)
    legend = [(code, t[lang]) for code, t in _texts()["sources"].items() if code in cited]
    recs = {r: recommendation(r, lang) for r in sorted({f.rule for f in report.findings})}
    base = None
    if baseline is not None:
        base = {"source": baseline.before.source, "as_of": baseline.before.as_of.isoformat(),
                "summary": baseline.summary(), "new": baseline.new, "resolved": baseline.resolved,
                "worsened": [c for c in baseline.changed if c.worsened]}
    title = meta.title or title_of(ds, principals, lang)
    return Committee(lang, title, meta, w, by_level, imps, dict(Counter(r["status"] for r in imps)), accepted,
                     report.suppressed, legend, recs, base, {k: v[lang] for k, v in STATUS.items()})


def severity_label(sev: str, lang: str) -> str:
    return Severity(sev).ja if lang == "ja" else sev


def add_sheets(wb, r, committee: Committee) -> None:
    """The committee's sheets in the Excel report (after the report's own)."""
    from checklists import xlsx

    w, lang = committee.w, committee.lang

    def sheet(title: str, header: list[str], rows: list[list], widths: list[int]):
        from reports.excel import _sheet  # A4, fitted to the page, as the report's own sheets

        ws = _sheet(wb, re.sub(r"[\\/*?:\[\]]\s*", " ", title)[:31].strip(), widths)
        ws.append([title])
        ws["A1"].font = xlsx.font(bold=True, size=14)
        ws.append(header)
        for cell in ws[2]:
            cell.font = xlsx.font(bold=True)
        for row in rows:
            ws.append(row)
        xlsx.a4(ws, landscape=True, title_rows="2:2")
        return ws

    meta = committee.meta
    sheet(w["summary"], [w["organisation"], w["period"], w["author"], w["approver"]],
          [[meta.organisation or "", meta.period or "", meta.author or "", meta.approver or ""]], [30, 24, 20, 20])
    ws = wb.worksheets[-1]
    ws.append([])
    ws.append([w["by_level"], *[severity_label(s, lang) for s in SEVERITIES], w["total"]])
    for label, counts, total in committee.by_level:
        ws.append([label, *counts.values(), total])
    if committee.baseline:
        s = committee.baseline["summary"]
        ws.append([])
        ws.append([w["since"], f"{w['baseline']}: {committee.baseline['source']} ({committee.baseline['as_of']})"])
        for k in ("new", "resolved", "changed", "persisting"):
            ws.append([w[k], s[k]])
    sheet(w["recommendation"], ["rule", w["recommendation"]], [[k, v] for k, v in committee.recommendations.items()], [30, 100])
    sheet(w["improvements"], [w["improvement"], w["inspection"], "contract", w["issued"], w["due"], w["closed"],
                              w["follow_up"], w["status"]],
          [[i["improvement_id"], i["inspection_id"], i["contract_id"], i["issued"], i["due"], i["closed"], i["follow_up"],
            i["status_label"]] for i in committee.improvements], [24, 16, 10, 12, 12, 12, 18, 14])
    sheet(w["accepted"], ["rule", "contract", w["reason"], w["expires"]],
          [[a["rule_title"], a["contract_id"], a["reason"], a["expires"] + (f" {w['expired']}" if a["expired"] else "")]
           for a in committee.accepted], [30, 14, 60, 14])
    sheet(w["legend"], [w["code"], w["document"]], [list(x) for x in committee.legend], [10, 110])
