"""Every label the dashboard shows, in Japanese (the default) and English (GLOSSARY.md's names).

`t(key, lang)` looks a label up; `TEXT` holds them all and a unit test checks that every key has
both languages. Rule titles, severities, levels and enum values come from the code's own
vocabulary (graph.rules.registry, loaders.vocab) so the dashboard says what the CLI says.
"""
from __future__ import annotations

from loaders import vocab
from queries.catalog import COVERAGE_LABELS

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"

TEXT: dict[str, dict[str, str]] = {
    # ---- shell ------------------------------------------------------------------------------
    "app.title": {"ja": "Itaku 委託チェーン監査", "en": "Itaku outsourcing-chain audit"},
    "app.subtitle": {"ja": "個人情報の委託・再委託・再々委託", "en": "personal-data outsourcing chains"},
    "app.dataset": {"ja": "データ", "en": "Data"},
    "app.as_of": {"ja": "基準日", "en": "As-of date"},
    "app.policy": {"ja": "ポリシー", "en": "Policy"},
    "app.policy_data": {"ja": "データのとおり", "en": "as in the data"},
    "app.language": {"ja": "表示言語", "en": "Language"},
    "nav.overview": {"ja": "概要", "en": "Overview"},
    "nav.chains": {"ja": "委託チェーン", "en": "Chains"},
    "nav.levels": {"ja": "階層", "en": "Levels"},
    "nav.findings": {"ja": "指摘", "en": "Findings"},
    "nav.organisations": {"ja": "事業者", "en": "Organisations"},
    "nav.schedule": {"ja": "検査予定", "en": "Schedule"},
    "common.all": {"ja": "すべて", "en": "All"},
    "common.none": {"ja": "なし", "en": "None"},
    "common.yes": {"ja": "はい", "en": "yes"},
    "common.no": {"ja": "いいえ", "en": "no"},
    "common.count": {"ja": "件数", "en": "Count"},
    "common.contracts_n": {"ja": "{n} 件", "en": "{n} contracts"},
    "common.empty": {"ja": "該当するものはありません。", "en": "Nothing to show."},
    # ---- overview ---------------------------------------------------------------------------
    "overview.title": {"ja": "概要", "en": "Overview"},
    "overview.principals": {"ja": "委託者", "en": "Principals"},
    "overview.contracts": {"ja": "契約", "en": "Contracts"},
    "overview.deepest": {"ja": "最も深い階層", "en": "Deepest level"},
    "overview.with_findings": {"ja": "指摘のある契約", "en": "Contracts with findings"},
    "overview.findings": {"ja": "指摘（重大度別）", "en": "Findings by severity"},
    "overview.coverage": {"ja": "階層別の検査網羅率", "en": "Inspection coverage by level"},
    "overview.coverage_note": {
        "ja": "基準日に有効な契約。直近の検査期間内に委託者が把握している検査があるか。",
        "en": "Contracts active on the as-of date: is there an inspection the principal can see within the interval?"},
    "overview.by_rule": {"ja": "ルール別の指摘", "en": "Findings by rule"},
    "overview.level_counts": {"ja": "委託 {l1} · 再委託 {l2} · 再々委託以下 {l3}",
                              "en": "level 1: {l1} · level 2: {l2} · level 3+: {l3}"},
    **{f"coverage.{k}": v for k, v in COVERAGE_LABELS.items()},
    "coverage.level": COVERAGE_LABELS["depth"],
    "coverage.onsite_share": {"ja": "実地検査の割合", "en": "On-site share"},
    "coverage.share": {"ja": "割合", "en": "Share"},
    # ---- chains -----------------------------------------------------------------------------
    "chains.title": {"ja": "委託チェーン", "en": "Chains"},
    "chains.principal": {"ja": "委託者", "en": "Principal"},
    "chains.prime": {"ja": "委託契約（元請）", "en": "Prime contract"},
    "chains.prime_all": {"ja": "すべての委託契約", "en": "All prime contracts"},
    "chains.reset": {"ja": "全体に戻る", "en": "Back to the whole tree"},
    "chains.shown": {"ja": "表示中 {shown} / {total} 件（全契約・基準日に有効でない契約を含む｜要素 {elements} / 上限 {cap}）",
                     "en": "Showing {shown} of {total} contracts (all, active on the date or not | {elements} of at most {cap} elements)"},
    "chains.shown_list": {"ja": "契約 {total} 件（全契約・基準日に有効でない契約を含む）: 第1階層の委託先 {n} 社を一覧で表示中（選ぶとその系統の木を表示）",
                          "en": "{total} contracts (all, active on the date or not): listing their {n} first-level contractors (pick one to draw its tree)"},
    "chains.legend": {"ja": "色（最も重い指摘）", "en": "Colour (worst finding)"},
    "tree.more": {"ja": "+{n} 件", "en": "+{n} more"},
    "tree.worst_inside": {"ja": "内の最重: {sev}", "en": "worst inside: {sev}"},
    "tree.ended": {"ja": "終了", "en": "ended"},
    "tree.not_started": {"ja": "開始前", "en": "not started"},
    "legend.unapproved": {"ja": "赤の破線: 承認のない再委託", "en": "Red dashed link: unapproved re-delegation"},
    "legend.inactive": {"ja": "淡色・点線枠: 基準日に有効でない契約（〔終了〕〔開始前〕）",
                        "en": "Faded, dotted border: not active on the as-of date ([ended] [not started])"},
    "legend.more": {"ja": "「+N 件」/ まとめ箱: 隠れた契約の件数と、その中で最も重い指摘（枠の色）",
                    "en": "“+N more” / group box: contracts hidden inside and the worst finding among them (border colour)"},
    "legend.badges": {"ja": "[ ] の印", "en": "[ ] badges"},
    "legend.unapproved_short": {"ja": "承認のない再委託", "en": "unapproved re-delegation"},
    "legend.inactive_short": {"ja": "基準日に有効でない契約", "en": "not active on the as-of date"},
    "legend.badges_short": {"ja": "[ ] の印 {n} 種", "en": "{n} kinds of [ ] badge"},
    "legend.open": {"ja": "▸ 凡例の詳細（印・線・枠）", "en": "▸ Full key (badges, lines, boxes)"},
    "legend.path": {"ja": "太い紺の線: 選択した契約までの経路", "en": "Thick navy line: path to the selected contract"},
    "chains.search": {"ja": "検索（事業者名・ID、契約ID・件名）", "en": "Search (organisation name or id, contract id or title)"},
    "chains.search_none": {"ja": "該当なし", "en": "No match"},
    "chains.contractors": {"ja": "第1階層の受託事業者（重い順）", "en": "First-level contractors (worst first)"},
    "chains.contractors_hint": {"ja": "行をクリックすると、その事業者の委託チェーンを開きます。件数は全契約（基準日に有効でない契約を含む）。",
                                "en": "Click a row to open that contractor's chains. Counts: all contracts, active on the date or not."},
    "chains.col_contractor": {"ja": "受託事業者", "en": "Contractor"},
    "chains.col_worst": {"ja": "最も重い指摘", "en": "Worst finding"},
    "chains.col_contracts": {"ja": "契約数（下位含む）", "en": "Contracts (with subtree)"},
    "chains.col_gaps": {"ja": "指摘のある契約", "en": "Contracts with findings"},
    "chains.hover_hint": {"ja": "クリックで詳細、マウスを重ねると名称・件名・契約ID。「+N 件」は展開、まとめた箱は下位を読み込みます。",
                          "en": "Click a node for its details, hover for its full name, title and id; “+N more” expands, a group box loads its subtree."},
    "chains.search_placeholder": {"ja": "例: K-104 / 株式会社…", "en": "e.g. K-104, or part of a name or title"},
    "detail.open_findings": {"ja": "この契約の指摘を一覧で見る", "en": "This contract's findings in the grid"},
    "detail.org_page": {"ja": "事業者のページ", "en": "organisation page"},
    "detail.parent_contract": {"ja": "上位の契約", "en": "Parent contract"},
    "detail.children": {"ja": "下位の契約", "en": "Subcontracts"},
    "detail.due_all": {"ja": "次回期限（すべての検査による）", "en": "Next due (over all inspections)"},
    "detail.due_visible": {"ja": "次回期限（委託者が把握している検査による）", "en": "Next due (over inspections visible to the principal)"},
    "detail.due_basis": {"ja": "「期限切れ」の判定と件数は、検査予定ページと同じく「すべての検査による」期限で数えます。",
                         "en": "Overdue status and counts use the due date over all inspections, as on the schedule page."},
    "tree.prev": {"ja": "← 先頭へ（{n} 件）", "en": "← first ({n})"},
    "tree.elided": {"ja": "…（{n} 階層）…", "en": "… ({n} levels) …"},
    "tree.group": {"ja": "{name}\n{n} 件・指摘 {gaps} 件", "en": "{name}\n{n} contracts, {gaps} with findings"},
    # ---- detail panel -----------------------------------------------------------------------
    "detail.close": {"ja": "閉じる", "en": "Close"},
    "detail.contract": {"ja": "契約", "en": "Contract"},
    "detail.title": {"ja": "件名", "en": "Title"},
    "detail.level": {"ja": "階層", "en": "Level"},
    "detail.delegator": {"ja": "委託元", "en": "Delegator"},
    "detail.delegatee": {"ja": "委託先", "en": "Delegatee"},
    "detail.principal": {"ja": "委託者（最上位）", "en": "Principal"},
    "detail.period": {"ja": "契約期間", "en": "Period"},
    "detail.data": {"ja": "取り扱う情報", "en": "Data categories"},
    "detail.type": {"ja": "契約の種類", "en": "Contract type"},
    "detail.policies": {"ja": "適用ポリシー", "en": "Policies in force"},
    "detail.path": {"ja": "委託者からの経路", "en": "Path from the principal"},
    "detail.approvals": {"ja": "再委託の承認", "en": "Approvals"},
    "detail.no_approvals": {"ja": "承認の記録はありません。", "en": "No approval on record."},
    "detail.not_needed": {"ja": "委託（第1階層）のため承認は不要です。", "en": "A prime contract needs no approval."},
    "detail.approver": {"ja": "承認者", "en": "Approver"},
    "detail.status": {"ja": "状態", "en": "Status"},
    "detail.requested": {"ja": "申請日", "en": "Requested"},
    "detail.decided": {"ja": "決定日", "en": "Decided"},
    "detail.prior_check": {"ja": "事前確認日", "en": "Prior check"},
    "detail.by_root": {"ja": "委託者による承認", "en": "approved by the principal"},
    "detail.clauses": {"ja": "特記事項の条項（同等以上の規定）", "en": "Clauses (equivalent or stronger)"},
    "detail.clause": {"ja": "条項", "en": "Clause"},
    "detail.this": {"ja": "本契約", "en": "This contract"},
    "detail.parent": {"ja": "上位契約", "en": "Parent"},
    "detail.required": {"ja": "必須", "en": "Required"},
    "detail.clause_missing": {"ja": "不足", "en": "missing"},
    "detail.clause_weaker": {"ja": "上位にあり本契約に欠落", "en": "in the parent, missing here"},
    "detail.equivalent": {"ja": "同等以上の規定: {v}", "en": "Equivalent or stronger than the parent: {v}"},
    "detail.inspections": {"ja": "検査", "en": "Inspections"},
    "detail.no_inspections": {"ja": "基準日までの検査はありません。", "en": "No inspection by the as-of date."},
    "detail.inspector": {"ja": "検査者", "en": "Inspector"},
    "detail.method": {"ja": "方法", "en": "Method"},
    "detail.result": {"ja": "結果", "en": "Result"},
    "detail.date": {"ja": "日付", "en": "Date"},
    "detail.next_due": {"ja": "次回期限", "en": "Next due"},
    "detail.visible": {"ja": "委託者が把握", "en": "visible to the principal"},
    "detail.findings": {"ja": "指摘", "en": "Findings"},
    "detail.no_findings": {"ja": "指摘はありません。", "en": "No findings."},
    "detail.cites": {"ja": "根拠", "en": "Cites"},
    # ---- levels -----------------------------------------------------------------------------
    "levels.title": {"ja": "階層ごとの指摘の割合", "en": "Gaps down the levels"},
    "levels.note": {"ja": "委託者 → 委託 → 再委託 → 再々委託…。面積は契約数、色は指摘のある契約の割合。小さい枝は「その他」にまとめています。",
                    "en": "Principal → level 1 → level 2 → level 3 …. Area: contracts; colour: share with findings. Small branches are merged into “others”."},
    "levels.depth": {"ja": "表示する階層数", "en": "Levels shown"},
    "levels.gap_share": {"ja": "指摘の割合", "en": "Share with findings"},
    "levels.others": {"ja": "その他 {n} 件", "en": "{n} others"},
    "levels.root": {"ja": "全体", "en": "All"},
    "levels.table_with": {"ja": "指摘のある契約", "en": "With findings"},
    # ---- findings ---------------------------------------------------------------------------
    "findings.title": {"ja": "指摘一覧", "en": "Findings"},
    "findings.rule": {"ja": "ルール", "en": "Rule"},
    "findings.severity": {"ja": "重大度", "en": "Severity"},
    "findings.level": {"ja": "階層", "en": "Level"},
    "findings.principal": {"ja": "委託者", "en": "Principal"},
    "findings.level3plus": {"ja": "再々委託以下（第3階層〜）", "en": "level 3 and below"},
    "findings.contract": {"ja": "契約", "en": "Contract"},
    "findings.delegator": {"ja": "委託元", "en": "Delegator"},
    "findings.delegatee": {"ja": "委託先", "en": "Delegatee"},
    "findings.message": {"ja": "指摘内容", "en": "Finding"},
    "findings.cites": {"ja": "根拠", "en": "Cites"},
    "findings.export_xlsx": {"ja": "Excel に出力", "en": "Export to Excel"},
    "findings.export_csv": {"ja": "CSV に出力", "en": "Export to CSV"},
    "findings.count": {"ja": "{n} 件の指摘", "en": "{n} findings"},
    "findings.count_capped": {"ja": "{n} 件の指摘（重大度の高い {shown} 件を表示。絞り込むか、エクスポートで全件）",
                              "en": "{n} findings (the {shown} most severe shown: filter, or export them all)"},
    "findings.export_note": {"ja": "出力は絞り込み後の指摘です（数式として解釈される文字は無害化しています）。",
                             "en": "Exports hold the filtered findings (cells that would run as formulas are neutralised)."},
    # ---- organisations ----------------------------------------------------------------------
    "orgs.title": {"ja": "事業者", "en": "Organisations"},
    "orgs.pick": {"ja": "事業者を選択", "en": "Organisation"},
    "orgs.exposure": {"ja": "この事業者に届く委託者の情報", "en": "Whose data reach this organisation"},
    "orgs.exposure_summary": {"ja": "{p} 委託者の情報が {c} 件の契約で届いています（全契約・基準日に有効でない契約を含む）。",
                              "en": "Data of {p} principal(s) reach it through {c} contract(s) (all, active on the date or not)."},
    "orgs.path": {"ja": "経路", "en": "Path"},
    "orgs.concentration": {"ja": "再委託先の集中（複数の委託者・チェーンに関わる事業者）",
                           "en": "Shared subcontractors (organisations in several principals' or chains' data)"},
    "orgs.name": {"ja": "事業者", "en": "Organisation"},
    "orgs.principals": {"ja": "委託者数", "en": "Principals"},
    "orgs.chains": {"ja": "チェーン数", "en": "Chains"},
    "orgs.my_number_chains": {"ja": "特定個人情報のチェーン", "en": "My Number chains"},
    # ---- schedule ---------------------------------------------------------------------------
    "schedule.title": {"ja": "検査予定", "en": "Inspection schedule"},
    "schedule.only_overdue": {"ja": "期限切れのみ", "en": "Overdue only"},
    "schedule.due": {"ja": "期限", "en": "Due"},
    "schedule.kind": {"ja": "種類", "en": "Kind"},
    "schedule.overdue": {"ja": "期限切れ", "en": "overdue"},
    "schedule.upcoming": {"ja": "予定", "en": "due"},
    "schedule.periodic": {"ja": "定期検査", "en": "periodic"},
    "schedule.on-site": {"ja": "実地検査", "en": "on-site"},
    "schedule.month": {"ja": "月", "en": "Month"},
    "schedule.summary": {"ja": "期限切れ {o} 件・予定 {u} 件（すべての検査による期限）", "en": "{o} overdue, {u} due (due dates over all inspections)"},
}

