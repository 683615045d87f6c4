"""The checklist templates quote the seeds: item counts, numbering, and every quoted passage found
verbatim (whitespace aside) in the seed file — read from the shared seeds folder when it exists,
and from the copy vendored under tests/data/seeds/ (which must equal it)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from checklists import TemplateError, get_template, load_templates
from checklists.templates import Template, _read, join_passages
from support import EXAMPLES, REPO
from loaders import load_dataset

SHARED = REPO.parent / "shared" / "seeds"
VENDORED = REPO / "tests" / "data" / "seeds"
SEED_DIRS = [d for d in (SHARED, VENDORED) if d.is_dir()]
COUNTS = {"jica-35": 35, "kuki-pre": 9, "kuki-post": 9, "nict-31": 10, "nerima-mynumber": 24, "mic-12": 12}
NUMBERS = {
    "jica-35": [str(n) for n in range(1, 36)],
    "kuki-pre": [str(n) for n in range(1, 10)],
    "kuki-post": [str(n) for n in range(1, 10)],
    "mic-12": [str(n) for n in range(1, 13)],
    "nerima-mynumber": [str(n) for n in range(3, 27)],
    "nict-31": ["1-1", "1-2", "1-3", "1-4", "1-5", "1-6", "2-1", "2-2", "2-3", "2-4"],
}
# A sample of items, as a reader of the seed would look them up: (template, item, start of 項目).
SAMPLE = [
    ("jica-35", "1", "特定個人情報等の具体的な取扱いを定める規定を整備していますか。"),
    ("jica-35", "9", "特定個人情報ファイルを取り扱う情報システムを管理する区域"),
    ("jica-35", "27", "ID/パスワードによるユーザ認証等を行い"),
    ("jica-35", "35", "再委託先との契約において、以下の事項は契約に含まれていますか。"),
    ("kuki-pre", "1", "安全管理の責任体制の整備"),
    ("kuki-post", "9", "契約内容の遵守状況についての定期的報告に関する事項"),
    ("nict-31", "1-2", "再委託（再委託先が委託先の子会社"),
    ("nict-31", "2-4", "必要に応じて実施可能とする委託先に対する実地の調査に関する事項"),
    ("nerima-mynumber", "3", "乙は、特定個人情報の取扱いに当たっては、善良なる管理者の注意をもって"),
    ("nerima-mynumber", "17", "乙は、甲が認めた場合に限り、第三者に再委託することができる。"),
    ("nerima-mynumber", "26", "乙は、特定個人情報の漏えい、破壊、改ざん、消去等の事故"),
    ("mic-12", "7", "再委託に関する制限事項の遵守"),
    ("mic-12", "12", "情報セキュリティポリシーが遵守されなかった場合の規定(損害賠償等)"),
]


def squash(text: str) -> str:
    """Whitespace normalisation for Japanese text: PDF line breaks and spaces carry no meaning."""
    return re.sub(r"\s+", "", text)


def test_there_is_a_seed_folder_to_compare_with():
    assert VENDORED.is_dir(), "tests/data/seeds/ (the vendored copy of the seeds) is missing"


def test_vendored_seeds_equal_the_shared_ones():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not here: the vendored copy is all there is")
    names = sorted(p.name for p in SHARED.glob("0*.txt"))
    assert names == sorted(p.name for p in VENDORED.glob("*.txt"))
    for name in names:
        assert (VENDORED / name).read_bytes() == (SHARED / name).read_bytes(), f"tests/data/seeds/{name} is stale"


def test_every_template_is_there_with_its_item_count():
    templates = load_templates()
    assert {t: len(templates[t].items) for t in templates} == COUNTS


@pytest.mark.parametrize("template_id", sorted(COUNTS))
def test_item_numbers_follow_the_source_numbering(template_id):
    t = get_template(template_id)
    assert [it.item for it in t.items] == NUMBERS[template_id]
    assert t.seed in {p.name for p in VENDORED.glob("*.txt")}


@pytest.mark.parametrize("seeds", SEED_DIRS, ids=lambda d: d.parent.name + "/" + d.name)
@pytest.mark.parametrize("template_id", sorted(COUNTS))
def test_every_quoted_passage_is_verbatim_in_the_seed(template_id, seeds):
    t = get_template(template_id)
    seed = squash((seeds / t.seed).read_text(encoding="utf-8"))
    missing = [(it.item, passage[:30]) for it in t.items for passage in (it.text, *it.criteria, *it.remarks)
               if squash(passage) not in seed]
    assert not missing, f"{template_id}: passages not found verbatim in {t.seed}: {missing}"


@pytest.mark.parametrize("seeds", SEED_DIRS, ids=lambda d: d.parent.name + "/" + d.name)
@pytest.mark.parametrize(("template_id", "item", "start"), SAMPLE)
def test_sample_items_read_as_in_the_seed(template_id, item, start, seeds):
    t = get_template(template_id)
    it = t.item[item]
    assert it.text.startswith(start)
    assert squash(it.text) in squash((seeds / t.seed).read_text(encoding="utf-8"))


def test_jica_items_keep_category_and_criteria():
    t = get_template("jica-35")
    assert t.item["1"].category == "組織的安全管理措置"
    assert t.item["7"].category == "人的安全管理措置"
    assert t.item["9"].category == "物理的安全管理措置"
    assert t.item["28"].category == "技術的安全管理措置"
    assert t.item["35"].category.startswith("再委託")
    assert all(it.criteria for it in t.items), "every jica item has a 判断基準"
    assert "・秘密保持の義務" in t.item["35"].criteria
    assert t.item["35"].cites == "jica No.35"


def test_kuki_pre_is_a_pre_contract_checklist():
    assert get_template("kuki-pre").timing == "pre_contract"
    assert all(get_template(t).timing == "periodic" for t in COUNTS if t != "kuki-pre")


def test_the_examples_answer_items_of_their_templates():
    """checklist_items.item of the bundled examples are item numbers of the templates they name."""
    for example in ("city-resident-tax", "ward-designated-managers"):
        ds = load_dataset(EXAMPLES / example)
        for inspection in ds.inspections:
            if inspection.checklist:
                items = set(get_template(inspection.checklist).item)
                answered = {a.item for a in ds.checklist_of.get(inspection.inspection_id, [])}
                assert answered <= items, (example, inspection.inspection_id, answered - items)


def test_page_broken_passages_run_on():
    assert join_passages(["必要に応じて、", "サービスレベルを保証させる。"]) == "必要に応じて、サービスレベルを保証させる。"
    assert join_passages(["・一つ目。", "・二つ目。"]) == "・一つ目。\n・二つ目。"
    assert "\n" not in get_template("mic-12").item["3"].criteria_text


def test_a_broken_template_is_refused(tmp_path: Path):
    good = yaml.safe_load((REPO / "checklists" / "templates" / "kuki-pre.yaml").read_text(encoding="utf-8"))
    dup = dict(good, items=[good["items"][0], good["items"][0]])
    (tmp_path / "kuki-pre.yaml").write_text(yaml.safe_dump(dup, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TemplateError, match="duplicate item"):
        _read(tmp_path / "kuki-pre.yaml")
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TemplateError, match="does not match the file name"):
        _read(tmp_path / "other.yaml")
    with pytest.raises(TemplateError, match="unknown checklist template"):
        get_template("jica-36")
    assert isinstance(get_template("jica-35"), Template)
