"""Labels of the compare mode (issue 15: new / resolved / worsened findings since a baseline), merged
into dashboard.i18n.TEXT; every key has Japanese and English."""
from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "compare.with_date": {"ja": "比較する基準日", "en": "Compare with"},
    "compare.baseline_date": {"ja": "比較対象の基準日", "en": "Baseline as of"},
    "compare.placeholder": {"ja": "比較しない", "en": "no comparison"},
    "compare.same_date": {"ja": "同じ基準日", "en": "same as-of date"},
    "compare.baseline": {"ja": "比較対象", "en": "Baseline"},
    "compare.status": {"ja": "比較", "en": "Status"},
    "compare.status_pick": {"ja": "比較の状態", "en": "Change"},
    "compare.new": {"ja": "新規", "en": "New"},
    "compare.worsened": {"ja": "悪化", "en": "Worsened"},
    "compare.changed": {"ja": "変化", "en": "Changed"},
    "compare.persisting": {"ja": "継続", "en": "Persisting"},
    "compare.resolved": {"ja": "解消", "en": "Resolved"},
    "compare.summary": {"ja": "比較対象: {name}（基準日 {day}）— {counts}",
                        "en": "Compared with {name} (as of {day}) — {counts}"},
    "compare.off": {"ja": "比較なし（「比較する基準日」を選ぶと、新規・悪化・解消の指摘を表示します）",
                    "en": "No comparison (choose a “Compare with” date to see new, worsened and resolved findings)"},
    "compare.legend": {"ja": "比較（枠の外側の線）", "en": "Compared (outer outline)"},
    "compare.legend_n": {"ja": "{label} {n} 件", "en": "{label}: {n}"},
    "compare.legend_note": {"ja": "解消のみ破線。削除された契約の解消は指摘一覧に表示",
                            "en": "dashed: resolved only; resolved findings of removed contracts are in the findings grid"},
    "compare.status_note": {
        "ja": "悪化 = 重大度が上がった指摘、変化 = 重大度は上がらず内容（details）が変わった指摘（itaku diff の changed）。",
        "en": "Worsened = severity went up; Changed = details differ, severity not up (itaku diff's “changed”)."},
}
