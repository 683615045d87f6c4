"""A realistic, deterministic generator of canonical datasets (DATA_FORMAT.md) at any scale.

`generate(out, contracts=N, seed=S)` writes a CSV folder: many principals (cities, wards, towns,
prefectures, agencies) delegating personal-data work to contractors, chains up to depth 8 with a
fall-off per level, large vendors shared across principals, My Number on part of the chains, and
the records an auditor looks at (approvals, clauses, inspections with checklists and improvements,
people, trainings, deletion certificates, incidents). Each kind of gap (GAPS) is introduced on the
contracts it applies to with a configurable rate; with every rate at 0 the dataset is clean: `itaku
check --as-of <as_of>` finds nothing.

Streaming: rows go to disk one by one through csv.writer; the generator holds only the chain being
written (at most a few hundred contracts), so its memory does not grow with N. Deterministic: one
`random.Random(seed)` drawn in a fixed order, no set or dict iteration order involved, so the same
arguments give byte-identical files.
"""
from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from loaders.vocab import Clause, ContractType, DataCategory

GENERATOR_VERSION = 1
DEFAULT_AS_OF = date(2026, 11, 1)
DEFAULT_GAP_RATE = 0.04
MAX_DEPTH = 8

# Each kind of gap, and the rule it is meant to trigger.
GAPS: dict[str, str] = {
    "approval-missing": "unapproved-redelegation",
    "approval-wrong-party": "unapproved-redelegation",
    "approval-pending": "unapproved-redelegation",
    "approval-late": "late-approval",
    "prior-check-missing": "prior-check-missing",
    "upstream-not-notified": "upstream-not-notified",
    "chain-inconsistent": "chain-inconsistent",
    "data-scope-expansion": "data-scope-expansion",
    "period-outside-parent": "period-outside-parent",
    "circular-delegation": "circular-delegation",
    "clause-missing": "missing-required-clause",
    "inspection-overdue": "inspection-overdue",
    "inspection-unreported": "subcontractor-not-covered",
    "onsite-missing": "onsite-inspection-missing",
    "pre-contract-check-missing": "pre-contract-check-missing",
    "improvement-overdue": "improvement-overdue",
    "improvement-untracked": "improvement-untracked",
    "improvement-unverified": "improvement-unverified",
    "checklist-inconsistent": "checklist-inconsistent",
    "designation-missing": "designation-missing",
    "audit-lead-conflict": "audit-lead-conflict",
    "training-missing": "training-missing",
    "deletion-missing": "deletion-certificate-missing",
    "subcontractor-certificates-missing": "subcontractor-certificates-missing",
    "incident-unreported": "incident-report-incomplete",
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("org_id", "name", "kind", "corporate_number", "parent_org_id", "certifications"),
    "contracts": ("contract_id", "parent_contract_id", "delegator_id", "delegatee_id", "title",
                  "data_categories", "start_date", "end_date", "contract_type", "consecutive_years",
                  "clauses", "policies", "external_services", "dispatch", "records"),
    "approvals": ("contract_id", "approver_id", "status", "requested_date", "decided_date",
                  "prior_check_date", "notified_ids"),
    "inspections": ("inspection_id", "contract_id", "inspector_id", "date", "method", "timing", "result",
                    "reported_to_principal_date", "checklist"),
    "checklist_items": ("inspection_id", "item", "answer", "note"),
    "improvements": ("improvement_id", "inspection_id", "issued_date", "due_date", "closed_date",
                     "follow_up_inspection_id"),
    "personnel": ("contract_id", "role", "person_id", "org_id", "start_date", "end_date", "reported_date"),
    "trainings": ("contract_id", "date", "attendees", "topic"),
    "deletions": ("contract_id", "certificate_date", "method", "witnessed", "evidence",
                  "includes_subcontractor_certificates"),
    "incidents": ("incident_id", "contract_id", "occurred_date", "reported_date", "reported_ids", "summary"),
}

# ---- names -------------------------------------------------------------------------------------
_PLACE_A = ("桜", "桐", "楓", "柏", "梓", "椿", "藤", "萩", "若葉", "青葉", "緑", "白鷺", "鶴", "亀",
            "朝日", "星", "月", "雲雀", "松", "竹", "梅", "杉", "檜", "楠", "栗", "柚", "桃", "菫",
            "水無", "霞", "宮", "高", "大", "小", "北", "南", "東", "西", "中", "新")
_PLACE_B = ("ヶ丘", "ヶ谷", "野", "原", "川", "台", "沢", "浜", "崎", "山", "田", "島", "見", "里",
            "森", "平", "瀬", "岡", "津", "浦")
_MUNICIPAL = ("市", "区", "町", "市", "村", "市", "区", "町")
_AGENCY = (("独立行政法人", "研究機構", "nict"), ("独立行政法人", "協力機構", "jica"),
           ("", "広域連合", "baseline"), ("", "県", "mic"))
