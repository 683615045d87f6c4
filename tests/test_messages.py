"""The message catalogue (loaders.messages) walked whole: every English template has a Japanese one
with the same placeholders, each renders, each is used by the code, and every key the code names exists."""
from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

import pytest

from loaders.messages import CATALOGUE, msg

REPO = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("loaders", "checklists", "registers", "itaku") for p in (REPO / d).rglob("*.py")
           if p.name != "messages.py"]


def _fields(template: str) -> set[tuple[str, str | None, str]]:
    return {(name, conv, spec) for _, name, spec, conv in Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_japanese_template_has_the_same_placeholders(key):
    en, ja = CATALOGUE[key]
    assert _fields(en) == _fields(ja), key
    assert ja != en and not ja.isascii(), f"{key}: the Japanese template is not Japanese"
    params = {name: 1 if spec else "x" for name, _, spec in _fields(en)}
    for lang in ("en", "ja"):
        assert msg(key, **params).text(lang)  # renders, every placeholder given


def test_every_template_is_used_and_every_key_named_exists():
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    quoted = set(re.findall(r'(?=(["\'])([\w. -]+)\1)', code))  # overlapping: every quoted word
    quoted = {word for _, word in quoted}
    unused = [k for k in CATALOGUE if k not in quoted and k.removeprefix("noun.") not in quoted]
    assert unused == []
    named = set(re.findall(r'\bmsg\(\s*["\']([^"\']+)["\']', code))
    assert named - set(CATALOGUE) == {"noun."}  # "noun." + what: the nouns are checked below
    nouns = set(re.findall(r'_enum(?:_list)?\(vocab\.\w+, "([^"]+)"\)', code))
    assert {"noun." + n for n in nouns} - set(CATALOGUE) == set()


def test_nested_messages_and_withheld_values_follow_the_language():
    from loaders.errors import Problem

    p = Problem("personnel.csv", 3, "-", msg("column_letter", letter="B", message=msg("unknown_id", key="org_id", value="山田")))
    assert p.text("en") == "personnel.csv:3:-: column B: unknown org_id '山田'"
    assert p.text("ja") == "personnel.csv:3:-: 列 B: 不明な org_id '山田' です"
    assert p.with_withheld_values().text("ja") == "personnel.csv:3:-: 列 B: 不明な org_id [値は表示しません: 人事データ] です"
    assert str(p.with_withheld_values()) == "personnel.csv:3:-: column B: unknown org_id [value withheld: personnel data]"