from .i18n_part2 import TEXT as _PART2  # noqa: E402  (issue 14's labels)

TEXT.update(_PART2)
from .i18n_compare import TEXT as _COMPARE  # noqa: E402  (issue 15's compare mode)

TEXT.update(_COMPARE)

# Short badges drawn on the tree's nodes, one per rule.
BADGES: dict[str, dict[str, str]] = {
    "chain-inconsistent": {"ja": "経路不整合", "en": "broken link"},
    "data-scope-expansion": {"ja": "情報範囲拡大", "en": "data widened"},
    "period-outside-parent": {"ja": "期間逸脱", "en": "outside period"},
    "circular-delegation": {"ja": "循環", "en": "circular"},
    "unapproved-redelegation": {"ja": "承認なし", "en": "no approval"},
    "late-approval": {"ja": "事後承認", "en": "late approval"},
    "prior-check-missing": {"ja": "事前確認なし", "en": "no prior check"},
    "upstream-not-notified": {"ja": "上位へ未通知", "en": "not notified"},
    "inherited-unapproved-chain": {"ja": "上位が未承認", "en": "unapproved above"},
    "missing-required-clause": {"ja": "条項不足", "en": "missing clauses"},
    "weaker-than-parent": {"ja": "同等以上でない", "en": "weaker than parent"},
    "inspection-overdue": {"ja": "検査期限切れ", "en": "inspection overdue"},
    "subcontractor-not-covered": {"ja": "検査未把握", "en": "not covered"},
    "onsite-inspection-missing": {"ja": "実地検査なし", "en": "no on-site"},
    "pre-contract-check-missing": {"ja": "契約前確認なし", "en": "no pre-check"},
    "improvement-overdue": {"ja": "改善期限切れ", "en": "improvement overdue"},
    "improvement-untracked": {"ja": "改善未管理", "en": "improvement untracked"},
    "improvement-unverified": {"ja": "改善未確認", "en": "improvement unverified"},
    "checklist-inconsistent": {"ja": "点検表不整合", "en": "checklist mismatch"},
    "designation-missing": {"ja": "責任者未指定", "en": "no designation"},
    "audit-lead-conflict": {"ja": "監査責任者兼務", "en": "audit-lead conflict"},
    "training-missing": {"ja": "研修なし", "en": "no training"},
    "deletion-certificate-missing": {"ja": "削除証明なし", "en": "no deletion cert."},
    "subcontractor-certificates-missing": {"ja": "下位の削除証明なし", "en": "no sub-certificates"},
    "incident-report-incomplete": {"ja": "事故報告不備", "en": "incident unreported"},
    "transfer-without-mechanism": {"ja": "移転根拠なし", "en": "no transfer mechanism"},
    "register-field-missing": {"ja": "登録簿項目不足", "en": "register field missing"},
}