_FIRM_A = ("翠嶺", "東雲", "七星", "雲雀野", "蒼穹", "若葉", "杜の", "円窓", "紙音", "丘陵", "栞舎",
           "白樺", "ふみづき", "緑風", "ひまわり", "守衛堂", "躍動", "桐ネット", "あかつき", "きらら",
           "けやき", "桂", "はなみずき", "青嵐", "朝凪", "琥珀", "銀河", "彩雲", "瑞穂", "千歳", "常盤",
           "大和", "扇", "暁", "虹橋", "花水木", "明星", "若竹", "菜の花", "山吹", "紫苑", "白鳥",
           "光陽", "日向", "春風", "秋桜", "冬木", "夏目", "飛鳥", "浅葱", "葵", "紅葉", "翡翠",
           "瑠璃", "珊瑚", "金剛", "北斗", "南風", "西陣", "東邦")
# Business lines: the name suffix, and the kind of work such a firm takes on (see _WORK).
_FIRM_B = (("システムズ", "it"), ("データエントリー", "entry"), ("印刷", "print"), ("情報サービス", "it"),
           ("クラウド", "cloud"), ("入稿サービス", "print"), ("封入センター", "mail"), ("データ工房", "entry"),
           ("フロントサービス", "front"), ("スキャンサービス", "scan"), ("プリント", "print"),
           ("ライブラリーサービス", "front"), ("ファシリティーズ", "facility"), ("受付サービス", "front"),
           ("警備保障", "guard"), ("清掃", "facility"), ("入力センター", "entry"), ("テクノリース", "it"),
           ("発送サービス", "mail"), ("コールセンター", "call"), ("ビジネスサポート", "front"),
           ("計算センター", "it"), ("ソフトウェア", "it"), ("ネットワークス", "cloud"),
           ("ロジスティクス", "mail"), ("アーカイブ", "scan"), ("BPOサービス", "entry"),
           ("総合サービス", "facility"), ("電算", "it"), ("ドキュメント", "scan"))
_FIRM_FORM = ("株式会社{}", "{}株式会社", "有限会社{}", "合同会社{}")
_REGION = ("", "北海道", "東北", "北関東", "首都圏", "南関東", "甲信越", "北陸", "東海", "中部", "近畿",
           "関西", "阪神", "山陰", "山陽", "四国", "北九州", "九州", "南九州", "沖縄", "みちのく")
# Registry office codes (管轄登記所) of the corporate numbers.
_OFFICES = ("0100", "0104", "0105", "0106", "0107", "0108", "0109", "0110", "0111", "0113", "0115",
            "0116", "0118", "0120", "0122", "0123", "0124", "0125", "0126", "0127", "0128", "0129")

# ---- work ----------------------------------------------------------------------------------------
# Prime contracts: (業務名, carries My Number, the kind of principal that buys it).
_PRIME_WORK = (
    ("市民税・県民税 課税システム運用保守業務", True, "muni"),
    ("住民基本台帳システム 運用支援業務", True, "muni"),
    ("国民健康保険税 納税通知書 印刷・封入封緘業務", True, "muni"),
    ("介護保険 認定調査票 データ入力業務", True, "muni"),
    ("児童手当 現況届 データ入力業務", True, "muni"),
    ("後期高齢者医療 保険料通知書 印刷業務", True, "muni"),
    ("マイナンバーカード交付窓口 補助業務", True, "muni"),
    ("市民課・税務課 窓口業務", True, "muni"),
    ("生活保護システム 運用保守業務", True, "muni"),
    ("固定資産税 課税台帳 電子化業務", True, "muni"),
    ("軽自動車税（種別割）納税通知書 印刷業務", False, "muni"),
    ("図書館 指定管理", False, "muni"),
    ("地区センター 指定管理", False, "muni"),
    ("総合体育館 指定管理", False, "muni"),
    ("保育園 入園申込書 データ入力業務", False, "muni"),
    ("ふるさと納税 受付・返礼品管理業務", False, "muni"),
    ("子ども医療費助成 受給者証 印刷・発送業務", False, "muni"),
    ("健康診査 受診券 印刷・発送業務", False, "muni"),
    ("予防接種 予診票 データ入力業務", False, "muni"),
    ("選挙人名簿 システム保守業務", False, "muni"),
    ("学校給食費 徴収管理システム 運用業務", False, "muni"),
    ("就学援助 申請書 データ入力業務", False, "muni"),
    ("公文書 スキャニング・保管業務", False, "muni"),
    ("広報紙・意識調査 発送業務", False, "muni"),
    ("総合案内 コールセンター運営業務", False, "muni"),
    ("職員 給与計算・年末調整 業務", True, "agency"),
    ("研究データ管理システム 運用業務", False, "agency"),
    ("職員 健康診断 データ処理業務", False, "agency"),
    ("研修員 受入 事務業務", True, "agency"),
    ("説明会 参加申込 受付業務", False, "agency"),
)
_PRIME_BY_KIND = {k: tuple(w for w in _PRIME_WORK if w[2] == k) for k in ("muni", "agency")}
_DESIGNATED = frozenset(w[0] for w in _PRIME_WORK if w[0].endswith("指定管理"))
_WORK: dict[str, tuple[str, ...]] = {
    "it": ("システム運用保守業務", "サーバ運用監視業務", "データ移行作業", "アプリケーション保守業務"),
    "cloud": ("クラウド基盤の提供", "データセンター ハウジング", "バックアップ保管サービス"),
    "entry": ("申請書等 パンチ入力業務", "データ入力（繁忙期増員分）", "入力データ 検証作業"),
    "print": ("通知書等 印刷業務", "帳票 印刷データ作成", "はがき 印刷業務"),
    "mail": ("封入封緘業務", "発送・差出業務", "書類 集配・運搬業務"),
    "scan": ("スキャニング作業", "文書 電子化業務", "文書 保管・廃棄業務"),
    "front": ("受付・窓口 補助業務", "電話受付業務", "施設予約 受付業務"),
    "call": ("コールセンター 一次受付業務", "問い合わせ 対応業務"),
    "facility": ("清掃業務", "設備保守業務", "施設管理 補助業務"),
    "guard": ("警備・入館管理業務", "夜間警備・鍵管理業務"),
}
_TRAINING_TOPICS = ("個人情報保護特記事項の周知", "特定個人情報の取扱い研修", "情報セキュリティ研修",
                    "標的型メール訓練", "漏えい等事案 対応訓練")
_INCIDENTS = ("通知書の誤封入（他人宛て1通を同封）", "申請書1枚の一時所在不明（同日中に発見）",
              "メール誤送信（宛先の入力誤り）", "USBメモリの一時紛失（後日発見）",
              "システム設定誤りにより氏名が他の利用者から閲覧可能に", "はがき1通を旧住所へ誤送付（回収済み）")
_NOTES_BAD = ("一部の端末でパスワードの定期変更が未実施", "紙媒体の施錠保管が一部未実施",
              "入退室記録の記載漏れあり", "作業場所の持込制限の掲示なし", "委託先従業者の誓約書が一部未提出")
_CHECKLISTS = {"jica": ("jica-35", 35), "kuki": ("kuki-check", 12), "mic": ("mic-sheet", 10),
               "nerima": ("nerima-20", 20), "nict": ("nict-check", 9), "baseline": ("self-check", 9)}

# Children per contract: the chance that a contract at depth d re-delegates at all, and how many.
_SUBCONTRACT_P = {1: 0.40, 2: 0.42, 3: 0.36, 4: 0.32, 5: 0.28, 6: 0.24, 7: 0.20}
_CHILDREN = (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4)


def corporate_number(body: str) -> str:
    """A 法人番号: the check digit (python-stdnum) followed by the 12-digit body."""
    from stdnum.jp import cn

    return cn.calc_check_digit(body) + body