def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **values: object) -> str:
    """The label for `key` in `lang`, with `{name}` placeholders filled in."""
    text = TEXT[key][norm_lang(lang)]
    return text.format(**values) if values else text


def enum_label(member: vocab.Labeled | str, lang: str | None, enum: type[vocab.Labeled] | None = None) -> str:
    """A vocabulary value (approval status, inspection method, clause …) as users read it."""
    if enum is None:
        enum = type(member)
    value = str(member)
    if norm_lang(lang) == "ja":
        return enum.labels().get(value, value)
    return enum.labels_en().get(value, value.replace("_", " "))


def severity(sev: str, lang: str | None) -> str:
    return enum_label(sev, lang, vocab.Severity)


def level(depth: int, lang: str | None) -> str:
    return vocab.level_label(depth)[norm_lang(lang)]


def badge(rule_id: str, lang: str | None) -> str:
    return BADGES.get(rule_id, {}).get(norm_lang(lang), rule_id)


def rule_title(rule_id: str, lang: str | None) -> str:
    from graph.rules import load_rules

    rule = load_rules().get(rule_id)
    return rule.title[norm_lang(lang)] if rule else rule_id


def join(items, lang: str | None) -> str:
    """A list as users read it: 「・」 in Japanese, ", " in English."""
    return ("・" if norm_lang(lang) == "ja" else ", ").join(items)


def yes_no(value: bool, lang: str | None) -> str:
    return t("common.yes" if value else "common.no", lang)


def number(n: int | float, lang: str | None = None) -> str:
    return f"{n:,}"