@dataclass
class Options:
    contracts: int
    seed: int = 1
    gap_rate: float = DEFAULT_GAP_RATE
    gaps: dict[str, float] = field(default_factory=dict)  # per-kind overrides of gap_rate
    as_of: date = DEFAULT_AS_OF
    principals: int | None = None
    contractors: int | None = None
    max_depth: int = MAX_DEPTH
    alias_rate: float = 0.02  # share of cells written as Japanese aliases / era dates

    def __post_init__(self) -> None:
        if self.contracts < 1:
            raise ValueError("--contracts must be at least 1")
        unknown = sorted(set(self.gaps) - set(GAPS))
        if unknown:
            raise ValueError(f"unknown gap kind {unknown[0]!r} (known: {', '.join(GAPS)})")
        for kind, rate in [("gap-rate", self.gap_rate), *self.gaps.items()]:
            if not 0 <= rate <= 1:
                raise ValueError(f"{kind}: a rate is between 0 and 1, got {rate}")
        if not 1 <= self.max_depth <= MAX_DEPTH:
            raise ValueError(f"--max-depth must be between 1 and {MAX_DEPTH}")
        if self.principals is None:
            self.principals = max(3, min(1800, self.contracts // 500))
        if self.contractors is None:
            self.contractors = max(30, min(150_000, self.contracts // 8))
        if self.principals < 1 or self.contractors < 4:
            raise ValueError("at least 1 principal and 4 contractors")

    def rate(self, kind: str) -> float:
        return self.gaps.get(kind, self.gap_rate)


@dataclass
class Summary:
    """What was written: rows per file, contracts per depth."""

    rows: dict[str, int]
    depths: dict[int, int]
    out: Path


@dataclass(slots=True)
class _Node:
    """A contract being written, as its children need it."""

    contract_id: str
    depth: int
    delegator: int  # org index (principals first)
    delegatee: int
    my_number: bool
    clauses: tuple[str, ...]
    start: date
    end: date
    path_orgs: tuple[int, ...]  # principal, then every delegatee from the prime down to this one
    children: int


class _Stub:
    """The attributes of a Contract that the policy packs read."""

    __slots__ = ("data_categories", "external_services", "contract_type", "consecutive_years")

    def __init__(self, my_number: bool, external: bool, contract_type: str, years: int):
        self.data_categories = [DataCategory.personal] + ([DataCategory.my_number] if my_number else [])
        self.external_services = external
        self.contract_type = ContractType(contract_type)
        self.consecutive_years = years


class _Writer:
    def __init__(self, out: Path):
        self.files = {}
        self.writers = {}
        self.rows = dict.fromkeys(COLUMNS, 0)
        for name, columns in COLUMNS.items():
            f = open(out / f"{name}.csv", "w", encoding="utf-8", newline="", buffering=1 << 20)
            self.files[name] = f
            w = csv.writer(f, lineterminator="\n")
            w.writerow(columns)
            self.writers[name] = w.writerow

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def _iso(d: date | None) -> str:
    return "" if d is None else d.isoformat()


class Generator:
    def __init__(self, opts: Options):
        from graph.rules.policy import PackLibrary

        self.o = opts
        self.rng = random.Random(opts.seed)
        self.library = PackLibrary()
        self.P = opts.principals
        self.C = opts.contractors
        self.as_of = opts.as_of
        self.width = max(6, len(str(opts.contracts)))
        self._policy_cache: dict = {}
        self._counters = {"inspection": 0, "improvement": 0, "incident": 0}
        self.depths: dict[int, int] = {}

    # ---- organizations ------------------------------------------------------------------------
    def org_id(self, index: int) -> str:
        return f"G{index:04d}" if index < self.P else f"V{index - self.P:06d}"

    def principal(self, i: int) -> tuple[str, str, str]:
        """(name, kind, packs) of principal i: its name, 'muni' or 'agency', and its policy packs."""
        region = i // (len(_PLACE_A) * len(_PLACE_B))
        a = _PLACE_A[i % len(_PLACE_A)]
        b = _PLACE_B[(i // len(_PLACE_A) + 3 * i) % len(_PLACE_B)]
        place = (_REGION[1 + region % (len(_REGION) - 1)] if region else "") + a + b
        if i % 10 == 9:
            prefix, suffix, pack = _AGENCY[(i // 10) % len(_AGENCY)]
            return f"{prefix}{place}{suffix}", "agency", pack
        kind = _MUNICIPAL[(i // 3) % len(_MUNICIPAL)] if i else "市"
        if kind == "区":
            pack = "nerima" if i % 3 else "baseline"
        elif kind == "市":
            pack = ("baseline", "kuki", "mic", "baseline", "kuki;mic")[i % 5]
        else:
            pack = "baseline"
        return place + kind, "muni", pack

    def contractor(self, j: int) -> tuple[str, str]:
        """(name, business line) of contractor j: small j are the large vendors."""
        na, nb, nf = len(_FIRM_A), len(_FIRM_B), len(_FIRM_FORM)
        a = _FIRM_A[(j * 7) % na]
        b, line = _FIRM_B[(j // na + j) % nb]
        form = _FIRM_FORM[(j // (na * nb)) % nf]
        region = _REGION[(j // (na * nb * nf)) % len(_REGION)]
        stem = a + (region + b if region else b)
        return form.format(stem), line

    def parent_of(self, j: int) -> int | None:
        """Contractor j is a subsidiary (子会社) of contractor j // 20 when j % 20 == 19."""
        return j // 20 if j % 20 == 19 and j >= 20 else None

    def subsidiary_of(self, j: int) -> int | None:
        s = 20 * j + 19
        return s if j and s < self.C and j % 20 != 19 else None

    def write_organizations(self, w) -> None:
        row = w.writers["organizations"]
        for i in range(self.P):
            name, kind, _ = self.principal(i)
            body = f"000020{(100000 + i * 7) % 1000000:06d}" if kind == "muni" else f"{_OFFICES[i % len(_OFFICES)]}05{i:06d}"
            row((self.org_id(i), name, "principal", corporate_number(body), "", ""))
        for j in range(self.C):
            name, line = self.contractor(j)
            certs = []
            if j % 3 != 2:
                certs.append("PMARK")
            if line in ("it", "cloud") or j % 4 == 0:
                certs.append("ISMS")
            if line == "cloud":
                certs.append("ISO27017")
            parent = self.parent_of(j)
            number = "" if j % 97 == 50 else corporate_number(f"{_OFFICES[j % len(_OFFICES)]}01{j % 1000000:06d}")
            row((self.org_id(self.P + j), name, "contractor", number,
                 "" if parent is None else self.org_id(self.P + parent), ";".join(certs)))
        w.rows["organizations"] += self.P + self.C

    # ---- helpers ------------------------------------------------------------------------------
    def gap(self, kind: str) -> bool:
        rate = self.o.rate(kind)
        return rate > 0 and self.rng.random() < rate

    def day(self, d: date) -> str:
        """A date cell: ISO, sometimes a Japanese era date (令和) as offices write them."""
        if self.o.alias_rate and d >= date(2019, 5, 1) and self.rng.random() < self.o.alias_rate:
            y = d.year - 2018
            return f"令和{y}年{d.month}月{d.day}日" if d.day % 2 else f"R{y}.{d.month}.{d.day}"
        return d.isoformat()

    def word(self, value: str, alias: str) -> str:
        return alias if self.o.alias_rate and self.rng.random() < self.o.alias_rate else value

    def pick_contractor(self, skew: float) -> int:
        """A contractor, large vendors first: index ~ C * u**skew."""
        return self.P + int(self.C * self.rng.random() ** skew)

    def policy(self, packs: str, my_number: bool, external: bool, contract_type: str, years: int):
        key = (packs, my_number, external, contract_type, years >= 3)
        hit = self._policy_cache.get(key)
        if hit is None:
            policy = self.library.policy(tuple(packs.split(";")))
            stub = _Stub(my_number, external, contract_type, years)
            order = list(Clause)
            req1 = tuple(sorted(policy.required_clauses(stub, 1), key=order.index))
            req2 = tuple(sorted(policy.required_clauses(stub, 2), key=order.index))
            hit = (req1, req2, policy.onsite_required(stub),
                   policy.rule_on("pre-contract-check-missing", stub),
                   policy.rule_on("training-missing", stub), policy.interval_months,
                   policy.deletion_grace_days, packs.split(";")[-1])
            self._policy_cache[key] = hit
        return hit

    # ---- chains -------------------------------------------------------------------------------
    def run(self, out: Path, progress: Callable[[int], None] | None = None) -> Summary:
        out.mkdir(parents=True, exist_ok=True)
        w = _Writer(out)
        try:
            self.write_organizations(w)
            n = 0
            last = 0
            while n < self.o.contracts:
                n = self.chain(w, n)
                if progress and n - last >= 1000:
                    progress(n - last)
                    last = n
            if progress:
                progress(n - last)
        finally:
            w.close()
        meta = {"generator_version": GENERATOR_VERSION, "contracts": self.o.contracts, "seed": self.o.seed,
                "as_of": self.as_of.isoformat(), "gap_rate": self.o.gap_rate,
                "gaps": {k: self.o.rate(k) for k in GAPS}, "principals": self.P, "contractors": self.C,
                "max_depth": self.o.max_depth, "alias_rate": self.o.alias_rate, "rows": w.rows,
                "depths": {str(k): v for k, v in sorted(self.depths.items())},
                "top_contractor_id": self.org_id(self.P)}
        (out / "generator.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return Summary(w.rows, dict(sorted(self.depths.items())), out)

    def chain(self, w, n: int) -> int:
        """Write one prime contract and the tree below it (pre-order); return the contracts written."""
        rng = self.rng
        principal = min(int(self.P * rng.random() ** 1.6), self.P - 1)
        pname, pkind, packs = self.principal(principal)
        title, my_number, _ = rng.choice(_PRIME_BY_KIND[pkind])
        my_number = my_number and rng.random() < 0.8
        if title in _DESIGNATED:
            ctype = "designated_manager"
        else:
            ctype = rng.choice(("annual", "annual", "annual", "annual", "annual", "long_term", "short", "short"))
        years = 1 + int(9 * rng.random() ** 3)
        fy = rng.choice((2021, 2022, 2023, 2023, 2024, 2024, 2024, 2025, 2025, 2025, 2025, 2026, 2026))
        if ctype == "annual":
            start, end = date(fy, 4, 1), date(fy + 1, 3, 31)
        elif ctype == "long_term":
            start, end = date(fy, 4, 1), date(fy + rng.choice((3, 4, 5)), 3, 31)
        elif ctype == "designated_manager":
            start, end = date(fy - 2, 4, 1), date(fy + 3, 3, 31)
        else:
            start = date(fy, rng.choice((4, 5, 6, 7, 9, 10, 11, 1)), 1)
            if start.month < 4:
                start = start.replace(year=fy + 1)
            end = start + timedelta(days=rng.randrange(60, 270))
        if start > self.as_of + timedelta(days=150):  # far-future work is not contracted yet
            start, end = start - timedelta(days=365), end - timedelta(days=365)
        if ctype == "annual" and fy <= 2025:
            title = f"令和{fy - 2018}年度 {title}"
        delegatee = self.pick_contractor(3.0)
        external = rng.random() < 0.08
        policy = self.policy(packs, my_number, external, ctype, years)
        clauses = self.clauses(policy[0], ())
        node = self.contract(w, n, None, principal, principal, delegatee, title, my_number, start, end,
                             ctype, years, clauses, packs, external, policy, (principal, delegatee))
        n += 1
        stack: list[_Node] = [node]
        while stack and n < self.o.contracts:
            parent = stack[-1]
            if parent.children == 0:
                stack.pop()
                continue
            parent.children -= 1
            child = self.subcontract(w, n, parent, principal, packs)
            n += 1
            stack.append(child)
        return n

    def clauses(self, required: tuple[str, ...], parent: tuple[str, ...]) -> tuple[str, ...]:
        have = [str(c) for c in Clause if c in required or c in parent]
        if self.gap("clause-missing") and have:
            have.pop(self.rng.randrange(len(have)))
        return tuple(have)

    def subcontract(self, w, n: int, parent: _Node, principal: int, packs: str) -> _Node:
        rng = self.rng
        depth = parent.depth + 1
        delegator = parent.delegatee
        if self.gap("chain-inconsistent"):
            sub = self.subsidiary_of(delegator - self.P)
            delegator = self.P + sub if sub is not None else self.pick_contractor(1.5)
        taken = parent.path_orgs
        if depth >= 3 and self.gap("circular-delegation"):
            delegatee = parent.path_orgs[-2]  # back up the chain: A → B → A
        else:
            for _ in range(50):
                delegatee = self.pick_contractor(2.0)
                if delegatee not in taken and delegatee != delegator:
                    break
            else:
                delegatee = next(self.P + j for j in range(self.C) if self.P + j not in taken and self.P + j != delegator)
        if delegatee == delegator:  # never a load error: a contract does not delegate to itself
            delegatee = self.P + (delegator - self.P + 1) % self.C
        name, line = self.contractor(delegatee - self.P)
        title = rng.choice(_WORK[line])
        my_number = parent.my_number and rng.random() < 0.75
        if not parent.my_number and self.gap("data-scope-expansion"):
            my_number = True
        start = min(parent.start + timedelta(days=rng.choice((0, 0, 0, 0, 14, 30, 61))), parent.end)
        end = parent.end
        if rng.random() < 0.15 and (parent.end - start).days > 120:
            end = start + timedelta(days=rng.randrange(60, (parent.end - start).days))
        if self.gap("period-outside-parent"):
            end = parent.end + timedelta(days=rng.randrange(30, 200))
        ctype = "short" if (end - start).days < 330 else "annual"
        external = line == "cloud" or rng.random() < 0.05
        policy = self.policy(packs, my_number, external, ctype, 1)
        clauses = self.clauses(policy[1], parent.clauses)
        path_orgs = taken + ((delegator,) if delegator not in taken else ()) + (delegatee,)
        return self.contract(w, n, parent, principal, delegator, delegatee, title, my_number, start, end,
                             ctype, 1, clauses, "", external, policy, path_orgs)

    def contract(self, w, n: int, parent: _Node | None, principal: int, delegator: int, delegatee: int,
                 title: str, my_number: bool, start: date, end: date, ctype: str, years: int,
                 clauses: tuple[str, ...], packs: str, external: bool, policy, path_orgs) -> _Node:
        rng = self.rng
        depth = 1 if parent is None else parent.depth + 1
        self.depths[depth] = self.depths.get(depth, 0) + 1
        cid = f"K-{n + 1:0{self.width}d}"
        if depth >= self.o.max_depth:
            children = 0
        else:
            p = 0.9 if ctype == "designated_manager" and depth == 1 else _SUBCONTRACT_P[depth]
            children = rng.choice(_CHILDREN) if rng.random() < p else 0
        cats = "personal;my_number" if my_number else "personal"
        if my_number and self.o.alias_rate and rng.random() < self.o.alias_rate:
            cats = "個人情報;特定個人情報"
        w.writers["contracts"]((
            cid, "" if parent is None else parent.contract_id, self.org_id(delegator), self.org_id(delegatee),
            title, cats, self.day(start), self.day(end),
            self.word(ctype, {"annual": "1年", "long_term": "長期継続", "short": "1年未満",
                              "designated_manager": "指定管理"}[ctype]),
            years if parent is None else "", ";".join(clauses), packs if parent is None else "",
            "true" if external else "false", "true" if rng.random() < 0.04 else "false",
            rng.randrange(100, 300_000) if rng.random() < 0.7 else ""))
        w.rows["contracts"] += 1
        node = _Node(cid, depth, delegator, delegatee, my_number, clauses, start, end, path_orgs, children)
        if depth >= 2:
            self.approvals(w, node, parent, principal)
        self.records(w, node, parent, principal, policy)
        return node

    # ---- records of one contract ---------------------------------------------------------------
    def approvals(self, w, c: _Node, parent: _Node, principal: int) -> None:
        rng = self.rng
        row = w.writers["approvals"]
        as_of = self.as_of
        decided = min(c.start - timedelta(days=rng.randrange(1, 25)), as_of - timedelta(days=rng.randrange(0, 10)))
        checked = decided - timedelta(days=rng.randrange(1, 10))
        requested = checked - timedelta(days=rng.randrange(1, 30))
        upstream = [parent.delegator] if c.depth >= 3 else []
        if c.depth >= 3 and self.gap("upstream-not-notified"):
            upstream = []
        notified = ";".join(self.org_id(o) for o in upstream)
        approver = self.org_id(principal)
        if self.gap("approval-missing"):
            return
        if self.gap("approval-wrong-party"):
            # The prime contractor approved; the principal never saw it.
            row((c.contract_id, self.org_id(c.delegator), self.word("approved", "承認"), _iso(requested),
                 self.day(decided), _iso(checked), notified))
            w.rows["approvals"] += 1
            return
        if self.gap("approval-pending"):
            status = rng.choice(("pending", "pending", "rejected"))
            row((c.contract_id, approver, self.word(status, {"pending": "申請中", "rejected": "不承認"}[status]),
                 _iso(requested), "" if status == "pending" else self.day(decided), _iso(checked), notified))
            w.rows["approvals"] += 1
            return
        if self.gap("approval-late"):
            late = c.start + timedelta(days=rng.randrange(5, 60))
            if late <= as_of:
                decided = late
        if self.gap("prior-check-missing"):
            checked = None if rng.random() < 0.5 else c.start + timedelta(days=rng.randrange(1, 30))
        if c.depth >= 3 and rng.random() < 0.3:
            # The contractor above approved first (it counts for nothing, but offices record it).
            row((c.contract_id, self.org_id(c.delegator), "approved", _iso(requested), self.day(requested), "", ""))
            w.rows["approvals"] += 1
        row((c.contract_id, approver, self.word("approved", "承認"), _iso(requested), self.day(decided),
             _iso(checked), notified))
        w.rows["approvals"] += 1

    def records(self, w, c: _Node, parent: _Node | None, principal: int, policy) -> None:
        rng = self.rng
        as_of = self.as_of
        _, _, onsite, pre_check, _training_rule, _, grace, pack = policy
        started = c.start <= as_of
        ids = self.org_id
        # -- pre-contract check (調査シート・遵守確認表)
        if (pre_check and not self.gap("pre-contract-check-missing")) or (not pre_check and rng.random() < 0.05):
            if c.start - timedelta(days=10) <= as_of:
                d = c.start - timedelta(days=rng.randrange(10, 45))
                self.inspection(w, c, ids(principal if c.depth == 1 or rng.random() < 0.5 else c.delegator),
                                d, "written", "pre_contract", "ok", None, pack, principal)
        # -- periodic inspections
        if started:
            self.periodic(w, c, principal, onsite, pack)
        # -- people
        if c.my_number or rng.random() < 0.15:
            self.personnel(w, c, principal)
        if c.my_number and started:
            self.trainings(w, c)
        # -- end of contract
        if c.end < as_of:
            cert = c.end + timedelta(days=rng.randrange(1, min(grace, 30) + 1))
            if cert <= as_of and not self.gap("deletion-missing"):
                includes = "true" if c.children else rng.choice(("false", ""))
                if c.children and self.gap("subcontractor-certificates-missing"):
                    includes = "false"
                method = rng.choice(("erase", "erase", "destroy", "return"))
                w.writers["deletions"]((c.contract_id, self.day(cert),
                                        self.word(method, {"erase": "削除", "destroy": "廃棄", "return": "返却"}[method]),
                                        self.word("true", "○") if rng.random() < 0.3 else self.word("false", "×"),
                                        rng.choice(("photo", "process_record", "process_record", "none")), includes))
                w.rows["deletions"] += 1
        # -- incidents
        if started and rng.random() < 0.004 + self.o.rate("incident-unreported") * 0.05:
            last = min(as_of, c.end)
            span = (last - c.start).days
            occurred = c.start + timedelta(days=rng.randrange(0, span + 1))
            reported = min(occurred + timedelta(days=rng.randrange(0, 4)), as_of)
            told = [principal] + ([c.delegator] if c.depth >= 2 and c.delegator != principal else [])
            if self.gap("incident-unreported"):
                told = [c.delegator] if c.depth >= 2 else []
            self._counters["incident"] += 1
            w.writers["incidents"]((f"INC-{self._counters['incident']:07d}", c.contract_id, self.day(occurred),
                                    _iso(reported), ";".join(ids(o) for o in told), rng.choice(_INCIDENTS)))
            w.rows["incidents"] += 1

    def periodic(self, w, c: _Node, principal: int, onsite: bool, pack: str) -> None:
        """Inspections every 9–11 months from soon after the start, until the end or D, by the
        principal or by the contractor above (who reports the result to the principal)."""
        rng = self.rng
        as_of = self.as_of
        stop = min(as_of, c.end)
        first = min(rng.randrange(30, 180), (c.end - c.start).days // 2)
        d = c.start + timedelta(days=first)
        if self.gap("inspection-overdue"):
            stop = min(stop, as_of - timedelta(days=rng.randrange(400, 700)))
        unreported = c.depth >= 2 and self.gap("inspection-unreported")
        by_principal = c.depth == 1 or (not unreported and rng.random() < 0.4)
        inspector = self.org_id(principal if by_principal else c.delegator)
        written_only = onsite and self.gap("onsite-missing")
        while d <= stop:
            if onsite and not written_only:
                method = "on_site"
            else:
                method = rng.choice(("on_site", "written", "written", "hearing", "self_check", "third_party_audit"))
            reported = None
            if not by_principal and not unreported:
                reported = min(d + timedelta(days=rng.randrange(7, 45)), as_of)
            bad = rng.random() < 0.06
            self.inspection(w, c, inspector, d, method, "periodic", "needs_improvement" if bad else "ok",
                            reported, pack, principal)
            d += timedelta(days=rng.randrange(270, 336))

    def inspection(self, w, c: _Node, inspector: str, d: date, method: str, timing: str, result: str,
                   reported: date | None, pack: str, principal: int) -> None:
        rng = self.rng
        self._counters["inspection"] += 1
        iid = f"IN-{self._counters['inspection']:08d}"
        if result == "ok" and rng.random() < 0.01:
            result_cell = ""  # no result recorded
        else:
            result_cell = self.word(result, {"ok": "問題なし", "needs_improvement": "要改善"}[result])
        with_list = rng.random() < (0.3 if timing == "pre_contract" else 0.03)
        template = _CHECKLISTS.get(pack, _CHECKLISTS["baseline"]) if with_list else None
        w.writers["inspections"]((iid, c.contract_id, inspector, self.day(d),
                                  self.word(method, {"on_site": "実地", "written": "書面", "hearing": "ヒアリング",
                                                     "self_check": "自己点検", "third_party_audit": "第三者監査報告"}[method]),
                                  self.word(timing, {"periodic": "定期", "pre_contract": "契約前", "follow_up": "改善確認"}[timing]),
                                  result_cell, _iso(reported), template[0] if template else ""))
        w.rows["inspections"] += 1
        if template:
            inconsistent = result == "ok" and self.gap("checklist-inconsistent")
            bad_item = rng.randrange(1, template[1] + 1) if (result == "needs_improvement" or inconsistent) else 0
            row = w.writers["checklist_items"]
            for item in range(1, template[1] + 1):
                if item == bad_item:
                    row((iid, item, rng.choice(("B", "C")), rng.choice(_NOTES_BAD)))
                else:
                    row((iid, item, "NA" if rng.random() < 0.05 else "A", ""))
            w.rows["checklist_items"] += template[1]
        if result == "needs_improvement" and timing != "follow_up":
            self.improvement(w, c, iid, d, inspector, pack, principal, reported is not None)

    def improvement(self, w, c: _Node, iid: str, found: date, inspector: str, pack: str, principal: int,
                    reports: bool) -> None:
        rng = self.rng
        as_of = self.as_of
        if self.gap("improvement-untracked"):
            return
        issued = found + timedelta(days=rng.randrange(3, 15))
        if issued > as_of:
            issued = as_of
        due = issued + timedelta(days=rng.randrange(60, 91))
        closed = issued + timedelta(days=rng.randrange(10, 41))
        follow = None
        if closed > as_of:
            closed = None
        if self.gap("improvement-overdue") and due < as_of:
            closed = None
        if closed is not None and not self.gap("improvement-unverified"):
            reported = min(closed + timedelta(days=7), as_of) if reports else None
            self._counters["inspection"] += 1
            follow = f"IN-{self._counters['inspection']:08d}"
            w.writers["inspections"]((follow, c.contract_id, inspector, _iso(closed), "on_site", "follow_up", "ok",
                                      _iso(reported), ""))
            w.rows["inspections"] += 1
        self._counters["improvement"] += 1
        w.writers["improvements"]((f"IMP-{self._counters['improvement']:07d}", iid, self.day(issued), _iso(due),
                                   _iso(closed), follow or ""))
        w.rows["improvements"] += 1

    def personnel(self, w, c: _Node, principal: int) -> None:
        rng = self.rng
        row = w.writers["personnel"]
        org = self.org_id(c.delegatee)
        reported = _iso(c.start - timedelta(days=rng.randrange(3, 15)))
        base = f"P-{c.contract_id[2:]}"
        roles = [("general_manager", f"{base}-1"), ("data_manager", f"{base}-2"), ("handler", f"{base}-3")]
        if rng.random() < 0.5:
            roles.append(("handler", f"{base}-4"))
        if rng.random() < 0.4 or c.my_number:
            roles.append(("audit_lead", f"{base}-5"))
        if c.my_number and self.gap("designation-missing"):
            dropped = rng.choice(("data_manager", "handler"))
            roles = [r for r in roles if r[0] != dropped]
        if self.gap("audit-lead-conflict"):
            roles = [(r, f"{base}-5" if r == "handler" else p) for r, p in roles if r != "audit_lead"]
            roles.append(("audit_lead", f"{base}-5"))
        start, end = _iso(c.start), _iso(c.end)
        for role, person in roles:
            row((c.contract_id, self.word(role, {"general_manager": "総括責任者", "audit_lead": "監査責任者",
                                                 "data_manager": "管理責任者", "handler": "事務取扱担当者"}[role]),
                 person, org, start, end, reported))
        w.rows["personnel"] += len(roles)

    def trainings(self, w, c: _Node) -> None:
        rng = self.rng
        stop = min(self.as_of, c.end)
        if self.gap("training-missing"):
            stop = min(stop, self.as_of - timedelta(days=rng.randrange(380, 600)))
        d = c.start + timedelta(days=rng.randrange(14, 60))
        row = w.writers["trainings"]
        while d <= stop:
            row((c.contract_id, self.day(d), rng.randrange(3, 40), rng.choice(_TRAINING_TOPICS)))
            w.rows["trainings"] += 1
            d += timedelta(days=rng.randrange(300, 336))


def generate(out: str | Path, contracts: int, seed: int = 1, progress: Callable[[int], None] | None = None,
             **options) -> Summary:
    """Write a dataset of `contracts` contracts into the folder `out` (created if needed)."""
    opts = Options(contracts=contracts, seed=seed, **options)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    return Generator(opts).run(out, progress)
